//! math-server as a child process over stdio: what a desktop client sees.

use std::process::Stdio;

use anyhow::{Context, Result};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use serde_json::json;
use tests::{STARTUP_TIMEOUT, binary, signal, stdio_session};
use tokio::process::Command;

fn object(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    value.as_object().cloned().unwrap_or_default()
}

#[tokio::test]
async fn lists_and_calls_every_tool() -> Result<()> {
    let mut command = Command::new(binary("math-server")?);
    command.arg("--log-level").arg("warn");
    let (transport, _stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::null())
        .spawn()?;
    let client = tokio::time::timeout(STARTUP_TIMEOUT, ().serve(transport)).await??;
    let info = client.peer_info().context("no server info")?;
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("math-server")
    );

    let tools = client.list_all_tools().await?;
    let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "add",
            "convert_units",
            "evaluate",
            "multiply",
            "number_theory",
            "statistics"
        ]
    );

    let calls = [
        (
            "add",
            json!({"a": "1000000000000000000000000000000", "b": 1}),
            "result",
            "1000000000000000000000000000001",
        ),
        ("multiply", json!({"a": "0.1", "b": 3}), "result", "0.3"),
        (
            "evaluate",
            json!({"expression": "factorial(25)"}),
            "value",
            "15511210043330985984000000",
        ),
        ("statistics", json!({"data": [3, 1, 2]}), "median", "2"),
        (
            "number_theory",
            json!({"operation": "next_prime", "values": [1000]}),
            "result",
            "1009",
        ),
        (
            "convert_units",
            json!({"value": 5, "from": "km", "to": "m"}),
            "value",
            "5000",
        ),
    ];
    for (tool, arguments, field, expected) in calls {
        let result = client
            .call_tool(CallToolRequestParams::new(tool).with_arguments(object(arguments)))
            .await?;
        let structured = result.structured_content.context("no structured content")?;
        assert_eq!(structured[field], expected, "{tool}: {structured}");
    }

    let error = client
        .call_tool(
            CallToolRequestParams::new("evaluate")
                .with_arguments(object(json!({"expression": "9^9^9^9"}))),
        )
        .await?;
    assert_eq!(error.is_error, Some(true));
    assert_eq!(
        error.structured_content.context("no error")?["error"]["code"],
        "result_too_large"
    );
    client.cancel().await?;
    Ok(())
}

#[tokio::test]
async fn stdout_carries_only_protocol_and_malformed_arguments_are_answered() -> Result<()> {
    // Every line on stdout must parse as JSON-RPC, even with debug logging on.
    let (mut child, mut raw) =
        stdio_session(&binary("math-server")?, &["--log-level", "debug"]).await?;
    let answer = raw
        .request(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "evaluate", "arguments": "{\"expression\": \"1+1\"}"}}))
        .await?;
    assert_eq!(
        answer["result"]["structuredContent"]["error"]["code"], "arguments_not_object",
        "{answer}"
    );
    let answer = raw
        .request(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": "evaluate", "arguments": {"expression": "1+1"}}}))
        .await?;
    assert_eq!(
        answer["result"]["structuredContent"]["value"], "2",
        "{answer}"
    );
    let answer = raw
        .request(json!({"jsonrpc": "2.0", "id": 4, "method": "no/such/method"}))
        .await?;
    assert!(answer["error"]["code"].is_i64(), "{answer}");
    drop(raw); // closes stdin
    let status = tokio::time::timeout(STARTUP_TIMEOUT, child.wait()).await??;
    assert!(status.success(), "exit after stdin EOF: {status}");
    Ok(())
}

#[tokio::test]
async fn sigterm_and_sigint_end_the_server_cleanly() -> Result<()> {
    for signal_name in ["TERM", "INT"] {
        let (mut child, raw) = stdio_session(&binary("math-server")?, &[]).await?;
        signal(child.id().context("pid")?, signal_name)?;
        let status = tokio::time::timeout(STARTUP_TIMEOUT, child.wait()).await??;
        assert!(status.success(), "SIG{signal_name}: {status}");
        drop(raw);
    }
    Ok(())
}

#[tokio::test]
async fn version_and_help() -> Result<()> {
    let output = Command::new(binary("math-server")?)
        .arg("--version")
        .output()
        .await?;
    assert!(output.status.success());
    let version = shared::Tools::identity(&math_server::MathServer::new()).version;
    assert_eq!(
        String::from_utf8(output.stdout)?.trim(),
        format!("math-server {version}")
    );
    let output = Command::new(binary("math-server")?)
        .arg("--transport")
        .arg("carrier-pigeon")
        .output()
        .await?;
    assert!(!output.status.success());
    assert!(String::from_utf8(output.stderr)?.contains("carrier-pigeon"));
    Ok(())
}

#[tokio::test]
async fn logs_go_to_stderr_as_json_lines_when_asked() -> Result<()> {
    let output = Command::new(binary("math-server")?)
        .args(["--log-format", "json", "--log-level", "info"])
        .stdin(Stdio::null())
        .output()
        .await?;
    assert!(
        output.status.success(),
        "a client that leaves before initializing is a clean end"
    );
    assert!(output.stdout.is_empty(), "stdout must carry only protocol");
    let stderr = String::from_utf8(output.stderr)?;
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(!lines.is_empty());
    for line in lines {
        let event: serde_json::Value =
            serde_json::from_str(line).with_context(|| line.to_owned())?;
        assert!(
            event["level"].is_string() && event["fields"].is_object(),
            "{event}"
        );
    }
    let output = Command::new(binary("math-server")?)
        .args(["--log-level", "=bad=filter=="])
        .stdin(Stdio::null())
        .output()
        .await?;
    assert!(!output.status.success());
    assert!(String::from_utf8(output.stderr)?.contains("invalid log filter"));
    Ok(())
}
