//! A scripted LLM endpoint on loopback, speaking real HTTP: OpenAI's Chat Completions
//! (`POST /v1/chat/completions`) and Anthropic's Messages (`POST /v1/messages`).
//!
//! Each request is answered by the next [`Scripted`] response in the queue, whatever it asks,
//! and recorded, so a test can check what the client sent (the tools, the tool results fed
//! back). A request beyond the script gets a 500 that says so. The [`openai`] and
//! [`anthropic`] modules build the responses each API really sends, streamed or not.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Result;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use serde_json::Value;
use tokio::task::JoinHandle;

/// How long a hung response hangs: longer than any test waits.
const HANG: Duration = Duration::from_secs(600);

/// One scripted response.
pub struct Scripted {
    status: StatusCode,
    headers: Vec<(&'static str, String)>,
    body: Payload,
    before: Option<Box<dyn FnOnce() + Send>>,
}

enum Payload {
    Json(Value),
    Events(String),
    Text(String),
    Hang,
}

impl Scripted {
    /// A 200 JSON body.
    pub fn json(body: Value) -> Self {
        Self::new(StatusCode::OK, Payload::Json(body))
    }

    /// A status with a JSON error body, in the shape both APIs use.
    pub fn error(status: u16, message: &str) -> Self {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self::new(
            status,
            Payload::Json(serde_json::json!({"error": {"message": message, "type": "test_error"}})),
        )
    }

    /// A 200 body that is not JSON at all.
    pub fn text(body: &str) -> Self {
        Self::new(StatusCode::OK, Payload::Text(body.to_owned()))
    }

    /// A 200 `text/event-stream` body, written as is (see [`openai::events`] and
    /// [`anthropic::events`]).
    pub fn events(body: String) -> Self {
        Self::new(StatusCode::OK, Payload::Events(body))
    }

    /// Headers sent, then nothing: the body never comes.
    pub fn hang() -> Self {
        Self::new(StatusCode::OK, Payload::Hang)
    }

    /// Adds a response header (`retry-after`...).
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// Runs `action` when this response is taken, before it is sent (to kill a server
    /// between two turns, say).
    pub fn before(mut self, action: impl FnOnce() + Send + 'static) -> Self {
        self.before = Some(Box::new(action));
        self
    }

    fn new(status: StatusCode, body: Payload) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body,
            before: None,
        }
    }
}

#[derive(Default)]
struct Script {
    responses: Mutex<VecDeque<Scripted>>,
    requests: Mutex<Vec<Value>>,
}

/// A running fake endpoint; it stops when dropped.
pub struct FakeLlm {
    /// `http://127.0.0.1:PORT`, without a path.
    pub origin: String,
    script: Arc<Script>,
    server: JoinHandle<()>,
}

impl FakeLlm {
    /// Serves `responses`, in order, on a free loopback port.
    pub async fn start(responses: Vec<Scripted>) -> Result<Self> {
        let script = Arc::new(Script {
            responses: Mutex::new(responses.into()),
            requests: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/v1/chat/completions", post(answer))
            .route("/v1/messages", post(answer))
            .with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let origin = format!("http://{}", listener.local_addr()?);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            origin,
            script,
            server,
        })
    }

    /// The OpenAI-compatible base URL (`…/v1`).
    pub fn openai_base(&self) -> String {
        format!("{}/v1", self.origin)
    }

    /// The request bodies received so far.
    pub fn requests(&self) -> Vec<Value> {
        self.script
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many scripted responses are still unused.
    pub fn unused(&self) -> usize {
        self.script
            .responses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Drop for FakeLlm {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn answer(State(script): State<Arc<Script>>, _headers: HeaderMap, body: Bytes) -> Response {
    let request = serde_json::from_slice(&body).unwrap_or(Value::Null);
    script
        .requests
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(request);
    let next = script
        .responses
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .pop_front();
    let Some(mut next) = next else {
        return respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain",
            Body::from("the fake LLM's script is used up"),
            &[],
        );
    };
    if let Some(action) = next.before.take() {
        action();
    }
    match next.body {
        Payload::Json(value) => respond(
            next.status,
            "application/json",
            Body::from(value.to_string()),
            &next.headers,
        ),
        Payload::Text(text) => respond(next.status, "text/plain", Body::from(text), &next.headers),
        Payload::Events(events) => respond(
            next.status,
            "text/event-stream",
            Body::from(events),
            &next.headers,
        ),
        Payload::Hang => {
            let stream = futures::stream::once(async {
                tokio::time::sleep(HANG).await;
                Ok::<_, std::io::Error>(Bytes::new())
            });
            respond(
                next.status,
                "text/event-stream",
                Body::from_stream(stream),
                &next.headers,
            )
        }
    }
}

fn respond(
    status: StatusCode,
    content_type: &str,
    body: Body,
    headers: &[(&'static str, String)],
) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let map = response.headers_mut();
    if let Ok(value) = content_type.parse() {
        map.insert("content-type", value);
    }
    for (name, value) in headers {
        if let Ok(value) = value.parse() {
            map.insert(*name, value);
        }
    }
    response
}

/// Responses in the shape of OpenAI's Chat Completions.
pub mod openai {
    use serde_json::{Value, json};

    /// A complete (not streamed) answer with text.
    pub fn text(content: &str) -> Value {
        json!({
            "id": "chatcmpl-test", "object": "chat.completion", "model": "fake",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        })
    }

    /// A complete answer with tool calls: `(id, name, arguments as JSON text)`.
    pub fn calls(calls: &[(&str, &str, &str)]) -> Value {
        let calls: Vec<Value> = calls
            .iter()
            .map(|(id, name, arguments)| {
                json!({"id": id, "type": "function", "function": {"name": name, "arguments": arguments}})
            })
            .collect();
        json!({
            "id": "chatcmpl-test", "object": "chat.completion", "model": "fake",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": null, "tool_calls": calls}, "finish_reason": "tool_calls"}],
        })
    }

    /// Streamed chunks of text, then a finish reason and `[DONE]`.
    pub fn stream_text(pieces: &[&str]) -> Vec<Value> {
        let mut chunks = vec![chunk(json!({"role": "assistant", "content": ""}), None)];
        chunks.extend(
            pieces
                .iter()
                .map(|piece| chunk(json!({"content": piece}), None)),
        );
        chunks.push(chunk(json!({}), Some("stop")));
        chunks
    }

    /// Streamed tool calls, each split in two pieces of arguments, then `tool_calls`.
    pub fn stream_calls(calls: &[(&str, &str, &str)]) -> Vec<Value> {
        let mut chunks = Vec::new();
        for (index, (id, name, arguments)) in calls.iter().enumerate() {
            let middle = arguments.len() / 2;
            let (first, second) = arguments.split_at(middle);
            chunks.push(chunk(
                json!({"tool_calls": [{"index": index, "id": id, "type": "function", "function": {"name": name, "arguments": first}}]}),
                None,
            ));
            chunks.push(chunk(
                json!({"tool_calls": [{"index": index, "function": {"arguments": second}}]}),
                None,
            ));
        }
        chunks.push(chunk(json!({}), Some("tool_calls")));
        chunks
    }

    fn chunk(delta: Value, finish: Option<&str>) -> Value {
        json!({"id": "chatcmpl-test", "object": "chat.completion.chunk", "model": "fake",
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    }

    /// The chunks as an event stream; `done` adds the final `data: [DONE]`.
    pub fn events(chunks: &[Value], done: bool) -> String {
        let mut body: String = chunks
            .iter()
            .map(|chunk| format!("data: {chunk}\n\n"))
            .collect();
        if done {
            body.push_str("data: [DONE]\n\n");
        }
        body
    }
}

/// Responses in the shape of Anthropic's Messages API.
pub mod anthropic {
    use serde_json::{Value, json};

    /// A complete (not streamed) answer with text.
    pub fn text(content: &str) -> Value {
        json!({
            "id": "msg_test", "type": "message", "role": "assistant", "model": "fake",
            "content": [{"type": "text", "text": content}],
            "stop_reason": "end_turn", "usage": {"input_tokens": 10, "output_tokens": 5},
        })
    }

    /// A complete answer with tool uses: `(id, name, input)`.
    pub fn calls(calls: &[(&str, &str, Value)]) -> Value {
        let blocks: Vec<Value> = calls
            .iter()
            .map(|(id, name, input)| json!({"type": "tool_use", "id": id, "name": name, "input": input}))
            .collect();
        json!({
            "id": "msg_test", "type": "message", "role": "assistant", "model": "fake",
            "content": blocks, "stop_reason": "tool_use",
            "usage": {"input_tokens": 10, "output_tokens": 5},
        })
    }

    /// The events of a streamed answer: text pieces, then tool uses with their input in two
    /// pieces each; `complete` ends with `message_delta` and `message_stop`.
    pub fn events(text: &[&str], calls: &[(&str, &str, &str)], complete: bool) -> String {
        let mut events = vec![
            json!({"type": "message_start", "message": {"id": "msg_test", "usage": {"input_tokens": 10, "output_tokens": 1}}}),
        ];
        let mut index = 0;
        if !text.is_empty() {
            events.push(json!({"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}));
            for piece in text {
                events.push(json!({"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": piece}}));
            }
            events.push(json!({"type": "content_block_stop", "index": index}));
            index += 1;
        }
        for (id, name, input) in calls {
            events.push(json!({"type": "content_block_start", "index": index, "content_block": {"type": "tool_use", "id": id, "name": name, "input": {}}}));
            let (first, second) = input.split_at(input.len() / 2);
            for piece in [first, second] {
                events.push(json!({"type": "content_block_delta", "index": index, "delta": {"type": "input_json_delta", "partial_json": piece}}));
            }
            events.push(json!({"type": "content_block_stop", "index": index}));
            index += 1;
        }
        if complete {
            let reason = if calls.is_empty() {
                "end_turn"
            } else {
                "tool_use"
            };
            events.push(json!({"type": "message_delta", "delta": {"stop_reason": reason}, "usage": {"output_tokens": 7}}));
            events.push(json!({"type": "message_stop"}));
        }
        events
            .iter()
            .map(|event| {
                format!(
                    "event: {}\ndata: {event}\n\n",
                    event["type"].as_str().unwrap_or("")
                )
            })
            .collect()
    }
}
