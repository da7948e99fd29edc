//! The OpenAI-compatible Chat Completions API (`POST {base}/chat/completions`), spoken by
//! OpenAI and by Ollama, vLLM, llama.cpp's server, LM Studio, LiteLLM and OpenRouter.

use futures::FutureExt;
use futures::future::BoxFuture;
use reqwest::Response;
use serde_json::{Value, json};

use super::transport::{self, Endpoint, Wire, string};
use super::{Message, Model, ModelError, Reply, Request, StreamSink, ToolCall, Usage, schema};

/// A Chat Completions endpoint with tool calling.
#[derive(Debug, Clone)]
pub struct OpenAi {
    endpoint: Endpoint,
    stream: bool,
    max_tokens: Option<u32>,
}

impl OpenAi {
    pub(crate) fn new(endpoint: Endpoint, stream: bool, max_tokens: Option<u32>) -> Self {
        Self {
            endpoint,
            stream,
            max_tokens,
        }
    }
}

impl Wire for OpenAi {
    fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    fn streams(&self) -> bool {
        self.stream
    }

    fn body(&self, request: &Request<'_>) -> Value {
        let mut messages = Vec::with_capacity(request.messages.len() + 1);
        if !request.system.is_empty() {
            messages.push(json!({"role": "system", "content": request.system}));
        }
        messages.extend(request.messages.iter().map(message));
        let mut body = json!({
            "model": self.endpoint.model,
            "messages": messages,
            "stream": self.stream,
        });
        if !request.tools.is_empty() {
            body["tools"] = request
                .tools
                .iter()
                .map(|tool| {
                    json!({"type": "function", "function": {
                        "name": tool.name,
                        "description": schema::description(tool),
                        "parameters": schema::parameters(tool),
                    }})
                })
                .collect();
        }
        if let Some(max_tokens) = self.max_tokens {
            body["max_tokens"] = max_tokens.into();
        }
        body
    }

    fn parse(&self, body: &Value) -> Result<Reply, ModelError> {
        let choice = match body.get("choices") {
            Some(Value::Array(choices)) => choices
                .first()
                .ok_or_else(|| self.endpoint.empty("choices"))?,
            _ => return Err(self.endpoint.malformed("no `choices` array")),
        };
        let message = choice
            .get("message")
            .ok_or_else(|| self.endpoint.malformed("the choice has no `message`"))?;
        let text = message
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut tool_calls = Vec::new();
        if let Some(Value::Array(calls)) = message.get("tool_calls") {
            for (index, call) in calls.iter().enumerate() {
                let function = call.get("function").unwrap_or(&Value::Null);
                tool_calls.push(ToolCall {
                    id: string(call.get("id")).unwrap_or_else(|| made_up_id(index)),
                    name: string(function.get("name")).unwrap_or_default(),
                    arguments: arguments_text(function.get("arguments")),
                });
            }
        }
        Ok(Reply {
            text,
            tool_calls,
            stop_reason: string(choice.get("finish_reason")),
            usage: usage(body.get("usage")),
        })
    }

    async fn read_stream(
        &self,
        response: Response,
        sink: &dyn StreamSink,
    ) -> Result<Reply, ModelError> {
        let mut events = self.endpoint.events(response);
        let mut reply = Reply::default();
        let mut calls: Vec<ToolCall> = Vec::new();
        let mut done = false;
        while let Some(event) = events.next().await? {
            let data = event.data.unwrap_or_default();
            if data.trim() == "[DONE]" {
                done = true;
                break;
            }
            let chunk: Value = serde_json::from_str(&data).map_err(|error| {
                self.endpoint.malformed(format!(
                    "a streamed chunk is not JSON ({error}): {data:.200}"
                ))
            })?;
            if let Some(error) = chunk.get("error") {
                return Err(ModelError::Server {
                    endpoint: self.endpoint.url.clone(),
                    status: 500,
                    message: format!("error inside the stream: {error}"),
                    retry_after: None,
                });
            }
            if let Some(usage) = usage(chunk.get("usage")) {
                reply.usage = Some(usage);
            }
            let Some(choice) = chunk.pointer("/choices/0") else {
                continue;
            };
            let delta = choice.get("delta").unwrap_or(&Value::Null);
            if let Some(text) = delta.get("content").and_then(Value::as_str) {
                sink.text(text);
                reply.text.push_str(text);
            }
            if let Some(Value::Array(deltas)) = delta.get("tool_calls") {
                for delta in deltas {
                    merge_call_delta(&mut calls, delta);
                }
            }
            if let Some(reason) = string(choice.get("finish_reason")) {
                reply.stop_reason = Some(reason);
            }
        }
        if !done && reply.stop_reason.is_none() {
            return Err(self
                .endpoint
                .truncated("the stream ended without a finish_reason or [DONE]"));
        }
        if reply.stop_reason.is_none() && reply.text.is_empty() && calls.is_empty() {
            return Err(self.endpoint.empty("choices"));
        }
        reply.tool_calls = calls;
        Ok(reply)
    }
}

impl Model for OpenAi {
    fn describe(&self) -> String {
        format!(
            "{} at {} (OpenAI-compatible)",
            self.endpoint.model, self.endpoint.url
        )
    }

    fn complete<'a>(&'a self, request: Request<'a>) -> BoxFuture<'a, Result<Reply, ModelError>> {
        transport::complete(self, request).boxed()
    }
}

fn message(message: &Message) -> Value {
    match message {
        Message::User { text } => json!({"role": "user", "content": text}),
        Message::Assistant { text, tool_calls } => {
            // `content` is always present: llama.cpp's templates fail on a message without it.
            let mut value = json!({"role": "assistant", "content": text});
            if !tool_calls.is_empty() {
                value["tool_calls"] = tool_calls
                    .iter()
                    .map(|call| {
                        json!({"id": call.id, "type": "function", "function": {
                            "name": call.name, "arguments": call.arguments,
                        }})
                    })
                    .collect();
            }
            value
        }
        Message::Tool(output) => {
            let content = if output.is_error {
                format!("[tool error] {}", output.text)
            } else {
                output.text.clone()
            };
            json!({"role": "tool", "tool_call_id": output.call_id, "content": content})
        }
    }
}

/// Adds one streamed piece of a tool call: the first piece of a call has its id and name,
/// later ones (same `index`) append to its arguments.
fn merge_call_delta(calls: &mut Vec<ToolCall>, delta: &Value) {
    let index = delta
        .get("index")
        .and_then(Value::as_u64)
        .and_then(|index| usize::try_from(index).ok())
        .unwrap_or(calls.len().saturating_sub(1));
    while calls.len() <= index {
        calls.push(ToolCall {
            id: made_up_id(calls.len()),
            name: String::new(),
            arguments: String::new(),
        });
    }
    let call = &mut calls[index];
    if let Some(id) = string(delta.get("id")) {
        call.id = id;
    }
    let function = delta.get("function").unwrap_or(&Value::Null);
    if let Some(name) = string(function.get("name")) {
        call.name.push_str(&name);
    }
    match function.get("arguments") {
        Some(Value::String(piece)) => call.arguments.push_str(piece),
        Some(object @ Value::Object(_)) => call.arguments = object.to_string(),
        _ => {}
    }
}

/// Arguments as JSON text; some servers send an object instead of a string.
fn arguments_text(arguments: Option<&Value>) -> String {
    match arguments {
        Some(Value::String(text)) => text.clone(),
        None | Some(Value::Null) => "{}".to_owned(),
        Some(other) => other.to_string(),
    }
}

fn usage(usage: Option<&Value>) -> Option<Usage> {
    let usage = usage?.as_object()?;
    let count = |key: &str| usage.get(key).and_then(Value::as_u64).unwrap_or(0);
    Some(Usage {
        input_tokens: count("prompt_tokens"),
        output_tokens: count("completion_tokens"),
    })
}

fn made_up_id(index: usize) -> String {
    format!("call_{index}")
}

/// The headers of a Chat Completions request: a bearer token when there is a key.
pub(crate) fn headers(api_key: Option<&str>) -> Result<reqwest::header::HeaderMap, ModelError> {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(key) = api_key {
        let value = format!("Bearer {key}").parse().map_err(|_| {
            ModelError::Settings("the API key has characters a header cannot carry".to_owned())
        })?;
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_tool_calls_are_assembled_by_index() {
        let mut calls = Vec::new();
        for delta in [
            json!({"index": 0, "id": "a", "function": {"name": "math__add", "arguments": ""}}),
            json!({"index": 1, "id": "b", "function": {"name": "fs__read_file", "arguments": "{\"pa"}}),
            json!({"index": 0, "function": {"arguments": "{\"a\": 1, "}}),
            json!({"index": 0, "function": {"arguments": "\"b\": 2}"}}),
            json!({"index": 1, "function": {"arguments": "th\": \"x\"}"}}),
        ] {
            merge_call_delta(&mut calls, &delta);
        }
        assert_eq!(calls.len(), 2);
        assert_eq!(
            (
                calls[0].id.as_str(),
                calls[0].name.as_str(),
                calls[0].arguments.as_str()
            ),
            ("a", "math__add", "{\"a\": 1, \"b\": 2}")
        );
        assert_eq!(calls[1].arguments, "{\"path\": \"x\"}");
    }

    #[test]
    fn tool_errors_are_marked_for_the_model() {
        let output = Message::Tool(super::super::ToolOutput {
            call_id: "c".to_owned(),
            name: "t".to_owned(),
            text: "division by zero".to_owned(),
            is_error: true,
        });
        assert_eq!(
            message(&output),
            json!({"role": "tool", "tool_call_id": "c", "content": "[tool error] division by zero"})
        );
    }

    #[test]
    fn arguments_given_as_objects_become_text() {
        assert_eq!(arguments_text(Some(&json!({"a": 1}))), "{\"a\":1}");
        assert_eq!(arguments_text(None), "{}");
    }
}
