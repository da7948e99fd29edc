//! math-server over Streamable HTTP: sessions, stateless mode, health, and DNS-rebinding checks.

use anyhow::{Context, Result};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::json;
use tests::{STARTUP_TIMEOUT, Server, binary};

async fn call_add(url: &str) -> Result<serde_json::Value> {
    let transport = StreamableHttpClientTransport::from_uri(url.to_owned());
    let client = tokio::time::timeout(STARTUP_TIMEOUT, ().serve(transport)).await??;
    let tools = client.list_all_tools().await?;
    assert_eq!(tools.len(), 6);
    let arguments = json!({"a": "99999999999999999999", "b": 1})
        .as_object()
        .cloned()
        .unwrap_or_default();
    let result = client
        .call_tool(CallToolRequestParams::new("add").with_arguments(arguments))
        .await?;
    client.cancel().await?;
    result.structured_content.context("no structured content")
}

#[tokio::test]
async fn serves_mcp_with_sessions_and_stateless() -> Result<()> {
    for extra in [&[][..], &["--stateless"][..]] {
        let server = Server::http(&binary("math-server")?, extra).await?;
        let url = server.url.clone().context("url")?;
        let result = call_add(&url).await?;
        assert_eq!(result["result"], "100000000000000000000", "{extra:?}");
        let status = server.terminate().await?;
        assert!(status.success(), "{extra:?}: exit {status}");
    }
    Ok(())
}

#[tokio::test]
async fn health_and_dns_rebinding_protection() -> Result<()> {
    let server = Server::http(&binary("math-server")?, &[]).await?;
    let url = server.url.clone().context("url")?;
    let http = reqwest::Client::new();

    let health = http.get(url.replace("/mcp", "/healthz")).send().await?;
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = serde_json::from_str(&health.text().await?)?;
    assert_eq!(
        (body["status"].as_str(), body["name"].as_str()),
        (Some("ok"), Some("math-server"))
    );

    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}});
    let post = |host: Option<&str>, origin: Option<&str>| {
        let mut request = http
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(initialize.to_string());
        if let Some(host) = host {
            request = request.header("host", host);
        }
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    assert_eq!(post(None, None).await?.status(), 200);
    assert_eq!(post(Some("attacker.example"), None).await?.status(), 403);
    assert_eq!(
        post(None, Some("http://attacker.example")).await?.status(),
        403
    );
    assert_eq!(
        post(None, Some("http://localhost:3000")).await?.status(),
        200
    );
    server.terminate().await?;
    Ok(())
}

#[tokio::test]
async fn allowed_host_widens_the_check() -> Result<()> {
    let server = Server::http(&binary("math-server")?, &["--allowed-host", "mcp.internal"]).await?;
    let url = server.url.clone().context("url")?;
    let response = reqwest::Client::new()
        .post(&url)
        .header("host", "mcp.internal")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}).to_string())
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    server.terminate().await?;
    Ok(())
}

#[tokio::test]
async fn a_taken_port_is_a_clear_error() -> Result<()> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?.to_string();
    let output = tokio::process::Command::new(binary("math-server")?)
        .args(["--transport", "http", "--bind", &address])
        .stdin(std::process::Stdio::null())
        .output()
        .await?;
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr)?;
    assert!(stderr.contains("cannot listen on"), "{stderr}");
    Ok(())
}

#[tokio::test]
async fn malformed_arguments_are_answered_over_http() -> Result<()> {
    let server = Server::http(&binary("math-server")?, &["--stateless"]).await?;
    let url = server.url.clone().context("url")?;
    let http = reqwest::Client::new();
    let post = |body: String| {
        http.post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-11-25")
            .body(body)
            .send()
    };
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}});
    assert_eq!(post(initialize.to_string()).await?.status(), 200);
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "add", "arguments": "{\"a\": 1, \"b\": 2}"}});
    let response = post(call.to_string()).await?;
    assert_eq!(response.status(), 200);
    let body = response.text().await?;
    let answer: serde_json::Value = serde_json::from_str(&body).with_context(|| body.clone())?;
    assert_eq!(
        answer["result"]["structuredContent"]["error"]["code"], "arguments_not_object",
        "{answer}"
    );
    // Numbers beyond a double arrive whole over HTTP too.
    let call = r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"add","arguments":{"a":123456789012345678901234567890,"b":1}}}"#;
    let body = post(call.to_owned()).await?.text().await?;
    let answer: serde_json::Value = serde_json::from_str(&body).with_context(|| body.clone())?;
    assert_eq!(
        answer["result"]["structuredContent"]["result"], "123456789012345678901234567891",
        "{answer}"
    );
    server.terminate().await?;
    Ok(())
}

#[tokio::test]
async fn exit_on_stdin_eof_ends_an_http_server() -> Result<()> {
    let mut child = tokio::process::Command::new(binary("math-server")?)
        .args([
            "--transport",
            "http",
            "--bind",
            "127.0.0.1:0",
            "--exit-on-stdin-eof",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    drop(child.stdin.take());
    let status = tokio::time::timeout(STARTUP_TIMEOUT, child.wait()).await??;
    assert!(status.success(), "{status}");
    Ok(())
}
