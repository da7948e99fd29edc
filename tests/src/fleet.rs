//! Helpers for tests that run the orchestrator's [`Toolbox`] over real server processes.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use orchestrator::{Config, Registry, ServerStatus, Toolbox};
use rmcp::model::CallToolResult;
use serde_json::Value;

/// How long a test waits for a server to reach a state or for the registry to change.
pub const CHANGE_TIMEOUT: Duration = Duration::from_secs(20);

/// Starts a toolbox over an `mcpServers` JSON value and waits for every server's first attempt.
pub async fn start(servers: Value) -> Result<Toolbox> {
    let text = serde_json::json!({ "mcpServers": servers }).to_string();
    let config = Config::parse("test configuration", &text)?;
    let toolbox = Toolbox::start(config)?;
    tokio::time::timeout(crate::STARTUP_TIMEOUT, toolbox.settled())
        .await
        .context("the servers did not settle in time")?;
    Ok(toolbox)
}

/// Waits until server `id`'s status satisfies `ready`, and returns its full status (with the
/// stderr tail) right after.
pub async fn wait_for_server(
    toolbox: &Toolbox,
    id: &str,
    ready: impl Fn(&ServerStatus) -> bool,
) -> Result<ServerStatus> {
    let mut status = toolbox
        .watch_server(id)
        .with_context(|| format!("no server `{id}`"))?;
    let outcome =
        tokio::time::timeout(CHANGE_TIMEOUT, status.wait_for(|status| ready(status))).await;
    match outcome {
        Ok(Ok(_)) => toolbox
            .status()
            .into_iter()
            .find(|status| status.id == id)
            .with_context(|| format!("no server `{id}`")),
        _ => bail!(
            "server `{id}` never reached the expected state; it is {:?}",
            toolbox.status().iter().find(|s| s.id == id)
        ),
    }
}

/// Waits until the registry satisfies `ready`, and returns it.
pub async fn wait_for_registry(
    toolbox: &Toolbox,
    ready: impl Fn(&Registry) -> bool,
) -> Result<Arc<Registry>> {
    let mut registry = toolbox.watch_registry();
    let outcome = tokio::time::timeout(
        CHANGE_TIMEOUT,
        registry.wait_for(|registry| ready(registry)),
    )
    .await;
    match outcome {
        Ok(Ok(registry)) => Ok(registry.clone()),
        _ => bail!(
            "the registry never reached the expected state; it has {:?}",
            toolbox
                .registry()
                .entries()
                .map(|e| e.name.clone())
                .collect::<Vec<_>>()
        ),
    }
}

/// The text blocks of a result, joined by newlines.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|text| text.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `structuredContent.error.code` of an error result.
pub fn error_code(result: &CallToolResult) -> Option<String> {
    result.structured_content.as_ref()?["error"]["code"]
        .as_str()
        .map(str::to_owned)
}

/// Arguments as a JSON object.
pub fn args(value: Value) -> Option<serde_json::Map<String, Value>> {
    value.as_object().cloned()
}

/// Whether a process with this id is still alive (a zombie counts as gone).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            // The state is the first field after the parenthesized command name.
            stat.rsplit_once(") ")
                .is_some_and(|(_, rest)| !rest.starts_with('Z'))
        })
        .unwrap_or(false)
}
