//! What the orchestrator knows about each server, as `doctor` shows it and as call errors
//! report it.

use std::time::{Duration, Instant};

use serde::Serialize;

/// Where a server is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServerState {
    /// Turned off in the configuration; never started.
    Disabled,
    /// The first connection is being made.
    Starting,
    /// Connected, and its tools are listed.
    Ready,
    /// Connected but not healthy: a ping went unanswered, or its tool list is incomplete.
    Degraded,
    /// Down, and waiting to be started again.
    Restarting,
    /// Down for good: restarts are off or used up. Restart the orchestrator to try again.
    Failed,
}

impl ServerState {
    /// Whether calls can be sent to the server.
    pub fn is_connected(self) -> bool {
        matches!(self, Self::Ready | Self::Degraded)
    }
}

impl std::fmt::Display for ServerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Self::Disabled => "disabled",
            Self::Starting => "starting",
            Self::Ready => "ready",
            Self::Degraded => "degraded",
            Self::Restarting => "restarting",
            Self::Failed => "failed",
        };
        f.write_str(name)
    }
}

/// One server's state and vital signs.
#[derive(Debug, Clone, Serialize)]
pub struct ServerStatus {
    /// The id under `mcpServers`.
    pub id: String,
    /// The prefix of its exposed tool names.
    pub prefix: String,
    /// Its command line or URL.
    pub transport: String,
    /// Where it is in its life.
    pub state: ServerState,
    /// Why it is not ready (the last error), when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// `serverInfo.name` from the last handshake.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// `serverInfo.version` from the last handshake.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    /// The negotiated protocol version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Tools the server listed last (before filtering).
    pub tools_listed: usize,
    /// Time from spawn (or dial) to a complete tool list, at the last connection.
    #[serde(
        rename = "connect_ms",
        serialize_with = "millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub connect_latency: Option<Duration>,
    /// Round trip of the last answered ping.
    #[serde(
        rename = "ping_ms",
        serialize_with = "millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub ping_latency: Option<Duration>,
    /// Times it has been started again since the orchestrator started.
    pub restarts: u32,
    /// The stdio child's process id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// When the current connection was made.
    #[serde(skip)]
    pub connected_at: Option<Instant>,
    /// When the next start is due, while restarting.
    #[serde(skip)]
    pub retry_at: Option<Instant>,
    /// The last lines of its stderr.
    pub stderr_tail: Vec<String>,
}

impl ServerStatus {
    /// A server that has not been started yet.
    pub fn new(id: &str, prefix: &str, transport: String, enabled: bool) -> Self {
        Self {
            id: id.to_owned(),
            prefix: prefix.to_owned(),
            transport,
            state: if enabled {
                ServerState::Starting
            } else {
                ServerState::Disabled
            },
            detail: None,
            server_name: None,
            server_version: None,
            protocol: None,
            tools_listed: 0,
            connect_latency: None,
            ping_latency: None,
            restarts: 0,
            pid: None,
            connected_at: None,
            retry_at: None,
            stderr_tail: Vec::new(),
        }
    }

    /// Time until the next start, while restarting.
    pub fn retry_in(&self) -> Option<Duration> {
        self.retry_at
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// The name and version the server gave at its handshake (`math-server 0.1.0`), or
    /// nothing before one.
    pub fn version_label(&self) -> String {
        match (&self.server_name, &self.server_version) {
            (Some(name), Some(version)) => format!("{name} {version}"),
            _ => String::new(),
        }
    }

    /// One sentence on why the server cannot take calls now, for errors a model reads.
    pub fn unavailable_reason(&self) -> String {
        let why = self.detail.as_deref().unwrap_or("no connection yet");
        match (self.state, self.retry_in()) {
            (ServerState::Restarting, Some(wait)) => format!(
                "server `{}` is down ({why}); it is being restarted, retry in about {:.1} s",
                self.id,
                wait.as_secs_f64()
            ),
            (ServerState::Starting, _) => {
                format!("server `{}` is still starting; retry in a moment", self.id)
            }
            (ServerState::Failed, _) => format!(
                "server `{}` has failed for good ({why}) and will not be restarted; other servers' tools still work",
                self.id
            ),
            (ServerState::Disabled, _) => {
                format!("server `{}` is disabled in the configuration", self.id)
            }
            (state, _) => format!("server `{}` is {state} ({why})", self.id),
        }
    }
}

fn millis<S: serde::Serializer>(
    value: &Option<Duration>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(duration) => serializer.serialize_f64((duration.as_secs_f64() * 1e6).round() / 1e3),
        None => serializer.serialize_none(),
    }
}
