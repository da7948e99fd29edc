//! The agent loop against a third-party OpenAI-compatible mock: `llmock` (PyPI), installed by
//! `scripts/install-peers.sh llmock` into `.peers/`. Its scripted replies, rate limits, cut
//! streams and broken tool calls are its own implementation of the API, not ours.

mod support;

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use orchestrator::agent::Outcome;
use serde_json::{Value, json};
use support::{agent_run, fleet, openai_settings};

/// How long llmock may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running llmock; killed when dropped.
struct Llmock {
    base: String,
    _child: tokio::process::Child,
}

impl Llmock {
    async fn start() -> Result<Self> {
        let program = tests::llmock()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = tokio::process::Command::new(program)
            .args(["serve", "--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--tool-mode", "off", "--log-level", "warning"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let ready = tokio::time::timeout(START_TIMEOUT, async {
            loop {
                let probe = client.get(format!("{base}/_llmock/scenario")).send().await;
                if probe.is_ok_and(|response| response.status().is_success()) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
        .await;
        if ready.is_err() {
            bail!("llmock did not answer on {base} within {START_TIMEOUT:?}");
        }
        Ok(Self {
            base,
            _child: child,
        })
    }

    /// Queues llmock behaviours for the next requests.
    async fn script(&self, behaviors: Value) -> Result<()> {
        let response = reqwest::Client::new()
            .post(format!("{}/_llmock/scenario", self.base))
            .header("content-type", "application/json")
            .body(json!({ "behaviors": behaviors }).to_string())
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("llmock refused the scenario: {}", response.text().await?);
        }
        Ok(())
    }

    fn model(&self, stream: bool) -> Result<Box<dyn orchestrator::llm::Model>> {
        let mut settings = openai_settings(&format!("{}/v1", self.base), stream, 2);
        settings.timeout = Duration::from_secs(10);
        Ok(settings.build()?)
    }

    /// The Anthropic provider on llmock's Messages API (under `/anthropic`).
    fn anthropic(&self, stream: bool) -> Result<Box<dyn orchestrator::llm::Model>> {
        let mut settings = openai_settings(&format!("{}/anthropic", self.base), stream, 2);
        settings.provider = orchestrator::llm::Provider::Anthropic;
        settings.timeout = Duration::from_secs(10);
        Ok(settings.build()?)
    }
}

#[tokio::test]
async fn llmock_drives_the_loop_through_a_rate_limit_to_the_math_server() -> Result<()> {
    let toolbox = fleet().await?;
    let llmock = Llmock::start().await?;
    for stream in [false, true] {
        llmock
            .script(json!([
                {"type": "fail", "status": 429, "retry_after": 0.2},
                {"type": "reply", "tool_calls": [{"name": "math__evaluate", "arguments": {"expression": "2^64 - 1"}}]},
                {"type": "reply", "text": "2^64 - 1 = 18446744073709551615"},
            ]))
            .await?;
        let model = llmock.model(stream)?;
        let (run, recorder) = agent_run(&toolbox, model.as_ref(), "what is 2^64 - 1?", 5).await;
        assert_eq!(
            run.outcome,
            Outcome::Answered,
            "stream {stream}: {}",
            run.to_text()
        );
        assert_eq!(recorder.retries().len(), 1, "the 429 was retried");
        let call = &run.steps[0].calls[0];
        assert_eq!(call.server.as_deref(), Some("math"));
        assert!(
            call.output.contains("18446744073709551615"),
            "{}",
            call.output
        );
        assert_eq!(run.answer, "2^64 - 1 = 18446744073709551615");
    }
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn llmock_cut_streams_and_broken_tool_calls_are_survived() -> Result<()> {
    let toolbox = fleet().await?;
    let llmock = Llmock::start().await?;
    llmock
        .script(json!([
            {"type": "stream_fault", "kind": "truncate", "after_chunks": 1},
            {"type": "reply", "tool_calls": [{"name": "math__add", "arguments": {"a": 2, "b": 3}}], "times": 2},
            {"type": "reply", "text": "5"},
        ]))
        .await?;
    let model = llmock.model(true)?;
    let (run, recorder) = agent_run(&toolbox, model.as_ref(), "add 2 and 3", 5).await;
    assert_eq!(run.outcome, Outcome::Answered, "{}", run.to_text());
    assert!(
        recorder
            .retries()
            .iter()
            .any(|reason| reason.contains("ended its answer early")),
        "{:?}",
        recorder.retries()
    );
    assert!(run.steps[0].calls[0].output.contains("\"5\""));

    for (fault, expected) in [
        ("malformed_arguments", "not valid JSON"),
        ("unknown_tool", "There is no tool named"),
    ] {
        llmock
            .script(json!([
                {"type": "tool_fault", "kind": fault},
                {"type": "reply", "text": "sorry"},
            ]))
            .await?;
        let model = llmock.model(false)?;
        let (run, _) = agent_run(&toolbox, model.as_ref(), "add 2 and 3", 5).await;
        assert_eq!(run.outcome, Outcome::Answered, "{fault}: {}", run.to_text());
        let call = run
            .steps
            .first()
            .and_then(|step| step.calls.first())
            .with_context(|| format!("{fault}: no call was made: {}", run.to_text()))?;
        assert!(call.is_error, "{fault}: {call:?}");
        assert!(call.output.contains(expected), "{fault}: {}", call.output);
    }
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn llmock_speaks_anthropic_messages_with_tool_use_too() -> Result<()> {
    let toolbox = fleet().await?;
    let llmock = Llmock::start().await?;
    for stream in [false, true] {
        llmock
            .script(json!([
                {"type": "reply", "tool_calls": [
                    {"name": "math__multiply", "arguments": {"a": 6, "b": 7}},
                    {"name": "fs__list_allowed_directories", "arguments": {}},
                ]},
                {"type": "reply", "text": "6 x 7 = 42"},
            ]))
            .await?;
        let model = llmock.anthropic(stream)?;
        let (run, _) = agent_run(
            &toolbox,
            model.as_ref(),
            "6 times 7, and where may you read?",
            5,
        )
        .await;
        assert_eq!(
            run.outcome,
            Outcome::Answered,
            "stream {stream}: {}",
            run.to_text()
        );
        let calls = &run.steps[0].calls;
        assert_eq!(calls.len(), 2, "stream {stream}: {}", run.to_text());
        assert!(calls[0].output.contains("\"42\""), "{}", calls[0].output);
        assert_eq!(calls[1].server.as_deref(), Some("fs"));
        assert!(!calls[1].is_error, "{}", calls[1].output);
        assert_eq!(run.answer, "6 x 7 = 42");
    }
    toolbox.shutdown().await;
    Ok(())
}
