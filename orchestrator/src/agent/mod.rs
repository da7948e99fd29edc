//! The agent loop: a model reads the conversation and the merged registry, its tool calls go
//! through the [`Toolbox`] (so to the server that owns each tool), their results go back to it,
//! and so on until it answers.
//!
//! Nothing a model does ends the loop badly: a call to a tool that does not exist, arguments
//! that are not JSON, and tool errors are answered to the model as errors it can correct. The
//! loop ends when the model answers, at the step limit, when the caller cancels (Ctrl-C), or
//! when the model itself cannot be reached; each of these is an [`Outcome`] in the [`Run`].
//!
//! ```no_run
//! # async fn demo(toolbox: &orchestrator::Toolbox) {
//! use orchestrator::agent::{Agent, AgentOptions, Quiet};
//! use orchestrator::planner::Planner;
//! let planner = Planner::new();
//! let agent = Agent::new(toolbox, &planner, AgentOptions::default());
//! let mut conversation = Vec::new();
//! let cancel = tokio_util::sync::CancellationToken::new();
//! let run = agent.run(&mut conversation, "what is 2^64 - 1", &cancel, &Quiet).await;
//! println!("{}", run.to_text());
//! # }
//! ```

mod transcript;

use std::time::{Duration, Instant};

use futures::future::join_all;
use rmcp::model::{JsonObject, Tool};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::content;
use crate::llm::{Message, Model, Request, StreamSink, ToolCall, ToolOutput};
use crate::router::CallError;
use crate::toolbox::Toolbox;

pub use transcript::{CallRecord, Outcome, Run, Step, first_lines};

/// What the model is told before the conversation.
pub const SYSTEM_PROMPT: &str = "You are an assistant with tools from several MCP servers; each tool's name starts with its server's name. Use tools when they help, several at once when they are independent. When a tool reports an error, read it and correct the call or explain the problem. Answer briefly.";

/// Limits and instructions of a run.
#[derive(Debug, Clone)]
pub struct AgentOptions {
    /// The most model replies in one run.
    pub max_steps: usize,
    /// Instructions before the conversation.
    pub system_prompt: String,
    /// The most characters of one tool result passed to the model; the rest is cut, saying so.
    pub max_tool_output: usize,
}

impl Default for AgentOptions {
    fn default() -> Self {
        Self {
            max_steps: 10,
            system_prompt: SYSTEM_PROMPT.to_owned(),
            max_tool_output: 20_000,
        }
    }
}

/// Hears about a run while it happens: the model's text (as a [`StreamSink`]) and each call.
pub trait Observer: StreamSink {
    /// A step starts: the model is asked.
    fn step(&self, _index: usize) {}
    /// A tool call was answered.
    fn called(&self, _record: &CallRecord) {}
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct Quiet;

impl StreamSink for Quiet {
    fn text(&self, _delta: &str) {}
    fn retrying(&self, _reason: &str, _wait: Duration) {}
}

impl Observer for Quiet {}

/// A model and a toolbox, put to work.
pub struct Agent<'a> {
    toolbox: &'a Toolbox,
    model: &'a dyn Model,
    options: AgentOptions,
}

impl<'a> Agent<'a> {
    /// An agent that uses `model` with `toolbox`'s tools.
    pub fn new(toolbox: &'a Toolbox, model: &'a dyn Model, options: AgentOptions) -> Self {
        Self {
            toolbox,
            model,
            options,
        }
    }

    /// Adds `prompt` to `conversation` and runs until the model answers, the step limit, or
    /// `cancel`. The conversation keeps every message, so a later run continues it.
    pub async fn run(
        &self,
        conversation: &mut Vec<Message>,
        prompt: &str,
        cancel: &CancellationToken,
        observer: &dyn Observer,
    ) -> Run {
        let started = Instant::now();
        let first_message = conversation.len();
        conversation.push(Message::user(prompt));
        let mut steps = Vec::new();
        let mut outcome = Outcome::StepLimit {
            max_steps: self.options.max_steps,
        };
        let mut answer = String::new();
        for index in 0..self.options.max_steps {
            observer.step(index);
            // Each step sees the registry as it is now: servers come and go.
            let tools: Vec<Tool> = self
                .toolbox
                .registry()
                .entries()
                .map(|entry| entry.exposed_tool())
                .collect();
            let request = Request {
                system: &self.options.system_prompt,
                messages: conversation,
                tools: &tools,
                sink: observer,
            };
            let asked = Instant::now();
            let reply = tokio::select! {
                () = cancel.cancelled() => {
                    outcome = Outcome::Interrupted;
                    break;
                }
                reply = self.model.complete(request) => reply,
            };
            let reply = match reply {
                Ok(reply) => reply,
                Err(error) => {
                    outcome = Outcome::ModelFailed {
                        error: error.to_string(),
                    };
                    break;
                }
            };
            let mut step = Step {
                text: reply.text.clone(),
                calls: Vec::new(),
                model_ms: millis(asked.elapsed()),
                stop_reason: reply.stop_reason.clone(),
                usage: reply.usage,
            };
            conversation.push(Message::Assistant {
                text: reply.text.clone(),
                tool_calls: reply.tool_calls.clone(),
            });
            if reply.tool_calls.is_empty() {
                answer = reply.text;
                outcome = Outcome::Answered;
                steps.push(step);
                break;
            }
            let calls = join_all(
                reply
                    .tool_calls
                    .iter()
                    .map(|call| self.call(call, observer)),
            );
            let finished = tokio::select! {
                () = cancel.cancelled() => None,
                finished = calls => Some(finished),
            };
            let Some(finished) = finished else {
                // Every call needs an answer before the model can be asked again.
                for call in &reply.tool_calls {
                    conversation.push(Message::Tool(ToolOutput {
                        call_id: call.id.clone(),
                        name: call.name.clone(),
                        text: "interrupted by the user before it finished".to_owned(),
                        is_error: true,
                    }));
                }
                steps.push(step);
                outcome = Outcome::Interrupted;
                break;
            };
            for (output, record) in finished {
                conversation.push(Message::Tool(output));
                step.calls.push(record);
            }
            steps.push(step);
        }
        Run {
            model: self.model.describe(),
            prompt: prompt.to_owned(),
            answer,
            outcome,
            steps,
            messages: conversation[first_message..].to_vec(),
            elapsed_ms: millis(started.elapsed()),
        }
    }

    /// One call: arguments checked, routed, answered (an error answer when anything fails).
    async fn call(&self, call: &ToolCall, observer: &dyn Observer) -> (ToolOutput, CallRecord) {
        let started = Instant::now();
        let registry = self.toolbox.registry();
        let entry = registry.get(&call.name);
        let arguments = parse_arguments(&call.arguments);
        let (text, is_error) = match &arguments {
            Err(problem) => (problem.clone(), true),
            Ok(arguments) => match self.toolbox.call(&call.name, arguments.clone()).await {
                Ok(result) => (content::to_text(&result), result.is_error == Some(true)),
                Err(CallError::UnknownTool { name, hint }) => (
                    format!(
                        "There is no tool named `{name}`: {hint}. Use one of the tools you were given, by its exact name."
                    ),
                    true,
                ),
                Err(error @ CallError::Rejected { .. }) => (
                    format!("{error}. Check the arguments against the tool's input schema."),
                    true,
                ),
            },
        };
        let text = cut(text, self.options.max_tool_output);
        let record = CallRecord {
            id: call.id.clone(),
            tool: call.name.clone(),
            server: entry.map(|entry| entry.server.clone()),
            original: entry.map(|entry| entry.original().to_owned()),
            arguments: serde_json::from_str(&call.arguments)
                .unwrap_or_else(|_| Value::String(call.arguments.clone())),
            is_error,
            output: text.clone(),
            elapsed_ms: millis(started.elapsed()),
        };
        observer.called(&record);
        let output = ToolOutput {
            call_id: call.id.clone(),
            name: call.name.clone(),
            text,
            is_error,
        };
        (output, record)
    }
}

/// The model's arguments as an object, or what is wrong with them, for the model to read.
fn parse_arguments(text: &str) -> Result<Option<JsonObject>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(Some(object)),
        Ok(Value::Null) => Ok(None),
        Ok(other) => Err(format!(
            "The arguments must be a JSON object, not {}. Call the tool again with an object that matches its input schema.",
            kind(&other)
        )),
        Err(error) => Err(format!(
            "The arguments are not valid JSON ({error}). Call the tool again with a JSON object that matches its input schema."
        )),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `text` cut to `limit` characters, saying how much is left out.
fn cut(text: String, limit: usize) -> String {
    let Some((end, _)) = text.char_indices().nth(limit) else {
        return text;
    };
    let left = text[end..].chars().count();
    format!(
        "{}\n[{left} more characters cut; ask the tool for a smaller part]",
        &text[..end]
    )
}

fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1e6).round() / 1e3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_that_are_not_an_object_are_explained() {
        assert_eq!(parse_arguments(""), Ok(None));
        assert_eq!(parse_arguments("null"), Ok(None));
        assert!(parse_arguments("{\"a\": 1}").is_ok_and(|args| args.is_some()));
        assert!(parse_arguments("[1, 2]").is_err_and(|e| e.contains("not an array")));
        assert!(parse_arguments("{\"a\": ").is_err_and(|e| e.contains("not valid JSON")));
    }

    #[test]
    fn long_outputs_are_cut_on_a_character_boundary() {
        assert_eq!(cut("short".to_owned(), 10), "short");
        let cut_text = cut("ééééé".to_owned(), 2);
        assert!(
            cut_text.starts_with("éé\n[3 more characters cut"),
            "{cut_text}"
        );
    }
}
