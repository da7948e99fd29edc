//! What the servers announce between calls, passed on to the gateway's clients: a changed
//! registry (a server restarted, or said its tools changed), changed prompt and resource lists,
//! updates of subscribed resources (to their subscribers only), and log messages (at the level
//! each client asked for). A server that reconnects is subscribed again to what clients are
//! subscribed to, since its subscriptions ended with its previous connection.

use std::sync::Arc;

use rmcp::model::{ClientRequest, SubscribeRequest, SubscribeRequestParams};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinSet;

use super::{Naming, Shared};
use crate::status::ServerStatus;
use crate::toolbox::{Event, ServerEvent};

/// Passes announcements on until the toolbox shuts down.
pub(crate) async fn run(shared: Arc<Shared>) {
    let mut registry = shared.toolbox.watch_registry();
    let mut events = shared.toolbox.subscribe_events();
    // Ended with this task (a JoinSet aborts its tasks when dropped).
    let mut resubscribers = JoinSet::new();
    for (server, _) in &shared.servers {
        if let Some(status) = shared.toolbox.watch_server(server) {
            resubscribers.spawn(resubscribe_on_reconnect(
                shared.clone(),
                server.clone(),
                status,
            ));
        }
    }
    loop {
        tokio::select! {
            changed = registry.changed() => {
                if changed.is_err() {
                    break;
                }
                let orphaned = shared
                    .clients
                    .notify(|_| true, |peer| async move { peer.notify_tool_list_changed().await })
                    .await;
                shared.release(orphaned).await;
            }
            event = events.recv() => match event {
                Ok(event) => pass_on(&shared, event).await,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "server events dropped: the clients are too slow");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
        }
    }
}

async fn pass_on(shared: &Shared, ServerEvent { server, event }: ServerEvent) {
    let clients = &shared.clients;
    let orphaned = match event {
        Event::Log(mut message) => {
            if let Naming::Prefixed = shared.naming {
                message.logger = Some(match message.logger.take() {
                    Some(logger) => format!("{server}/{logger}"),
                    None => server,
                });
            }
            let severity = shared::logging::severity(message.level);
            clients
                .notify(
                    |client| severity >= shared::logging::severity(client.level()),
                    |peer| {
                        let message = message.clone();
                        async move { peer.notify_logging_message(message).await }
                    },
                )
                .await
        }
        Event::ResourceUpdated(update) => {
            let Some(prefix) = shared.prefix_of(&server) else {
                return;
            };
            let uri = shared.naming.uri(prefix, &update.uri);
            clients
                .notify(
                    |client| client.is_subscribed(&uri),
                    |peer| {
                        let mut update = update.clone();
                        update.uri.clone_from(&uri);
                        async move { peer.notify_resource_updated(update).await }
                    },
                )
                .await
        }
        Event::ResourcesChanged => {
            clients
                .notify(
                    |_| true,
                    |peer| async move { peer.notify_resource_list_changed().await },
                )
                .await
        }
        Event::PromptsChanged => {
            clients
                .notify(
                    |_| true,
                    |peer| async move { peer.notify_prompt_list_changed().await },
                )
                .await
        }
    };
    shared.release(orphaned).await;
}

/// Subscribes `server` again, each time it connects anew, to the resources of its that clients
/// are subscribed to.
async fn resubscribe_on_reconnect(
    shared: Arc<Shared>,
    server: String,
    mut status: watch::Receiver<ServerStatus>,
) {
    let mut connected_at = status.borrow_and_update().connected_at;
    while status.changed().await.is_ok() {
        let now = status.borrow_and_update().connected_at;
        if now.is_none() || now == connected_at {
            continue;
        }
        connected_at = now;
        let Some(prefix) = shared.prefix_of(&server) else {
            return;
        };
        for exposed in shared.clients.subscribed() {
            let Some((owner, uri)) = shared.naming.split_uri(&exposed) else {
                continue;
            };
            if owner != prefix {
                continue;
            }
            let request = ClientRequest::SubscribeRequest(SubscribeRequest::new(
                SubscribeRequestParams::new(uri),
            ));
            match shared.forward(&server, request).await {
                Ok(_) => tracing::debug!(server, uri, "subscribed again after a reconnect"),
                Err(error) => {
                    tracing::warn!(server, uri, %error.message, "cannot subscribe again after a reconnect");
                }
            }
        }
    }
}
