//! The MCP Inspector's CLI (`@modelcontextprotocol/inspector` on Node 22), a client we did not
//! write, lists and calls the gateway's tools over stdio and over Streamable HTTP.

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::{fixture_and_math, http_gateway};

/// How long one Inspector run may take (it takes about a second).
const RUN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs the Inspector's CLI at `target` (a URL, or a command line followed by `--`) with
/// `method`, and returns its exit code and the JSON it printed.
async fn inspect(target: &[&str], method: &[&str]) -> Result<(Option<i32>, Value)> {
    let mut command = tests::inspector_cli()?;
    command
        .args(target)
        .args(method)
        .args(["--format", "json", "-q"]);
    let output = tokio::time::timeout(
        RUN_TIMEOUT,
        tokio::process::Command::from(command)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .context("the Inspector did not finish in time")??;
    let printed = if output.stdout.is_empty() {
        &output.stderr
    } else {
        &output.stdout
    };
    let json = serde_json::from_slice(printed).with_context(|| {
        format!(
            "not JSON: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    Ok((output.status.code(), json))
}

/// Lists the tools at `target`, calls two of them, and asks for one that does not exist.
async fn list_and_call(target: &[&str]) -> Result<()> {
    let (code, listed) = inspect(target, &["--method", "tools/list"]).await?;
    assert_eq!(code, Some(0), "{listed}");
    let names: Vec<&str> = listed["result"]["tools"]
        .as_array()
        .context("no tools")?
        .iter()
        .filter_map(|tool| tool["name"].as_str())
        .collect();
    for expected in ["math__add", "fixture__test_simple_text"] {
        assert!(names.contains(&expected), "{expected}: {names:?}");
    }

    let (code, sum) = inspect(
        target,
        &[
            "--method",
            "tools/call",
            "--tool-name",
            "math__add",
            "--tool-args-json",
            r#"{"a": "2", "b": "40"}"#,
        ],
    )
    .await?;
    assert_eq!(code, Some(0), "{sum}");
    assert_eq!(sum["result"]["structuredContent"], json!({"result": "42"}));

    let (code, text) = inspect(
        target,
        &[
            "--method",
            "tools/call",
            "--tool-name",
            "fixture__test_simple_text",
        ],
    )
    .await?;
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        text["result"]["content"][0]["text"],
        "This is a simple text response for testing."
    );

    let (code, unknown) = inspect(
        target,
        &["--method", "tools/call", "--tool-name", "math__nope"],
    )
    .await?;
    assert_ne!(code, Some(0), "an unknown tool fails: {unknown}");
    assert!(unknown.to_string().contains("math__nope"), "{unknown}");
    Ok(())
}

#[tokio::test]
async fn the_inspector_lists_and_calls_the_gateways_tools_over_stdio() -> Result<()> {
    let (_fixture, _dir, path) = fixture_and_math().await?;
    let orchestrator = tests::binary("orchestrator")?;
    let orchestrator = orchestrator.to_str().context("a UTF-8 path")?;
    list_and_call(&[orchestrator, "--config", &path, "serve", "--"]).await
}

#[tokio::test]
async fn the_inspector_lists_and_calls_the_gateways_tools_over_http() -> Result<()> {
    let (_fixture, _dir, path) = fixture_and_math().await?;
    let (_gateway, url) = http_gateway(&path, &[]).await?;
    list_and_call(&[&url]).await
}
