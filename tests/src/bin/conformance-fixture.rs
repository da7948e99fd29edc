//! `conformance-fixture`: the server the official MCP conformance suite
//! (`@modelcontextprotocol/conformance` 0.1.16) tests, over Streamable HTTP.
//!
//! The suite's server scenarios check a fixed fixture, not real tools: tools, resources and
//! prompts with set names and payloads (`test_simple_text`, `test://static-text`,
//! `test_prompt_with_arguments`...), logging, progress, sampling and elicitation requests to
//! the client, completion, subscriptions, and DNS-rebinding protection. This implements that
//! fixture on rmcp, so the suite can be run against it directly and through the gateway.
//!
//! Payloads are written as the JSON the suite expects and read into rmcp's types, so that each
//! one reads like the specification it answers. Logs go to stderr; it prints
//! `listening on http://ADDR/mcp` once it accepts connections.

// Suite 0.1.16 tests the 2025-11-25 protocol, whose logging, sampling and subscription
// methods rmcp marks deprecated in favour of a later specification.
#![allow(deprecated)]

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use clap::Parser;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CompleteRequestParams, CompleteResult,
    CreateMessageRequestParams, ElicitRequestParams, GetPromptRequestParams, GetPromptResponse,
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    LoggingLevel, LoggingMessageNotificationParam, PaginatedRequestParams,
    ProgressNotificationParam, ReadResourceRequestParams, ReadResourceResponse, Reference,
    ResourceUpdatedNotificationParam, ServerConfig, SetLevelRequestParams, SubscribeRequestParams,
    UnsubscribeRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// A 1×1 red PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/// An empty 8 kHz mono WAV file.
const WAV: &str = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA=";
/// How long the logging and progress tools pause between notifications.
const STEP: Duration = Duration::from_millis(50);

/// The MCP conformance suite's server fixture, over Streamable HTTP.
#[derive(Debug, Parser)]
#[command(name = "conformance-fixture")]
struct Args {
    /// Only `http`: the suite tests servers over Streamable HTTP.
    #[arg(long, default_value = "http", value_parser = ["http"])]
    transport: String,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:3102")]
    bind: SocketAddr,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(args.bind).await?;
    let local = listener.local_addr()?;
    let hosts = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let origins = ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .map(|host| format!("http://{host}:*"))
        .collect::<Vec<_>>();
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(hosts)
        .with_allowed_origins(origins);
    let fixture = Fixture::default();
    let service = StreamableHttpService::new(
        move || Ok(fixture.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let app = axum::Router::new().route_service("/mcp", service);
    eprintln!("conformance-fixture: listening on http://{local}/mcp");
    axum::serve(listener, app).await?;
    Ok(())
}

/// The fixture's state: subscribed URIs and the client's logging level (shared by sessions).
#[derive(Debug, Clone)]
struct Fixture {
    subscriptions: Arc<Mutex<HashSet<String>>>,
    level: Arc<Mutex<LoggingLevel>>,
}

impl Default for Fixture {
    fn default() -> Self {
        Self {
            subscriptions: Arc::default(),
            level: Arc::new(Mutex::new(LoggingLevel::Debug)),
        }
    }
}

/// A payload written as JSON, read into an rmcp type.
fn from_json<T: DeserializeOwned>(value: Value) -> Result<T, ErrorData> {
    serde_json::from_value(value)
        .map_err(|error| ErrorData::internal_error(format!("fixture payload: {error}"), None))
}

fn text_result(text: &str) -> Result<CallToolResponse, ErrorData> {
    complete(json!({"content": [{"type": "text", "text": text}]}))
}

fn complete(result: Value) -> Result<CallToolResponse, ErrorData> {
    Ok(CallToolResponse::Complete(from_json(result)?))
}

impl Fixture {
    async fn log(
        &self,
        context: &RequestContext<RoleServer>,
        message: &str,
    ) -> Result<(), ErrorData> {
        let threshold = *self.level.lock().unwrap_or_else(PoisonError::into_inner);
        if shared::logging::severity(LoggingLevel::Info) < shared::logging::severity(threshold) {
            return Ok(());
        }
        let notification: LoggingMessageNotificationParam =
            from_json(json!({"level": "info", "logger": "conformance-fixture", "data": message}))?;
        context
            .peer
            .notify_logging_message(notification)
            .await
            .map_err(|error| ErrorData::internal_error(error.to_string(), None))
    }

    async fn progress(context: &RequestContext<RoleServer>) -> Result<CallToolResponse, ErrorData> {
        let token = context.meta.get_progress_token();
        for (index, progress) in [0.0, 50.0, 100.0].into_iter().enumerate() {
            if index > 0 {
                tokio::time::sleep(STEP).await;
            }
            if let Some(token) = &token {
                let notification =
                    ProgressNotificationParam::new(token.clone(), progress).with_total(100.0);
                context
                    .peer
                    .notify_progress(notification)
                    .await
                    .map_err(|error| ErrorData::internal_error(error.to_string(), None))?;
            }
        }
        text_result("Progress tool completed: 0, 50 and 100 of 100 reported.")
    }

    async fn sampling(
        context: &RequestContext<RoleServer>,
        arguments: &Value,
    ) -> Result<CallToolResponse, ErrorData> {
        let supported = context
            .peer
            .peer_info()
            .is_some_and(|info| info.capabilities.sampling.is_some());
        if !supported {
            return complete(
                json!({"isError": true, "content": [{"type": "text", "text": "The client does not support sampling."}]}),
            );
        }
        let prompt = arguments["prompt"].as_str().unwrap_or_default();
        let request: CreateMessageRequestParams = from_json(json!({
            "messages": [{"role": "user", "content": {"type": "text", "text": prompt}}],
            "maxTokens": 100,
        }))?;
        let result = context
            .peer
            .create_message(request)
            .await
            .map_err(|error| ErrorData::internal_error(error.to_string(), None))?;
        let result = serde_json::to_value(&result).unwrap_or_default();
        let content = &result["content"];
        let text = content["text"]
            .as_str()
            .or_else(|| content[0]["text"].as_str())
            .unwrap_or_default();
        text_result(&format!("LLM response: {text}"))
    }

    async fn elicit(
        context: &RequestContext<RoleServer>,
        request: Value,
        prefix: &str,
    ) -> Result<CallToolResponse, ErrorData> {
        let supported = context
            .peer
            .peer_info()
            .is_some_and(|info| info.capabilities.elicitation.is_some());
        if !supported {
            return complete(
                json!({"isError": true, "content": [{"type": "text", "text": "The client does not support elicitation."}]}),
            );
        }
        let request: ElicitRequestParams = from_json(request)?;
        let result = context
            .peer
            .create_elicitation(request)
            .await
            .map_err(|error| ErrorData::internal_error(error.to_string(), None))?;
        let result = serde_json::to_value(&result).unwrap_or_default();
        let action = result["action"].as_str().unwrap_or("unknown");
        let content = result.get("content").cloned().unwrap_or(json!({}));
        text_result(&format!("{prefix}action={action}, content={content}"))
    }
}

impl ServerHandler for Fixture {
    fn get_info(&self) -> ServerConfig {
        // The capabilities as the suite expects them, read the same way as every payload.
        from_json(json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {
                "tools": {"listChanged": true},
                "resources": {"subscribe": true, "listChanged": true},
                "prompts": {"listChanged": true},
                "logging": {},
                "completions": {},
            },
            "serverInfo": {"name": "conformance-fixture", "version": "0.1.0"},
        }))
        .unwrap_or_default()
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let none = json!({"type": "object", "properties": {}});
        let tool = |name: &str, description: &str, schema: &Value| json!({"name": name, "description": description, "inputSchema": schema});
        from_json(json!({"tools": [
            tool("test_simple_text", "Returns simple text content", &none),
            tool("test_image_content", "Returns image content", &none),
            tool("test_audio_content", "Returns audio content", &none),
            tool("test_embedded_resource", "Returns an embedded resource", &none),
            tool("test_multiple_content_types", "Returns text, image and resource content", &none),
            tool("test_tool_with_logging", "Sends log messages while it runs", &none),
            tool("test_tool_with_progress", "Reports progress while it runs", &none),
            tool("test_error_handling", "Always fails", &none),
            tool("test_sampling", "Asks the client's LLM", &json!({
                "type": "object",
                "properties": {"prompt": {"type": "string", "description": "The prompt to send to the LLM"}},
                "required": ["prompt"],
            })),
            tool("test_elicitation", "Asks the user for input", &json!({
                "type": "object",
                "properties": {"message": {"type": "string", "description": "The message to show the user"}},
                "required": ["message"],
            })),
            tool("test_elicitation_sep1034_defaults", "Elicitation with defaults for every primitive type", &none),
            tool("test_elicitation_sep1330_enums", "Elicitation with every kind of enum", &none),
            {
                "name": "json_schema_2020_12_tool",
                "description": "Tool with JSON Schema 2020-12 features",
                "inputSchema": {
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "type": "object",
                    "$defs": {"address": {"type": "object", "properties": {
                        "street": {"type": "string"}, "city": {"type": "string"}}}},
                    "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"}},
                    "additionalProperties": false,
                },
            },
        ]}))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let arguments = Value::Object(request.arguments.clone().unwrap_or_default());
        match request.name.as_ref() {
            "test_simple_text" => text_result("This is a simple text response for testing."),
            "test_image_content" => complete(
                json!({"content": [{"type": "image", "data": PNG, "mimeType": "image/png"}]}),
            ),
            "test_audio_content" => complete(
                json!({"content": [{"type": "audio", "data": WAV, "mimeType": "audio/wav"}]}),
            ),
            "test_embedded_resource" => complete(json!({"content": [{"type": "resource", "resource": {
                "uri": "test://embedded-resource", "mimeType": "text/plain",
                "text": "This is an embedded resource content."}}]})),
            "test_multiple_content_types" => complete(json!({"content": [
                {"type": "text", "text": "Multiple content types test:"},
                {"type": "image", "data": PNG, "mimeType": "image/png"},
                {"type": "resource", "resource": {"uri": "test://mixed-content-resource",
                    "mimeType": "application/json", "text": "{\"test\":\"data\",\"value\":123}"}},
            ]})),
            "test_tool_with_logging" => {
                self.log(&context, "Tool execution started").await?;
                tokio::time::sleep(STEP).await;
                self.log(&context, "Tool processing data").await?;
                tokio::time::sleep(STEP).await;
                self.log(&context, "Tool execution completed").await?;
                text_result("Logging tool completed: three messages sent.")
            }
            "test_tool_with_progress" => Self::progress(&context).await,
            "test_error_handling" => complete(json!({"isError": true, "content": [
                {"type": "text", "text": "This tool intentionally returns an error for testing"}]})),
            "test_sampling" => Self::sampling(&context, &arguments).await,
            "test_elicitation" => {
                let message = arguments["message"].as_str().unwrap_or_default();
                Self::elicit(&context, json!({
                    "message": message,
                    "requestedSchema": {"type": "object", "properties": {
                        "username": {"type": "string", "description": "User's response"},
                        "email": {"type": "string", "description": "User's email address"},
                    }, "required": ["username", "email"]},
                }), "User response: ").await
            }
            "test_elicitation_sep1034_defaults" => Self::elicit(&context, json!({
                "message": "Please review and update the form fields with defaults",
                "requestedSchema": {"type": "object", "properties": {
                    "name": {"type": "string", "description": "User name", "default": "John Doe"},
                    "age": {"type": "integer", "description": "User age", "default": 30},
                    "score": {"type": "number", "description": "User score", "default": 95.5},
                    "status": {"type": "string", "description": "User status",
                        "enum": ["active", "inactive", "pending"], "default": "active"},
                    "verified": {"type": "boolean", "description": "Verification status", "default": true},
                }},
            }), "Elicitation completed: ").await,
            "test_elicitation_sep1330_enums" => Self::elicit(&context, json!({
                "message": "Please select options from the enum fields",
                "requestedSchema": {"type": "object", "properties": {
                    "untitledSingle": {"type": "string", "description": "Untitled single-select",
                        "enum": ["option1", "option2", "option3"]},
                    "titledSingle": {"type": "string", "description": "Titled single-select", "oneOf": [
                        {"const": "value1", "title": "First Option"},
                        {"const": "value2", "title": "Second Option"},
                        {"const": "value3", "title": "Third Option"}]},
                    "legacyEnum": {"type": "string", "description": "Legacy titled enum",
                        "enum": ["opt1", "opt2", "opt3"],
                        "enumNames": ["Option One", "Option Two", "Option Three"]},
                    "untitledMulti": {"type": "array", "description": "Untitled multi-select",
                        "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
                    "titledMulti": {"type": "array", "description": "Titled multi-select",
                        "items": {"anyOf": [
                            {"const": "value1", "title": "First Choice"},
                            {"const": "value2", "title": "Second Choice"},
                            {"const": "value3", "title": "Third Choice"}]}},
                }},
            }), "Elicitation completed: ").await,
            "json_schema_2020_12_tool" => text_result(&format!("Received: {arguments}")),
            other => Err(ErrorData::invalid_params(format!("unknown tool `{other}`"), None)),
        }
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        from_json(json!({"resources": [
            {"uri": "test://static-text", "name": "Static Text Resource",
             "description": "A static text resource for testing", "mimeType": "text/plain"},
            {"uri": "test://static-binary", "name": "Static Binary Resource",
             "description": "A static binary resource (image) for testing", "mimeType": "image/png"},
            {"uri": "test://watched-resource", "name": "Watched Resource",
             "description": "A resource to subscribe to", "mimeType": "text/plain"},
        ]}))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        from_json(json!({"resourceTemplates": [
            {"uriTemplate": "test://template/{id}/data", "name": "Template Resource",
             "description": "A resource template with an id parameter", "mimeType": "application/json"},
        ]}))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri.as_str();
        let contents = match uri {
            "test://static-text" => json!({"uri": uri, "mimeType": "text/plain",
                "text": "This is the content of the static text resource."}),
            "test://static-binary" => json!({"uri": uri, "mimeType": "image/png", "blob": PNG}),
            "test://watched-resource" => json!({"uri": uri, "mimeType": "text/plain",
                "text": "Watched resource content."}),
            _ => match uri
                .strip_prefix("test://template/")
                .and_then(|rest| rest.strip_suffix("/data"))
                .filter(|id| !id.is_empty() && !id.contains('/'))
            {
                Some(id) => json!({"uri": uri, "mimeType": "application/json", "text":
                    json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")}).to_string()}),
                None => {
                    return Err(ErrorData::resource_not_found(
                        format!("no resource `{uri}`"),
                        None,
                    ));
                }
            },
        };
        Ok(ReadResourceResponse::Complete(from_json(
            json!({"contents": [contents]}),
        )?))
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(request.uri.to_string());
        // One update confirms the subscription, so that clients (and gateways) can show the
        // notification reaches them.
        let update = ResourceUpdatedNotificationParam::new(request.uri.clone());
        if let Err(error) = context.peer.notify_resource_updated(update).await {
            eprintln!("conformance-fixture: cannot send resources/updated: {error}");
        }
        Ok(())
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(request.uri.as_str());
        Ok(())
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        from_json(json!({"prompts": [
            {"name": "test_simple_prompt", "description": "A simple prompt without arguments"},
            {"name": "test_prompt_with_arguments", "description": "A prompt with two arguments",
             "arguments": [
                {"name": "arg1", "description": "First test argument", "required": true},
                {"name": "arg2", "description": "Second test argument", "required": true}]},
            {"name": "test_prompt_with_embedded_resource", "description": "A prompt that embeds a resource",
             "arguments": [{"name": "resourceUri", "description": "URI of the resource to embed", "required": true}]},
            {"name": "test_prompt_with_image", "description": "A prompt with an image"},
        ]}))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let arguments = request.arguments.clone().unwrap_or_default();
        let argument = |name: &str| {
            arguments
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let text = |text: &str| json!({"role": "user", "content": {"type": "text", "text": text}});
        let messages = match request.name.as_str() {
            "test_simple_prompt" => json!([text("This is a simple prompt for testing.")]),
            "test_prompt_with_arguments" => json!([text(&format!(
                "Prompt with arguments: arg1='{}', arg2='{}'",
                argument("arg1"),
                argument("arg2")
            ))]),
            "test_prompt_with_embedded_resource" => json!([
                {"role": "user", "content": {"type": "resource", "resource": {
                    "uri": argument("resourceUri"), "mimeType": "text/plain",
                    "text": "Embedded resource content for testing."}}},
                text("Please process the embedded resource above."),
            ]),
            "test_prompt_with_image" => json!([
                {"role": "user", "content": {"type": "image", "data": PNG, "mimeType": "image/png"}},
                text("Please analyze the image above."),
            ]),
            other => {
                return Err(ErrorData::invalid_params(
                    format!("unknown prompt `{other}`"),
                    None,
                ));
            }
        };
        Ok(GetPromptResponse::Complete(from_json(
            json!({"messages": messages}),
        )?))
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        // Only its own prompts' and template's arguments complete, so that a client (or a
        // gateway) that sends another name gets told.
        let known = match &request.r#ref {
            Reference::Prompt(prompt) => [
                "test_prompt_with_arguments",
                "test_prompt_with_embedded_resource",
            ]
            .contains(&prompt.name.as_str()),
            Reference::Resource(template) => template.uri == "test://template/{id}/data",
            _ => false,
        };
        if !known {
            return Err(ErrorData::invalid_params(
                format!("nothing to complete for {:?}", request.r#ref),
                None,
            ));
        }
        let typed = request.argument.value.to_lowercase();
        let values: Vec<&str> = ["paris", "park", "party", "hello", "world"]
            .into_iter()
            .filter(|value| value.starts_with(&typed))
            .collect();
        from_json(
            json!({"completion": {"values": values, "total": values.len(), "hasMore": false}}),
        )
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        *self.level.lock().unwrap_or_else(PoisonError::into_inner) = request.level;
        Ok(())
    }
}
