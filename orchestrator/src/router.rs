//! Sending one call to the server that owns the tool, within its limits, and turning every way
//! that can fail into an answer a model can act on.
//!
//! Faults of the server (down, crashed mid-call, too slow) become `isError` results that name
//! the server and say what happens next; they never hang and never become protocol errors. A
//! JSON-RPC error the server itself returns (for example invalid arguments) is passed on as
//! such, because the caller made the mistake.

use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResult, CancelledNotificationParam,
    ClientRequest, ErrorData, JsonObject, RequestId, ServerResult,
};
use rmcp::service::{PeerRequestOptions, RoleClient};
use rmcp::{Peer, ServiceError};
use shared::ToolError;

use crate::relay::CallRelay;
use crate::supervisor::Upstream;

/// A call that cannot be answered with a tool result.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No exposed tool has this name.
    #[error("unknown tool `{name}`: {hint}")]
    UnknownTool {
        /// The name asked for.
        name: String,
        /// Why it is unknown and what to use instead.
        hint: String,
    },
    /// The owning server answered with a JSON-RPC error.
    #[error("server `{server}` rejected the call to `{tool}`: {} (JSON-RPC error {})", .error.message, .error.code.0)]
    Rejected {
        /// The server's id.
        server: String,
        /// The tool's name on that server.
        tool: String,
        /// The server's error, unchanged.
        error: ErrorData,
    },
}

/// A request other than a tool call (prompts, resources, completions) that got no answer from
/// its server.
#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    /// No configured server has this id.
    #[error("no server `{0}` is configured")]
    UnknownServer(String),
    /// The server is not connected.
    #[error("{method} was not sent: {reason}")]
    Unavailable {
        /// The request's method.
        method: String,
        /// Why, and when the server will be back.
        reason: String,
    },
    /// The server answered with a JSON-RPC error.
    #[error("server `{server}` rejected {method}: {} (JSON-RPC error {})", .error.message, .error.code.0)]
    Rejected {
        /// The server's id.
        server: String,
        /// The request's method.
        method: String,
        /// The server's error, unchanged.
        error: ErrorData,
    },
    /// No answer in time, or the connection broke.
    #[error("server `{server}` did not answer {method}: {reason}")]
    Failed {
        /// The server's id.
        server: String,
        /// The request's method.
        method: String,
        /// What happened.
        reason: String,
    },
}

/// Sends `request` to `upstream`, within the server's call timeout; one whose caller goes away
/// is cancelled on the server.
pub(crate) async fn forward(
    upstream: &Upstream,
    request: ClientRequest,
) -> Result<ServerResult, ForwardError> {
    let server = &upstream.config.id;
    let method = request.method().to_owned();
    let Some(peer) = upstream.peer() else {
        return Err(ForwardError::Unavailable {
            method,
            reason: upstream.status().unavailable_reason(),
        });
    };
    let failed = |reason: String| ForwardError::Failed {
        server: server.clone(),
        method: method.clone(),
        reason,
    };
    let options = PeerRequestOptions::with_timeout(upstream.config.timeouts.call);
    let handle = peer
        .send_request_with_option(request, options)
        .await
        .map_err(|error| failed(error.to_string()))?;
    let guard = CancelOnDrop::new(peer, handle.id.clone());
    let answer = handle.await_response().await;
    guard.disarm();
    answer.map_err(|error| match error {
        ServiceError::McpError(error) => ForwardError::Rejected {
            server: server.clone(),
            method: method.clone(),
            error,
        },
        ServiceError::Timeout { timeout } => failed(format!(
            "no answer within {} s; the request was cancelled",
            timeout.as_secs_f64()
        )),
        error => failed(error.to_string()),
    })
}

/// Calls `tool` (its name on the server) on `upstream`, passing what the server sends for
/// this call before its answer (progress, requests of the client) to `relay`.
pub(crate) async fn call(
    upstream: &Upstream,
    tool: &str,
    arguments: Option<JsonObject>,
    relay: Option<&CallRelay>,
) -> Result<CallToolResult, CallError> {
    let server = &upstream.config.id;
    let timeouts = upstream.config.timeouts;
    let Some(peer) = upstream.peer() else {
        return Ok(unavailable(upstream, tool));
    };
    let Ok(Ok(_permit)) = tokio::time::timeout(timeouts.call_max, upstream.permits.acquire()).await
    else {
        return Ok(failure(
            "server_busy",
            format!(
                "server `{server}` had all {} call slots busy for {} s; `{tool}` was not sent",
                upstream.config.max_concurrency,
                timeouts.call_max.as_secs_f64()
            ),
            "Retry later, or raise maxConcurrency for this server.",
        ));
    };
    let mut params = CallToolRequestParams::new(tool.to_owned());
    if let Some(arguments) = arguments {
        params = params.with_arguments(arguments);
    }
    let options = PeerRequestOptions::with_timeout(timeouts.call)
        .reset_timeout_on_progress()
        .with_max_total_timeout(timeouts.call_max);
    let request = ClientRequest::CallToolRequest(CallToolRequest::new(params));
    let handle = match peer.send_request_with_option(request, options).await {
        Ok(handle) => handle,
        Err(error) => return Ok(lost(upstream, tool, &error)),
    };
    let _relaying = relay.map(|relay| {
        upstream.relays.in_flight.register(
            handle.id.clone(),
            handle.progress_token.clone(),
            relay.clone(),
        )
    });
    let guard = CancelOnDrop::new(peer, handle.id.clone());
    let answer = handle.await_response().await;
    guard.disarm();
    match answer {
        Ok(ServerResult::CallToolResult(result)) => Ok(result),
        Ok(_) => Ok(failure(
            "unsupported_response",
            format!(
                "server `{server}` answered `{tool}` with a result that is not a tool result (a task or an input request, which the orchestrator does not relay)"
            ),
            "Use this tool from a client that supports the server's extensions.",
        )),
        Err(ServiceError::McpError(error)) => Err(CallError::Rejected {
            server: server.clone(),
            tool: tool.to_owned(),
            error,
        }),
        Err(ServiceError::Timeout { timeout }) => Ok(failure(
            "timeout",
            format!(
                "`{tool}` on server `{server}` gave no answer and no progress for {} s (or ran past the {} s limit); the request was cancelled",
                timeout.as_secs_f64(),
                timeouts.call_max.as_secs_f64()
            ),
            "Retry with a smaller request, or raise timeout/maxTimeout for this server.",
        )),
        Err(error) => Ok(lost(upstream, tool, &error)),
    }
}

/// The answer for a server that is not connected.
fn unavailable(upstream: &Upstream, tool: &str) -> CallToolResult {
    let status = upstream.status();
    failure(
        "server_unavailable",
        format!("`{tool}` was not sent: {}", status.unavailable_reason()),
        "Use other tools meanwhile, or retry after the time given.",
    )
}

/// The answer for a call whose connection failed under it.
fn lost(upstream: &Upstream, tool: &str, error: &ServiceError) -> CallToolResult {
    let server = &upstream.config.id;
    let next = if upstream.config.restart.enabled {
        "it will be restarted"
    } else {
        "restarts are turned off"
    };
    failure(
        "connection_lost",
        format!(
            "server `{server}` lost its connection during `{tool}` ({error}); {next}. The call may or may not have taken effect"
        ),
        "Check the effect before retrying a call that changes something.",
    )
}

fn failure(code: &'static str, message: String, hint: &str) -> CallToolResult {
    ToolError::new(code, message)
        .with_hint(hint)
        .into_call_tool_result()
}

/// Sends `notifications/cancelled` for a request whose caller went away before its answer, so
/// that the server stops working on it.
struct CancelOnDrop {
    peer: Option<Peer<RoleClient>>,
    id: RequestId,
}

impl CancelOnDrop {
    fn new(peer: Peer<RoleClient>, id: RequestId) -> Self {
        Self {
            peer: Some(peer),
            id,
        }
    }

    fn disarm(mut self) {
        self.peer = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        let Some(peer) = self.peer.take() else { return };
        let params = CancelledNotificationParam::new(
            Some(self.id.clone()),
            Some("the caller went away".to_owned()),
        );
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = peer.notify_cancelled(params).await;
            });
        }
    }
}
