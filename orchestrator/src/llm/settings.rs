//! Which model answers: from flags first, then the environment variables every tool in this
//! field reads (`OPENAI_API_KEY`, `OPENAI_BASE_URL`, `ANTHROPIC_API_KEY`...), then the
//! offline planner, so that nothing needs a key to run.

use std::time::Duration;

use super::transport::{Endpoint, RetryPolicy};
use super::{Anthropic, Model, ModelError, OpenAi, anthropic, openai};
use crate::planner::Planner;

const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
const OPENAI_MODEL: &str = "gpt-4o-mini";
const ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com";
const ANTHROPIC_MODEL: &str = "claude-sonnet-4-5";
/// Anthropic requires a cap on the answer's length.
const ANTHROPIC_MAX_TOKENS: u32 = 4096;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Which kind of model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Provider {
    /// Decide from the environment: Anthropic with `ANTHROPIC_API_KEY`, an OpenAI-compatible
    /// API with `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `--base-url` or `--model`, else the
    /// offline planner.
    Auto,
    /// Any OpenAI-compatible Chat Completions API.
    Openai,
    /// Anthropic's Messages API.
    Anthropic,
    /// The offline planner: deterministic, no LLM.
    Offline,
}

/// Everything that chooses and configures the model; the CLI fills it from flags.
#[derive(Debug, Clone)]
pub struct LlmSettings {
    /// The provider.
    pub provider: Provider,
    /// The API's base URL (`http://127.0.0.1:11434/v1` for Ollama).
    pub base_url: Option<String>,
    /// The model name.
    pub model: Option<String>,
    /// The environment variable holding the key (default: the provider's usual one).
    pub api_key_env: Option<String>,
    /// The longest silence allowed from the endpoint (for the first byte and between pieces).
    pub timeout: Duration,
    /// Retries of transient failures.
    pub retry: RetryPolicy,
    /// Stream the answer as it is produced.
    pub stream: bool,
    /// A cap on the answer's length in tokens.
    pub max_tokens: Option<u32>,
}

impl Default for LlmSettings {
    fn default() -> Self {
        Self {
            provider: Provider::Auto,
            base_url: None,
            model: None,
            api_key_env: None,
            timeout: Duration::from_secs(120),
            retry: RetryPolicy::default(),
            stream: true,
            max_tokens: None,
        }
    }
}

impl LlmSettings {
    /// The model these settings describe, reading the process environment.
    pub fn build(&self) -> Result<Box<dyn Model>, ModelError> {
        self.build_with(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
    }

    /// Like [`LlmSettings::build`], with the environment given as a lookup function.
    pub fn build_with(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Box<dyn Model>, ModelError> {
        match self.resolve(&env) {
            Provider::Openai => Ok(Box::new(self.openai(&env)?)),
            Provider::Anthropic => Ok(Box::new(self.anthropic(&env)?)),
            Provider::Offline | Provider::Auto => Ok(Box::new(Planner::new())),
        }
    }

    fn resolve(&self, env: &impl Fn(&str) -> Option<String>) -> Provider {
        if self.provider != Provider::Auto {
            return self.provider;
        }
        if env("ANTHROPIC_API_KEY").is_some() && self.base_url.is_none() {
            Provider::Anthropic
        } else if env("OPENAI_API_KEY").is_some()
            || env("OPENAI_BASE_URL").is_some()
            || self.base_url.is_some()
            || self.model.is_some()
        {
            Provider::Openai
        } else {
            Provider::Offline
        }
    }

    fn openai(&self, env: &impl Fn(&str) -> Option<String>) -> Result<OpenAi, ModelError> {
        let key_variable = self.key_variable("OPENAI_API_KEY");
        let base = self
            .base_url
            .clone()
            .or_else(|| env("OPENAI_BASE_URL"))
            .unwrap_or_else(|| OPENAI_BASE_URL.to_owned());
        let base = base.trim_end_matches('/').to_owned();
        let is_openai = base == OPENAI_BASE_URL;
        let key = env(&key_variable);
        if key.is_none() && is_openai {
            return Err(ModelError::Settings(format!(
                "OpenAI needs an API key in {key_variable}; for a local server (Ollama, llama.cpp, vLLM...) give --base-url"
            )));
        }
        let model = match self.model.clone().or_else(|| env("OPENAI_MODEL")) {
            Some(model) => model,
            None if is_openai => OPENAI_MODEL.to_owned(),
            None => {
                return Err(ModelError::Settings(format!(
                    "--model is required for {base} (the name the server knows the model by, such as llama3.2 for Ollama)"
                )));
            }
        };
        let endpoint = self.endpoint(
            format!("{base}/chat/completions"),
            openai::headers(key.as_deref())?,
            model,
            key_variable,
            "OpenAI Chat Completions",
        )?;
        Ok(OpenAi::new(endpoint, self.stream, self.max_tokens))
    }

    fn anthropic(&self, env: &impl Fn(&str) -> Option<String>) -> Result<Anthropic, ModelError> {
        let key_variable = self.key_variable("ANTHROPIC_API_KEY");
        let base = self
            .base_url
            .clone()
            .or_else(|| env("ANTHROPIC_BASE_URL"))
            .unwrap_or_else(|| ANTHROPIC_BASE_URL.to_owned());
        let base = base
            .trim_end_matches('/')
            .trim_end_matches("/v1")
            .to_owned();
        let key = env(&key_variable);
        if key.is_none() && base == ANTHROPIC_BASE_URL {
            return Err(ModelError::Settings(format!(
                "Anthropic needs an API key in {key_variable}"
            )));
        }
        let model = self
            .model
            .clone()
            .or_else(|| env("ANTHROPIC_MODEL"))
            .unwrap_or_else(|| ANTHROPIC_MODEL.to_owned());
        let endpoint = self.endpoint(
            format!("{base}/v1/messages"),
            anthropic::headers(key.as_deref())?,
            model,
            key_variable,
            "Anthropic Messages",
        )?;
        Ok(Anthropic::new(
            endpoint,
            self.stream,
            self.max_tokens.unwrap_or(ANTHROPIC_MAX_TOKENS),
        ))
    }

    fn key_variable(&self, usual: &str) -> String {
        self.api_key_env.clone().unwrap_or_else(|| usual.to_owned())
    }

    fn endpoint(
        &self,
        url: String,
        headers: reqwest::header::HeaderMap,
        model: String,
        key_variable: String,
        api: &'static str,
    ) -> Result<Endpoint, ModelError> {
        let parsed = reqwest::Url::parse(&url).map_err(|error| {
            ModelError::Settings(format!("the base URL `{url}` is not a URL: {error}"))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ModelError::Settings(format!(
                "the base URL `{url}` must start with http:// or https://"
            )));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT.min(self.timeout))
            .tcp_nodelay(true)
            .user_agent(concat!("mcp-orchestrator/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ModelError::Settings(format!("cannot set up HTTP: {error}")))?;
        Ok(Endpoint {
            client,
            url,
            headers,
            idle_timeout: self.timeout,
            retry: self.retry,
            model,
            key_variable,
            api,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(settings: &LlmSettings, env: &[(&str, &str)]) -> Result<String, String> {
        settings
            .build_with(|name| {
                env.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            })
            .map(|model| model.describe())
            .map_err(|error| error.to_string())
    }

    #[test]
    fn auto_picks_from_the_environment_and_falls_back_to_the_planner() {
        let auto = LlmSettings::default();
        assert!(describe(&auto, &[]).is_ok_and(|d| d.contains("not an LLM")));
        assert_eq!(
            describe(&auto, &[("OPENAI_API_KEY", "k")]),
            Ok(
                "gpt-4o-mini at https://api.openai.com/v1/chat/completions (OpenAI-compatible)"
                    .to_owned()
            )
        );
        assert!(
            describe(&auto, &[("ANTHROPIC_API_KEY", "k")])
                .is_ok_and(|d| d.contains("/v1/messages (Anthropic)"))
        );
        let ollama = LlmSettings {
            base_url: Some("http://127.0.0.1:11434/v1/".to_owned()),
            model: Some("llama3.2".to_owned()),
            ..LlmSettings::default()
        };
        assert_eq!(
            describe(&ollama, &[]),
            Ok(
                "llama3.2 at http://127.0.0.1:11434/v1/chat/completions (OpenAI-compatible)"
                    .to_owned()
            )
        );
    }

    #[test]
    fn missing_keys_and_models_are_explained() {
        let openai = LlmSettings {
            provider: Provider::Openai,
            ..LlmSettings::default()
        };
        assert!(describe(&openai, &[]).is_err_and(|e| e.contains("OPENAI_API_KEY")));
        let local = LlmSettings {
            provider: Provider::Openai,
            base_url: Some("http://127.0.0.1:8080/v1".to_owned()),
            ..LlmSettings::default()
        };
        assert!(describe(&local, &[]).is_err_and(|e| e.contains("--model is required")));
        let bad = LlmSettings {
            base_url: Some("ftp://x".to_owned()),
            model: Some("m".to_owned()),
            ..LlmSettings::default()
        };
        assert!(describe(&bad, &[]).is_err_and(|e| e.contains("http://")));
        let model_only = LlmSettings {
            model: Some("llama3.2".to_owned()),
            ..LlmSettings::default()
        };
        assert!(
            describe(&model_only, &[]).is_err_and(|e| e.contains("--base-url")),
            "a model is never silently ignored"
        );
    }
}
