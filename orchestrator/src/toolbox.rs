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
use rmcp::model::{
    CallToolResult, ClientRequest, JsonObject, ResourceUpdatedNotificationParam,
    ServerCapabilities, ServerResult,
};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::explain::Explanation;
use crate::registry::Registry;
use crate::relay::CallRelay;
use crate::router::{self, CallError, ForwardError};
use crate::status::{ServerState, ServerStatus};
use crate::supervisor::{self, Catalog, Upstream};

/// Events kept for a listener that falls behind; older ones are dropped.
const EVENT_BACKLOG: usize = 256;

/// Something a server announced that concerns the toolbox's users rather than its supervisor,
/// and which server it was.
#[derive(Debug, Clone)]
pub struct ServerEvent {
    /// The server's id.
    pub server: String,
    /// What it announced.
    pub event: Event,
}

/// What a server can announce between calls.
#[derive(Debug, Clone)]
pub enum Event {
    /// A log message (`notifications/message`), as the server sent it.
    #[allow(
        deprecated,
        reason = "logging is the 2025-11-25 protocol's, which servers speak"
    )]
    Log(LoggingMessageNotificationParam),
    /// A subscribed resource changed (`notifications/resources/updated`), under the server's URI.
    ResourceUpdated(ResourceUpdatedNotificationParam),
    /// `notifications/resources/list_changed`.
    ResourcesChanged,
    /// `notifications/prompts/list_changed`.
    PromptsChanged,
}

/// A connected server, as a caller that forwards requests to it needs to know it.
#[derive(Debug, Clone)]
pub struct Connected {
    /// Its id.
    pub id: String,
    /// What its exposed names start with.
    pub prefix: String,
    /// What it said it can do in the handshake.
    pub capabilities: ServerCapabilities,
    /// What it told clients about itself in the handshake.
    pub instructions: Option<String>,
}

/// Idle HTTP connections kept per upstream host.
const HTTP_POOL_IDLE: usize = 16;

/// The client every HTTP upstream is dialled with.
pub(crate) fn http_client() -> Result<reqwest::Client, StartError> {
    Ok(reqwest::Client::builder()
        // Without TCP_NODELAY a kept-alive connection stalls ~40 ms per call (Nagle + delayed ACK).
        .tcp_nodelay(true)
        .pool_max_idle_per_host(HTTP_POOL_IDLE)
        .build()?)
}

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
    events: broadcast::Sender<ServerEvent>,
}

/// The toolbox could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client for upstream servers: {0}")]
pub struct StartError(#[from] reqwest::Error);

impl Toolbox {
    /// Starts a supervisor for every enabled server, all at once, and returns without waiting
    /// for any of them; see [`Toolbox::settled`]. Must be called inside a Tokio runtime.
    pub fn start(config: Config) -> Result<Self, StartError> {
        Self::launch(config, false)
    }

    /// Like [`Toolbox::start`], offering the servers sampling and elicitation: for a caller
    /// that relays the servers' requests to a client that answers them
    /// ([`Toolbox::call_relayed`]), as the gateway does.
    pub fn start_relaying(config: Config) -> Result<Self, StartError> {
        Self::launch(config, true)
    }

    fn launch(config: Config, server_requests: bool) -> Result<Self, StartError> {
        let http = http_client()?;
        let catalog = Arc::new(Catalog::new(config.servers.clone()));
        let (events, _) = broadcast::channel(EVENT_BACKLOG);
        let shutdown = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let upstreams: Vec<Arc<Upstream>> = config
            .servers
            .into_iter()
            .map(|server| Arc::new(Upstream::new(server, events.clone(), server_requests)))
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
            events,
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

    /// A receiver of every event any server announces from now on. One that falls more than
    /// a few hundred events behind loses the oldest.
    pub fn subscribe_events(&self) -> broadcast::Receiver<ServerEvent> {
        self.events.subscribe()
    }

    /// The servers connected now, in configuration order.
    pub fn connected(&self) -> Vec<Connected> {
        self.upstreams
            .iter()
            .filter_map(|upstream| {
                let info = upstream.peer()?.peer_info()?;
                Some(Connected {
                    id: upstream.config.id.clone(),
                    prefix: upstream.config.prefix.clone(),
                    capabilities: info.capabilities.clone(),
                    instructions: info.instructions.clone(),
                })
            })
            .collect()
    }

    /// The live connection to server `id`, for callers that measure what routing costs.
    pub(crate) fn upstream_peer(&self, id: &str) -> Option<rmcp::Peer<rmcp::RoleClient>> {
        self.upstream(id)?.peer()
    }

    /// Sends a request other than a tool call (prompts, resources, completions) to the server
    /// `server`, within its call timeout.
    pub async fn forward(
        &self,
        server: &str,
        request: ClientRequest,
    ) -> Result<ServerResult, ForwardError> {
        let upstream = self
            .upstream(server)
            .ok_or_else(|| ForwardError::UnknownServer(server.to_owned()))?;
        // Boxed: an rmcp request in flight is a future of kilobytes, which would otherwise be
        // copied whole into every task that awaits it (rmcp spawns one per request it serves).
        Box::pin(router::forward(upstream, request)).await
    }

    /// Every configured server's status, in configuration order.
    pub fn status(&self) -> Vec<ServerStatus> {
        self.upstreams
            .iter()
            .map(|upstream| upstream.status())
            .collect()
    }

    /// The status of server `id`, if it is configured.
    pub fn server_status(&self, id: &str) -> Option<ServerStatus> {
        self.upstream(id).map(|upstream| upstream.status())
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

    /// Like [`Toolbox::call`], passing what the server sends for this call before answering
    /// (progress with the server's own token, and its requests of the client) to `relay`, in
    /// order and all before the answer. The server's requests are only made of a toolbox
    /// started with [`Toolbox::start_relaying`].
    pub async fn call_relayed(
        &self,
        name: &str,
        arguments: Option<JsonObject>,
        relay: &CallRelay,
    ) -> Result<CallToolResult, CallError> {
        self.route(name, arguments, Some(relay)).await
    }

    async fn route(
        &self,
        name: &str,
        arguments: Option<JsonObject>,
        relay: Option<&CallRelay>,
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
        // Boxed for the reason given in `forward`.
        Box::pin(router::call(upstream, entry.original(), arguments, relay)).await
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
