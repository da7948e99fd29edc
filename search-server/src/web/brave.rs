//! The Brave Search API (`/res/v1/web/search`), keyed by `X-Subscription-Token`.

use std::time::Duration;

use futures::future::BoxFuture;
use serde::Deserialize;
use url::Url;

use super::{TimeRange, WebBackend, WebError, WebQuery, WebResult, WebResults};
use crate::http::Http;
use crate::text::strip_tags;

const NAME: &str = "brave";
/// The public API endpoint.
pub const ENDPOINT: &str = "https://api.search.brave.com/res/v1/web/search";
/// Brave serves offsets 0 to 9, so pages 1 to 10.
const MAX_PAGE: u32 = 10;
const KEY_HINT: &str = "the Brave Search API key was refused; check BRAVE_API_KEY (keys are at \
https://api-dashboard.search.brave.com) and that its plan covers web search";

/// The Brave Search API.
pub struct Brave {
    endpoint: Url,
    key: String,
    timeout: Duration,
}

impl std::fmt::Debug for Brave {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Brave")
            .field("endpoint", &self.endpoint.as_str())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl Brave {
    /// The API at `endpoint` with subscription `key`, answering within `timeout`.
    pub fn new(endpoint: Url, key: String, timeout: Duration) -> Self {
        Self {
            endpoint,
            key,
            timeout,
        }
    }

    fn url(&self, query: &WebQuery) -> Url {
        let mut url = self.endpoint.clone();
        {
            let mut pairs = url.query_pairs_mut();
            pairs
                .append_pair("q", &query.text_with_sites())
                .append_pair("count", &query.count.to_string())
                .append_pair("offset", &(query.page - 1).to_string())
                .append_pair("safesearch", query.safesearch.name());
            if let Some(range) = query.time_range {
                pairs.append_pair(
                    "freshness",
                    match range {
                        TimeRange::Day => "pd",
                        TimeRange::Week => "pw",
                        TimeRange::Month => "pm",
                        TimeRange::Year => "py",
                    },
                );
            }
            if let Some(language) = &query.language {
                pairs.append_pair("search_lang", language);
            }
        }
        url
    }
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    query: Option<QueryInfo>,
    #[serde(default)]
    web: Option<Web>,
}

#[derive(Deserialize)]
struct QueryInfo {
    #[serde(default)]
    more_results_available: bool,
}

#[derive(Deserialize)]
struct Web {
    #[serde(default)]
    results: Vec<Hit>,
}

#[derive(Deserialize)]
struct Hit {
    url: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    page_age: Option<String>,
    #[serde(default)]
    age: Option<String>,
}

impl WebBackend for Brave {
    fn name(&self) -> &'static str {
        NAME
    }

    fn max_page(&self) -> u32 {
        MAX_PAGE
    }

    fn search<'a>(
        &'a self,
        http: &'a Http,
        query: &'a WebQuery,
    ) -> BoxFuture<'a, Result<WebResults, WebError>> {
        Box::pin(async move {
            let headers = [
                ("accept", "application/json"),
                ("x-subscription-token", self.key.as_str()),
            ];
            let body = super::get_answer(
                http,
                NAME,
                self.url(query),
                &headers,
                self.timeout,
                KEY_HINT,
            )
            .await?;
            let answer: Answer = super::parse_answer(NAME, &body)?;
            let results = answer
                .web
                .map(|web| web.results)
                .unwrap_or_default()
                .into_iter()
                .map(|hit| WebResult {
                    rank: 0,
                    title: strip_tags(&hit.title),
                    url: hit.url,
                    snippet: strip_tags(&hit.description),
                    published: hit.page_age.or(hit.age),
                    source: None,
                })
                .collect();
            Ok(WebResults {
                results,
                more_available: answer.query.is_some_and(|q| q.more_results_available),
            })
        })
    }
}
