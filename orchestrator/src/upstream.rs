//! One connection to one upstream server: spawning or dialing it, the MCP handshake, its first
//! tool list, and closing it so that nothing is left running.
//!
//! A [`Connection`] lives from one handshake to the end of its transport. Reconnecting is the
//! supervisor's job, which makes a new `Connection` each time.

pub(crate) mod listing;
mod process;
pub(crate) mod stderr;

use std::time::Duration;

use rmcp::handler::client::progress::ProgressDispatcher;
#[allow(
    deprecated,
    reason = "logging is the 2025-11-25 protocol's, which servers speak"
)]
use rmcp::model::LoggingMessageNotificationParam;
use rmcp::model::{
    ClientCapabilities, ClientConfig, Implementation, ProgressNotificationParam, ProtocolVersion,
};
use tokio::sync::broadcast;

use crate::toolbox::ServerLog;
use rmcp::service::{
    NotificationContext, Peer, RoleClient, RunningService, RunningServiceCancellationToken,
};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, ServiceExt};
use tokio::sync::{mpsc, watch};

use crate::config::{ServerConfig, TransportConfig};
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

/// Forwards a server's notifications to its supervisor.
#[derive(Debug, Clone)]
struct Handler {
    notices: mpsc::Sender<Notice>,
    relays: Relays,
}

/// Where a server's notifications that concern others than the supervisor go.
#[derive(Debug, Clone)]
pub(crate) struct Relays {
    /// The server's id, to label its logs.
    pub server: String,
    /// Routes each progress notification to the caller waiting on its request.
    pub progress: ProgressDispatcher,
    /// Every log message, to whoever listens (the gateway's clients).
    pub logs: broadcast::Sender<ServerLog>,
}

impl ClientHandler for Handler {
    fn get_info(&self) -> ClientConfig {
        // The handshake is `initialize`, so the version asked for is the newest that has one
        // (rmcp's LATEST, 2026-07-28, replaced it); servers answer with theirs.
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("mcp-orchestrator", env!("CARGO_PKG_VERSION")),
        )
        .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE)
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.relays.progress.handle_notification(params).await;
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
        // Nobody listening is fine: logs are not kept.
        let _ = self.relays.logs.send(ServerLog {
            server: self.relays.server.clone(),
            message: params,
        });
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
                match handler.serve(spawned.transport).await {
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
                let transport_config = StreamableHttpClientTransportConfig::with_uri(url.as_str())
                    .custom_headers(headers.clone())
                    .reinit_on_expired_session(true);
                let transport =
                    StreamableHttpClientTransport::with_client(http.clone(), transport_config);
                let service =
                    handler
                        .serve(transport)
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
