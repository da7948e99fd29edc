//! The command line: `tools`, `call`, `doctor` and `explain` to inspect and use the toolbox,
//! `chat` and `demo` to put an agent to work on it, `serve` to serve it as one MCP server,
//! `bench` to measure it; each with `--json` for scripts and a table or plain text for people.

mod bench;
mod chat;
mod demo;
mod llm_args;
mod terminal;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use comfy_table::{Table, presets};
use rmcp::model::{JsonObject, ToolAnnotations};
use serde_json::json;

use crate::agent::Agent;
use crate::config::Config;
use crate::explain::Explanation;
use crate::gateway::Gateway;
use crate::router::CallError;
use crate::status::ServerState;
use crate::toolbox::Toolbox;

pub use llm_args::LlmArgs;

/// Many MCP servers as one toolbox: list their merged tools, call one, check their health,
/// chat with an agent that uses them all.
#[derive(Debug, Parser)]
#[command(name = "orchestrator", version, about, long_about = None)]
pub struct Cli {
    /// An `mcpServers` JSON file (Claude Desktop's format). Without it (and without --url):
    /// the workspace's servers, from the binaries next to this one.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// One Streamable HTTP server instead of a configuration file; its tools are exposed as
    /// `server__TOOL`.
    #[arg(long, global = true, value_name = "URL", conflicts_with = "config")]
    pub url: Option<String>,
    /// Log filter for stderr (`warn`, `info`, `orchestrator=debug`, …); RUST_LOG also works.
    #[arg(long, global = true, value_name = "FILTER")]
    pub log_level: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the merged registry: exposed name, server, original name, title, annotations.
    Tools {
        /// Print JSON (the tools as callers see them, with schemas).
        #[arg(long)]
        json: bool,
        /// Only this server's tools.
        #[arg(long, value_name = "ID")]
        server: Option<String>,
    },
    /// Route one call to the server that owns the tool and print the result.
    ///
    /// Exits 0 on success, 1 when the tool reports an error, 2 when the call cannot be made.
    Call {
        /// The exposed tool name (`server__tool`).
        tool: String,
        /// The arguments as a JSON object; `-` reads them from stdin. Default: `{}`.
        arguments: Option<String>,
        /// Print the whole result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show each server's state, version, protocol, tools, latency, restarts and stderr tail.
    ///
    /// Exits 0 when every enabled server is ready, 1 otherwise.
    Doctor {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Ask an agent: one run with PROMPT, or a conversation read from stdin without one.
    ///
    /// The model is an LLM when one is configured (see --llm), else the offline planner.
    /// Exits 0 when the model answered, 1 when it could not or hit the step limit, 130 on
    /// Ctrl-C.
    Chat {
        /// The request; without it, prompts are read from stdin, one per line.
        prompt: Option<String>,
        /// Print each run as JSON (messages, calls, servers, timings) instead of live text.
        #[arg(long)]
        json: bool,
        /// The model.
        #[command(flatten)]
        llm: LlmArgs,
    },
    /// Show the whole idea on the workspace's servers: discovery, the merged registry, routed
    /// calls, a server killed and restarted while the others answer, and an agent conversation
    /// across all three servers (offline planner unless an LLM is configured).
    Demo {
        /// The model.
        #[command(flatten)]
        llm: LlmArgs,
    },
    /// Serve the merged toolbox as one MCP server, over stdio (for a desktop client's
    /// configuration) or Streamable HTTP (`/mcp`, with `/healthz`).
    ///
    /// Tools and prompts are named `server__name`, resource URIs `server+uri`. What a server
    /// sends during a call (progress, sampling, elicitation) goes to the client that made it;
    /// changed lists, resource updates and logs are announced; a cancelled call is cancelled
    /// on the server running it.
    Serve {
        /// stdio, or http.
        #[arg(long, value_enum, default_value_t = shared::Transport::Stdio)]
        transport: shared::Transport,
        /// Where to listen with --transport http [default: 127.0.0.1:8100].
        #[arg(long, value_name = "ADDR")]
        bind: Option<std::net::SocketAddr>,
        /// Another Host name to accept over HTTP (loopback names always are; DNS-rebinding
        /// protection refuses the rest).
        #[arg(long = "allowed-host", value_name = "HOST")]
        allowed_hosts: Vec<String>,
        /// Require `Authorization: Bearer <token>` over HTTP, the token read from this
        /// environment variable; for serving beyond loopback.
        #[arg(long, value_name = "VAR")]
        bearer_token_env: Option<String>,
        /// Front one server under its own names: no `server__` prefix, URIs unchanged.
        #[arg(long)]
        pass_through: bool,
        /// Items per page of `tools/list`, `prompts/list` and the resource lists.
        #[arg(long, value_name = "N", default_value_t = 100)]
        page_size: usize,
    },
    /// Measure: calls/s and latency of a tool under load (routed, or straight to its server),
    /// each server's cold start, or the discovery of the whole configuration.
    Bench {
        /// What to measure.
        #[command(subcommand)]
        what: bench::Bench,
    },
    /// Say where an exposed tool comes from, or why a tool is missing.
    ///
    /// Exits 0 when the tool is exposed, 1 otherwise.
    Explain {
        /// An exposed name, or a tool's original name.
        tool: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<ExitCode> {
    // The demo narrates the faults it causes; their warnings would only repeat them.
    let quiet_by_default = if matches!(cli.command, Command::Demo { .. }) {
        "error"
    } else {
        "warn"
    };
    shared::logging::init(
        Some(cli.log_level.as_deref().unwrap_or(quiet_by_default)),
        shared::LogFormat::Text,
    )?;
    let config = match (&cli.config, &cli.url) {
        (Some(path), _) => Config::load(path)?,
        (None, Some(url)) => Config::parse(
            "--url",
            &json!({ "mcpServers": { "server": { "url": url } } }).to_string(),
        )?,
        (None, None) => Config::workspace_default()?,
    };
    if config.servers.is_empty() {
        bail!("{}: no servers are configured", config.source);
    }
    // Arguments are checked before any server is started.
    let arguments = match &cli.command {
        Command::Call { arguments, .. } => Some(parse_arguments(arguments.as_deref())?),
        _ => None,
    };
    // So are the model's settings.
    let model = match &cli.command {
        Command::Chat { llm, .. } | Command::Demo { llm } => {
            Some((llm.settings()?.build()?, llm.agent_options()?))
        }
        _ => None,
    };
    // Cold starts and discoveries start the servers themselves.
    if let Command::Bench { what } = &cli.command
        && let Some(code) = bench::without_toolbox(what, &config).await?
    {
        return Ok(code);
    }
    // The gateway relays the servers' sampling and elicitation requests to its clients.
    let toolbox = if matches!(cli.command, Command::Serve { .. }) {
        Toolbox::start_relaying(config)?
    } else {
        Toolbox::start(config)?
    };
    let settled = toolbox.settled().await;
    if let Command::Serve {
        transport,
        bind,
        allowed_hosts,
        bearer_token_env,
        pass_through,
        page_size,
    } = cli.command
    {
        let toolbox = std::sync::Arc::new(toolbox);
        let gateway = Gateway::new(toolbox.clone(), pass_through, page_size)?;
        let announcer = gateway.announce();
        let args = shared::ServeArgs {
            transport,
            bind,
            stateless: false,
            allowed_hosts,
            bearer_token_env,
            exit_on_stdin_eof: false,
            log_level: None,
            log_format: shared::LogFormat::Text,
        };
        let served = shared::serve_handler(args, GATEWAY_IDENTITY, gateway).await;
        announcer.abort();
        if let Ok(toolbox) = std::sync::Arc::try_unwrap(toolbox) {
            toolbox.shutdown().await;
        }
        served?;
        return Ok(ExitCode::SUCCESS);
    }
    let code = match (cli.command, model) {
        (Command::Chat { prompt, json, .. }, Some((model, options))) => {
            let agent = Agent::new(&toolbox, model.as_ref(), options);
            chat::chat(&toolbox, &agent, model.as_ref(), prompt, json).await?
        }
        (Command::Demo { .. }, Some((model, options))) => {
            let agent = Agent::new(&toolbox, model.as_ref(), options);
            demo::demo(&toolbox, &agent, model.as_ref(), settled).await?
        }
        (Command::Bench { what }, _) => bench::calls(&toolbox, what).await?,
        (command, _) => inspect(&toolbox, command, arguments.flatten(), settled).await?,
    };
    toolbox.shutdown().await;
    Ok(code)
}

/// The commands that inspect or use the toolbox without a model.
async fn inspect(
    toolbox: &Toolbox,
    command: Command,
    arguments: Option<JsonObject>,
    settled: std::time::Duration,
) -> Result<ExitCode> {
    Ok(match command {
        Command::Tools { json, server } => tools(toolbox, json, server.as_deref()),
        Command::Call { tool, json, .. } => call(toolbox, &tool, arguments, json).await?,
        Command::Doctor { json } => doctor(toolbox, json, settled).await?,
        Command::Explain { tool, json } => explain(toolbox, &tool, json)?,
        Command::Chat { .. }
        | Command::Demo { .. }
        | Command::Serve { .. }
        | Command::Bench { .. } => {
            bail!("`chat` and `demo` need a model; `serve` and `bench` are run above")
        }
    })
}

/// How the gateway names itself in logs and on `/healthz`, and where it listens by default.
const GATEWAY_IDENTITY: shared::ServerIdentity = shared::ServerIdentity {
    name: "mcp-orchestrator",
    version: env!("CARGO_PKG_VERSION"),
    title: "MCP orchestrator",
    instructions: "",
    default_port: 8100,
};

/// Output to stdout is the command's result; everything else goes to stderr.
#[allow(clippy::print_stdout)]
fn out(text: &str) {
    println!("{text}");
}

fn parse_arguments(text: Option<&str>) -> Result<Option<JsonObject>> {
    let text = match text {
        None => return Ok(None),
        Some("-") => {
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .context("reading the arguments from stdin")?;
            input
        }
        Some(text) => text.to_owned(),
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).context("the arguments are not valid JSON")?;
    match value {
        serde_json::Value::Object(object) => Ok(Some(object)),
        other => bail!("the arguments must be a JSON object like {{\"a\": 1}}, not {other}"),
    }
}

fn tools(toolbox: &Toolbox, json: bool, server: Option<&str>) -> ExitCode {
    let registry = toolbox.registry();
    let entries: Vec<_> = registry
        .entries()
        .filter(|entry| server.is_none_or(|id| entry.server == id))
        .collect();
    if json {
        let tools: Vec<_> = entries
            .iter()
            .map(|entry| {
                json!({
                    "name": entry.name,
                    "server": entry.server,
                    "original": entry.original(),
                    "tool": entry.exposed_tool(),
                })
            })
            .collect();
        out(&serde_json::to_string_pretty(&tools).unwrap_or_default());
    } else {
        let mut table = table(["NAME", "SERVER", "ORIGINAL", "TITLE", "HINTS"]);
        for entry in &entries {
            table.add_row([
                entry.name.clone(),
                entry.server.clone(),
                entry.original().to_owned(),
                entry.title().unwrap_or_default().to_owned(),
                hints(entry.tool.annotations.as_ref()),
            ]);
        }
        out(&table.to_string());
        let hidden = registry.excluded().len();
        let mut summary = plural(entries.len(), "tool");
        if hidden > 0 {
            summary.push_str(&format!(
                "; {hidden} hidden (see `orchestrator explain NAME`)"
            ));
        }
        out(&summary);
    }
    for status in toolbox.status() {
        if status.state != ServerState::Ready && status.state != ServerState::Disabled {
            eprintln!("warning: {}", status.unavailable_reason());
        }
    }
    ExitCode::SUCCESS
}

/// Annotations as short words: what a person scanning the list wants to know.
fn hints(annotations: Option<&ToolAnnotations>) -> String {
    let Some(a) = annotations else {
        return String::new();
    };
    let mut words = Vec::new();
    if a.read_only_hint == Some(true) {
        words.push("read-only");
    } else if a.destructive_hint == Some(true) {
        words.push("destructive");
    }
    if a.idempotent_hint == Some(true) {
        words.push("idempotent");
    }
    if a.open_world_hint == Some(true) {
        words.push("open-world");
    }
    words.join(", ")
}

async fn call(
    toolbox: &Toolbox,
    tool: &str,
    arguments: Option<JsonObject>,
    json: bool,
) -> Result<ExitCode> {
    let result = match toolbox.call(tool, arguments).await {
        Ok(result) => result,
        Err(error) => {
            eprintln!("error: {error}");
            if let CallError::Rejected { error, .. } = &error
                && let Some(data) = &error.data
            {
                eprintln!("{}", serde_json::to_string_pretty(data).unwrap_or_default());
            }
            return Ok(ExitCode::from(2));
        }
    };
    if json {
        out(&serde_json::to_string_pretty(&result)?);
    } else {
        out(&crate::content::to_text(&result));
    }
    Ok(if result.is_error == Some(true) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn doctor(toolbox: &Toolbox, json: bool, settled: std::time::Duration) -> Result<ExitCode> {
    toolbox.ping_all().await;
    let registry = toolbox.registry();
    let statuses = toolbox.status();
    let exposed = |id: &str| {
        registry
            .entries()
            .filter(|entry| entry.server == id)
            .count()
    };
    let healthy = statuses
        .iter()
        .all(|status| matches!(status.state, ServerState::Ready | ServerState::Disabled));
    if json {
        let servers: Vec<_> = statuses
            .iter()
            .map(|status| {
                let mut value = serde_json::to_value(status).unwrap_or_default();
                value["tools_exposed"] = json!(exposed(&status.id));
                value
            })
            .collect();
        let report = json!({
            "settled_ms": (settled.as_secs_f64() * 1e6).round() / 1e3,
            "tools": registry.len(),
            "servers": servers,
        });
        out(&serde_json::to_string_pretty(&report)?);
        return Ok(if healthy {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let mut table = table([
        "SERVER", "STATE", "VERSION", "PROTOCOL", "TOOLS", "CONNECT", "PING", "RESTARTS",
    ]);
    for status in &statuses {
        table.add_row([
            status.id.clone(),
            status.state.to_string(),
            status.version_label(),
            status.protocol.clone().unwrap_or_default(),
            format!("{}/{}", exposed(&status.id), status.tools_listed),
            millis(status.connect_latency),
            millis(status.ping_latency),
            status.restarts.to_string(),
        ]);
    }
    out(&table.to_string());
    out(&format!(
        "{} settled in {:.1} ms; {} tools exposed (TOOLS = exposed/listed)",
        plural(statuses.len(), "server"),
        settled.as_secs_f64() * 1e3,
        registry.len()
    ));
    for status in &statuses {
        if let Some(detail) = &status.detail {
            out(&format!("\n{} ({}): {detail}", status.id, status.state));
        }
        if status.state != ServerState::Ready && !status.stderr_tail.is_empty() {
            out(&format!(
                "{} stderr (last {} lines):",
                status.id,
                status.stderr_tail.len()
            ));
            for line in &status.stderr_tail {
                out(&format!("  | {line}"));
            }
        }
    }
    Ok(if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn explain(toolbox: &Toolbox, tool: &str, json: bool) -> Result<ExitCode> {
    let explanation = toolbox.explain(tool);
    if json {
        out(&serde_json::to_string_pretty(&explanation)?);
    } else {
        out(&explanation.message());
        if let Explanation::Exposed { name, .. } = &explanation
            && let Some(entry) = toolbox.registry().get(name)
        {
            if let Some(description) = &entry.tool.description {
                out(&format!("\n{description}"));
            }
            out(&format!(
                "\ninput schema: {}",
                serde_json::to_string_pretty(&entry.tool.input_schema)?
            ));
        }
    }
    Ok(if matches!(explanation, Explanation::Exposed { .. }) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A latency for a table cell, or nothing.
fn millis(duration: Option<std::time::Duration>) -> String {
    duration
        .map(|duration| format!("{:.1} ms", duration.as_secs_f64() * 1e3))
        .unwrap_or_default()
}

fn plural(count: usize, noun: &str) -> String {
    format!("{count} {noun}{}", if count == 1 { "" } else { "s" })
}

fn table<const N: usize>(header: [&str; N]) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING).set_header(header);
    table
}
