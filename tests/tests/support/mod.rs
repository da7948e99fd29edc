//! What the agent tests share: a small fleet of real servers, models pointed at a fake
//! endpoint with short limits, and an observer that records what a run reported.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use anyhow::Result;
use orchestrator::Toolbox;
use orchestrator::agent::{Agent, AgentOptions, Observer, Outcome, Run};
use orchestrator::llm::{LlmSettings, Model, Provider, RetryPolicy, StreamSink};
use serde_json::json;
use tests::binary;
use tests::fake_llm::FakeLlm;
use tokio_util::sync::CancellationToken;

/// The longest a test waits for one run.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// math, fs (read-only, on the workspace) and faulty-server (whose `crash` tool kills it).
pub(crate) async fn fleet() -> Result<Toolbox> {
    let root = tests::workspace_root();
    tests::fleet::start(json!({
        "math": {"command": binary("math-server")?},
        "fs": {"command": binary("fs-server")?, "args": ["--read-only", root]},
        "faulty": {
            "command": binary("faulty-server")?,
            "timeout": 5,
            "restart": {"initialDelay": 0.05, "maxDelay": 0.2},
        },
    }))
    .await
}

/// Settings for an OpenAI-compatible endpoint with short limits: 5 s of silence (a loaded
/// machine never stalls a local answer that long; the hang tests shorten it), quick retries.
/// The key is read from `FAKE_LLM_KEY`, which no test sets.
pub(crate) fn openai_settings(base: &str, stream: bool, retries: usize) -> LlmSettings {
    LlmSettings {
        provider: Provider::Openai,
        base_url: Some(base.to_owned()),
        model: Some("fake".to_owned()),
        api_key_env: Some("FAKE_LLM_KEY".to_owned()),
        timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_retries: retries,
            min_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(60),
        },
        stream,
        max_tokens: None,
    }
}

/// The OpenAI-compatible provider on `fake`.
#[allow(dead_code, reason = "not every test file uses every provider")]
pub(crate) fn openai_model(fake: &FakeLlm, stream: bool, retries: usize) -> Result<Box<dyn Model>> {
    Ok(openai_settings(&fake.openai_base(), stream, retries).build()?)
}

/// The Anthropic provider on `fake`, with the same limits.
#[allow(dead_code, reason = "not every test file uses every provider")]
pub(crate) fn anthropic_model(
    fake: &FakeLlm,
    stream: bool,
    retries: usize,
) -> Result<Box<dyn Model>> {
    let settings = LlmSettings {
        provider: Provider::Anthropic,
        base_url: Some(fake.origin.clone()),
        ..openai_settings(&fake.origin, stream, retries)
    };
    Ok(settings.build()?)
}

/// Runs one prompt on a fresh conversation, recording what the run reported.
pub(crate) async fn agent_run(
    toolbox: &Toolbox,
    model: &dyn Model,
    prompt: &str,
    max_steps: usize,
) -> (Run, Recorder) {
    let options = AgentOptions {
        max_steps,
        ..AgentOptions::default()
    };
    let agent = Agent::new(toolbox, model, options);
    let recorder = Recorder::default();
    let mut conversation = Vec::new();
    let run = tokio::time::timeout(
        RUN_TIMEOUT,
        agent.run(
            &mut conversation,
            prompt,
            &CancellationToken::new(),
            &recorder,
        ),
    )
    .await
    .unwrap_or_else(|_| panic!("the run of {prompt:?} took over {RUN_TIMEOUT:?}"));
    (run, recorder)
}

/// The error of a run that ended because the model failed; any other outcome fails the test.
#[allow(dead_code, reason = "not every test file looks at model failures")]
pub(crate) fn model_error(run: &Run) -> &str {
    match &run.outcome {
        Outcome::ModelFailed { error } => error,
        other => panic!("expected the model to fail, but the run ended with {other:?}"),
    }
}

/// Records the streamed text and the retries of a run.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    texts: Mutex<Vec<String>>,
    retries: Mutex<Vec<(String, Duration)>>,
}

impl Recorder {
    /// The text pieces, in order.
    #[allow(dead_code, reason = "not every test file looks at the streamed text")]
    pub(crate) fn texts(&self) -> Vec<String> {
        self.texts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The reason of each retry.
    #[allow(dead_code, reason = "not every test file looks at retries")]
    pub(crate) fn retries(&self) -> Vec<String> {
        self.retries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(reason, _)| reason.clone())
            .collect()
    }

    /// The wait before each retry.
    #[allow(dead_code, reason = "not every test file looks at retries")]
    pub(crate) fn waits(&self) -> Vec<Duration> {
        self.retries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(_, wait)| *wait)
            .collect()
    }
}

impl StreamSink for Recorder {
    fn text(&self, delta: &str) {
        if !delta.is_empty() {
            self.texts
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(delta.to_owned());
        }
    }

    fn retrying(&self, reason: &str, wait: Duration) {
        self.retries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((reason.to_owned(), wait));
    }
}

impl Observer for Recorder {}
