//! Language models behind one small interface, so the agent loop does not care who answers.
//!
//! [`Model`] is implemented by the OpenAI-compatible Chat Completions provider ([`OpenAi`]: OpenAI,
//! Ollama, vLLM, llama.cpp, LM Studio, LiteLLM, OpenRouter), the Anthropic Messages provider
//! ([`Anthropic`]) and the offline planner ([`crate::planner::Planner`]). [`LlmSettings`] picks
//! one from flags and the usual environment variables.
//!
//! Both HTTP providers share `transport`: one reqwest client, retries with backoff on 429 and
//! 5xx (honouring `Retry-After`), an idle timeout on every read, and errors that say what to fix.

mod anthropic;
mod error;
mod message;
mod openai;
mod schema;
mod settings;
mod transport;

use std::time::Duration;

use futures::future::BoxFuture;
use rmcp::model::Tool;
use serde::Serialize;

pub use anthropic::Anthropic;
pub use error::ModelError;
pub use message::{Message, ToolCall, ToolOutput};
pub use openai::OpenAi;
pub use settings::{LlmSettings, Provider};
pub use transport::RetryPolicy;

/// Something that reads a conversation and the tools on offer, and answers with text, tool
/// calls, or both.
pub trait Model: Send + Sync {
    /// Who answers, for transcripts: the provider, model and endpoint, or the planner.
    fn describe(&self) -> String;

    /// The next assistant message. Text is passed to `request.sink` as it arrives.
    fn complete<'a>(&'a self, request: Request<'a>) -> BoxFuture<'a, Result<Reply, ModelError>>;
}

/// What a model is asked.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    /// Instructions that come before the conversation.
    pub system: &'a str,
    /// The conversation so far; the last message is the user's or a tool's.
    pub messages: &'a [Message],
    /// The tools it may call, under their exposed names.
    pub tools: &'a [Tool],
    /// Where streamed text and retries are reported as they happen.
    pub sink: &'a dyn StreamSink,
}

/// Receives a reply while it is being produced (the terminal prints it; tests ignore it).
pub trait StreamSink: Send + Sync {
    /// A piece of the answer's text.
    fn text(&self, delta: &str);
    /// The request failed and is being sent again after `wait`; text already streamed for it
    /// is void.
    fn retrying(&self, reason: &str, wait: Duration);
}

/// A sink that drops everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl StreamSink for Silent {
    fn text(&self, _delta: &str) {}
    fn retrying(&self, _reason: &str, _wait: Duration) {}
}

/// A model's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reply {
    /// The text.
    pub text: String,
    /// The tools it calls.
    pub tool_calls: Vec<ToolCall>,
    /// Why it stopped, in the provider's words (`stop`, `tool_calls`, `end_turn`, `length`…).
    pub stop_reason: Option<String>,
    /// Tokens used, when the provider says.
    pub usage: Option<Usage>,
}

/// Tokens used by one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Tokens read.
    pub input_tokens: u64,
    /// Tokens written.
    pub output_tokens: u64,
}
