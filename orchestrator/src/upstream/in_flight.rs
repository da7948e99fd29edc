//! The calls in flight on one server that have a caller to relay to, and the transport tap that
//! hands each progress notification to its call's caller.
//!
//! rmcp handles every notification in a task of its own, so a progress notification handled
//! there can reach its caller after the call's answer does. The tap sees messages in the order
//! they arrive, before rmcp does: a call's progress is in its caller's channel before its answer
//! is even read.

use std::sync::{Arc, Mutex, PoisonError};

use rmcp::model::{ProgressToken, RequestId, ServerJsonRpcMessage, ServerNotification};
use rmcp::service::{RoleClient, RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;

use crate::relay::{CallRelay, Interim, PeerRequest};

/// One call and its caller.
struct Pending {
    id: RequestId,
    token: ProgressToken,
    relay: CallRelay,
}

/// The relayed calls in flight on one server. Cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct InFlight {
    calls: Arc<Mutex<Vec<Pending>>>,
}

impl std::fmt::Debug for InFlight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InFlight")
            .field("calls", &self.lock().len())
            .finish()
    }
}

impl InFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Pending>> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Relays what the server sends for request `id` (progress under `token`) to `relay`,
    /// until the returned guard is dropped.
    pub(crate) fn register(
        &self,
        id: RequestId,
        token: ProgressToken,
        relay: CallRelay,
    ) -> Registration {
        self.lock().push(Pending {
            id: id.clone(),
            token,
            relay,
        });
        Registration {
            in_flight: self.clone(),
            id,
        }
    }

    /// Hands a progress notification to the caller of its call; one for no relayed call is
    /// dropped.
    fn progress(&self, notification: &rmcp::model::ProgressNotificationParam) {
        let calls = self.lock();
        if let Some(call) = calls
            .iter()
            .find(|call| call.token == notification.progress_token)
        {
            // A caller that stopped listening does not stop the call.
            let _ = call.relay.send(Interim::Progress(notification.clone()));
        }
    }

    /// Hands a server's request to the caller it concerns: the caller of `origin` when the
    /// transport knows which request it came with (Streamable HTTP sends it on that request's
    /// stream), otherwise the newest relayed call. False when there is no call to relay to; a
    /// caller that is gone drops the request, which answers it with an error.
    pub(crate) fn relay_request(&self, origin: Option<&RequestId>, request: PeerRequest) -> bool {
        let calls = self.lock();
        let target = origin
            .and_then(|origin| calls.iter().find(|call| &call.id == origin))
            .or_else(|| calls.last());
        match target {
            Some(call) => {
                let _ = call.relay.send(Interim::Request(request));
                true
            }
            None => false,
        }
    }
}

/// Ends the relaying of one call when dropped.
pub(crate) struct Registration {
    in_flight: InFlight,
    id: RequestId,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.in_flight.lock().retain(|call| call.id != self.id);
    }
}

/// A transport that shows every progress notification to [`InFlight`] as it arrives, then
/// passes it on unchanged (rmcp still uses it to extend the call's timeout).
pub(crate) struct Tapped<T> {
    inner: T,
    in_flight: InFlight,
}

impl<T> Tapped<T> {
    pub(crate) fn new(inner: T, in_flight: InFlight) -> Self {
        Self { inner, in_flight }
    }
}

impl<T: Transport<RoleClient>> Transport<RoleClient> for Tapped<T> {
    type Error = T::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        self.inner.send(item)
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleClient>> {
        let message = self.inner.receive().await?;
        if let ServerJsonRpcMessage::Notification(notification) = &message
            && let ServerNotification::ProgressNotification(progress) = &notification.notification
        {
            self.in_flight.progress(&progress.params);
        }
        Some(message)
    }

    fn close(&mut self) -> impl Future<Output = Result<(), Self::Error>> + Send {
        self.inner.close()
    }
}
