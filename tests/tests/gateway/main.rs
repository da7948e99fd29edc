//! `orchestrator serve`: the merged toolbox as one MCP server, over stdio and Streamable
//! HTTP, driven by real rmcp clients as desktop clients would.

// Logging and sampling are the 2025-11-25 protocol's, which these clients speak; rmcp marks
// them deprecated.
#![allow(deprecated)]

mod auth;
mod inspector;
mod relay;
mod resources;
mod tools;

use std::process::Stdio;

use anyhow::{Context, Result};
use rmcp::ClientHandler;
use rmcp::ServiceExt;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};
use tests::{STARTUP_TIMEOUT, binary};
use tokio::process::Command;

/// An `mcpServers` file with `servers`, in a temporary folder kept alive by the return value.
fn config(servers: Value) -> Result<(tempfile::TempDir, String)> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("servers.json");
    std::fs::write(&path, json!({ "mcpServers": servers }).to_string())?;
    let path = path.to_str().context("a UTF-8 path")?.to_owned();
    Ok((dir, path))
}

fn math_and_faulty() -> Result<Value> {
    Ok(json!({
        "math": {"command": binary("math-server")?},
        "faulty": {"command": binary("faulty-server")?},
    }))
}

/// The conformance fixture over HTTP, and a configuration with it (as `fixture`) and the math
/// server.
async fn fixture_and_math() -> Result<(tests::Server, tempfile::TempDir, String)> {
    let fixture = tests::Server::http(&binary("conformance-fixture")?, &[]).await?;
    let url = fixture.url.clone().context("no URL")?;
    let (dir, path) = config(json!({
        "fixture": {"url": url},
        "math": {"command": binary("math-server")?},
    }))?;
    Ok((fixture, dir, path))
}

/// The gateway over stdio, `extra` added to `serve`, with `client` connected to it.
async fn stdio_gateway<H: ClientHandler>(
    config: &str,
    extra: &[&str],
    client: H,
) -> Result<RunningService<RoleClient, H>> {
    let mut command = Command::new(binary("orchestrator")?);
    command.args(["--config", config, "serve"]).args(extra);
    let (transport, _stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::null())
        .spawn()?;
    Ok(tokio::time::timeout(STARTUP_TIMEOUT, client.serve(transport)).await??)
}

/// `orchestrator serve` over Streamable HTTP on a free loopback port, `extra` added; to be
/// started with [`tests::Server::listening`].
fn http_command(config: &str, extra: &[&str]) -> Result<Command> {
    let mut command = Command::new(binary("orchestrator")?);
    command
        .args(["--config", config, "--log-level", "info", "serve"])
        .args(["--transport", "http", "--bind", "127.0.0.1:0"])
        .args(extra);
    Ok(command)
}

/// The gateway over Streamable HTTP on a free loopback port, `extra` added to `serve`.
async fn http_gateway(config: &str, extra: &[&str]) -> Result<(tests::Server, String)> {
    let gateway = tests::Server::listening(http_command(config, extra)?).await?;
    let url = gateway.url.clone().context("no URL")?;
    Ok((gateway, url))
}

/// Runs `command` (a gateway that must refuse to start) and checks that it exits 2, says
/// `expected` on stderr and writes nothing to stdout.
async fn refused_at_start(mut command: Command, expected: &str) -> Result<()> {
    let output = tokio::time::timeout(
        STARTUP_TIMEOUT,
        command.stdin(Stdio::null()).kill_on_drop(true).output(),
    )
    .await??;
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(expected), "{stderr}");
    assert!(output.stdout.is_empty());
    Ok(())
}

/// A bare `initialize` POST to `url`, for the HTTP guards (Host, bearer token) to judge.
fn initialize_request(url: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "t", "version": "0"}}})
            .to_string(),
        )
}
