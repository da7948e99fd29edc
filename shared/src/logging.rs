//! Logging to stderr, so that a stdio server's stdout carries nothing but protocol; and the
//! order of MCP's log levels, for whoever filters MCP log messages.

use tracing_subscriber::EnvFilter;

use crate::LogFormat;

/// A log filter that could not be parsed.
#[derive(Debug, thiserror::Error)]
#[error("invalid log filter `{filter}`: {source}")]
pub struct LogFilterError {
    filter: String,
    source: tracing_subscriber::filter::ParseError,
}

/// Installs the global subscriber: `filter` if given, else `RUST_LOG`, else `info`.
///
/// Calling it again (as tests that start several servers in one process do) keeps the first
/// subscriber.
pub fn init(filter: Option<&str>, format: LogFormat) -> Result<(), LogFilterError> {
    let filter_text = filter
        .map(str::to_owned)
        .or_else(|| std::env::var("RUST_LOG").ok())
        .unwrap_or_else(|| "info".to_owned());
    let env_filter = EnvFilter::try_new(&filter_text).map_err(|source| LogFilterError {
        filter: filter_text.clone(),
        source,
    })?;
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(env_filter);
    // An error here only means a subscriber is already installed; keeping it is correct.
    let _already_installed = match format {
        LogFormat::Text => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    Ok(())
}

/// How severe an MCP log level is, from `debug` (0) to `emergency` (7): rmcp's `LoggingLevel`
/// has no order of its own, and a `logging/setLevel` means "this level and above".
#[allow(
    deprecated,
    reason = "logging is the 2025-11-25 protocol's, which clients and servers speak"
)]
pub fn severity(level: rmcp::model::LoggingLevel) -> u8 {
    use rmcp::model::LoggingLevel;
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}
