//! Measuring the toolbox with the same Rust client for every server: calls per second and
//! latency of one tool under load (routed through the toolbox, or straight to the server's
//! connection), a server's cold start (spawn to its tool list), and the discovery of a whole
//! configuration. `orchestrator bench` prints these; `scripts/bench.sh` runs them side by side
//! against the peers and writes BENCHMARKS.md.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rmcp::model::{CallToolRequestParams, CallToolResult, JsonObject};
use serde::Serialize;
use tokio::sync::{broadcast, mpsc};

use crate::config::{Config, ServerConfig};
use crate::router::CallError;
use crate::toolbox::{StartError, Toolbox, http_client};
use crate::upstream::in_flight::InFlight;
use crate::upstream::stderr::StderrTail;
use crate::upstream::{Connection, Relays};

/// A benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The tool is not in the registry.
    #[error("unknown tool `{0}`; `orchestrator tools` lists them")]
    UnknownTool(String),
    /// The tool's server is not connected.
    #[error("the server of `{tool}` is not connected: {reason}")]
    NotConnected {
        /// The tool.
        tool: String,
        /// Its server's state.
        reason: String,
    },
    /// No calls, or no concurrency.
    #[error("--calls and --concurrency must be at least 1")]
    NothingToDo,
    /// A server did not start.
    #[error("server `{server}` did not start: {reason}")]
    Start {
        /// The server's id.
        server: String,
        /// Why.
        reason: String,
    },
    /// The toolbox could not start.
    #[error(transparent)]
    Toolbox(#[from] StartError),
}

/// Which way the calls go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallPath {
    /// Through `Toolbox::call`: registry lookup, permits, timeouts, cancellation guard.
    Routed,
    /// Straight to the server's connection: what a client of that server alone would do.
    Direct,
}

/// What to measure.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// The exposed tool name.
    pub tool: String,
    /// Its arguments.
    pub arguments: Option<JsonObject>,
    /// Calls measured.
    pub calls: usize,
    /// Calls in flight at once.
    pub concurrency: usize,
    /// Calls made first and not measured.
    pub warmup: usize,
    /// Routed or direct.
    pub path: CallPath,
}

/// Latency percentiles, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    /// The median.
    pub p50_us: f64,
    /// The 90th percentile.
    pub p90_us: f64,
    /// The 99th percentile.
    pub p99_us: f64,
    /// The slowest call.
    pub max_us: f64,
}

impl Latency {
    /// The percentiles of `samples` (nearest rank); zeros when there are none.
    pub fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        let at = |fraction: f64| {
            if samples.is_empty() {
                return 0.0;
            }
            // Nearest rank: the smallest sample with at least `fraction` of them at or below.
            let rank = (fraction * samples.len() as f64).ceil() as usize;
            let index = rank.clamp(1, samples.len()) - 1;
            samples[index].as_secs_f64() * 1e6
        };
        Self {
            p50_us: at(0.50),
            p90_us: at(0.90),
            p99_us: at(0.99),
            max_us: at(1.0),
        }
    }
}

/// The outcome of a load run.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    /// The tool called.
    pub tool: String,
    /// Its server.
    pub server: String,
    /// Routed or direct.
    pub path: CallPath,
    /// Calls measured.
    pub calls: usize,
    /// Calls in flight at once.
    pub concurrency: usize,
    /// Calls that failed (an error result, or no result).
    pub errors: usize,
    /// What the first failure said.
    pub first_error: Option<String>,
    /// Wall time of the measured calls, in seconds.
    pub seconds: f64,
    /// Measured calls per second of wall time.
    pub calls_per_second: f64,
    /// Per-call latency.
    pub latency: Latency,
    /// The server's peak resident memory, its child processes included, in MiB (stdio
    /// servers on Linux).
    pub peak_rss_mib: Option<f64>,
}

/// Calls `plan.tool` as `plan` says, reporting each finished call to `progress`.
pub async fn load(
    toolbox: &Toolbox,
    plan: &LoadPlan,
    progress: impl Fn() + Send + Sync,
) -> Result<LoadReport, BenchError> {
    if plan.calls == 0 || plan.concurrency == 0 {
        return Err(BenchError::NothingToDo);
    }
    let registry = toolbox.registry();
    let entry = registry
        .get(&plan.tool)
        .ok_or_else(|| BenchError::UnknownTool(plan.tool.clone()))?;
    let server = entry.server.clone();
    let caller = Caller {
        toolbox,
        exposed: plan.tool.clone(),
        original: entry.original().to_owned(),
        arguments: plan.arguments.clone(),
        direct: match plan.path {
            CallPath::Routed => None,
            CallPath::Direct => Some(toolbox.upstream_peer(&server).ok_or_else(|| {
                BenchError::NotConnected {
                    tool: plan.tool.clone(),
                    reason: toolbox
                        .server_status(&server)
                        .map(|status| status.unavailable_reason())
                        .unwrap_or_default(),
                }
            })?),
        },
    };
    run_calls(&caller, plan.warmup, plan.concurrency, &|| {}).await;
    let started = Instant::now();
    let outcomes = run_calls(&caller, plan.calls, plan.concurrency, &progress).await;
    let seconds = started.elapsed().as_secs_f64();
    let mut latencies = Vec::with_capacity(outcomes.len());
    let mut errors = 0;
    let mut first_error = None;
    for (latency, failure) in outcomes {
        latencies.push(latency);
        if let Some(failure) = failure {
            errors += 1;
            first_error.get_or_insert(failure);
        }
    }
    let pid = toolbox.server_status(&server).and_then(|status| status.pid);
    Ok(LoadReport {
        tool: plan.tool.clone(),
        server,
        path: plan.path,
        calls: plan.calls,
        concurrency: plan.concurrency,
        errors,
        first_error,
        seconds,
        calls_per_second: plan.calls as f64 / seconds.max(f64::MIN_POSITIVE),
        latency: Latency::of(latencies),
        peak_rss_mib: pid.and_then(peak_rss_mib),
    })
}

/// How one call is made.
struct Caller<'a> {
    toolbox: &'a Toolbox,
    exposed: String,
    original: String,
    arguments: Option<JsonObject>,
    direct: Option<rmcp::Peer<rmcp::RoleClient>>,
}

impl Caller<'_> {
    /// One call: how long it took, and what went wrong, if anything.
    async fn call(&self) -> (Duration, Option<String>) {
        let started = Instant::now();
        let outcome: Result<CallToolResult, String> = match &self.direct {
            None => self
                .toolbox
                .call(&self.exposed, self.arguments.clone())
                .await
                .map_err(|error: CallError| error.to_string()),
            Some(peer) => {
                let mut params = CallToolRequestParams::new(self.original.clone());
                if let Some(arguments) = &self.arguments {
                    params = params.with_arguments(arguments.clone());
                }
                peer.call_tool(params)
                    .await
                    .map_err(|error| error.to_string())
            }
        };
        let elapsed = started.elapsed();
        let failure = match outcome {
            Ok(result) if result.is_error == Some(true) => Some(crate::content::to_text(&result)),
            Ok(_) => None,
            Err(error) => Some(error),
        };
        (elapsed, failure)
    }
}

/// Makes `calls` calls with `concurrency` of them in flight, and returns every outcome.
async fn run_calls(
    caller: &Caller<'_>,
    calls: usize,
    concurrency: usize,
    progress: &(dyn Fn() + Send + Sync),
) -> Vec<(Duration, Option<String>)> {
    let next = AtomicUsize::new(0);
    let workers = (0..concurrency.min(calls.max(1))).map(|_| async {
        let mut outcomes = Vec::new();
        while next.fetch_add(1, Ordering::Relaxed) < calls {
            outcomes.push(caller.call().await);
            progress();
        }
        outcomes
    });
    futures::future::join_all(workers)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// Spawns (or dials) `server`, completes the handshake and reads its tool list, `runs` times,
/// closing it each time; returns how long each took.
pub async fn startup(server: &ServerConfig, runs: usize) -> Result<Vec<Duration>, BenchError> {
    let http = http_client()?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let (notices, _ignored) = mpsc::channel(1);
        let relays = Relays {
            server: server.id.clone(),
            in_flight: InFlight::default(),
            events: broadcast::channel(1).0,
            server_requests: false,
        };
        let started = Instant::now();
        let opened = Connection::open(server, &StderrTail::default(), notices, relays, &http).await;
        let elapsed = started.elapsed();
        let (mut connection, _listing) = opened.map_err(|error| BenchError::Start {
            server: server.id.clone(),
            reason: error.to_string(),
        })?;
        connection.close().await;
        times.push(elapsed);
    }
    Ok(times)
}

/// Starts the whole configuration `runs` times and returns how long each took until every
/// server had listed its tools; fails if one did not.
pub async fn discovery(config: &Config, runs: usize) -> Result<Vec<Duration>, BenchError> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let toolbox = Toolbox::start(config.clone())?;
        let elapsed = toolbox.settled().await;
        if let Some(down) = toolbox.status().into_iter().find(|status| {
            !status.state.is_connected() && status.state != crate::ServerState::Disabled
        }) {
            let reason = down.unavailable_reason();
            toolbox.shutdown().await;
            return Err(BenchError::Start {
                server: down.id,
                reason,
            });
        }
        toolbox.shutdown().await;
        times.push(elapsed);
    }
    Ok(times)
}

/// The peak resident memory of process `pid` and its descendants, summed, in MiB
/// (`VmHWM` in `/proc`; `None` elsewhere than Linux or once the process is gone).
pub fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let own_kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())?;
    let children: u64 = children(pid)
        .into_iter()
        .filter_map(peak_rss_mib)
        .map(|mib| (mib * 1024.0) as u64)
        .sum();
    Some((own_kib + children) as f64 / 1024.0)
}

/// The direct children of `pid`, from every thread's `children` list.
fn children(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|child| child.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let samples: Vec<_> = (1..=100).map(Duration::from_micros).collect();
        let latency = Latency::of(samples);
        assert_eq!(latency.p50_us, 50.0);
        assert_eq!(latency.p90_us, 90.0);
        assert_eq!(latency.p99_us, 99.0);
        assert_eq!(latency.max_us, 100.0);
        assert_eq!(Latency::of(vec![]).max_us, 0.0);
        assert_eq!(Latency::of(vec![Duration::from_micros(7)]).p50_us, 7.0);
    }

    #[test]
    fn this_process_has_a_peak_rss() {
        let mib = peak_rss_mib(std::process::id()).unwrap_or_default();
        assert!(mib > 1.0, "{mib}");
        assert_eq!(peak_rss_mib(u32::MAX), None);
    }
}
