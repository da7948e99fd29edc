//! `orchestrator chat [PROMPT]`: one run with a prompt, a conversation without one.

use std::process::ExitCode;

use anyhow::Result;
use tokio::io::AsyncBufReadExt;
use tokio_util::sync::CancellationToken;

use super::terminal::{LiveTranscript, write_out};
use crate::agent::{Agent, Outcome, Quiet, Run};
use crate::llm::{Message, Model};
use crate::toolbox::Toolbox;

/// Runs `prompt`, or reads prompts from stdin until EOF or `/exit`.
pub(super) async fn chat(
    toolbox: &Toolbox,
    agent: &Agent<'_>,
    model: &dyn Model,
    prompt: Option<String>,
    json: bool,
) -> Result<ExitCode> {
    let mut conversation = Vec::new();
    if let Some(prompt) = prompt {
        let run = run_once(agent, model, &mut conversation, &prompt, json).await?;
        return Ok(exit_code(&run.outcome));
    }
    if toolbox.registry().is_empty() {
        eprintln!("warning: no tools are available; `orchestrator doctor` says why");
    }
    eprintln!(
        "chatting with {} over {} tools. /reset forgets the conversation, /exit (or Ctrl-D) ends it; Ctrl-C stops a run.",
        model.describe(),
        toolbox.registry().len()
    );
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    loop {
        eprint!("you> ");
        let line = tokio::select! {
            line = lines.next_line() => line?,
            _ = tokio::signal::ctrl_c() => None,
        };
        let Some(line) = line else {
            eprintln!();
            return Ok(ExitCode::SUCCESS);
        };
        match line.trim() {
            "" => continue,
            "/exit" | "/quit" => return Ok(ExitCode::SUCCESS),
            "/reset" => {
                conversation.clear();
                eprintln!("(conversation forgotten)");
                continue;
            }
            prompt => {
                run_once(agent, model, &mut conversation, prompt, json).await?;
            }
        }
    }
}

/// One run, shown live (or printed as JSON at the end); Ctrl-C cancels it.
async fn run_once(
    agent: &Agent<'_>,
    model: &dyn Model,
    conversation: &mut Vec<Message>,
    prompt: &str,
    json: bool,
) -> Result<Run> {
    let cancel = CancellationToken::new();
    let on_ctrl_c = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.cancel();
            }
        })
    };
    let run = if json {
        let run = agent.run(conversation, prompt, &cancel, &Quiet).await;
        write_out(&format!("{}\n", serde_json::to_string_pretty(&run)?));
        run
    } else {
        let live = LiveTranscript::start(&model.describe(), prompt);
        let run = agent.run(conversation, prompt, &cancel, &live).await;
        live.finish(&run);
        run
    };
    on_ctrl_c.abort();
    Ok(run)
}

/// 0 for an answer, 1 when the run stopped short, 130 after Ctrl-C (as shells report it).
pub(super) fn exit_code(outcome: &Outcome) -> ExitCode {
    match outcome {
        Outcome::Answered => ExitCode::SUCCESS,
        Outcome::Interrupted => ExitCode::from(130),
        Outcome::StepLimit { .. } | Outcome::ModelFailed { .. } => ExitCode::from(1),
    }
}
