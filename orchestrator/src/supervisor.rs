//! Keeping one server alive: connect, watch, refresh, restart.
//!
//! Each enabled server gets one supervisor task. It owns the server's [`Connection`], publishes
//! the server's tool list to the [`Catalog`] and its state to the server's status channel, and
//! is the only writer of both. The state machine:
//!
//! ```text
//! Starting ──connected──▶ Ready ◀──ping ok / full list──▶ Degraded
//!    │                      │ exit, broken transport,          │
//!    │ failed               │ two pings unanswered             │
//!    ▼                      ▼                                  ▼
//! Restarting ◀──────────────┴──────────────────────────────────┘
//!    │ backoff (exponential, jitter; reset after stable uptime)
//!    ├──▶ Starting again … or, with restarts off or used up, ──▶ Failed
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};
use rmcp::model::Tool;
use rmcp::service::{Peer, RoleClient};
use tokio::sync::{Semaphore, broadcast, mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::config::{RestartPolicy, ServerConfig};
use crate::registry::Registry;
use crate::status::{ServerState, ServerStatus};
use crate::toolbox::ServerEvent;
use crate::upstream::in_flight::InFlight;
use crate::upstream::listing::{self, Listing};
use crate::upstream::stderr::StderrTail;
use crate::upstream::{self, Connection, Notice, Relays};

/// Quiet time after a `tools/list_changed` before the list is read again, so that a storm of
/// notifications costs one refresh.
pub(crate) const REFRESH_DEBOUNCE: Duration = Duration::from_millis(100);

/// Unanswered pings in a row after which a server is taken for wedged and restarted.
const PINGS_BEFORE_RESTART: u32 = 2;

/// Everything the toolbox and a supervisor share about one server.
pub(crate) struct Upstream {
    /// Its configuration.
    pub config: ServerConfig,
    status: watch::Sender<ServerStatus>,
    peer: RwLock<Option<Peer<RoleClient>>>,
    /// Calls in flight are limited per server.
    pub permits: Semaphore,
    /// What it sends for others than its supervisor, and where that goes.
    pub relays: Relays,
    stderr: StderrTail,
}

impl Upstream {
    /// A server that has not been started; `server_requests` offers it sampling and
    /// elicitation.
    pub(crate) fn new(
        config: ServerConfig,
        events: broadcast::Sender<ServerEvent>,
        server_requests: bool,
    ) -> Self {
        let relays = Relays {
            server: config.id.clone(),
            in_flight: InFlight::default(),
            events,
            server_requests,
        };
        let status = ServerStatus::new(
            &config.id,
            &config.prefix,
            config.transport.summary(),
            config.enabled,
        );
        Self {
            permits: Semaphore::new(config.max_concurrency),
            config,
            status: watch::Sender::new(status),
            peer: RwLock::new(None),
            relays,
            stderr: StderrTail::default(),
        }
    }

    /// Pings the server if it is connected, and records the round trip.
    pub(crate) async fn ping(&self) -> Option<Result<Duration, String>> {
        let peer = self.peer()?;
        let outcome = upstream::ping(&peer, self.config.timeouts.ping_timeout).await;
        if let Ok(round_trip) = outcome {
            self.update(|status| status.ping_latency = Some(round_trip));
        }
        Some(outcome)
    }

    /// Its status now, with the stderr tail filled in.
    pub(crate) fn status(&self) -> ServerStatus {
        let mut status = self.status.borrow().clone();
        status.stderr_tail = self.stderr.lines();
        status
    }

    /// A receiver that sees every status change.
    pub(crate) fn watch_status(&self) -> watch::Receiver<ServerStatus> {
        self.status.subscribe()
    }

    /// The live connection's request handle, if the server is connected.
    pub(crate) fn peer(&self) -> Option<Peer<RoleClient>> {
        self.peer
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set_peer(&self, peer: Option<Peer<RoleClient>>) {
        *self.peer.write().unwrap_or_else(PoisonError::into_inner) = peer;
    }

    fn update(&self, change: impl FnOnce(&mut ServerStatus)) {
        self.status.send_modify(change);
    }
}

/// The servers' last tool lists, and the registry merged from them.
pub(crate) struct Catalog {
    servers: Vec<ServerConfig>,
    lists: Mutex<BTreeMap<String, Vec<Tool>>>,
    registry: watch::Sender<Arc<Registry>>,
}

impl Catalog {
    /// An empty catalog over these servers.
    pub(crate) fn new(servers: Vec<ServerConfig>) -> Self {
        Self {
            servers,
            lists: Mutex::new(BTreeMap::new()),
            registry: watch::Sender::new(Arc::new(Registry::default())),
        }
    }

    /// The current registry.
    pub(crate) fn registry(&self) -> Arc<Registry> {
        self.registry.borrow().clone()
    }

    /// A receiver that sees every new registry.
    pub(crate) fn watch(&self) -> watch::Receiver<Arc<Registry>> {
        self.registry.subscribe()
    }

    /// Replaces one server's tool list and rebuilds the registry.
    fn publish(&self, server: &str, tools: Vec<Tool>) {
        let mut lists = self.lists.lock().unwrap_or_else(PoisonError::into_inner);
        lists.insert(server.to_owned(), tools);
        let registry = Registry::build(self.servers.iter().filter_map(|config| {
            lists
                .get(&config.id)
                .map(|tools| (config, tools.as_slice()))
        }));
        self.registry.send_replace(Arc::new(registry));
    }
}

/// Why a connection ended.
enum Ended {
    Shutdown,
    Lost(String),
}

/// Runs one server until `shutdown`: connects, serves, restarts per its policy.
pub(crate) async fn supervise(
    upstream: Arc<Upstream>,
    catalog: Arc<Catalog>,
    http: reqwest::Client,
    shutdown: CancellationToken,
) {
    let policy = upstream.config.restart;
    let mut backoff = new_backoff(policy);
    loop {
        let (notices_tx, mut notices) = mpsc::channel(1);
        let started = Instant::now();
        let attempt = tokio::select! {
            () = shutdown.cancelled() => return,
            attempt = tokio::time::timeout(
                upstream.config.timeouts.connect,
                Connection::open(
                    &upstream.config,
                    &upstream.stderr,
                    notices_tx,
                    upstream.relays.clone(),
                    &http,
                ),
            ) => attempt,
        };
        let failure = match attempt {
            Err(_) => format!(
                "no handshake and tool list within the connect timeout ({} s)",
                upstream.config.timeouts.connect.as_secs_f64()
            ),
            Ok(Err(error)) => error.to_string(),
            Ok(Ok((mut connection, listing))) => {
                let connected_at = Instant::now();
                upstream.set_peer(Some(connection.peer().clone()));
                upstream.update(|status| {
                    status.server_name = Some(connection.summary.name.clone());
                    status.server_version = Some(connection.summary.version.clone());
                    status.protocol = Some(connection.summary.protocol.clone());
                    status.connect_latency = Some(connected_at - started);
                    status.connected_at = Some(connected_at);
                    status.retry_at = None;
                    status.pid = connection.pid();
                });
                let mut health = Health {
                    listing: publish(&upstream, &catalog, listing),
                    ping: None,
                };
                health.show(&upstream);
                tracing::info!(server = %upstream.config.id, latency_ms = (connected_at - started).as_millis(), "connected");
                let ended = serve(
                    &upstream,
                    &catalog,
                    &mut connection,
                    &mut notices,
                    &mut health,
                    &shutdown,
                )
                .await;
                upstream.set_peer(None);
                connection.close().await;
                upstream.update(|status| {
                    status.connected_at = None;
                    status.pid = None;
                });
                match ended {
                    Ended::Shutdown => return,
                    Ended::Lost(why) => {
                        if connected_at.elapsed() >= policy.stable_after {
                            backoff = new_backoff(policy);
                        }
                        why
                    }
                }
            }
        };
        tracing::warn!(server = %upstream.config.id, "{failure}");
        let delay = if policy.enabled { backoff.next() } else { None };
        let Some(delay) = delay else {
            let detail = if policy.enabled {
                format!("{failure} (gave up after {} restarts)", policy.max_restarts)
            } else {
                format!("{failure} (restarts are turned off)")
            };
            upstream.update(|status| {
                status.state = ServerState::Failed;
                status.detail = Some(detail);
                status.retry_at = None;
            });
            return;
        };
        upstream.update(|status| {
            status.state = ServerState::Restarting;
            status.detail = Some(failure);
            status.retry_at = Some(Instant::now() + delay);
        });
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(delay) => {}
        }
        upstream.update(|status| status.restarts += 1);
    }
}

/// Serves a live connection until it ends: pings it, and re-reads its tools when told to.
async fn serve(
    upstream: &Upstream,
    catalog: &Catalog,
    connection: &mut Connection,
    notices: &mut mpsc::Receiver<Notice>,
    health: &mut Health,
    shutdown: &CancellationToken,
) -> Ended {
    let timeouts = upstream.config.timeouts;
    let mut ping = tokio::time::interval_at(
        tokio::time::Instant::now() + timeouts.ping_interval,
        timeouts.ping_interval,
    );
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut unanswered = 0;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return Ended::Shutdown,
            () = connection.closed() => {
                let why = match upstream.stderr.joined() {
                    Some(tail) => format!("the connection closed (the server exited?); its stderr ends with:\n{tail}"),
                    None => "the connection closed (the server exited?)".to_owned(),
                };
                return Ended::Lost(why);
            }
            _ = ping.tick() => {
                match upstream::ping(connection.peer(), timeouts.ping_timeout).await {
                    Ok(round_trip) => {
                        unanswered = 0;
                        upstream.update(|status| status.ping_latency = Some(round_trip));
                        health.ping = None;
                    }
                    Err(why) => {
                        unanswered += 1;
                        if unanswered >= PINGS_BEFORE_RESTART {
                            return Ended::Lost(format!("{why}, {unanswered} times in a row; the server is wedged"));
                        }
                        health.ping = Some(why);
                    }
                }
                health.show(upstream);
            }
            Some(Notice::ToolsChanged) = notices.recv() => {
                tokio::time::sleep(REFRESH_DEBOUNCE).await;
                while notices.try_recv().is_ok() {}
                health.listing = match listing::list_tools(connection.peer(), timeouts.call).await {
                    Ok(listing) => publish(upstream, catalog, listing),
                    Err(error) => Some(format!("refresh after tools/list_changed failed: {error}")),
                };
                health.show(upstream);
            }
        }
    }
}

/// Publishes a fresh tool list; returns why it is incomplete, if it is.
fn publish(upstream: &Upstream, catalog: &Catalog, listing: Listing) -> Option<String> {
    let count = listing.tools.len();
    upstream.update(|status| status.tools_listed = count);
    if let Some(why) = &listing.incomplete {
        tracing::warn!(server = %upstream.config.id, "{why}");
    }
    catalog.publish(&upstream.config.id, listing.tools);
    listing.incomplete
}

/// What is wrong with a connected server, if anything: it is ready when nothing is.
struct Health {
    ping: Option<String>,
    listing: Option<String>,
}

impl Health {
    fn show(&self, upstream: &Upstream) {
        let problem = self.ping.as_ref().or(self.listing.as_ref()).cloned();
        upstream.update(|status| {
            status.state = if problem.is_some() {
                ServerState::Degraded
            } else {
                ServerState::Ready
            };
            status.detail = problem;
        });
    }
}

fn new_backoff(policy: RestartPolicy) -> ExponentialBackoff {
    ExponentialBuilder::new()
        .with_min_delay(policy.initial_delay)
        .with_max_delay(policy.max_delay)
        .with_factor(2.0)
        .with_jitter()
        .with_max_times(usize::try_from(policy.max_restarts).unwrap_or(usize::MAX))
        .build()
}
