//! The record of a run: every step, every call with the server that answered it, timings, and
//! how the run ended; printed for people ([`Run::to_text`]) or as JSON (serde).

use serde::Serialize;
use serde_json::Value;

use crate::llm::{Message, Usage};

/// One run of the agent loop.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// Who answered ([`crate::llm::Model::describe`]).
    pub model: String,
    /// The user's request.
    pub prompt: String,
    /// The final answer (empty unless the outcome is [`Outcome::Answered`]).
    pub answer: String,
    /// How the run ended.
    pub outcome: Outcome,
    /// Each model reply and the calls it made.
    pub steps: Vec<Step>,
    /// The messages this run added to the conversation, from the user's request on.
    pub messages: Vec<Message>,
    /// Wall time of the whole run.
    pub elapsed_ms: f64,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// The model answered.
    Answered,
    /// The model was still calling tools after the step limit.
    StepLimit {
        /// The limit.
        max_steps: usize,
    },
    /// The caller cancelled (Ctrl-C).
    Interrupted,
    /// The model could not be asked (after retries).
    ModelFailed {
        /// Why.
        error: String,
    },
}

/// One model reply.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Its text.
    pub text: String,
    /// The calls it made, answered.
    pub calls: Vec<CallRecord>,
    /// How long the model took.
    pub model_ms: f64,
    /// Why it stopped, in the provider's words.
    pub stop_reason: Option<String>,
    /// Tokens, when the provider says.
    pub usage: Option<Usage>,
}

/// One tool call and its answer.
#[derive(Debug, Clone, Serialize)]
pub struct CallRecord {
    /// The call's id.
    pub id: String,
    /// The tool name the model used.
    pub tool: String,
    /// The server that owns the tool (none for an unknown tool).
    pub server: Option<String>,
    /// The tool's name on that server.
    pub original: Option<String>,
    /// The arguments (the raw text when it is not JSON).
    pub arguments: Value,
    /// Whether the answer is an error.
    pub is_error: bool,
    /// The answer as the model read it.
    pub output: String,
    /// Wall time of the call.
    pub elapsed_ms: f64,
}

impl CallRecord {
    /// `tool(args) [server, 1.2 ms]` on one line.
    pub fn headline(&self) -> String {
        let server = self.server.as_deref().unwrap_or("no server");
        let arguments = match &self.arguments {
            Value::String(raw) => raw.clone(),
            other => other.to_string(),
        };
        format!(
            "{} {arguments}  [{server}, {:.1} ms]",
            self.tool, self.elapsed_ms
        )
    }
}

impl Outcome {
    /// One line for the end of a transcript.
    pub fn describe(&self) -> String {
        match self {
            Self::Answered => "answered".to_owned(),
            Self::StepLimit { max_steps } => format!(
                "stopped at the step limit ({max_steps} model replies) while the model was still calling tools; raise --max-steps to let it go on"
            ),
            Self::Interrupted => "interrupted".to_owned(),
            Self::ModelFailed { error } => format!("the model could not answer: {error}"),
        }
    }
}

impl Run {
    /// A readable transcript.
    pub fn to_text(&self) -> String {
        let mut lines = vec![
            format!("model: {}", self.model),
            format!("> {}", self.prompt),
        ];
        for (index, step) in self.steps.iter().enumerate() {
            let usage = step
                .usage
                .map(|usage| {
                    format!(
                        ", {} tokens in, {} out",
                        usage.input_tokens, usage.output_tokens
                    )
                })
                .unwrap_or_default();
            lines.push(format!(
                "step {} ({:.1} ms{usage})",
                index + 1,
                step.model_ms
            ));
            if !step.text.is_empty() && !step.calls.is_empty() {
                lines.push(indent(&step.text, "  "));
            }
            for call in &step.calls {
                lines.push(format!("  → {}", call.headline()));
                let mark = if call.is_error { "  ✗ " } else { "  ← " };
                lines.push(format!("{mark}{}", first_lines(&call.output, 3)));
            }
        }
        if !self.answer.is_empty() {
            lines.push(self.answer.clone());
        }
        lines.push(format!(
            "({}; {} steps, {} tool calls, {:.1} ms)",
            self.outcome.describe(),
            self.steps.len(),
            self.steps
                .iter()
                .map(|step| step.calls.len())
                .sum::<usize>(),
            self.elapsed_ms
        ));
        lines.join("\n")
    }
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| format!("{prefix}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first `count` lines, each at most 200 characters, marking what is left out.
pub fn first_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut shown: Vec<String> = lines
        .iter()
        .take(count)
        .map(|line| {
            if line.chars().count() > 200 {
                format!("{}…", line.chars().take(200).collect::<String>())
            } else {
                (*line).to_owned()
            }
        })
        .collect();
    if lines.len() > count {
        shown.push(format!("… ({} more lines)", lines.len() - count));
    }
    shown.join("\n     ")
}
