//! A server's requests of the client during a call (sampling, elicitation) cross the gateway
//! to the client that made the call, and its answers come back.

use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use rmcp::model::{
    ClientCapabilities, ClientConfig, CreateMessageRequestParams, CreateMessageResult,
    ElicitRequestParams, ElicitResult, ElicitationCapability, ErrorData, FormElicitationCapability,
    Implementation, ProtocolVersion,
};
use rmcp::service::{RequestContext, RoleClient};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{ClientHandler, ServiceExt};
use serde_json::json;
use tests::{STARTUP_TIMEOUT, call_tool};

use super::{fixture_and_math, http_gateway, stdio_gateway};

/// A client whose "model" and "user" answer with its name, and which records what it was
/// asked.
#[derive(Clone)]
struct Answerer {
    name: &'static str,
    asked: Arc<Mutex<Vec<String>>>,
}

impl Answerer {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            asked: Arc::default(),
        }
    }

    fn asked(&self) -> Vec<String> {
        self.asked
            .lock()
            .map(|asked| asked.clone())
            .unwrap_or_default()
    }

    fn record(&self, question: String) {
        if let Ok(mut asked) = self.asked.lock() {
            asked.push(question);
        }
    }
}

fn invalid(error: serde_json::Error) -> ErrorData {
    ErrorData::internal_error(error.to_string(), None)
}

impl ClientHandler for Answerer {
    fn get_info(&self) -> ClientConfig {
        let mut capabilities = ClientCapabilities::default();
        capabilities.sampling = Some(Default::default());
        capabilities.elicitation =
            Some(ElicitationCapability::new().with_form(FormElicitationCapability::default()));
        // Requests of the client belong to the 2025-11-25 protocol.
        ClientConfig::new(capabilities, Implementation::new(self.name, "0"))
            .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE)
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        let asked = serde_json::to_value(&params.messages).map_err(invalid)?;
        self.record(
            asked[0]["content"]["text"]
                .as_str()
                .unwrap_or("?")
                .to_owned(),
        );
        serde_json::from_value(json!({
            "model": "test-model",
            "role": "assistant",
            "content": {"type": "text", "text": format!("from {}", self.name)},
        }))
        .map_err(invalid)
    }

    async fn create_elicitation(
        &self,
        params: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        let asked = serde_json::to_value(&params).map_err(invalid)?;
        self.record(asked["message"].as_str().unwrap_or("?").to_owned());
        serde_json::from_value(json!({
            "action": "accept",
            "content": {"username": self.name, "email": "ada@example.org"},
        }))
        .map_err(invalid)
    }
}

fn text(result: &rmcp::model::CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|text| text.text.clone()))
        .collect()
}

#[tokio::test]
async fn sampling_and_elicitation_reach_the_calling_client_only() -> Result<()> {
    let (_fixture, _dir, path) = fixture_and_math().await?;
    let (_gateway, url) = http_gateway(&path, &[]).await?;
    let connect = |client: Answerer| {
        let transport = StreamableHttpClientTransport::from_uri(url.clone());
        async move { tokio::time::timeout(STARTUP_TIMEOUT, client.serve(transport)).await }
    };
    let caller = Answerer::new("caller");
    let bystander = Answerer::new("bystander");
    let calling = connect(caller.clone()).await??;
    let watching = connect(bystander.clone()).await??;

    let sampled = call_tool(
        &calling,
        "fixture__test_sampling",
        json!({"prompt": "2+2?"}),
    )
    .await?;
    assert_eq!(text(&sampled), "LLM response: from caller", "{sampled:?}");
    let elicited = call_tool(
        &calling,
        "fixture__test_elicitation",
        json!({"message": "Who are you?"}),
    )
    .await?;
    let answer = text(&elicited);
    assert!(
        answer.contains("action=accept") && answer.contains(r#""username":"caller""#),
        "{answer}"
    );
    assert_eq!(caller.asked(), ["2+2?", "Who are you?"]);
    assert!(bystander.asked().is_empty(), "{:?}", bystander.asked());
    calling.cancel().await?;
    watching.cancel().await?;

    // A client that cannot sample is not asked; the server hears why.
    let plain = stdio_gateway(&path, &[], ()).await?;
    let refused = call_tool(&plain, "fixture__test_sampling", json!({"prompt": "2+2?"}))
        .await
        .err()
        .context("sampling without a client that samples fails")?;
    let message = format!("{refused:#}");
    assert!(message.contains("does not support sampling"), "{message}");
    plain.cancel().await?;
    Ok(())
}
