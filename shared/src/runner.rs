//! Runs a server binary: logging, the chosen transport, and a clean shutdown.
//!
//! A server's `main` is one call:
//!
//! ```no_run
//! # use shared::{ServeArgs, Tools};
//! # fn main_of<T: Tools>(args: ServeArgs, tools: T) -> std::process::ExitCode {
//! shared::run(args, tools)
//! # }
//! ```
//!
//! Shutdown: SIGINT or SIGTERM end any transport; end of stdin ends a stdio server (and an
//! HTTP one started with `--exit-on-stdin-eof`). Requests in flight are answered or cancelled,
//! and the process exits with status 0.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use axum::serve::ListenerExt;
use rmcp::service::ServerInitializeError;
use rmcp::{ServerHandler, ServiceExt};
use tokio::io::AsyncReadExt;
use tokio_util::sync::CancellationToken;

use crate::http::{self, BearerToken, HttpOptions};
use crate::lines::GuardedLines;
use crate::{ServeArgs, ServerIdentity, ToolServer, Tools, Transport, logging};

/// How long an HTTP server waits for open connections after a shutdown signal.
const HTTP_DRAIN: Duration = Duration::from_secs(5);
/// How long the runtime waits for blocking tasks (a blocked stdin read) when the server ends.
const RUNTIME_DRAIN: Duration = Duration::from_millis(500);

/// Why a server could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The log filter did not parse.
    #[error(transparent)]
    LogFilter(#[from] logging::LogFilterError),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The HTTP listener could not bind.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why binding failed.
        source: std::io::Error,
    },
    /// Serving HTTP failed.
    #[error("HTTP server failed: {0}")]
    Http(#[source] std::io::Error),
    /// The MCP session could not start (the client left or spoke something else).
    #[error("MCP session did not start: {0}")]
    Initialize(String),
    /// The bearer token's variable is unset or empty.
    #[error(
        "--bearer-token-env {0}: the variable is not set, or empty; set it to the token clients must send"
    )]
    MissingToken(String),
    /// A bearer token was asked for where there is no HTTP.
    #[error(
        "--bearer-token-env applies to --transport http; a stdio server is reached only by the process that started it"
    )]
    TokenWithoutHttp,
    /// Signal handlers could not be installed.
    #[error("cannot install signal handlers: {0}")]
    Signals(#[source] std::io::Error),
}

/// Parses nothing, serves `tools` as `args` say, and turns the outcome into an exit code.
pub fn run<T: Tools>(args: ServeArgs, tools: T) -> ExitCode {
    let name = tools.identity().name;
    match run_to_end(args, tools) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Straight to stderr: logging may be what failed to start.
            eprintln!("{name}: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run_to_end<T: Tools>(args: ServeArgs, tools: T) -> Result<(), RunError> {
    logging::init(args.log_level.as_deref(), args.log_format)?;
    // One thread: every hop of a request (read, dispatch, tool, write) stays on one CPU, where
    // a wake-up across CPUs costs tens of microseconds (see BENCHMARKS.md; about 1.5x the
    // calls/s at 64 in flight). Blocking work still goes to the blocking pool.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(RunError::Runtime)?;
    let outcome = runtime.block_on(serve(args, ToolServer::new(tools)));
    runtime.shutdown_timeout(RUNTIME_DRAIN);
    outcome
}

/// Serves until the client leaves or a shutdown signal arrives.
pub async fn serve<T: Tools>(args: ServeArgs, server: ToolServer<T>) -> Result<(), RunError> {
    let identity = server.identity();
    serve_handler(args, identity, server).await
}

/// Like [`serve`], for any MCP server handler (a gateway, a fixture) rather than a set of
/// tools: the same transports, flags, guards and shutdown. `identity` names it in logs and on
/// `/healthz`, and gives the default port.
pub async fn serve_handler<S>(
    args: ServeArgs,
    identity: ServerIdentity,
    server: S,
) -> Result<(), RunError>
where
    S: ServerHandler + Clone + Send + Sync + 'static,
{
    let bearer_token = match (&args.bearer_token_env, args.transport) {
        (None, _) => None,
        (Some(_), Transport::Stdio) => return Err(RunError::TokenWithoutHttp),
        (Some(variable), Transport::Http) => Some(
            std::env::var(variable)
                .ok()
                .filter(|token| !token.is_empty())
                .map(BearerToken::new)
                .ok_or_else(|| RunError::MissingToken(variable.clone()))?,
        ),
    };
    let shutdown = CancellationToken::new();
    let signals = shutdown_on_signals(shutdown.clone())?;
    tracing::info!(
        server = identity.name,
        version = identity.version,
        transport = ?args.transport,
        "starting"
    );
    let outcome = match args.transport {
        Transport::Stdio => serve_stdio(server, shutdown).await,
        Transport::Http => {
            if args.exit_on_stdin_eof {
                tokio::spawn(shutdown_on_stdin_eof(shutdown.clone()));
            }
            let bind = args.bind.unwrap_or(SocketAddr::from((
                Ipv4Addr::LOCALHOST,
                identity.default_port,
            )));
            let mut options = HttpOptions::for_bind(bind, args.stateless, &args.allowed_hosts);
            options.bearer_token = bearer_token;
            serve_http(server, identity, bind, &options, shutdown).await
        }
    };
    signals.abort();
    tracing::info!(server = identity.name, "stopped");
    outcome
}

async fn serve_stdio<S: ServerHandler>(
    server: S,
    shutdown: CancellationToken,
) -> Result<(), RunError> {
    let (reader, writer) = rmcp::transport::stdio_pipes();
    let transport = (GuardedLines::new(reader), writer);
    let running = tokio::select! {
        running = server.serve_with_ct(transport, shutdown.child_token()) => match running {
            Ok(running) => running,
            // A client that leaves before the handshake is a normal end, not a failure.
            Err(ServerInitializeError::ConnectionClosed(reason)) => {
                tracing::info!(%reason, "the client left before initializing");
                return Ok(());
            }
            Err(error) => return Err(RunError::Initialize(error.to_string())),
        },
        () = shutdown.cancelled() => return Ok(()),
    };
    match running.waiting().await {
        Ok(reason) => tracing::info!(?reason, "session ended"),
        Err(error) => tracing::warn!(%error, "session task failed"),
    }
    Ok(())
}

async fn serve_http<S>(
    server: S,
    identity: ServerIdentity,
    bind: SocketAddr,
    options: &HttpOptions,
    shutdown: CancellationToken,
) -> Result<(), RunError>
where
    S: ServerHandler + Clone + Send + Sync + 'static,
{
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|source| RunError::Bind { addr: bind, source })?;
    let local = listener.local_addr().map_err(RunError::Http)?;
    // Without TCP_NODELAY a kept-alive connection stalls ~40 ms per call (Nagle + delayed ACK).
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "cannot set TCP_NODELAY");
        }
    });
    let app = http::app(server, identity, options, shutdown.child_token());
    tracing::info!("listening on http://{local}/mcp");
    let drained = shutdown.clone();
    let serving = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .into_future();
    tokio::pin!(serving);
    tokio::select! {
        outcome = &mut serving => outcome.map_err(RunError::Http),
        () = async {
            drained.cancelled().await;
            tokio::time::sleep(HTTP_DRAIN).await;
        } => {
            tracing::warn!("connections still open {HTTP_DRAIN:?} after shutdown; closing them");
            Ok(())
        }
    }
}

fn shutdown_on_signals(
    shutdown: CancellationToken,
) -> Result<tokio::task::JoinHandle<()>, RunError> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).map_err(RunError::Signals)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(RunError::Signals)?;
    Ok(tokio::spawn(async move {
        let name = tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
        };
        tracing::info!(signal = name, "shutting down");
        shutdown.cancel();
    }))
}

async fn shutdown_on_stdin_eof(shutdown: CancellationToken) {
    let mut stdin = tokio::io::stdin();
    let mut sink = [0u8; 1024];
    loop {
        match stdin.read(&mut sink).await {
            Ok(0) | Err(_) => break,
            Ok(_) => continue,
        }
    }
    tracing::info!("stdin closed; shutting down");
    shutdown.cancel();
}
