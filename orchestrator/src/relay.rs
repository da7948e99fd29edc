//! What a server sends the caller of one call while the call runs: progress, and requests of
//! its own (sampling, elicitation) that only the caller's client can answer.
//!
//! A caller that wants them passes a [`CallRelay`] with its call
//! ([`Toolbox::call_relayed`](crate::Toolbox::call_relayed)); the upstream connection delivers
//! to it, in the order the server sent them and all before the call's answer.

use rmcp::model::{ClientResult, ErrorData, ProgressNotificationParam, ServerRequest};
use tokio::sync::{mpsc, oneshot};

/// The sending end a caller gives with its call.
pub type CallRelay = mpsc::UnboundedSender<Interim>;

/// Something the server sent for a call before answering it.
#[derive(Debug)]
pub enum Interim {
    /// A progress notification, with the server's own progress token (the receiver re-labels
    /// it with its caller's).
    Progress(ProgressNotificationParam),
    /// A request the server makes of the client (`sampling/createMessage`,
    /// `elicitation/create`).
    Request(PeerRequest),
}

/// A server's request of the client, and where its answer goes. Dropping it unanswered tells
/// the server that nobody could answer.
#[derive(Debug)]
pub struct PeerRequest {
    /// The request as the server sent it.
    pub request: ServerRequest,
    /// Takes the client's answer, or its error.
    pub reply: oneshot::Sender<Result<ClientResult, ErrorData>>,
}
