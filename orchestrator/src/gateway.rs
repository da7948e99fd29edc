//! The toolbox served as one MCP server (`orchestrator serve`): a desktop client or IDE that
//! knows one server gets every server's tools through one configuration entry.
//!
//! Every call goes through [`Toolbox::call`], like the CLI's and the agent's. `tools/list` is
//! paged with an opaque cursor; a change of the registry (a server restarted, or announcing
//! `tools/list_changed`) is announced to every connected client; a server's progress
//! notifications for a call go to the client that made it, under that client's token; a client
//! that cancels a call cancels it on the one upstream running it (the router's cancel-on-drop). In pass-through
//! mode the gateway fronts a single server under its own tool names. Log messages from every
//! server are forwarded to the clients, their logger named after the server.

// Logging is the 2025-11-25 protocol's, which clients and servers speak; rmcp marks it
// deprecated in favour of a later specification.
#![allow(deprecated)]

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ErrorData, Implementation, ListToolsResult,
    PaginatedRequestParams, ProgressNotificationParam, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::model::{LoggingLevel, SetLevelRequestParams};
use rmcp::service::{NotificationContext, Peer, RequestContext};
use rmcp::{RoleServer, ServerHandler, ServiceError};
use tokio::sync::{Mutex, broadcast, mpsc};
use tokio::task::JoinHandle;

use crate::router::CallError;
use crate::toolbox::Toolbox;

/// What clients read about the gateway.
const INSTRUCTIONS: &str = "Tools from several MCP servers, each named server__tool. A server that is down answers with an error that says when it will be back; the others keep working.";

/// How tool names are shown to clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Naming {
    /// `{server}__{tool}`, as everywhere in the orchestrator.
    Prefixed,
    /// The single server's own names, for fronting one server transparently.
    PassThrough {
        /// The id of the server fronted.
        server: String,
    },
}

/// The gateway could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// Pass-through needs exactly one server.
    #[error(
        "--pass-through fronts exactly one server, and {0} are enabled; use a configuration with one server, or serve them prefixed"
    )]
    PassThroughNeedsOneServer(usize),
    /// A page size of zero.
    #[error("--page-size must be at least 1")]
    EmptyPages,
}

/// One MCP server over the whole toolbox. Cheap to clone: each HTTP session gets a clone.
#[derive(Clone)]
pub struct Gateway {
    toolbox: Arc<Toolbox>,
    naming: Naming,
    page_size: usize,
    /// The clients to tell about registry changes and logs.
    peers: Arc<Mutex<Vec<Peer<RoleServer>>>>,
    /// The least severe log level forwarded (`logging/setLevel`).
    threshold: Arc<Mutex<LoggingLevel>>,
}

impl Gateway {
    /// A gateway over `toolbox`. With `pass_through`, the toolbox must have exactly one
    /// enabled server.
    pub fn new(
        toolbox: Arc<Toolbox>,
        pass_through: bool,
        page_size: usize,
    ) -> Result<Self, GatewayError> {
        if page_size == 0 {
            return Err(GatewayError::EmptyPages);
        }
        let naming = if pass_through {
            let enabled: Vec<_> = toolbox
                .status()
                .into_iter()
                .filter(|status| status.state != crate::ServerState::Disabled)
                .collect();
            match enabled.as_slice() {
                [only] => Naming::PassThrough {
                    server: only.id.clone(),
                },
                _ => return Err(GatewayError::PassThroughNeedsOneServer(enabled.len())),
            }
        } else {
            Naming::Prefixed
        };
        Ok(Self {
            toolbox,
            naming,
            page_size,
            peers: Arc::default(),
            threshold: Arc::new(Mutex::new(LoggingLevel::Debug)),
        })
    }

    /// Announces every change of the registry to the connected clients, until the toolbox
    /// shuts down. Abort the task to stop earlier.
    pub fn announce_changes(&self) -> JoinHandle<()> {
        let mut registry = self.toolbox.watch_registry();
        let peers = self.peers.clone();
        tokio::spawn(async move {
            while registry.changed().await.is_ok() {
                notify_all(&peers, |peer| async move {
                    peer.notify_tool_list_changed().await
                })
                .await;
            }
        })
    }

    /// Forwards every server's log messages to the connected clients, at the level each
    /// asked for (`logging/setLevel`; all of them until it asks), the logger named after the
    /// server. Abort the task to stop.
    pub fn forward_logs(&self) -> JoinHandle<()> {
        let mut logs = self.toolbox.subscribe_logs();
        let peers = self.peers.clone();
        let threshold = self.threshold.clone();
        tokio::spawn(async move {
            loop {
                let log = match logs.recv().await {
                    Ok(log) => log,
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "log messages dropped: the clients are too slow");
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                let minimum = *threshold.lock().await;
                if shared::logging::severity(log.message.level) < shared::logging::severity(minimum)
                {
                    continue;
                }
                let mut message = log.message;
                message.logger = Some(match message.logger.take() {
                    Some(logger) => format!("{}/{logger}", log.server),
                    None => log.server,
                });
                notify_all(&peers, |peer| {
                    let message = message.clone();
                    async move { peer.notify_logging_message(message).await }
                })
                .await;
            }
        })
    }

    /// The tools as clients see them, in a stable order.
    fn tools(&self) -> Vec<Tool> {
        let registry = self.toolbox.registry();
        match &self.naming {
            Naming::Prefixed => registry
                .entries()
                .map(|entry| entry.exposed_tool())
                .collect(),
            Naming::PassThrough { server } => registry
                .entries()
                .filter(|entry| &entry.server == server)
                .map(|entry| entry.tool.clone())
                .collect(),
        }
    }

    /// The exposed name to call for a name a client used.
    fn exposed_name(&self, name: &str) -> String {
        match &self.naming {
            Naming::Prefixed => name.to_owned(),
            Naming::PassThrough { server } => self
                .toolbox
                .registry()
                .entries()
                .find(|entry| &entry.server == server && entry.original() == name)
                .map_or_else(|| name.to_owned(), |entry| entry.name.clone()),
        }
    }
}

/// Sends one notification to every client, and forgets the clients that are gone.
async fn notify_all<F, Sent>(peers: &Mutex<Vec<Peer<RoleServer>>>, send: F)
where
    F: Fn(Peer<RoleServer>) -> Sent,
    Sent: Future<Output = Result<(), ServiceError>>,
{
    let mut peers = peers.lock().await;
    let mut alive = Vec::with_capacity(peers.len());
    for peer in peers.drain(..) {
        if send(peer.clone()).await.is_ok() {
            alive.push(peer);
        }
    }
    *peers = alive;
}

/// A page position as an opaque token, so clients do not build their own.
fn cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("tools:{offset}"))
}

fn offset(cursor: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("tools:")?
        .parse()
        .ok()
}

impl ServerHandler for Gateway {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .enable_logging()
                .build(),
        )
        .with_server_info(Implementation::new(
            "mcp-orchestrator",
            env!("CARGO_PKG_VERSION"),
        ))
        .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let start = match request.and_then(|request| request.cursor) {
            None => 0,
            Some(token) => offset(&token).ok_or_else(|| {
                ErrorData::invalid_params(
                    format!("`{token}` is not a cursor this server gave out"),
                    None,
                )
            })?,
        };
        let tools = self.tools();
        let end = start.saturating_add(self.page_size).min(tools.len());
        let page = tools
            .get(start..end)
            .map(<[Tool]>::to_vec)
            .unwrap_or_default();
        let mut result = ListToolsResult::with_all_items(page);
        result.next_cursor = (end < tools.len()).then(|| cursor(end));
        Ok(result)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = self.exposed_name(&request.name);
        // The server's progress for this call goes to this caller only, under its own token.
        let (sink, mut progress) = mpsc::unbounded_channel::<ProgressNotificationParam>();
        let forwarder = context.meta.get_progress_token().map(|token| {
            let peer = context.peer.clone();
            tokio::spawn(async move {
                while let Some(mut notification) = progress.recv().await {
                    notification.progress_token = token.clone();
                    if peer.notify_progress(notification).await.is_err() {
                        break;
                    }
                }
            })
        });
        let call = async {
            match forwarder {
                Some(_) => {
                    self.toolbox
                        .call_with_progress(&name, request.arguments, &sink)
                        .await
                }
                None => self.toolbox.call(&name, request.arguments).await,
            }
        };
        // Dropping the call on cancellation cancels it upstream, on that server only.
        let outcome = tokio::select! {
            outcome = call => outcome,
            () = context.ct.cancelled() => {
                return Err(ErrorData::internal_error("the client cancelled the call", None));
            }
        };
        // Progress that arrived before the answer is sent before it.
        drop(sink);
        if let Some(forwarder) = forwarder {
            let _ = forwarder.await;
        }
        match outcome {
            Ok(result) => Ok(CallToolResponse::Complete(result)),
            Err(error @ CallError::UnknownTool { .. }) => {
                Err(ErrorData::invalid_params(error.to_string(), None))
            }
            Err(CallError::Rejected { error, .. }) => Err(error),
        }
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        *self.threshold.lock().await = request.level;
        Ok(())
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        self.peers.lock().await.push(context.peer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(offset(&cursor(42)), Some(42));
        assert_eq!(offset("42"), None);
        assert_eq!(offset(&URL_SAFE_NO_PAD.encode("prompts:1")), None);
    }
}
