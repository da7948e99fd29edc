//! Web search through a configured backend ([`searxng`] or [`brave`], behind [`WebBackend`]),
//! with what every backend needs around it: a queueing rate limit ([`pacer`]), retries with
//! jittered backoff on 5xx and timeouts only, a short-lived cache, and errors a model can act on.

pub mod brave;
pub mod pacer;
pub mod searxng;

use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use futures::future::BoxFuture;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cache::TtlCache;
use crate::http::{Http, HttpError};
use pacer::Pacer;

/// The most bytes of a backend answer that are read.
const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// Safe-search levels, as the backends name them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SafeSearch {
    /// No filtering.
    Off,
    /// Filter explicit images and videos (the backends' default).
    #[default]
    Moderate,
    /// Filter all explicit content.
    Strict,
}

impl SafeSearch {
    /// The level's name, as the tool (and Brave) spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Moderate => "moderate",
            Self::Strict => "strict",
        }
    }
}

/// How recent results must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeRange {
    /// The last 24 hours.
    Day,
    /// The last 7 days.
    Week,
    /// The last 31 days.
    Month,
    /// The last 365 days.
    Year,
}

impl TimeRange {
    /// The range's name, as the tool (and SearXNG) spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
        }
    }
}

/// A validated web search.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WebQuery {
    /// The query text.
    pub query: String,
    /// How many results.
    pub count: u32,
    /// Which page of results, from 1.
    pub page: u32,
    /// Safe-search level.
    pub safesearch: SafeSearch,
    /// Recency filter.
    pub time_range: Option<TimeRange>,
    /// A language code such as `en` or `pt-BR`.
    pub language: Option<String>,
    /// Only results from these hosts (and their subdomains).
    pub include_domains: Vec<String>,
    /// No results from these hosts (and their subdomains).
    pub exclude_domains: Vec<String>,
}

impl WebQuery {
    /// The query text with `site:` operators for the domain filters, which both backends
    /// understand.
    pub fn text_with_sites(&self) -> String {
        let mut text = self.query.clone();
        let include: Vec<String> = self
            .include_domains
            .iter()
            .map(|d| format!("site:{d}"))
            .collect();
        if !include.is_empty() {
            text.push_str(&format!(" ({})", include.join(" OR ")));
        }
        for domain in &self.exclude_domains {
            text.push_str(&format!(" -site:{domain}"));
        }
        text
    }

    /// Whether a result URL passes the domain filters (backends treat `site:` as a hint).
    fn admits(&self, url: &str) -> bool {
        let Some(host) = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        else {
            return false;
        };
        let under = |domain: &String| host == *domain || host.ends_with(&format!(".{domain}"));
        (self.include_domains.is_empty() || self.include_domains.iter().any(under))
            && !self.exclude_domains.iter().any(under)
    }
}

/// One search result.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WebResult {
    /// 1-based rank within the page.
    pub rank: usize,
    /// The page title.
    pub title: String,
    /// The page URL.
    pub url: String,
    /// The backend's excerpt.
    pub snippet: String,
    /// When the page was published, as the backend says it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Which engine found it (SearXNG).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A page of results from a backend.
#[derive(Debug, Clone, Default)]
pub struct WebResults {
    /// The results, best first.
    pub results: Vec<WebResult>,
    /// Whether the backend has a further page.
    pub more_available: bool,
}

/// Why a web search failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WebError {
    /// No backend is configured.
    #[error("web search is not configured")]
    NotConfigured,
    /// The backend refused the credentials (401/403).
    #[error("{backend} refused the request (HTTP {status}): {detail}")]
    Unauthorized {
        /// Backend name.
        backend: &'static str,
        /// HTTP status.
        status: u16,
        /// What to do, for this backend.
        detail: String,
    },
    /// The backend says too many requests (429).
    #[error("{backend} is rate limiting this server{}", retry_after.map(|d| format!("; retry after {} s", d.as_secs().max(1))).unwrap_or_default())]
    RateLimited {
        /// Backend name.
        backend: &'static str,
        /// The backend's `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// The local rate limit's queue is longer than the longest wait allowed.
    #[error("{backend}'s request queue is full; the next free slot is {} s away", wait.as_secs().max(1))]
    QueueFull {
        /// Backend name.
        backend: &'static str,
        /// The wait that was refused.
        wait: Duration,
    },
    /// The backend failed (5xx).
    #[error("{backend} is failing (HTTP {status})")]
    Unavailable {
        /// Backend name.
        backend: &'static str,
        /// HTTP status.
        status: u16,
    },
    /// The backend rejected the request (other 4xx).
    #[error("{backend} rejected the request (HTTP {status}): {detail}")]
    Rejected {
        /// Backend name.
        backend: &'static str,
        /// HTTP status.
        status: u16,
        /// The backend's words.
        detail: String,
    },
    /// No answer in time.
    #[error("{backend} did not answer within {timeout:?}")]
    Timeout {
        /// Backend name.
        backend: &'static str,
        /// The limit.
        timeout: Duration,
    },
    /// The backend could not be reached.
    #[error("{backend} is unreachable: {detail}")]
    Unreachable {
        /// Backend name.
        backend: &'static str,
        /// Why.
        detail: String,
    },
    /// The answer was not the JSON the backend documents.
    #[error("{backend} sent an answer that is not its search JSON: {detail}")]
    Malformed {
        /// Backend name.
        backend: &'static str,
        /// What was wrong.
        detail: String,
    },
}

impl WebError {
    /// Whether another attempt may succeed: 5xx answers and timeouts, nothing else.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable { .. } | Self::Timeout { .. })
    }

    fn from_http(backend: &'static str, error: HttpError) -> Self {
        match error {
            HttpError::Timeout(timeout) => Self::Timeout { backend, timeout },
            other => Self::Unreachable {
                backend,
                detail: other.to_string(),
            },
        }
    }
}

/// A web search API.
pub trait WebBackend: Send + Sync + std::fmt::Debug {
    /// The backend's name in results and errors (`searxng`, `brave`).
    fn name(&self) -> &'static str;
    /// The highest page the backend can serve.
    fn max_page(&self) -> u32;
    /// Runs one search, once (the caller paces and retries).
    fn search<'a>(
        &'a self,
        http: &'a Http,
        query: &'a WebQuery,
    ) -> BoxFuture<'a, Result<WebResults, WebError>>;
}

/// What the backends share: a GET whose answer is read (capped) and classified by status.
/// Returns the body of a 2xx answer.
async fn get_answer(
    http: &Http,
    backend: &'static str,
    url: url::Url,
    headers: &[(&str, &str)],
    timeout: Duration,
    unauthorized_hint: &str,
) -> Result<Vec<u8>, WebError> {
    let response = http
        .get(url, headers, timeout)
        .await
        .map_err(|error| WebError::from_http(backend, error))?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .or_else(|| {
            // Brave sends `X-RateLimit-Reset: <seconds to the per-second window>, <to the month>`.
            let reset = response.headers().get("x-ratelimit-reset")?.to_str().ok()?;
            reset.split(',').next()?.trim().parse::<u64>().ok()
        })
        .map(Duration::from_secs);
    let body = Http::read_body(response, MAX_ANSWER_BYTES, timeout)
        .await
        .map_err(|error| WebError::from_http(backend, error))?;
    let detail = || {
        let text = String::from_utf8_lossy(&body.bytes);
        text.chars().take(300).collect::<String>().trim().to_owned()
    };
    match status {
        200..=299 => Ok(body.bytes),
        401 | 403 => Err(WebError::Unauthorized {
            backend,
            status,
            detail: unauthorized_hint.to_owned(),
        }),
        429 => Err(WebError::RateLimited {
            backend,
            retry_after,
        }),
        500..=599 => Err(WebError::Unavailable { backend, status }),
        _ => Err(WebError::Rejected {
            backend,
            status,
            detail: detail(),
        }),
    }
}

/// Parses a backend's JSON answer, saying what was wrong if it is not.
fn parse_answer<T: serde::de::DeserializeOwned>(
    backend: &'static str,
    body: &[u8],
) -> Result<T, WebError> {
    serde_json::from_slice(body).map_err(|error| {
        let start = String::from_utf8_lossy(&body[..body.len().min(64)])
            .trim()
            .to_owned();
        let detail = if start.starts_with('<') {
            "an HTML page instead of JSON (a login or captcha page, or a proxy error)".to_owned()
        } else {
            error.to_string()
        };
        WebError::Malformed { backend, detail }
    })
}

/// Rate limit, retry and cache settings of a backend.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// The shortest time between two requests.
    pub min_interval: Duration,
    /// The longest a request may queue for its slot.
    pub max_queue_wait: Duration,
    /// Retries after the first attempt, on 5xx and timeouts.
    pub retries: usize,
    /// The first retry's delay; later ones double, with jitter.
    pub retry_delay: Duration,
    /// How long a result page is reused.
    pub cache_ttl: Duration,
}

/// A page of results as the tool returns it.
#[derive(Debug, Clone)]
pub struct Searched {
    /// The backend's results, filtered and ranked.
    pub results: WebResults,
    /// Whether it came from the cache.
    pub cached: bool,
}

/// A backend with pacing, retries and a cache in front of it.
#[derive(Debug)]
pub struct WebSearch {
    backend: Box<dyn WebBackend>,
    http: Http,
    pacer: Pacer,
    settings: WebSettings,
    cache: TtlCache<WebQuery, Arc<WebResults>>,
}

impl WebSearch {
    /// Puts `backend` behind the pacer, retries and cache.
    pub fn new(backend: Box<dyn WebBackend>, http: Http, settings: WebSettings) -> Self {
        Self {
            backend,
            http,
            pacer: Pacer::new(settings.min_interval, settings.max_queue_wait),
            cache: TtlCache::new(256, settings.cache_ttl),
            settings,
        }
    }

    /// The backend's name.
    pub fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    /// The highest page the backend serves.
    pub fn max_page(&self) -> u32 {
        self.backend.max_page()
    }

    /// Runs `query`: from the cache, or paced and retried against the backend.
    pub async fn search(&self, query: &WebQuery) -> Result<Searched, WebError> {
        if let Some(results) = self.cache.get(query) {
            return Ok(Searched {
                results: (*results).clone(),
                cached: true,
            });
        }
        let backoff = ExponentialBuilder::new()
            .with_min_delay(self.settings.retry_delay)
            .with_factor(2.0)
            .with_jitter()
            .with_max_times(self.settings.retries);
        let attempt = || self.attempt(query);
        let mut results = attempt
            .retry(backoff)
            .when(WebError::is_transient)
            .notify(|error, delay| tracing::warn!(%error, ?delay, "retrying web search"))
            .await?;
        results.results.retain(|result| query.admits(&result.url));
        results.results.truncate(query.count as usize);
        for (index, result) in results.results.iter_mut().enumerate() {
            result.rank = index + 1;
        }
        self.cache.insert(query.clone(), Arc::new(results.clone()));
        Ok(Searched {
            results,
            cached: false,
        })
    }

    async fn attempt(&self, query: &WebQuery) -> Result<WebResults, WebError> {
        let backend = self.backend.name();
        self.pacer
            .wait_turn()
            .await
            .map_err(|wait| WebError::QueueFull { backend, wait })?;
        let outcome = self.backend.search(&self.http, query).await;
        if let Err(WebError::RateLimited { retry_after, .. }) = &outcome {
            self.pacer
                .hold_off(retry_after.unwrap_or(self.settings.min_interval * 2));
        }
        outcome
    }
}
