//! Anthropic's Messages API (`POST {base}/v1/messages`) with tool use.

use futures::FutureExt;
use futures::future::BoxFuture;
use reqwest::Response;
use serde_json::{Value, json};

use super::transport::{self, Endpoint, Wire, string};
use super::{Message, Model, ModelError, Reply, Request, StreamSink, ToolCall, Usage, schema};

/// The API version this provider speaks.
const API_VERSION: &str = "2023-06-01";

/// A Messages endpoint with tool use.
#[derive(Debug, Clone)]
pub struct Anthropic {
    endpoint: Endpoint,
    stream: bool,
    max_tokens: u32,
}

impl Anthropic {
    pub(crate) fn new(endpoint: Endpoint, stream: bool, max_tokens: u32) -> Self {
        Self {
            endpoint,
            stream,
            max_tokens,
        }
    }
}

impl Wire for Anthropic {
    fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    fn streams(&self) -> bool {
        self.stream
    }

    fn body(&self, request: &Request<'_>) -> Value {
        let mut body = json!({
            "model": self.endpoint.model,
            "max_tokens": self.max_tokens,
            "messages": messages(request.messages),
            "stream": self.stream,
        });
        if !request.system.is_empty() {
            body["system"] = request.system.into();
        }
        if !request.tools.is_empty() {
            body["tools"] = request
                .tools
                .iter()
                .map(|tool| {
                    json!({
                        "name": tool.name,
                        "description": schema::description(tool),
                        "input_schema": schema::parameters(tool),
                    })
                })
                .collect();
        }
        body
    }

    fn parse(&self, body: &Value) -> Result<Reply, ModelError> {
        let Some(Value::Array(blocks)) = body.get("content") else {
            return Err(self.endpoint.malformed("no `content` array"));
        };
        if blocks.is_empty() {
            return Err(self.endpoint.empty("content"));
        }
        let mut reply = Reply {
            stop_reason: string(body.get("stop_reason")),
            usage: body.get("usage").map(|usage| Usage {
                input_tokens: count(usage, "input_tokens"),
                output_tokens: count(usage, "output_tokens"),
            }),
            ..Reply::default()
        };
        for block in blocks {
            match block.get("type").and_then(Value::as_str) {
                Some("text") => {
                    reply
                        .text
                        .push_str(block.get("text").and_then(Value::as_str).unwrap_or(""));
                }
                Some("tool_use") => reply.tool_calls.push(ToolCall {
                    id: string(block.get("id")).unwrap_or_default(),
                    name: string(block.get("name")).unwrap_or_default(),
                    arguments: block
                        .get("input")
                        .map_or_else(|| "{}".to_owned(), Value::to_string),
                }),
                _ => {}
            }
        }
        Ok(reply)
    }

    async fn read_stream(
        &self,
        response: Response,
        sink: &dyn StreamSink,
    ) -> Result<Reply, ModelError> {
        let mut events = self.endpoint.events(response);
        let mut reply = Reply::default();
        let mut usage = Usage::default();
        // Content blocks by index: tool_use blocks collect their input's JSON text.
        let mut calls: Vec<(usize, ToolCall)> = Vec::new();
        let mut stopped = false;
        while let Some(event) = events.next().await? {
            let data = event.data.unwrap_or_default();
            let event: Value = serde_json::from_str(&data).map_err(|error| {
                self.endpoint.malformed(format!(
                    "a streamed event is not JSON ({error}): {data:.200}"
                ))
            })?;
            let index = event
                .get("index")
                .and_then(Value::as_u64)
                .and_then(|index| usize::try_from(index).ok())
                .unwrap_or(0);
            match event.get("type").and_then(Value::as_str).unwrap_or("") {
                "message_start" => {
                    if let Some(start) = event.pointer("/message/usage") {
                        usage.input_tokens = count(start, "input_tokens");
                    }
                }
                "content_block_start" => {
                    let block = event.get("content_block").unwrap_or(&Value::Null);
                    if block.get("type").and_then(Value::as_str) == Some("tool_use") {
                        calls.push((
                            index,
                            ToolCall {
                                id: string(block.get("id")).unwrap_or_default(),
                                name: string(block.get("name")).unwrap_or_default(),
                                arguments: String::new(),
                            },
                        ));
                    }
                }
                "content_block_delta" => {
                    let delta = event.get("delta").unwrap_or(&Value::Null);
                    if let Some(text) = delta.get("text").and_then(Value::as_str) {
                        sink.text(text);
                        reply.text.push_str(text);
                    }
                    if let Some(piece) = delta.get("partial_json").and_then(Value::as_str)
                        && let Some((_, call)) = calls.iter_mut().find(|(at, _)| *at == index)
                    {
                        call.arguments.push_str(piece);
                    }
                }
                "message_delta" => {
                    if let Some(reason) = string(event.pointer("/delta/stop_reason")) {
                        reply.stop_reason = Some(reason);
                    }
                    if let Some(end) = event.get("usage") {
                        usage.output_tokens = count(end, "output_tokens");
                    }
                }
                "message_stop" => {
                    stopped = true;
                    break;
                }
                "error" => {
                    let kind = string(event.pointer("/error/type")).unwrap_or_default();
                    let message = string(event.pointer("/error/message")).unwrap_or_default();
                    return Err(ModelError::Server {
                        endpoint: self.endpoint.url.clone(),
                        status: if kind == "overloaded_error" { 529 } else { 500 },
                        message: format!("error inside the stream: {kind}: {message}"),
                        retry_after: None,
                    });
                }
                _ => {}
            }
        }
        if !stopped {
            return Err(self
                .endpoint
                .truncated("the stream ended before message_stop"));
        }
        if reply.text.is_empty() && calls.is_empty() && reply.stop_reason.is_none() {
            return Err(self.endpoint.empty("content"));
        }
        reply.tool_calls = calls
            .into_iter()
            .map(|(_, mut call)| {
                if call.arguments.trim().is_empty() {
                    call.arguments = "{}".to_owned();
                }
                call
            })
            .collect();
        reply.usage = Some(usage);
        Ok(reply)
    }
}

impl Model for Anthropic {
    fn describe(&self) -> String {
        format!(
            "{} at {} (Anthropic)",
            self.endpoint.model, self.endpoint.url
        )
    }

    fn complete<'a>(&'a self, request: Request<'a>) -> BoxFuture<'a, Result<Reply, ModelError>> {
        transport::complete(self, request).boxed()
    }
}

/// The conversation as alternating user and assistant messages of content blocks: tool
/// results are user blocks, and neighbours with the same role are merged.
fn messages(messages: &[Message]) -> Vec<Value> {
    let mut merged: Vec<(&str, Vec<Value>)> = Vec::new();
    for message in messages {
        let (role, blocks) = match message {
            Message::User { text } => ("user", vec![json!({"type": "text", "text": text})]),
            Message::Assistant { text, tool_calls } => {
                let mut blocks = Vec::new();
                if !text.is_empty() {
                    blocks.push(json!({"type": "text", "text": text}));
                }
                for call in tool_calls {
                    // The API takes the input as an object; arguments that were not one were
                    // answered with an error, which is what the model needs to see.
                    let input = serde_json::from_str::<Value>(&call.arguments)
                        .ok()
                        .filter(Value::is_object)
                        .unwrap_or_else(|| json!({}));
                    blocks.push(json!({"type": "tool_use", "id": call.id, "name": call.name, "input": input}));
                }
                ("assistant", blocks)
            }
            Message::Tool(output) => (
                "user",
                vec![json!({
                    "type": "tool_result",
                    "tool_use_id": output.call_id,
                    "content": output.text,
                    "is_error": output.is_error,
                })],
            ),
        };
        if blocks.is_empty() {
            continue;
        }
        match merged.last_mut() {
            Some((last, existing)) if *last == role => existing.extend(blocks),
            _ => merged.push((role, blocks)),
        }
    }
    merged
        .into_iter()
        .map(|(role, content)| json!({"role": role, "content": content}))
        .collect()
}

/// The headers of a Messages request.
pub(crate) fn headers(api_key: Option<&str>) -> Result<reqwest::header::HeaderMap, ModelError> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "anthropic-version",
        reqwest::header::HeaderValue::from_static(API_VERSION),
    );
    if let Some(key) = api_key {
        let value = key.parse().map_err(|_| {
            ModelError::Settings("the API key has characters a header cannot carry".to_owned())
        })?;
        headers.insert("x-api-key", value);
    }
    Ok(headers)
}

fn count(usage: &Value, key: &str) -> u64 {
    usage.get(key).and_then(Value::as_u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::ToolOutput;

    #[test]
    fn tool_results_join_the_next_user_turn_and_roles_alternate() {
        let conversation = [
            Message::user("add 2 and 3, and read x"),
            Message::Assistant {
                text: String::new(),
                tool_calls: vec![
                    ToolCall {
                        id: "a".to_owned(),
                        name: "math__add".to_owned(),
                        arguments: "{\"a\": 2, \"b\": 3}".to_owned(),
                    },
                    ToolCall {
                        id: "b".to_owned(),
                        name: "fs__read_file".to_owned(),
                        arguments: "{not json".to_owned(),
                    },
                ],
            },
            Message::Tool(ToolOutput {
                call_id: "a".to_owned(),
                name: "math__add".to_owned(),
                text: "5".to_owned(),
                is_error: false,
            }),
            Message::Tool(ToolOutput {
                call_id: "b".to_owned(),
                name: "fs__read_file".to_owned(),
                text: "invalid JSON".to_owned(),
                is_error: true,
            }),
        ];
        let wire = messages(&conversation);
        let roles: Vec<_> = wire.iter().map(|m| m["role"].clone()).collect();
        assert_eq!(roles, [json!("user"), json!("assistant"), json!("user")]);
        assert_eq!(wire[1]["content"][0]["input"], json!({"a": 2, "b": 3}));
        assert_eq!(wire[1]["content"][1]["input"], json!({}));
        assert_eq!(wire[2]["content"].as_array().map(Vec::len), Some(2));
        assert_eq!(wire[2]["content"][1]["is_error"], json!(true));
    }
}
