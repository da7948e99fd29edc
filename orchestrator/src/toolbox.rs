//! The one facade over all servers: start them, list the merged tools, call one, inspect.
//! The CLI (and later the agent loop and the gateway) go through it, so a call has one path
//! whoever makes it.

use std::sync::Arc;
use std::time::{Duration, Instant};

#[allow(
    deprecated,
    reason = "logging is the 2025-11-25 protocol's, which servers speak"
)]
use rmcp::model::LoggingMessageNotificationParam;
use rmcp::model::{CallToolResult, JsonObject};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::explain::Explanation;
use crate::registry::Registry;
use crate::router::{self, CallError, ProgressSink};
use crate::status::{ServerState, ServerStatus};
use crate::supervisor::{self, Catalog, Upstream};

/// Log messages kept for a listener that falls behind; older ones are dropped.
const LOG_BACKLOG: usize = 256;

/// A log message a server sent (`notifications/message`), and which server sent it.
#[derive(Debug, Clone)]
pub struct ServerLog {
    /// The server's id.
    pub server: String,
    /// The message as the server sent it.
    #[allow(
        deprecated,
        reason = "logging is the 2025-11-25 protocol's, which servers speak"
    )]
    pub message: LoggingMessageNotificationParam,
}

/// Idle HTTP connections kept per upstream host.
const HTTP_POOL_IDLE: usize = 16;

/// Many MCP servers used as one toolbox.
///
/// ```no_run
/// # async fn demo() -> anyhow::Result<()> {
/// use orchestrator::{Config, Toolbox};
/// let toolbox = Toolbox::start(Config::workspace_default()?)?;
/// toolbox.settled().await;
/// for entry in toolbox.registry().entries() {
///     println!("{} -> {} on {}", entry.name, entry.original(), entry.server);
/// }
/// let args = serde_json::json!({"a": 2, "b": 3});
/// let result = toolbox.call("math__add", args.as_object().cloned()).await?;
/// toolbox.shutdown().await;
/// # Ok(()) }
/// ```
pub struct Toolbox {
    upstreams: Vec<Arc<Upstream>>,
    catalog: Arc<Catalog>,
    shutdown: CancellationToken,
    tasks: JoinSet<()>,
    started: Instant,
    logs: broadcast::Sender<ServerLog>,
}

/// The toolbox could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client for upstream servers: {0}")]
pub struct StartError(#[from] reqwest::Error);

impl Toolbox {
    /// Starts a supervisor for every enabled server, all at once, and returns without waiting
    /// for any of them; see [`Toolbox::settled`]. Must be called inside a Tokio runtime.
    pub fn start(config: Config) -> Result<Self, StartError> {
        let http = reqwest::Client::builder()
            .tcp_nodelay(true)
            .pool_max_idle_per_host(HTTP_POOL_IDLE)
            .build()?;
        let catalog = Arc::new(Catalog::new(config.servers.clone()));
        let (logs, _) = broadcast::channel(LOG_BACKLOG);
        let shutdown = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let upstreams: Vec<Arc<Upstream>> = config
            .servers
            .into_iter()
            .map(|server| Arc::new(Upstream::new(server, logs.clone())))
            .collect();
        for upstream in upstreams.iter().filter(|upstream| upstream.config.enabled) {
            tasks.spawn(supervisor::supervise(
                upstream.clone(),
                catalog.clone(),
                http.clone(),
                shutdown.clone(),
            ));
        }
        Ok(Self {
            upstreams,
            catalog,
            shutdown,
            tasks,
            started: Instant::now(),
            logs,
        })
    }

    /// Waits until every enabled server has made its first attempt to connect, whatever the
    /// outcome, and returns how long that took since [`Toolbox::start`]. Each attempt is
    /// bounded by its server's connect timeout; servers that failed keep retrying.
    pub async fn settled(&self) -> Duration {
        for upstream in &self.upstreams {
            let mut status = upstream.watch_status();
            let _ = status
                .wait_for(|status| status.state != ServerState::Starting)
                .await;
        }
        self.started.elapsed()
    }

    /// The merged registry as it is now.
    pub fn registry(&self) -> Arc<Registry> {
        self.catalog.registry()
    }

    /// A receiver that sees each new registry (after a server connects, restarts or announces
    /// `tools/list_changed`).
    pub fn watch_registry(&self) -> watch::Receiver<Arc<Registry>> {
        self.catalog.watch()
    }

    /// A receiver of every log message any server sends from now on. One that falls more than
    /// a few hundred messages behind loses the oldest.
    pub fn subscribe_logs(&self) -> broadcast::Receiver<ServerLog> {
        self.logs.subscribe()
    }

    /// Every configured server's status, in configuration order.
    pub fn status(&self) -> Vec<ServerStatus> {
        self.upstreams
            .iter()
            .map(|upstream| upstream.status())
            .collect()
    }

    /// A receiver that sees each status change of one server. Its values leave
    /// `stderr_tail` empty (a line of stderr is not a change of state); [`Toolbox::status`]
    /// fills it in.
    pub fn watch_server(&self, id: &str) -> Option<watch::Receiver<ServerStatus>> {
        self.upstream(id).map(|upstream| upstream.watch_status())
    }

    /// Calls the tool exposed as `name` on the server that owns it.
    ///
    /// A server that is down, crashes, or does not answer in time gives an `isError` result
    /// that says so (at once, for a server that is down). An unknown or hidden name, or a
    /// JSON-RPC error from the server, is an `Err`.
    pub async fn call(
        &self,
        name: &str,
        arguments: Option<JsonObject>,
    ) -> Result<CallToolResult, CallError> {
        self.route(name, arguments, None).await
    }

    /// Like [`Toolbox::call`], passing the progress notifications the server sends for this
    /// call to `progress` as they arrive (with the server's own progress token).
    pub async fn call_with_progress(
        &self,
        name: &str,
        arguments: Option<JsonObject>,
        progress: &ProgressSink,
    ) -> Result<CallToolResult, CallError> {
        self.route(name, arguments, Some(progress)).await
    }

    async fn route(
        &self,
        name: &str,
        arguments: Option<JsonObject>,
        progress: Option<&ProgressSink>,
    ) -> Result<CallToolResult, CallError> {
        let registry = self.registry();
        let Some(entry) = registry.get(name) else {
            return Err(CallError::UnknownTool {
                name: name.to_owned(),
                hint: self.explain(name).message(),
            });
        };
        let Some(upstream) = self.upstream(&entry.server) else {
            return Err(CallError::UnknownTool {
                name: name.to_owned(),
                hint: format!("its server `{}` is no longer configured", entry.server),
            });
        };
        router::call(upstream, entry.original(), arguments, progress).await
    }

    /// Pings every connected server once, at the same time, recording the round trips in
    /// their status.
    pub async fn ping_all(&self) {
        futures::future::join_all(self.upstreams.iter().map(|upstream| upstream.ping())).await;
    }

    /// Where the tool exposed as `name` comes from, or why there is no such tool.
    pub fn explain(&self, name: &str) -> Explanation {
        Explanation::of(name, &self.registry(), &self.status())
    }

    /// Stops every supervisor and closes every server (stdio children and their process
    /// groups end).
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        while self.tasks.join_next().await.is_some() {}
    }

    fn upstream(&self, id: &str) -> Option<&Arc<Upstream>> {
        self.upstreams
            .iter()
            .find(|upstream| upstream.config.id == id)
    }
}

impl Drop for Toolbox {
    fn drop(&mut self) {
        // Supervisors close their connections when told to; aborting them (the JoinSet's drop)
        // drops the connections, whose guards kill the children.
        self.shutdown.cancel();
    }
}
