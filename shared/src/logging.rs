//! Logging to stderr, so that a stdio server's stdout carries nothing but protocol.

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
