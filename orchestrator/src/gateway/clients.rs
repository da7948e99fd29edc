//! The clients connected to the gateway, what each asked for (a log level, resources to hear
//! about), and sending each what concerns it.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rmcp::model::LoggingLevel;
use rmcp::service::Peer;
use rmcp::{RoleServer, ServiceError};

/// One connected client.
pub(crate) struct Client {
    pub peer: Peer<RoleServer>,
    /// The least severe log level it gets (`logging/setLevel`; all until it asks).
    level: Mutex<LoggingLevel>,
    /// The resources it subscribed to, by the URIs it used.
    subscriptions: Mutex<BTreeSet<String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Client {
    pub(crate) fn level(&self) -> LoggingLevel {
        *lock(&self.level)
    }

    pub(crate) fn set_level(&self, level: LoggingLevel) {
        *lock(&self.level) = level;
    }

    pub(crate) fn is_subscribed(&self, uri: &str) -> bool {
        lock(&self.subscriptions).contains(uri)
    }

    /// Records a subscription; false when it was there already.
    pub(crate) fn subscribe(&self, uri: &str) -> bool {
        lock(&self.subscriptions).insert(uri.to_owned())
    }

    /// Forgets a subscription; false when there was none.
    pub(crate) fn unsubscribe(&self, uri: &str) -> bool {
        lock(&self.subscriptions).remove(uri)
    }
}

/// Every connected client. Cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct Clients {
    all: Arc<Mutex<Vec<Arc<Client>>>>,
}

impl Clients {
    /// Adds a client that completed its handshake, and forgets the clients whose connection
    /// has closed since. Returns the new client, and the URIs that only departed clients were
    /// subscribed to.
    pub(crate) fn add(&self, peer: Peer<RoleServer>) -> (Arc<Client>, Vec<String>) {
        let orphaned = self.forget(|client| client.peer.is_transport_closed());
        let client = Arc::new(Client {
            peer,
            level: Mutex::new(LoggingLevel::Debug),
            subscriptions: Mutex::default(),
        });
        lock(&self.all).push(client.clone());
        (client, orphaned)
    }

    /// Whether any client but `except` is subscribed to `uri`.
    pub(crate) fn subscribed_elsewhere(&self, uri: &str, except: &Client) -> bool {
        lock(&self.all)
            .iter()
            .any(|client| !std::ptr::eq(client.as_ref(), except) && client.is_subscribed(uri))
    }

    /// Every URI some client is subscribed to.
    pub(crate) fn subscribed(&self) -> BTreeSet<String> {
        lock(&self.all)
            .iter()
            .flat_map(|client| lock(&client.subscriptions).clone())
            .collect()
    }

    /// Sends one message to every client `wants`, and forgets the clients that are gone.
    /// Returns the URIs that only departed clients were subscribed to.
    pub(crate) async fn notify<W, F, Sent>(&self, wants: W, send: F) -> Vec<String>
    where
        W: Fn(&Client) -> bool,
        F: Fn(Peer<RoleServer>) -> Sent,
        Sent: Future<Output = Result<(), ServiceError>>,
    {
        let targets: Vec<Arc<Client>> = lock(&self.all)
            .iter()
            .filter(|client| wants(client))
            .cloned()
            .collect();
        let mut gone = Vec::new();
        for client in targets {
            if send(client.peer.clone()).await.is_err() {
                gone.push(client);
            }
        }
        if gone.is_empty() {
            return Vec::new();
        }
        self.forget(|client| gone.iter().any(|gone| std::ptr::eq(gone.as_ref(), client)))
    }

    /// Removes the clients that are `gone`, and returns the URIs no remaining client is
    /// subscribed to that they were.
    fn forget(&self, gone: impl Fn(&Client) -> bool) -> Vec<String> {
        let mut all = lock(&self.all);
        let (departed, remaining): (Vec<_>, Vec<_>) =
            all.drain(..).partition(|client| gone(client));
        *all = remaining;
        let orphaned: BTreeSet<String> = departed
            .iter()
            .flat_map(|client| lock(&client.subscriptions).clone())
            .filter(|uri| !all.iter().any(|client| client.is_subscribed(uri)))
            .collect();
        orphaned.into_iter().collect()
    }
}
