//! The flags that choose and tune the model, shared by `chat` and `demo`.

use std::time::Duration;

use clap::Args;

use crate::agent::AgentOptions;
use crate::llm::{LlmSettings, Provider, RetryPolicy};

/// Which model answers, and how patiently it is asked.
#[derive(Debug, Clone, Args)]
pub struct LlmArgs {
    /// The provider. `auto` uses Anthropic when ANTHROPIC_API_KEY is set, an OpenAI-compatible
    /// API when OPENAI_API_KEY, OPENAI_BASE_URL, --base-url or --model is set, and the offline
    /// planner (not an LLM) otherwise.
    #[arg(long, value_enum, default_value_t = Provider::Auto)]
    pub llm: Provider,
    /// The API's base URL, such as http://127.0.0.1:11434/v1 for Ollama [env: OPENAI_BASE_URL
    /// or ANTHROPIC_BASE_URL].
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The model [env: OPENAI_MODEL or ANTHROPIC_MODEL; default gpt-4o-mini or
    /// claude-sonnet-4-5; required for other OpenAI-compatible servers].
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,
    /// The environment variable that holds the API key [default: OPENAI_API_KEY or
    /// ANTHROPIC_API_KEY].
    #[arg(long, value_name = "VAR")]
    pub api_key_env: Option<String>,
    /// Seconds of silence from the model's endpoint before giving up on a request.
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    pub llm_timeout: f64,
    /// Retries of a request that failed with 429, 5xx, a timeout or a cut stream.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: usize,
    /// Wait for the whole answer instead of streaming it.
    #[arg(long)]
    pub no_stream: bool,
    /// A cap on the length of each answer, in tokens.
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u32>,
    /// The most model replies in one run, tool calls included.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub max_steps: usize,
}

impl LlmArgs {
    /// The model settings these flags describe.
    pub fn settings(&self) -> anyhow::Result<LlmSettings> {
        if !(self.llm_timeout.is_finite() && self.llm_timeout > 0.0) {
            anyhow::bail!("--llm-timeout must be a positive number of seconds");
        }
        Ok(LlmSettings {
            provider: self.llm,
            base_url: self.base_url.clone(),
            model: self.model.clone(),
            api_key_env: self.api_key_env.clone(),
            timeout: Duration::from_secs_f64(self.llm_timeout),
            retry: RetryPolicy {
                max_retries: self.retries,
                ..RetryPolicy::default()
            },
            stream: !self.no_stream,
            max_tokens: self.max_tokens,
        })
    }

    /// The agent's limits these flags describe.
    pub fn agent_options(&self) -> anyhow::Result<AgentOptions> {
        if self.max_steps == 0 {
            anyhow::bail!("--max-steps must be at least 1");
        }
        Ok(AgentOptions {
            max_steps: self.max_steps,
            ..AgentOptions::default()
        })
    }
}
