//! The command-line flags every server binary shares.
//!
//! A server flattens [`ServeArgs`] into its own `clap` parser, next to its domain flags:
//!
//! ```
//! use clap::Parser;
//!
//! #[derive(Parser)]
//! #[command(name = "demo-server", version)]
//! struct Cli {
//!     #[command(flatten)]
//!     serve: shared::ServeArgs,
//! }
//!
//! let cli = Cli::parse_from(["demo-server", "--transport", "http", "--stateless"]);
//! assert_eq!(cli.serve.transport, shared::Transport::Http);
//! assert!(cli.serve.stateless);
//! ```

use std::net::SocketAddr;

use clap::{Args, ValueEnum};

/// How the server talks to its client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Transport {
    /// JSON-RPC lines on stdin and stdout, for a client that launches the server.
    Stdio,
    /// Streamable HTTP on `/mcp`, with `/healthz` for liveness probes.
    Http,
}

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per event, for log collectors.
    Json,
}

/// Transport, listening and logging flags.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Transport to serve on.
    #[arg(long, value_enum, default_value_t = Transport::Stdio)]
    pub transport: Transport,

    /// Address to listen on with `--transport http` [default: 127.0.0.1 and the server's own port].
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<SocketAddr>,

    /// Serve HTTP without sessions, so that any replica behind a load balancer can answer any request.
    #[arg(long)]
    pub stateless: bool,

    /// Also accept this `Host` (and matching `Origin`); repeat for more. Loopback names are always accepted.
    #[arg(long = "allowed-host", value_name = "HOST")]
    pub allowed_hosts: Vec<String>,

    /// With `--transport http`, require `Authorization: Bearer <token>` on `/mcp`, the token
    /// read from this environment variable (not a flag, which other users can read in `ps`).
    /// For serving beyond loopback.
    #[arg(long, value_name = "VAR")]
    pub bearer_token_env: Option<String>,

    /// With `--transport http`, shut down when stdin reaches end of file (for supervisors that hold a pipe).
    #[arg(long)]
    pub exit_on_stdin_eof: bool,

    /// Log filter, such as `debug` or `math_server=trace` [default: $RUST_LOG, else `info`].
    #[arg(long, value_name = "FILTER")]
    pub log_level: Option<String>,

    /// Log line format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}
