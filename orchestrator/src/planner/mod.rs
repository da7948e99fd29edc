//! The offline planner: the model to use when there is no LLM. It is deterministic and says
//! plainly that it is not an LLM.
//!
//! It splits a request into tasks ("what is 2^64 - 1, and is it prime? then list the files in
//! docs"), picks a tool for each (`rank`: BM25 over the registry plus the evidence of the
//! arguments it can fill), fills the arguments from the request and the tool's schema
//! (`clues`, `fill`), and calls the tools through the agent loop like any model would:
//! independent tasks together in one turn, a task that refers back to a result ("is it
//! prime") in the next. When every task has its result it answers with a summary of each
//! (`summary`).
//!
//! ```
//! use orchestrator::llm::{Message, Model};
//! let planner = orchestrator::planner::Planner::new();
//! assert!(planner.describe().contains("not an LLM"));
//! ```

mod clues;
mod fill;
mod rank;
mod summary;

use futures::FutureExt;
use futures::future::BoxFuture;
use rmcp::model::{JsonObject, Tool};

use crate::llm::{Message, Model, ModelError, Reply, Request, ToolCall, ToolOutput};
use clues::Clues;
use rank::{Choice, Ranker};

/// What every answer of the planner starts with.
pub const LABEL: &str = "[offline planner, not an LLM]";

/// Stands in for an earlier result while choosing a tool for a task that refers back to one.
const PLACEHOLDER_RESULT: &str = "1";

/// Where one sentence of a request ends and the next begins, tried in this order.
const SENTENCE_ENDS: [&str; 9] = [
    "\n",
    "; ",
    ". ",
    "? ",
    "! ",
    ", and then ",
    " and then ",
    ", then ",
    " then ",
];

/// Where one clause of a sentence ends. A clause that no tool fits is joined back to the one
/// before it in the same sentence, so "add 2 and 3" stays one task.
const CLAUSE_ENDS: [&str; 3] = [", and ", " and ", ", "];

/// Words that join a task to the one before and are not part of it ("Then list docs").
const LEADING_CONJUNCTIONS: [&str; 4] = ["then", "and", "also", "next"];

/// The offline planner.
#[derive(Debug, Clone, Copy, Default)]
pub struct Planner;

impl Planner {
    /// A planner.
    pub fn new() -> Self {
        Self
    }
}

impl Model for Planner {
    fn describe(&self) -> String {
        "offline planner (not an LLM: BM25 tool ranking and argument extraction)".to_owned()
    }

    fn complete<'a>(&'a self, request: Request<'a>) -> BoxFuture<'a, Result<Reply, ModelError>> {
        async move {
            let reply = next_reply(request.messages, request.tools);
            request.sink.text(&reply.text);
            Ok(reply)
        }
        .boxed()
    }
}

/// One task of a request.
#[derive(Debug, Clone)]
struct Task {
    clues: Clues,
    choice: Option<Choice>,
}

/// Where a task stands, replayed from the conversation.
enum Progress<'a> {
    /// No tool fits it.
    Unplanned,
    /// It needs the result of the task before, which failed, was skipped or has no value.
    Skipped,
    /// Its call was answered.
    Done(&'a ToolOutput),
    /// Its call is still to be made.
    Pending,
}

/// The planner's next message for the conversation so far: the next calls, or the answer.
fn next_reply(messages: &[Message], tools: &[Tool]) -> Reply {
    let Some((asked_at, request)) =
        messages
            .iter()
            .enumerate()
            .rev()
            .find_map(|(at, message)| match message {
                Message::User { text } => Some((at, text.as_str())),
                _ => None,
            })
    else {
        return answer(format!("{LABEL} There is no request to work on."));
    };
    let tasks = plan(request, tools);
    let mut outputs = messages[asked_at..]
        .iter()
        .filter_map(|message| match message {
            Message::Tool(output) => Some(output),
            _ => None,
        });
    let mut progress = Vec::with_capacity(tasks.len());
    let mut calls = Vec::new();
    let mut previous: Option<&ToolOutput> = None;
    // Replays the tasks against the answers so far: each task's arguments are worked out the
    // same way every turn, so the answers line up with the calls that asked for them.
    for (index, task) in tasks.iter().enumerate() {
        let Some(choice) = &task.choice else {
            progress.push(Progress::Unplanned);
            continue;
        };
        if task.clues.refers_back && !calls.is_empty() {
            // It needs a result of this batch: it goes out in the next turn.
            break;
        }
        let arguments = if task.clues.refers_back {
            previous
                .filter(|output| !output.is_error)
                .and_then(|output| summary::value(&output.text))
                .and_then(|value| {
                    let tool = tools.iter().find(|tool| tool.name == choice.tool)?;
                    fill::fill(tool, &task.clues, Some(&value))
                })
                .map(|filling| filling.arguments)
        } else {
            Some(choice.arguments.clone())
        };
        let Some(arguments) = arguments else {
            progress.push(Progress::Skipped);
            continue;
        };
        if calls.is_empty()
            && let Some(output) = outputs.next()
        {
            previous = Some(output);
            progress.push(Progress::Done(output));
            continue;
        }
        calls.push(call(index, &choice.tool, &arguments));
        progress.push(Progress::Pending);
    }
    if !calls.is_empty() {
        return Reply {
            text: String::new(),
            tool_calls: calls,
            stop_reason: Some("tool_calls".to_owned()),
            usage: None,
        };
    }
    answer(report(&tasks, &progress))
}

/// The tasks of a request, each with the tool chosen for it.
fn plan(request: &str, tools: &[Tool]) -> Vec<Task> {
    let ranker = Ranker::new(tools);
    let choose = |text: &str| {
        let clues = Clues::of(text);
        let previous = clues.refers_back.then_some(PLACEHOLDER_RESULT);
        let choice = ranker.choose(&clues, previous);
        Task { clues, choice }
    };
    let mut tasks: Vec<Task> = Vec::new();
    for sentence in split(request, &SENTENCE_ENDS) {
        let first_of_sentence = tasks.len();
        for clause in split(&sentence, &CLAUSE_ENDS) {
            let task = choose(&clause);
            let joins_previous = task.choice.is_none() && tasks.len() > first_of_sentence;
            match tasks.last_mut() {
                Some(last) if joins_previous => {
                    *last = choose(&format!("{} and {}", last.clues.text, clause));
                }
                _ => tasks.push(task),
            }
        }
    }
    tasks
}

/// `text` cut at every separator, in order, without empty pieces or leading conjunctions.
fn split(text: &str, separators: &[&str]) -> Vec<String> {
    let mut pieces = vec![text.trim().to_owned()];
    for separator in separators {
        pieces = pieces
            .iter()
            .flat_map(|piece| split_ignoring_case(piece, separator))
            .collect();
    }
    pieces
        .into_iter()
        .map(|piece| {
            let mut piece = piece.trim().trim_end_matches(['.', '?', '!']).trim();
            while let Some((first, rest)) = piece.split_once(' ')
                && LEADING_CONJUNCTIONS.contains(&first.to_lowercase().as_str())
            {
                piece = rest.trim_start();
            }
            piece.to_owned()
        })
        .filter(|piece| !piece.is_empty())
        .collect()
}

fn split_ignoring_case(text: &str, separator: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        return vec![text.to_owned()];
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    for (at, _) in lower.match_indices(separator) {
        if at < start {
            continue;
        }
        pieces.push(text[start..at].to_owned());
        start = at + separator.len();
    }
    pieces.push(text[start..].to_owned());
    pieces
}

fn call(index: usize, tool: &str, arguments: &JsonObject) -> ToolCall {
    ToolCall {
        id: format!("plan_{index}"),
        name: tool.to_owned(),
        arguments: serde_json::Value::Object(arguments.clone()).to_string(),
    }
}

fn answer(text: String) -> Reply {
    Reply {
        text,
        tool_calls: Vec::new(),
        stop_reason: Some("stop".to_owned()),
        usage: None,
    }
}

/// The final answer: one line per task.
fn report(tasks: &[Task], progress: &[Progress<'_>]) -> String {
    let mut lines = vec![format!(
        "{LABEL} I split the request into {} and matched tools by their descriptions:",
        plural(tasks.len(), "task")
    )];
    for (number, (task, state)) in tasks.iter().zip(progress).enumerate() {
        let number = number + 1;
        let text = &task.clues.text;
        let line = match (state, &task.choice) {
            (Progress::Done(output), _) if output.is_error => format!(
                "{number}. \"{text}\" → {} failed: {}",
                output.name,
                output.text.lines().next().unwrap_or_default()
            ),
            (Progress::Done(output), _) => format!(
                "{number}. \"{text}\" → {}: {}",
                output.name,
                summary::summarize(&output.text)
            ),
            (Progress::Skipped, _) => format!(
                "{number}. \"{text}\" was skipped: it refers to the result before it, and there is none."
            ),
            (Progress::Pending, Some(choice)) => {
                format!("{number}. \"{text}\" → {} was not run.", choice.tool)
            }
            (Progress::Unplanned | Progress::Pending, _) => format!(
                "{number}. \"{text}\": no tool fits it (or its arguments are not in the request). `orchestrator tools` lists every tool; `orchestrator call` calls one directly."
            ),
        };
        lines.push(line);
    }
    lines.join("\n")
}

fn plural(count: usize, noun: &str) -> String {
    format!("{count} {noun}{}", if count == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests;
