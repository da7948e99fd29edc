//! Why a model gave no answer, worded so that the person at the terminal knows what to fix.

use std::time::Duration;

/// A request to a model that failed (after any retries).
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// 401 or 403: the key is missing, wrong or not allowed.
    #[error(
        "{endpoint} refused the API key (HTTP {status}): {message}. Set {key_variable} (or --api-key-env) to a valid key"
    )]
    Unauthorized {
        /// The URL.
        endpoint: String,
        /// 401 or 403.
        status: u16,
        /// The provider's message.
        message: String,
        /// The variable the key is read from.
        key_variable: String,
    },
    /// 404: the model or the endpoint does not exist.
    #[error(
        "{endpoint} answered 404 for model `{model}`: {message}. Check --model (the model must exist on that server) and --base-url (OpenAI-compatible servers end in /v1)"
    )]
    NotFound {
        /// The URL.
        endpoint: String,
        /// The model asked for.
        model: String,
        /// The provider's message.
        message: String,
    },
    /// 429 on every attempt, or a wait longer than we are willing to sleep.
    #[error("{endpoint} is rate limiting us (HTTP 429){}: {message}", retry_after_text(.retry_after))]
    RateLimited {
        /// The URL.
        endpoint: String,
        /// How long the provider asked us to wait.
        retry_after: Option<Duration>,
        /// The provider's message.
        message: String,
    },
    /// 5xx (or 408) on every attempt.
    #[error("{endpoint} failed with HTTP {status}: {message}")]
    Server {
        /// The URL.
        endpoint: String,
        /// The status.
        status: u16,
        /// The provider's message.
        message: String,
        /// How long the provider asked us to wait before retrying, if it said.
        retry_after: Option<Duration>,
    },
    /// Another 4xx: the request itself is wrong (context too long, bad parameter...).
    #[error("{endpoint} rejected the request (HTTP {status}): {message}")]
    Rejected {
        /// The URL.
        endpoint: String,
        /// The status.
        status: u16,
        /// The provider's message.
        message: String,
    },
    /// No connection could be made.
    #[error("cannot reach {endpoint}: {detail}. Is the server running, and is --base-url right?")]
    Unreachable {
        /// The URL.
        endpoint: String,
        /// What failed.
        detail: String,
    },
    /// Nothing arrived for too long.
    #[error("{endpoint} sent nothing for {} s; gave up (raise --llm-timeout for slow models)", .after.as_secs_f64())]
    Timeout {
        /// The URL.
        endpoint: String,
        /// The idle time allowed.
        after: Duration,
    },
    /// The connection ended before the answer was complete.
    #[error("{endpoint} ended its answer early: {detail}")]
    Truncated {
        /// The URL.
        endpoint: String,
        /// What was missing.
        detail: String,
    },
    /// The response was not what the API promises.
    #[error("{endpoint} sent a response that is not a valid {api} answer: {detail}")]
    Malformed {
        /// The URL.
        endpoint: String,
        /// Which API was expected.
        api: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// The response had no choices or content at all.
    #[error("{endpoint} answered with no message at all (empty `{field}`)")]
    Empty {
        /// The URL.
        endpoint: String,
        /// The empty field.
        field: &'static str,
    },
    /// The settings cannot make a working provider.
    #[error("{0}")]
    Settings(String),
}

impl ModelError {
    /// Whether sending the same request again may work.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. }
                | Self::Server { .. }
                | Self::Unreachable { .. }
                | Self::Timeout { .. }
                | Self::Truncated { .. }
        )
    }

    /// How long the provider asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } | Self::Server { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }
}

fn retry_after_text(retry_after: &Option<Duration>) -> String {
    retry_after
        .map(|wait| format!(" and asks to wait {} s", wait.as_secs_f64()))
        .unwrap_or_default()
}
