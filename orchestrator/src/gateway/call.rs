//! One client's tool call through the gateway: what the server sends before answering goes to
//! this client only, from the task serving its request (so that Streamable HTTP puts it on that
//! request's stream), and a cancelled request cancels the call upstream.

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use rmcp::model::{
    CallToolResult, ClientCapabilities, ErrorCode, ErrorData, JsonObject, ProgressToken,
    ServerRequest,
};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, ServiceError};
use tokio::sync::mpsc;

use crate::relay::{Interim, PeerRequest};
use crate::router::CallError;
use crate::toolbox::Toolbox;

/// Calls `name` for the client of `context`, relaying the server's progress (under the
/// client's token) and requests (sampling, elicitation) to that client as they come.
pub(crate) async fn relayed(
    toolbox: &Toolbox,
    name: &str,
    arguments: Option<JsonObject>,
    context: &RequestContext<RoleServer>,
) -> Result<CallToolResult, ErrorData> {
    let (relay, mut interim) = mpsc::unbounded_channel();
    let token = context.meta.get_progress_token();
    let call = toolbox.call_relayed(name, arguments, &relay);
    tokio::pin!(call);
    let mut requests = FuturesUnordered::new();
    let outcome = loop {
        tokio::select! {
            outcome = &mut call => break outcome,
            Some(message) = interim.recv() => match message {
                Interim::Progress(progress) => send_progress(context, token.as_ref(), progress).await,
                Interim::Request(request) => requests.push(answer(context, request)),
            },
            Some(()) = requests.next(), if !requests.is_empty() => {}
            // Dropping the call cancels it upstream, on that server only.
            () = context.ct.cancelled() => {
                return Err(ErrorData::internal_error("the client cancelled the call", None));
            }
        }
    };
    // Progress sent before the answer is in the channel already, and goes out before it.
    while let Ok(message) = interim.try_recv() {
        if let Interim::Progress(progress) = message {
            send_progress(context, token.as_ref(), progress).await;
        }
    }
    match outcome {
        Ok(result) => Ok(result),
        Err(error @ CallError::UnknownTool { .. }) => {
            Err(ErrorData::invalid_params(error.to_string(), None))
        }
        Err(CallError::Rejected { error, .. }) => Err(error),
    }
}

async fn send_progress(
    context: &RequestContext<RoleServer>,
    token: Option<&ProgressToken>,
    mut progress: rmcp::model::ProgressNotificationParam,
) {
    // A client that asked for no progress gets none.
    let Some(token) = token else { return };
    progress.progress_token = token.clone();
    if let Err(error) = context.peer.notify_progress(progress).await {
        tracing::debug!(%error, "progress not delivered");
    }
}

/// Asks the client a server's question and hands back its answer.
async fn answer(context: &RequestContext<RoleServer>, PeerRequest { request, reply }: PeerRequest) {
    let capabilities = context
        .peer
        .peer_info()
        .map(|info| info.capabilities.clone())
        .unwrap_or_default();
    let answer = match unsupported(&capabilities, &request) {
        Some(refusal) => Err(refusal),
        None => context
            .peer
            .send_request(request)
            .await
            .map_err(|error| match error {
                ServiceError::McpError(error) => error,
                error => {
                    ErrorData::internal_error(format!("the client did not answer: {error}"), None)
                }
            }),
    };
    // A server that stopped waiting is not an error here.
    let _ = reply.send(answer);
}

/// The refusal of a request the client did not declare it can answer.
fn unsupported(capabilities: &ClientCapabilities, request: &ServerRequest) -> Option<ErrorData> {
    let (supported, what) = match request {
        ServerRequest::CreateMessageRequest(_) => (capabilities.sampling.is_some(), "sampling"),
        ServerRequest::ElicitRequest(_) => (capabilities.elicitation.is_some(), "elicitation"),
        _ => (false, "this request"),
    };
    (!supported).then(|| {
        ErrorData::new(
            ErrorCode::METHOD_NOT_FOUND,
            format!("the client behind the gateway does not support {what}"),
            None,
        )
    })
}
