//! `orchestrator bench`: the load generator, a server's cold start, and discovery, printed as
//! a table or JSON.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::Subcommand;
use comfy_table::{Table, presets};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::{out, parse_arguments};
use crate::bench::{self, CallPath, Latency, LoadPlan, LoadReport};
use crate::config::Config;
use crate::toolbox::Toolbox;

/// What to measure.
#[derive(Debug, Subcommand)]
pub enum Bench {
    /// Call one tool many times, with some calls in flight at once, and report calls/s,
    /// latency (median, p90, p99, max), errors and the server's peak memory.
    ///
    /// Exits 1 when any call failed.
    Calls {
        /// The exposed tool name (`server__tool`).
        tool: String,
        /// Its arguments as a JSON object. Default: `{}`.
        arguments: Option<String>,
        /// Calls measured.
        #[arg(short = 'n', long, default_value_t = 2000)]
        calls: usize,
        /// Calls in flight at once.
        #[arg(short = 'c', long, default_value_t = 1)]
        concurrency: usize,
        /// Calls made first, not measured.
        #[arg(long, default_value_t = 200)]
        warmup: usize,
        /// Call the server's connection directly instead of routing through the toolbox, to
        /// see what routing costs.
        #[arg(long)]
        direct: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Each configured server's cold start: spawn (or dial), handshake and tool list, one
    /// server at a time.
    Startup {
        /// Starts per server.
        #[arg(long, default_value_t = 10)]
        runs: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Discovery of the whole configuration: every server started at once, until all have
    /// listed their tools.
    Discovery {
        /// Discoveries.
        #[arg(long, default_value_t = 10)]
        runs: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a benchmark that starts servers itself (startup, discovery); `None` for one that
/// needs the toolbox started.
pub(super) async fn without_toolbox(bench: &Bench, config: &Config) -> Result<Option<ExitCode>> {
    match bench {
        Bench::Calls { .. } => Ok(None),
        Bench::Startup { runs, json } => {
            let mut rows = Vec::new();
            for server in config.servers.iter().filter(|server| server.enabled) {
                let times = bench::startup(server, (*runs).max(1)).await?;
                rows.push((server.id.clone(), spread(&times)));
            }
            print_spreads("server", &rows, *json);
            Ok(Some(ExitCode::SUCCESS))
        }
        Bench::Discovery { runs, json } => {
            let times = bench::discovery(config, (*runs).max(1)).await?;
            let servers = config
                .servers
                .iter()
                .filter(|server| server.enabled)
                .count();
            print_spreads("servers", &[(servers.to_string(), spread(&times))], *json);
            Ok(Some(ExitCode::SUCCESS))
        }
    }
}

/// Runs the load generator on a started toolbox.
pub(super) async fn calls(toolbox: &Toolbox, bench: Bench) -> Result<ExitCode> {
    let Bench::Calls {
        tool,
        arguments,
        calls,
        concurrency,
        warmup,
        direct,
        json,
    } = bench
    else {
        bail!("only `bench calls` needs the toolbox");
    };
    let plan = LoadPlan {
        tool,
        arguments: parse_arguments(arguments.as_deref())?,
        calls,
        concurrency,
        warmup,
        path: if direct {
            CallPath::Direct
        } else {
            CallPath::Routed
        },
    };
    let bar = ProgressBar::new(calls as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} calls {per_sec} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = bench::load(toolbox, &plan, || bar.inc(1)).await;
    bar.finish_and_clear();
    let report = report?;
    if json {
        out(&serde_json::to_string_pretty(&report)?);
    } else {
        out(&load_table(&report));
        if let Some(error) = &report.first_error {
            out(&format!("first error: {error}"));
        }
    }
    Ok(if report.errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn load_table(report: &LoadReport) -> String {
    let Latency {
        p50_us,
        p90_us,
        p99_us,
        max_us,
    } = report.latency;
    let mut table = Table::new();
    table.load_preset(presets::NOTHING).set_header([
        "tool",
        "path",
        "calls",
        "in flight",
        "calls/s",
        "p50 µs",
        "p90 µs",
        "p99 µs",
        "max µs",
        "errors",
        "peak RSS MiB",
    ]);
    table.add_row([
        report.tool.clone(),
        format!("{:?}", report.path).to_lowercase(),
        report.calls.to_string(),
        report.concurrency.to_string(),
        format!("{:.0}", report.calls_per_second),
        format!("{p50_us:.0}"),
        format!("{p90_us:.0}"),
        format!("{p99_us:.0}"),
        format!("{max_us:.0}"),
        report.errors.to_string(),
        report
            .peak_rss_mib
            .map_or_else(|| "-".to_owned(), |mib| format!("{mib:.1}")),
    ]);
    table.to_string()
}

/// The median, smallest and largest of some timings, in milliseconds.
struct Spread {
    runs: usize,
    median_ms: f64,
    min_ms: f64,
    max_ms: f64,
}

fn spread(times: &[Duration]) -> Spread {
    let mut ms: Vec<f64> = times.iter().map(|time| time.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    let median = match ms.len() {
        0 => 0.0,
        n if n % 2 == 1 => ms[n / 2],
        n => (ms[n / 2 - 1] + ms[n / 2]) / 2.0,
    };
    Spread {
        runs: ms.len(),
        median_ms: median,
        min_ms: ms.first().copied().unwrap_or_default(),
        max_ms: ms.last().copied().unwrap_or_default(),
    }
}

fn print_spreads(label: &str, rows: &[(String, Spread)], json: bool) {
    if json {
        let rows: Vec<_> = rows
            .iter()
            .map(|(name, spread)| {
                json!({label: name, "runs": spread.runs, "median_ms": spread.median_ms,
                       "min_ms": spread.min_ms, "max_ms": spread.max_ms})
            })
            .collect();
        out(&serde_json::Value::Array(rows).to_string());
        return;
    }
    let mut table = Table::new();
    table.load_preset(presets::NOTHING).set_header([
        label,
        "runs",
        "median ms",
        "min ms",
        "max ms",
    ]);
    for (name, spread) in rows {
        table.add_row([
            name.clone(),
            spread.runs.to_string(),
            format!("{:.2}", spread.median_ms),
            format!("{:.2}", spread.min_ms),
            format!("{:.2}", spread.max_ms),
        ]);
    }
    out(&table.to_string());
}
