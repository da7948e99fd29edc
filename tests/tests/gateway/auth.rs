//! The bearer-token option for serving beyond loopback.

use anyhow::{Context, Result};
use rmcp::ServiceExt;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::json;
use tests::{STARTUP_TIMEOUT, binary, call_tool};

use super::{config, http_command, initialize_request, refused_at_start};

const TOKEN: &str = "a-long-random-token";

/// An `initialize` POST with `authorization`, if any; returns the status and challenge.
async fn initialize(url: &str, authorization: Option<&str>) -> Result<(u16, Option<String>)> {
    let mut request = initialize_request(url);
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    let response = request.send().await?;
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    Ok((response.status().as_u16(), challenge))
}

#[tokio::test]
async fn with_a_bearer_token_only_clients_that_send_it_get_in() -> Result<()> {
    let (_dir, path) = config(json!({"math": {"command": binary("math-server")?}}))?;
    let mut command = http_command(&path, &["--bearer-token-env", "GATEWAY_TEST_TOKEN"])?;
    command.env("GATEWAY_TEST_TOKEN", TOKEN);
    let gateway = tests::Server::listening(command).await?;
    let url = gateway.url.clone().context("no URL")?;

    for refused in [
        None,
        Some("Bearer wrong-token"),
        Some("Basic YTpi"),
        Some(TOKEN),
    ] {
        let (status, challenge) = initialize(&url, refused).await?;
        assert_eq!(status, 401, "{refused:?}");
        assert_eq!(challenge.as_deref(), Some("Bearer"), "{refused:?}");
    }
    let (status, _) = initialize(&url, Some(&format!("bearer {TOKEN}"))).await?;
    assert_eq!(status, 200, "the scheme is case-insensitive");
    let health = reqwest::get(url.replace("/mcp", "/healthz")).await?;
    assert_eq!(health.status().as_u16(), 200, "liveness needs no token");

    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url.as_str()).auth_header(TOKEN),
    );
    let client = tokio::time::timeout(STARTUP_TIMEOUT, ().serve(transport)).await??;
    let sum = call_tool(&client, "math__add", json!({"a": 20, "b": 22})).await?;
    assert_eq!(sum.structured_content, Some(json!({"result": "42"})));
    client.cancel().await?;
    Ok(())
}

#[tokio::test]
async fn a_bearer_token_that_is_not_set_is_refused_at_start() -> Result<()> {
    let (_dir, path) = config(json!({"math": {"command": binary("math-server")?}}))?;
    let mut command = http_command(&path, &["--bearer-token-env", "GATEWAY_UNSET_TOKEN"])?;
    command.env_remove("GATEWAY_UNSET_TOKEN");
    refused_at_start(
        command,
        "--bearer-token-env GATEWAY_UNSET_TOKEN: the variable is not set",
    )
    .await
}
