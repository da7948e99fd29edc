//! What the servers announce between calls, passed on to the gateway's clients: a changed
//! registry (a server restarted, or said its tools changed), changed prompt and resource lists,
//! updates of subscribed resources (to their subscribers only), and log messages (at the level
//! each client asked for).

use std::sync::Arc;

use tokio::sync::broadcast;

use super::{Naming, Shared};
use crate::toolbox::{Event, ServerEvent};

/// Passes announcements on until the toolbox shuts down.
pub(crate) async fn run(shared: Arc<Shared>) {
    let mut registry = shared.toolbox.watch_registry();
    let mut events = shared.toolbox.subscribe_events();
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
