//! One connection to one upstream server: spawning or dialing it, the MCP handshake, its first
//! tool list, and closing it so that nothing is left running.
//!
//! A [`Connection`] lives from one handshake to the end of its transport. Reconnecting is the
//! supervisor's job, which makes a new `Connection` each time.

pub(crate) mod in_flight;
pub(crate) mod listing;
mod process;
pub(crate) mod stderr;

use std::time::Duration;

#[allow(
    deprecated,
    reason = "logging is the 2025-11-25 protocol's, which servers speak"
)]
use rmcp::model::LoggingMessageNotificationParam;
use rmcp::model::{
    ClientCapabilities, ClientConfig, ClientResult, ElicitRequest, ElicitRequestParams,
    ElicitResult, ElicitationCapability, ErrorData, FormElicitationCapability, Implementation,
    ProtocolVersion, ResourceUpdatedNotificationParam, SamplingCapability, ServerRequest,
    UrlElicitationCapability,
};
#[allow(
    deprecated,
    reason = "sampling is the 2025-11-25 protocol's, which servers speak"
)]
use rmcp::model::{CreateMessageRequest, CreateMessageRequestParams, CreateMessageResult};
use rmcp::service::{
    InboundStreamOrigin, NotificationContext, Peer, RequestContext, RoleClient, RunningService,
    RunningServiceCancellationToken,
};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, ServiceExt};
use tokio::sync::{broadcast, mpsc, oneshot, watch};

use crate::config::{ServerConfig, TransportConfig};
use crate::relay::PeerRequest;
use crate::toolbox::{Event, ServerEvent};
use in_flight::{InFlight, Tapped};
use listing::{Listing, ListingError};
use process::GroupGuard;
use stderr::StderrTail;

/// How long a closing server gets before its process group is killed.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// How long to wait for a dead server's last stderr lines before reporting its failure.
const STDERR_DRAIN: Duration = Duration::from_millis(500);

/// What a server tells the orchestrator between requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notice {
    /// `notifications/tools/list_changed`.
    ToolsChanged,
}

/// Why a connection could not be made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConnectError {
    /// The command could not be started.
    #[error("cannot start `{command}`: {source}")]
    Spawn {
        /// The command.
        command: String,
        /// Why.
        source: std::io::Error,
    },
    /// The MCP handshake failed.
    #[error("the MCP handshake failed: {reason}{}", stderr_suffix(.stderr))]
    Handshake {
        /// What rmcp reported.
        reason: String,
        /// The server's last stderr lines, which usually say why.
        stderr: Option<String>,
    },
    /// The first tool list could not be read.
    #[error(transparent)]
    Listing(#[from] ListingError),
}

fn stderr_suffix(stderr: &Option<String>) -> String {
    stderr
        .as_deref()
        .map(|tail| format!("; its stderr ends with:\n{tail}"))
        .unwrap_or_default()
}

/// What the server said about itself in the handshake.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PeerSummary {
    /// `serverInfo.name`.
    pub name: String,
    /// `serverInfo.version`.
    pub version: String,
    /// The negotiated protocol version.
    pub protocol: String,
}

/// Forwards a server's notifications to its supervisor, and what concerns others to them.
#[derive(Debug, Clone)]
struct Handler {
    notices: mpsc::Sender<Notice>,
    relays: Relays,
}

/// Where a server's messages that concern others than its supervisor go.
#[derive(Debug, Clone)]
pub(crate) struct Relays {
    /// The server's id, to label its events.
    pub server: String,
    /// The calls whose callers get their progress and the server's requests.
    pub in_flight: InFlight,
    /// Logs, resource updates and list changes, to whoever listens (the gateway's clients).
    pub events: broadcast::Sender<ServerEvent>,
    /// Whether to offer sampling and elicitation to the server: only a toolbox whose callers
    /// can answer them (the gateway's clients) does.
    pub server_requests: bool,
}

impl Handler {
    fn announce(&self, event: Event) {
        // Nobody listening is fine: events are not kept.
        let _ = self.relays.events.send(ServerEvent {
            server: self.relays.server.clone(),
            event,
        });
    }

    /// Hands a request of the server to the caller of the call it came with, and waits for
    /// the answer of that caller's client.
    async fn relay(
        &self,
        method: &str,
        request: ServerRequest,
        context: &RequestContext<RoleClient>,
    ) -> Result<ClientResult, ErrorData> {
        let origin = match context.extensions.get::<InboundStreamOrigin>() {
            Some(InboundStreamOrigin::OutboundRequest(id)) => Some(id),
            _ => None,
        };
        let (reply, answer) = oneshot::channel();
        if !self
            .relays
            .in_flight
            .relay_request(origin, PeerRequest { request, reply })
        {
            return Err(ErrorData::invalid_request(
                format!(
                    "{method} is relayed to the client of a tool call in progress, and no call to server `{}` is in progress",
                    self.relays.server
                ),
                None,
            ));
        }
        answer.await.unwrap_or_else(|_| {
            Err(ErrorData::internal_error(
                format!("the call this {method} came with ended before its client answered"),
                None,
            ))
        })
    }
}

/// The answer of a relayed request that is not of the kind the request asks for.
fn wrong_answer(method: &str) -> ErrorData {
    ErrorData::internal_error(
        format!("the client answered {method} with a result of another kind"),
        None,
    )
}

impl ClientHandler for Handler {
    fn get_info(&self) -> ClientConfig {
        let mut capabilities = ClientCapabilities::default();
        if self.relays.server_requests {
            capabilities.sampling = Some(SamplingCapability::default());
            capabilities.elicitation = Some(
                ElicitationCapability::new()
                    .with_form(FormElicitationCapability::default())
                    .with_url(UrlElicitationCapability::default()),
            );
        }
        // The handshake is `initialize`, so the version asked for is the newest that has one
        // (rmcp's LATEST, 2026-07-28, replaced it); servers answer with theirs.
        ClientConfig::new(
            capabilities,
            Implementation::new("mcp-orchestrator", env!("CARGO_PKG_VERSION")),
        )
        .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE)
    }

    #[allow(
        deprecated,
        reason = "sampling is the 2025-11-25 protocol's, which servers speak"
    )]
    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        let request = ServerRequest::CreateMessageRequest(CreateMessageRequest::new(params));
        let method = "sampling/createMessage";
        match self.relay(method, request, &context).await? {
            ClientResult::CreateMessageResult(result) => Ok(*result),
            _ => Err(wrong_answer(method)),
        }
    }

    async fn create_elicitation(
        &self,
        params: ElicitRequestParams,
        context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        let request = ServerRequest::ElicitRequest(ElicitRequest::new(params));
        let method = "elicitation/create";
        match self.relay(method, request, &context).await? {
            ClientResult::ElicitResult(result) => Ok(result),
            _ => Err(wrong_answer(method)),
        }
    }

    #[allow(
        deprecated,
        reason = "logging is the 2025-11-25 protocol's, which servers speak"
    )]
    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.announce(Event::Log(params));
    }

    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.announce(Event::ResourceUpdated(params));
    }

    async fn on_resource_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.announce(Event::ResourcesChanged);
    }

    async fn on_prompt_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.announce(Event::PromptsChanged);
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        // One pending notice is enough to trigger a refresh: a storm collapses here.
        let _ = self.notices.try_send(Notice::ToolsChanged);
    }
}

/// A live connection.
pub(crate) struct Connection {
    peer: Peer<RoleClient>,
    cancel: Option<RunningServiceCancellationToken>,
    ended: watch::Receiver<bool>,
    group: Option<GroupGuard>,
    /// Who the server is.
    pub summary: PeerSummary,
}

impl Connection {
    /// Starts (or dials) the server, completes the handshake and reads its tool list.
    pub(crate) async fn open(
        config: &ServerConfig,
        stderr: &StderrTail,
        notices: mpsc::Sender<Notice>,
        relays: Relays,
        http: &reqwest::Client,
    ) -> Result<(Self, Listing), ConnectError> {
        let in_flight = relays.in_flight.clone();
        let handler = Handler { notices, relays };
        let (service, group) = match &config.transport {
            transport @ TransportConfig::Stdio { command, .. } => {
                let spawned = process::spawn(transport).map_err(|source| ConnectError::Spawn {
                    command: command.clone(),
                    source,
                })?;
                let reader = spawned
                    .stderr
                    .map(|stream| tokio::spawn(stderr.clone().capture(config.id.clone(), stream)));
                let mut group = spawned.group;
                match handler
                    .serve(Tapped::new(spawned.transport, in_flight))
                    .await
                {
                    Ok(service) => (service, Some(group)),
                    Err(error) => {
                        if let Some(reader) = reader {
                            let _ = tokio::time::timeout(STDERR_DRAIN, reader).await;
                        }
                        group.kill();
                        return Err(ConnectError::Handshake {
                            reason: error.to_string(),
                            stderr: stderr.joined(),
                        });
                    }
                }
            }
            TransportConfig::Http { url, headers } => {
                // rmcp waits for at most 16 responses at a time unless told otherwise (a server
                // answering with plain JSON rather than a stream holds its slot until it answers);
                // the server's own limit on calls in flight is the one that should hold.
                let transport_config = StreamableHttpClientTransportConfig::with_uri(url.as_str())
                    .custom_headers(headers.clone())
                    .max_concurrent_requests(config.max_concurrency)
                    .reinit_on_expired_session(true);
                let transport =
                    StreamableHttpClientTransport::with_client(http.clone(), transport_config);
                let service = handler
                    .serve(Tapped::new(transport, in_flight))
                    .await
                    .map_err(|error| ConnectError::Handshake {
                        reason: error.to_string(),
                        stderr: None,
                    })?;
                (service, None)
            }
        };
        let summary = service
            .peer_info()
            .map(|info| PeerSummary {
                name: info
                    .server_info
                    .as_ref()
                    .map(|i| i.name.clone())
                    .unwrap_or_default(),
                version: info
                    .server_info
                    .as_ref()
                    .map(|i| i.version.clone())
                    .unwrap_or_default(),
                protocol: info.protocol_version.to_string(),
            })
            .unwrap_or_default();
        let mut connection = Self::watch(service, group, summary);
        match listing::list_tools(connection.peer(), config.timeouts.connect).await {
            Ok(listing) => Ok((connection, listing)),
            Err(error) => {
                connection.close().await;
                Err(error.into())
            }
        }
    }

    /// Hands the service to a task that reports when it ends.
    fn watch(
        service: RunningService<RoleClient, Handler>,
        group: Option<GroupGuard>,
        summary: PeerSummary,
    ) -> Self {
        let peer = service.peer().clone();
        let cancel = Some(service.cancellation_token());
        let (ended_tx, ended) = watch::channel(false);
        tokio::spawn(async move {
            let reason = service.waiting().await;
            tracing::debug!(?reason, "connection ended");
            ended_tx.send_replace(true);
        });
        Self {
            peer,
            cancel,
            ended,
            group,
            summary,
        }
    }

    /// The handle requests are sent through; cheap to clone.
    pub(crate) fn peer(&self) -> &Peer<RoleClient> {
        &self.peer
    }

    /// The child's process id, for stdio servers.
    pub(crate) fn pid(&self) -> Option<u32> {
        self.group.as_ref().and_then(GroupGuard::pid)
    }

    /// Resolves when the connection has ended (the child exited, the transport broke, or it
    /// was closed).
    pub(crate) async fn closed(&self) {
        let mut ended = self.ended.clone();
        let _ = ended.wait_for(|ended| *ended).await;
    }

    /// Closes the connection: stdin is closed, then the child gets SIGTERM, and whatever is
    /// left of its process group is killed after a grace period.
    pub(crate) async fn close(&mut self) {
        if let Some(cancel) = self.cancel.take() {
            cancel.cancel();
        }
        let _ = tokio::time::timeout(CLOSE_GRACE, self.closed()).await;
        if let Some(group) = &mut self.group {
            group.kill();
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // A connection dropped without `close` (its supervisor was aborted) must not leave the
        // service running; the group guard kills a stdio child right after.
        if let Some(cancel) = self.cancel.take() {
            cancel.cancel();
        }
    }
}

/// Pings a server and returns the round trip.
pub(crate) async fn ping(peer: &Peer<RoleClient>, timeout: Duration) -> Result<Duration, String> {
    let sent = std::time::Instant::now();
    let request = rmcp::model::ClientRequest::PingRequest(rmcp::model::PingRequest::default());
    match tokio::time::timeout(timeout, peer.send_request(request)).await {
        Ok(Ok(_)) => Ok(sent.elapsed()),
        Ok(Err(error)) => Err(format!("ping failed: {error}")),
        Err(_) => Err(format!("ping unanswered for {} ms", timeout.as_millis())),
    }
}
