//! `orchestrator demo`: the whole idea in one run, on the workspace's own servers. Discovery,
//! the merged registry, calls routed to their owners, one server killed while the others keep
//! answering (and its return), and an agent conversation that uses all three servers.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::terminal::{self, LiveTranscript, write_out};
use super::{millis, plural, table};
use crate::agent::{Agent, CallRecord, Outcome};
use crate::content;
use crate::llm::Model;
use crate::status::ServerState;
use crate::toolbox::Toolbox;

/// The request of the demo's agent conversation: one task for each server, one of them
/// referring back to an earlier result.
pub(super) const DEMO_PROMPT: &str = "What is 2^64 - 1, and is it prime? Then search my notes for tokio, and list the files in orchestrator/src.";

/// The servers the demo needs: the workspace's three.
const WORKSPACE_SERVERS: [&str; 3] = ["math", "search", "fs"];

/// The server the demo kills, and a call that shows it gone and back.
const VICTIM: &str = "math";
const VICTIM_CALL: (&str, &str) = ("math__add", r#"{"a": 2, "b": 3}"#);

/// How long the demo waits for a server to go down or come back before saying it did not.
const STATE_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the demo; `settled` is how long discovery took.
pub(super) async fn demo(
    toolbox: &Toolbox,
    agent: &Agent<'_>,
    model: &dyn Model,
    settled: Duration,
) -> Result<ExitCode> {
    discovery(toolbox, settled)?;
    registry(toolbox);
    routed_calls(toolbox).await?;
    fault_isolation(toolbox).await?;
    heading("5. An agent conversation across all three servers");
    let live = LiveTranscript::start(&model.describe(), DEMO_PROMPT);
    let mut conversation = Vec::new();
    let run = agent
        .run(
            &mut conversation,
            DEMO_PROMPT,
            &CancellationToken::new(),
            &live,
        )
        .await;
    live.finish(&run);
    let servers: std::collections::BTreeSet<_> = run
        .steps
        .iter()
        .flat_map(|step| &step.calls)
        .filter(|call| !call.is_error)
        .filter_map(|call| call.server.clone())
        .collect();
    write_out(&format!(
        "\nThe conversation used {}: {}.\n",
        plural(servers.len(), "server"),
        servers.into_iter().collect::<Vec<_>>().join(", ")
    ));
    Ok(match run.outcome {
        Outcome::Answered => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}

fn heading(title: &str) {
    write_out(&format!("\n== {title} ==\n"));
}

fn discovery(toolbox: &Toolbox, settled: Duration) -> Result<()> {
    let statuses = toolbox.status();
    let missing: Vec<_> = WORKSPACE_SERVERS
        .iter()
        .filter(|id| !statuses.iter().any(|status| status.id == **id))
        .collect();
    if !missing.is_empty() {
        bail!(
            "the demo runs on the workspace's servers, and {missing:?} are not configured (not built next to the orchestrator?). Build them all first: cargo build --release"
        );
    }
    heading("1. Discovery");
    let mut rows = table(["SERVER", "STATE", "VERSION", "TOOLS", "CONNECT", "PID"]);
    for status in &statuses {
        rows.add_row([
            status.id.clone(),
            status.state.to_string(),
            status.version_label(),
            status.tools_listed.to_string(),
            millis(status.connect_latency),
            status.pid.map(|pid| pid.to_string()).unwrap_or_default(),
        ]);
    }
    write_out(&format!(
        "Started {} from the built-in configuration, in parallel; all settled in {:.1} ms.\n{rows}\n",
        plural(statuses.len(), "server"),
        settled.as_secs_f64() * 1e3
    ));
    let down: Vec<_> = statuses
        .iter()
        .filter(|status| status.state != ServerState::Ready)
        .map(|status| status.unavailable_reason())
        .collect();
    if !down.is_empty() {
        bail!(
            "the demo needs every workspace server; {}. Build them all first: cargo build --release",
            down.join("; ")
        );
    }
    Ok(())
}

fn registry(toolbox: &Toolbox) {
    let registry = toolbox.registry();
    heading(&format!(
        "2. The merged registry: {}",
        plural(registry.len(), "tool")
    ));
    let mut rows = table(["NAME", "SERVER", "TITLE"]);
    for entry in registry.entries() {
        rows.add_row([
            entry.name.clone(),
            entry.server.clone(),
            entry.title().unwrap_or_default().to_owned(),
        ]);
    }
    write_out(&format!(
        "Every tool is exposed as server__tool, and a call goes only to the server that owns it.\n{rows}\n"
    ));
}

async fn routed_calls(toolbox: &Toolbox) -> Result<()> {
    heading("3. Calls routed to their servers");
    for (tool, arguments) in [
        ("math__evaluate", json!({"expression": "2^64 - 1"})),
        ("fs__list_allowed_directories", json!({})),
        // Brings the local index up to date, so the conversation below searches all of it.
        ("search__reindex", json!({})),
        (
            "search__local_search",
            json!({"query": "supervisor restart", "limit": 3}),
        ),
    ] {
        let answer = show_call(toolbox, tool, arguments).await;
        if answer.is_error {
            bail!("{tool} failed in the demo: {}", answer.output);
        }
    }
    Ok(())
}

async fn fault_isolation(toolbox: &Toolbox) -> Result<()> {
    heading(&format!("4. Fault isolation: `{VICTIM}` is killed"));
    let status = toolbox
        .server_status(VICTIM)
        .context("the math server is not configured")?;
    let pid = status.pid.context("the math server has no process id")?;
    let mut watch = toolbox
        .watch_server(VICTIM)
        .context("the math server is not configured")?;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(pid).context("process id out of range")?),
        nix::sys::signal::Signal::SIGKILL,
    )
    .with_context(|| format!("killing the math server (pid {pid})"))?;
    let killed = Instant::now();
    write_out(&format!("Sent SIGKILL to {VICTIM} (pid {pid}).\n"));
    tokio::time::timeout(
        STATE_TIMEOUT,
        watch.wait_for(|status| !status.state.is_connected()),
    )
    .await
    .context("the orchestrator did not notice the kill")??;
    let (tool, arguments) = VICTIM_CALL;
    let arguments: Value = serde_json::from_str(arguments)?;
    let answer = show_call(toolbox, tool, arguments.clone()).await;
    if !answer.is_error {
        bail!("{tool} answered although its server was killed");
    }
    write_out("The other servers keep answering:\n");
    for tool in ["fs__list_allowed_directories", "search__index_status"] {
        let answer = show_call(toolbox, tool, json!({})).await;
        if answer.is_error {
            bail!("{tool} failed while {VICTIM} was down: {}", answer.output);
        }
    }
    tokio::time::timeout(
        STATE_TIMEOUT,
        watch.wait_for(|status| status.state == ServerState::Ready),
    )
    .await
    .context("the killed server was not restarted in time")??;
    let restarted = toolbox
        .server_status(VICTIM)
        .context("the math server is not configured")?;
    let tools = toolbox
        .registry()
        .entries()
        .filter(|entry| entry.server == VICTIM)
        .count();
    write_out(&format!(
        "The supervisor restarted {VICTIM} {:.0} ms after the kill (pid {}, restart #{}); its {} answer again:\n",
        killed.elapsed().as_secs_f64() * 1e3,
        restarted.pid.map(|pid| pid.to_string()).unwrap_or_default(),
        restarted.restarts,
        plural(tools, "tool")
    ));
    let answer = show_call(toolbox, tool, arguments).await;
    if answer.is_error {
        bail!("{tool} still fails after the restart: {}", answer.output);
    }
    Ok(())
}

/// Calls a tool and prints the call, the server that answered, the time and the answer.
async fn show_call(toolbox: &Toolbox, tool: &str, arguments: Value) -> CallRecord {
    let entry = toolbox.registry().get(tool).cloned();
    let started = Instant::now();
    let (output, is_error) = match toolbox.call(tool, arguments.as_object().cloned()).await {
        Ok(result) => (content::to_text(&result), result.is_error == Some(true)),
        Err(error) => (error.to_string(), true),
    };
    let record = CallRecord {
        id: String::new(),
        tool: tool.to_owned(),
        server: entry.as_ref().map(|entry| entry.server.clone()),
        original: entry.as_ref().map(|entry| entry.original().to_owned()),
        arguments,
        is_error,
        output,
        elapsed_ms: started.elapsed().as_secs_f64() * 1e3,
    };
    terminal::show_call(&record, 2);
    record
}
