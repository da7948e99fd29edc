//! Prompts, resources, templates, completions and subscriptions through the prefixed gateway:
//! every name and URI a client sees leads back to the server that owns it.

use anyhow::{Context, Result};
use rmcp::ClientHandler;
use rmcp::model::{
    ContentBlock, GetPromptRequestParams, ReadResourceRequestParams, ResourceContents,
    ResourceUpdatedNotificationParam, SubscribeRequestParams, UnsubscribeRequestParams,
};
use rmcp::service::{NotificationContext, RoleClient};
use serde_json::json;
use tests::{CALL_TIMEOUT, binary, call_tool};
use tokio::sync::mpsc;

use super::{config, fixture_and_math, stdio_gateway};

/// How long a crashed server may take to be restarted (its first backoff is well under it).
const RESTART_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A client that reports the URI of each `resources/updated` it receives.
#[derive(Clone)]
struct UpdateListener {
    updated: mpsc::UnboundedSender<String>,
}

impl ClientHandler for UpdateListener {
    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = self.updated.send(params.uri);
    }
}

fn text_of(contents: &ResourceContents) -> Option<(&str, &str)> {
    match contents {
        ResourceContents::TextResourceContents { uri, text, .. } => Some((uri, text)),
        _ => None,
    }
}

fn arguments(value: serde_json::Value) -> rmcp::model::JsonObject {
    value.as_object().cloned().unwrap_or_default()
}

#[tokio::test]
async fn prompts_resources_and_completions_lead_back_to_their_server() -> Result<()> {
    let (_fixture, _dir, path) = fixture_and_math().await?;
    let (updated, mut updates) = mpsc::unbounded_channel();
    let client = stdio_gateway(&path, &["--page-size", "2"], UpdateListener { updated }).await?;

    // Prompts: the fixture's, prefixed, over pages of two (the math server has none).
    let first = client.list_prompts(None).await?;
    assert_eq!(first.prompts.len(), 2);
    assert!(first.next_cursor.is_some(), "more pages");
    let mut prompts: Vec<_> = client
        .list_all_prompts()
        .await?
        .into_iter()
        .map(|prompt| prompt.name)
        .collect();
    prompts.sort_unstable();
    assert_eq!(
        prompts,
        [
            "fixture__test_prompt_with_arguments",
            "fixture__test_prompt_with_embedded_resource",
            "fixture__test_prompt_with_image",
            "fixture__test_simple_prompt",
        ]
    );
    let prompt = client
        .get_prompt(
            GetPromptRequestParams::new("fixture__test_prompt_with_arguments")
                .with_arguments(arguments(json!({"arg1": "hello", "arg2": "world"}))),
        )
        .await?;
    let ContentBlock::Text(text) = &prompt.messages[0].content else {
        anyhow::bail!("not text: {prompt:?}");
    };
    assert_eq!(
        text.text,
        "Prompt with arguments: arg1='hello', arg2='world'"
    );
    // A resource embedded in a prompt gets the URI the gateway serves it under.
    let embedded = client
        .get_prompt(
            GetPromptRequestParams::new("fixture__test_prompt_with_embedded_resource")
                .with_arguments(arguments(json!({"resourceUri": "test://static-text"}))),
        )
        .await?;
    let ContentBlock::Resource(resource) = &embedded.messages[0].content else {
        anyhow::bail!("not a resource: {embedded:?}");
    };
    assert_eq!(
        text_of(&resource.resource).map(|(uri, _)| uri),
        Some("fixture+test://static-text")
    );

    // Resources: listed under rewritten URIs, which read back from their server.
    let uris: Vec<_> = client
        .list_all_resources()
        .await?
        .into_iter()
        .map(|resource| resource.uri.clone())
        .collect();
    for expected in [
        "fixture+test://static-text",
        "fixture+test://static-binary",
        "fixture+test://watched-resource",
    ] {
        assert!(
            uris.iter().any(|uri| uri == expected),
            "{expected}: {uris:?}"
        );
    }
    let read = client
        .read_resource(ReadResourceRequestParams::new("fixture+test://static-text"))
        .await?;
    assert_eq!(
        read.contents.first().and_then(text_of),
        Some((
            "fixture+test://static-text",
            "This is the content of the static text resource."
        ))
    );

    // Templates keep their variables where the client expands them.
    let templates: Vec<_> = client
        .list_all_resource_templates()
        .await?
        .into_iter()
        .map(|template| template.uri_template.clone())
        .collect();
    assert_eq!(templates, ["fixture+test://template/{id}/data"]);
    let data = client
        .read_resource(ReadResourceRequestParams::new(
            "fixture+test://template/123/data",
        ))
        .await?;
    let (uri, text) = data.contents.first().and_then(text_of).context("no text")?;
    assert_eq!(uri, "fixture+test://template/123/data");
    assert!(text.contains(r#""id":"123""#), "{text}");

    // Completions reach the server under its own prompt name and template.
    let completed = client
        .complete_prompt_argument("fixture__test_prompt_with_arguments", "arg1", "pa", None)
        .await?;
    assert_eq!(completed.values, ["paris", "park", "party"]);
    let completed = client
        .complete_resource_argument("fixture+test://template/{id}/data", "id", "h", None)
        .await?;
    assert_eq!(completed.values, ["hello"]);

    // A subscription is made upstream, and the server's update reaches the subscriber under
    // the URI it subscribed with.
    client
        .subscribe(SubscribeRequestParams::new(
            "fixture+test://watched-resource",
        ))
        .await?;
    let update = tokio::time::timeout(CALL_TIMEOUT, updates.recv())
        .await
        .context("no resources/updated reached the subscriber")?;
    assert_eq!(update.as_deref(), Some("fixture+test://watched-resource"));
    client
        .unsubscribe(UnsubscribeRequestParams::new(
            "fixture+test://watched-resource",
        ))
        .await?;

    // Resources in tool results are rewritten the same way.
    let called = call_tool(&client, "fixture__test_embedded_resource", json!({})).await?;
    let Some(ContentBlock::Resource(resource)) = called.content.first() else {
        anyhow::bail!("not a resource: {called:?}");
    };
    assert_eq!(
        text_of(&resource.resource).map(|(uri, _)| uri),
        Some("fixture+test://embedded-resource")
    );

    // Names and URIs the gateway never gave out are refused, saying so.
    for refused in [
        client
            .get_prompt(GetPromptRequestParams::new("test_simple_prompt"))
            .await
            .err(),
        client
            .get_prompt(GetPromptRequestParams::new("nobody__test_simple_prompt"))
            .await
            .err(),
        client
            .read_resource(ReadResourceRequestParams::new("test://static-text"))
            .await
            .err(),
    ] {
        let message = refused.context("refused")?.to_string();
        assert!(message.contains("no server offers the"), "{message}");
    }
    // A server's own refusal passes through unchanged.
    let unknown = client
        .read_resource(ReadResourceRequestParams::new("fixture+test://nothing"))
        .await
        .err()
        .context("an unknown resource is an error")?
        .to_string();
    assert!(unknown.contains("test://nothing"), "{unknown}");
    client.cancel().await?;
    Ok(())
}

#[tokio::test]
async fn subscriptions_are_made_again_when_their_server_restarts() -> Result<()> {
    let (_dir, path) = config(json!({"faulty": {"command": binary("faulty-server")?}}))?;
    let (updated, mut updates) = mpsc::unbounded_channel();
    let client = stdio_gateway(&path, &[], UpdateListener { updated }).await?;
    let pid = |read: rmcp::model::ReadResourceResult| {
        read.contents
            .first()
            .and_then(text_of)
            .map(|(_, text)| text.to_owned())
    };
    let read = || client.read_resource(ReadResourceRequestParams::new("faulty+faulty://pid"));
    let before = pid(read().await?).context("no pid")?;

    // The faulty server confirms each subscription with an update.
    client
        .subscribe(SubscribeRequestParams::new("faulty+faulty://pid"))
        .await?;
    let first = tokio::time::timeout(CALL_TIMEOUT, updates.recv()).await?;
    assert_eq!(first.as_deref(), Some("faulty+faulty://pid"));

    // It crashes and is restarted; the gateway subscribes the new process again, which says
    // so with its own update.
    let crashed = call_tool(&client, "faulty__crash", json!({})).await?;
    assert_eq!(crashed.is_error, Some(true), "{crashed:?}");
    let again = tokio::time::timeout(RESTART_TIMEOUT, updates.recv())
        .await
        .context("the restarted server was not subscribed again")?;
    assert_eq!(again.as_deref(), Some("faulty+faulty://pid"));
    let after = pid(read().await?).context("no pid")?;
    assert_ne!(before, after, "another process answers");
    client.cancel().await?;
    Ok(())
}
