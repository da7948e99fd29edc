//! The agent loop against a scripted OpenAI-compatible endpoint on loopback (real HTTP), over
//! real tool servers: multi-turn conversations, parallel calls, tool errors fed back, and every
//! fault an endpoint or a model can commit.

mod support;

use std::time::Duration;

use anyhow::Result;
use orchestrator::agent::Outcome;
use serde_json::{Value, json};
use support::{agent_run, fleet, model_error, openai_model};
use tests::fake_llm::{FakeLlm, Scripted, openai};

/// The tool messages of a recorded request, as `(tool_call_id, content)`.
fn tool_messages(request: &Value) -> Vec<(String, String)> {
    request["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|message| message["role"] == "tool")
        .map(|message| {
            (
                message["tool_call_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                message["content"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn parallel_calls_and_a_tool_error_go_back_to_the_model() -> Result<()> {
    let toolbox = fleet().await?;
    let fake = FakeLlm::start(vec![
        Scripted::json(openai::calls(&[
            ("c1", "math__add", r#"{"a": 2, "b": 3}"#),
            ("c2", "math__evaluate", r#"{"expression": "1/0"}"#),
        ])),
        Scripted::json(openai::text("2 + 3 = 5, and 1/0 is undefined.")),
    ])
    .await?;
    let model = openai_model(&fake, false, 0)?;
    let (run, _) = agent_run(&toolbox, model.as_ref(), "add 2 and 3; divide 1 by 0", 10).await;

    assert_eq!(run.outcome, Outcome::Answered);
    assert_eq!(run.answer, "2 + 3 = 5, and 1/0 is undefined.");
    assert_eq!(run.steps.len(), 2);
    let calls = &run.steps[0].calls;
    assert_eq!(calls.len(), 2, "both calls of one turn are made");
    assert_eq!(calls[0].server.as_deref(), Some("math"));
    assert_eq!(calls[0].original.as_deref(), Some("add"));
    assert!(
        !calls[0].is_error && calls[0].output.contains("\"5\""),
        "{:?}",
        calls[0]
    );
    assert!(calls[1].is_error, "{:?}", calls[1]);

    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    let tools = requests[0]["tools"].as_array().cloned().unwrap_or_default();
    assert!(
        tools
            .iter()
            .any(|tool| tool["function"]["name"] == "math__add")
    );
    assert!(
        tools
            .iter()
            .all(|tool| tool["function"]["parameters"].get("$schema").is_none())
    );
    assert_eq!(requests[0]["messages"][0]["role"], "system");
    let fed_back = tool_messages(&requests[1]);
    assert_eq!(fed_back.len(), 2);
    assert_eq!(fed_back[0].0, "c1");
    assert!(fed_back[0].1.contains("\"5\""), "{fed_back:?}");
    assert!(fed_back[1].1.starts_with("[tool error]"), "{fed_back:?}");
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_streamed_conversation_shows_its_text_as_it_arrives() -> Result<()> {
    let toolbox = fleet().await?;
    let fake = FakeLlm::start(vec![
        Scripted::events(openai::events(
            &openai::stream_calls(&[
                ("c1", "math__multiply", r#"{"a": 6, "b": 7}"#),
                ("c2", "fs__list_allowed_directories", "{}"),
            ]),
            true,
        )),
        Scripted::events(openai::events(
            &openai::stream_text(&["The answer ", "is ", "42."]),
            true,
        )),
    ])
    .await?;
    let model = openai_model(&fake, true, 0)?;
    let (run, recorder) = agent_run(&toolbox, model.as_ref(), "6 times 7?", 10).await;

    assert_eq!(run.outcome, Outcome::Answered, "{}", run.to_text());
    assert_eq!(run.answer, "The answer is 42.");
    assert_eq!(recorder.texts(), ["The answer ", "is ", "42."]);
    let calls = &run.steps[0].calls;
    assert_eq!(calls[0].arguments, json!({"a": 6, "b": 7}));
    assert!(calls[0].output.contains("\"42\""), "{:?}", calls[0]);
    assert_eq!(calls[1].server.as_deref(), Some("fs"));
    assert!(!calls[1].is_error);
    assert_eq!(fake.requests()[0]["stream"], json!(true));
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn unknown_tools_and_malformed_arguments_are_answered_as_errors() -> Result<()> {
    let toolbox = fleet().await?;
    let fake = FakeLlm::start(vec![
        Scripted::json(openai::calls(&[
            ("c1", "math__ad", r#"{"a": 1, "b": 2}"#),
            ("c2", "math__add", r#"{"a": 1, "b": "#),
            ("c3", "math__add", "[1, 2]"),
            ("c4", "math__add", r#"{"a": "x", "b": 2}"#),
        ])),
        Scripted::json(openai::calls(&[("c5", "math__add", r#"{"a": 1, "b": 2}"#)])),
        Scripted::json(openai::text("3")),
    ])
    .await?;
    let model = openai_model(&fake, false, 0)?;
    let (run, _) = agent_run(&toolbox, model.as_ref(), "add 1 and 2", 10).await;

    assert_eq!(run.outcome, Outcome::Answered);
    let calls = &run.steps[0].calls;
    assert!(calls.iter().all(|call| call.is_error), "{calls:?}");
    assert_eq!(calls[0].server, None);
    assert!(
        calls[0].output.contains("no tool named `math__ad`"),
        "{}",
        calls[0].output
    );
    assert!(
        calls[0].output.contains("math__add"),
        "a near name is suggested: {}",
        calls[0].output
    );
    assert!(
        calls[1].output.contains("not valid JSON"),
        "{}",
        calls[1].output
    );
    assert_eq!(
        calls[1].arguments,
        json!(r#"{"a": 1, "b": "#),
        "the raw text is kept"
    );
    assert!(
        calls[2].output.contains("not an array"),
        "{}",
        calls[2].output
    );
    assert_eq!(
        calls[3].server.as_deref(),
        Some("math"),
        "a bad value reaches the server"
    );
    assert!(
        !run.steps[1].calls[0].is_error,
        "the model corrected itself"
    );
    assert_eq!(tool_messages(&fake.requests()[1]).len(), 4);
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn empty_choices_end_the_run_but_not_the_conversation() -> Result<()> {
    let toolbox = fleet().await?;
    let fake = FakeLlm::start(vec![
        Scripted::json(json!({"id": "x", "object": "chat.completion", "choices": []})),
        Scripted::json(openai::text("hello again")),
    ])
    .await?;
    let model = openai_model(&fake, false, 0)?;
    let agent = orchestrator::agent::Agent::new(
        &toolbox,
        model.as_ref(),
        orchestrator::agent::AgentOptions::default(),
    );
    let cancel = tokio_util::sync::CancellationToken::new();
    let mut conversation = Vec::new();
    let first = agent
        .run(
            &mut conversation,
            "hi",
            &cancel,
            &orchestrator::agent::Quiet,
        )
        .await;
    let error = model_error(&first);
    assert!(error.contains("empty `choices`"), "{error}");
    let second = agent
        .run(
            &mut conversation,
            "hi?",
            &cancel,
            &orchestrator::agent::Quiet,
        )
        .await;
    assert_eq!(second.outcome, Outcome::Answered);
    assert_eq!(second.answer, "hello again");
    let messages = fake.requests()[1]["messages"].clone();
    let users = messages
        .as_array()
        .into_iter()
        .flatten()
        .filter(|message| message["role"] == "user")
        .count();
    assert_eq!(
        users, 2,
        "the failed turn's request stays in the conversation"
    );
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_truncated_stream_is_retried_and_reported_when_it_persists() -> Result<()> {
    let toolbox = fleet().await?;
    let cut = || {
        Scripted::events(openai::events(
            &openai::stream_text(&["half an "])[..2],
            false,
        ))
    };
    let fake = FakeLlm::start(vec![
        cut(),
        Scripted::events(openai::events(
            &openai::stream_text(&["whole answer"]),
            true,
        )),
    ])
    .await?;
    let model = openai_model(&fake, true, 1)?;
    let (run, recorder) = agent_run(&toolbox, model.as_ref(), "hi", 10).await;
    assert_eq!(run.outcome, Outcome::Answered);
    assert_eq!(run.answer, "whole answer");
    assert_eq!(recorder.retries().len(), 1);
    assert!(recorder.retries()[0].contains("ended its answer early"));

    let fake = FakeLlm::start(vec![cut(), cut()]).await?;
    let model = openai_model(&fake, true, 1)?;
    let (run, _) = agent_run(&toolbox, model.as_ref(), "hi", 10).await;
    let error = model_error(&run);
    assert!(
        error.contains("without a finish_reason or [DONE]"),
        "{error}"
    );
    assert_eq!(fake.requests().len(), 2);
    toolbox.shutdown().await;
    Ok(())
}

/// A run whose first request fails with `status`, then gets `extra`; with one retry.
async fn failure(
    toolbox: &orchestrator::Toolbox,
    status: u16,
    extra: Vec<Scripted>,
) -> Result<(orchestrator::agent::Run, usize)> {
    let mut script = vec![Scripted::error(status, "scripted failure")];
    script.extend(extra);
    let fake = FakeLlm::start(script).await?;
    let model = openai_model(&fake, false, 1)?;
    let (run, _) = agent_run(toolbox, model.as_ref(), "hi", 10).await;
    Ok((run, fake.requests().len()))
}

#[tokio::test]
async fn http_errors_are_explained_and_only_transient_ones_retried() -> Result<()> {
    let toolbox = fleet().await?;
    let (run, requests) = failure(&toolbox, 401, vec![]).await?;
    assert_eq!(requests, 1, "a refused key is not retried");
    let error = model_error(&run);
    assert!(
        error.contains("refused the API key") && error.contains("FAKE_LLM_KEY"),
        "{error}"
    );
    let (run, requests) = failure(&toolbox, 404, vec![]).await?;
    assert_eq!(requests, 1);
    let error = model_error(&run);
    assert!(
        error.contains("model `fake`") && error.contains("--model"),
        "{error}"
    );
    let (run, requests) = failure(
        &toolbox,
        500,
        vec![Scripted::json(openai::text("recovered"))],
    )
    .await?;
    assert_eq!((run.outcome, requests), (Outcome::Answered, 2));
    let (run, requests) = failure(&toolbox, 503, vec![Scripted::error(503, "still down")]).await?;
    assert_eq!(requests, 2, "one retry, then the error");
    let error = model_error(&run);
    assert!(
        error.contains("HTTP 503") && error.contains("still down"),
        "{error}"
    );
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn rate_limits_honour_retry_after_within_reason() -> Result<()> {
    let toolbox = fleet().await?;
    let fake = FakeLlm::start(vec![
        Scripted::error(429, "slow down").header("retry-after", "0.2"),
        Scripted::json(openai::text("done")),
    ])
    .await?;
    let model = openai_model(&fake, false, 2)?;
    let (run, recorder) = agent_run(&toolbox, model.as_ref(), "hi", 10).await;
    assert_eq!(run.outcome, Outcome::Answered);
    assert_eq!(
        recorder.waits(),
        [Duration::from_millis(200)],
        "the wait asked for"
    );

    let fake = FakeLlm::start(vec![
        Scripted::error(429, "come back tomorrow").header("retry-after", "86400"),
    ])
    .await?;
    let model = openai_model(&fake, false, 2)?;
    let (run, _) = agent_run(&toolbox, model.as_ref(), "hi", 10).await;
    assert_eq!(
        fake.requests().len(),
        1,
        "a wait past the limit is not slept"
    );
    let error = model_error(&run);
    assert!(
        error.contains("HTTP 429") && error.contains("86400 s"),
        "{error}"
    );
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn hung_endpoints_time_out_and_garbage_is_reported() -> Result<()> {
    let toolbox = fleet().await?;
    let fake = FakeLlm::start(vec![Scripted::hang(), Scripted::hang()]).await?;
    let mut settings = support::openai_settings(&fake.openai_base(), false, 1);
    settings.timeout = Duration::from_millis(500);
    let model = settings.build()?;
    let (run, _) = agent_run(&toolbox, model.as_ref(), "hi", 10).await;
    let error = model_error(&run);
    assert!(error.contains("sent nothing for 0.5 s"), "{error}");
    assert_eq!(fake.requests().len(), 2, "a timeout is retried");

    let fake = FakeLlm::start(vec![Scripted::text("<html>gateway error</html>")]).await?;
    let model = openai_model(&fake, false, 1)?;
    let (run, _) = agent_run(&toolbox, model.as_ref(), "hi", 10).await;
    let error = model_error(&run);
    assert!(
        error.contains("not a valid OpenAI Chat Completions answer"),
        "{error}"
    );

    let unreachable = support::openai_settings("http://127.0.0.1:9/v1", false, 0).build()?;
    let (run, _) = agent_run(&toolbox, unreachable.as_ref(), "hi", 10).await;
    let error = model_error(&run);
    assert!(error.contains("cannot reach"), "{error}");
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_tool_server_that_dies_mid_conversation_is_an_error_the_model_works_around() -> Result<()>
{
    let toolbox = fleet().await?;
    let fake = FakeLlm::start(vec![
        Scripted::json(openai::calls(&[("c1", "faulty__crash", "{}")])),
        Scripted::json(openai::calls(&[("c2", "math__add", r#"{"a": 1, "b": 1}"#)])),
        Scripted::json(openai::text("faulty crashed; 1 + 1 = 2")),
    ])
    .await?;
    let model = openai_model(&fake, false, 0)?;
    let (run, _) = agent_run(&toolbox, model.as_ref(), "crash, then add", 10).await;
    assert_eq!(run.outcome, Outcome::Answered);
    let crash = &run.steps[0].calls[0];
    assert!(crash.is_error);
    assert!(crash.output.contains("connection_lost"), "{}", crash.output);
    assert!(
        !run.steps[1].calls[0].is_error,
        "the other servers keep answering"
    );
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_step_limit_and_cancellation_end_a_run_cleanly() -> Result<()> {
    let toolbox = fleet().await?;
    let add = || Scripted::json(openai::calls(&[("c", "math__add", r#"{"a": 1, "b": 1}"#)]));
    let fake = FakeLlm::start(vec![add(), add(), add()]).await?;
    let model = openai_model(&fake, false, 0)?;
    let (run, _) = agent_run(&toolbox, model.as_ref(), "loop forever", 2).await;
    assert_eq!(run.outcome, Outcome::StepLimit { max_steps: 2 });
    assert_eq!(fake.unused(), 1);
    assert!(run.to_text().contains("--max-steps"));

    let fake = FakeLlm::start(vec![Scripted::hang()]).await?;
    let mut settings = support::openai_settings(&fake.openai_base(), false, 0);
    settings.timeout = Duration::from_secs(60);
    let model = settings.build()?;
    let agent = orchestrator::agent::Agent::new(
        &toolbox,
        model.as_ref(),
        orchestrator::agent::AgentOptions::default(),
    );
    let cancel = tokio_util::sync::CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        trigger.cancel();
    });
    let mut conversation = Vec::new();
    let run = tokio::time::timeout(
        Duration::from_secs(30),
        agent.run(
            &mut conversation,
            "hi",
            &cancel,
            &orchestrator::agent::Quiet,
        ),
    )
    .await?;
    assert_eq!(run.outcome, Outcome::Interrupted);
    let json = serde_json::to_value(&run)?;
    assert_eq!(json["outcome"]["kind"], "interrupted");
    assert_eq!(json["messages"][0], json!({"role": "user", "text": "hi"}));
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn transcripts_name_the_server_of_every_call() -> Result<()> {
    let toolbox = fleet().await?;
    let fake = FakeLlm::start(vec![
        Scripted::json(openai::calls(&[
            ("c1", "math__add", r#"{"a": 2, "b": 2}"#),
            ("c2", "fs__list_allowed_directories", "{}"),
        ])),
        Scripted::json(openai::text("4, and one directory")),
    ])
    .await?;
    let model = openai_model(&fake, false, 0)?;
    let (run, _) = agent_run(&toolbox, model.as_ref(), "two things", 10).await;
    let text = run.to_text();
    assert!(
        text.contains("→ math__add {\"a\":2,\"b\":2}  [math,"),
        "{text}"
    );
    assert!(
        text.contains("→ fs__list_allowed_directories {}  [fs,"),
        "{text}"
    );
    assert!(text.contains("(answered; 2 steps, 2 tool calls"), "{text}");
    let json = serde_json::to_value(&run)?;
    assert_eq!(json["steps"][0]["calls"][1]["server"], "fs");
    assert_eq!(json["steps"][1]["usage"]["input_tokens"], 10);
    assert!(
        json["steps"][0]["calls"][0]["elapsed_ms"]
            .as_f64()
            .is_some()
    );
    toolbox.shutdown().await;
    Ok(())
}

/// Cancels the run as soon as a given tool's call is answered, recording the order of answers.
struct CancelAfter {
    tool: &'static str,
    cancel: tokio_util::sync::CancellationToken,
    answered: std::sync::Mutex<Vec<String>>,
}

impl orchestrator::llm::StreamSink for CancelAfter {
    fn text(&self, _delta: &str) {}
    fn retrying(&self, _reason: &str, _wait: Duration) {}
}

impl orchestrator::agent::Observer for CancelAfter {
    fn called(&self, record: &orchestrator::agent::CallRecord) {
        if let Ok(mut answered) = self.answered.lock() {
            answered.push(record.tool.clone());
        }
        if record.tool == self.tool {
            self.cancel.cancel();
        }
    }
}

#[tokio::test]
async fn the_calls_of_one_turn_run_at_once() -> Result<()> {
    let toolbox = fleet().await?;
    // `faulty__hang` never answers: if the calls ran one after the other, `math__add` (listed
    // second) could only be answered after it.
    let fake = FakeLlm::start(vec![Scripted::json(openai::calls(&[
        ("c1", "faulty__hang", "{}"),
        ("c2", "math__add", r#"{"a": 1, "b": 2}"#),
    ]))])
    .await?;
    let model = openai_model(&fake, false, 0)?;
    let agent = orchestrator::agent::Agent::new(
        &toolbox,
        model.as_ref(),
        orchestrator::agent::AgentOptions::default(),
    );
    let observer = CancelAfter {
        tool: "math__add",
        cancel: tokio_util::sync::CancellationToken::new(),
        answered: std::sync::Mutex::new(Vec::new()),
    };
    let mut conversation = Vec::new();
    let run = tokio::time::timeout(
        Duration::from_secs(30),
        agent.run(
            &mut conversation,
            "hang and add",
            &observer.cancel,
            &observer,
        ),
    )
    .await?;
    assert_eq!(run.outcome, Outcome::Interrupted);
    assert_eq!(
        observer
            .answered
            .lock()
            .map(|a| a.clone())
            .unwrap_or_default(),
        ["math__add"],
        "add was answered while hang was still running"
    );
    let answered: Vec<_> = conversation
        .iter()
        .filter_map(|message| match message {
            orchestrator::llm::Message::Tool(output) => Some(output.call_id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        answered,
        ["c1", "c2"],
        "every call of the turn has an answer"
    );
    toolbox.shutdown().await;
    Ok(())
}
