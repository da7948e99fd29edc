//! A self-hosted SearXNG instance, through its JSON API (`/search?format=json`).

use std::time::Duration;

use futures::future::BoxFuture;
use serde::Deserialize;
use url::Url;

use super::{SafeSearch, WebBackend, WebError, WebQuery, WebResult, WebResults};
use crate::http::Http;

const NAME: &str = "searxng";
/// What SearXNG's 403 almost always means (searxng#3749).
const FORBIDDEN_HINT: &str = "SearXNG refuses JSON answers unless `json` is listed under \
`search.formats` in its settings.yml; add it and restart SearXNG";

/// A SearXNG instance.
#[derive(Debug)]
pub struct Searxng {
    endpoint: Url,
    timeout: Duration,
}

impl Searxng {
    /// The instance at `base` (its `/search` is used), answering within `timeout`.
    pub fn new(base: &Url, timeout: Duration) -> Result<Self, url::ParseError> {
        let mut base = base.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Ok(Self {
            endpoint: base.join("search")?,
            timeout,
        })
    }

    fn url(&self, query: &WebQuery) -> Url {
        let mut url = self.endpoint.clone();
        {
            let mut pairs = url.query_pairs_mut();
            pairs
                .append_pair("q", &query.text_with_sites())
                .append_pair("format", "json")
                .append_pair("pageno", &query.page.to_string())
                .append_pair(
                    "safesearch",
                    match query.safesearch {
                        SafeSearch::Off => "0",
                        SafeSearch::Moderate => "1",
                        SafeSearch::Strict => "2",
                    },
                );
            if let Some(range) = query.time_range {
                pairs.append_pair("time_range", range.name());
            }
            if let Some(language) = &query.language {
                pairs.append_pair("language", language);
            }
        }
        url
    }
}

#[derive(Deserialize)]
struct Answer {
    results: Vec<Hit>,
}

#[derive(Deserialize)]
struct Hit {
    url: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    engine: Option<String>,
    #[serde(default, rename = "publishedDate")]
    published_date: Option<String>,
}

impl WebBackend for Searxng {
    fn name(&self) -> &'static str {
        NAME
    }

    fn max_page(&self) -> u32 {
        50
    }

    fn search<'a>(
        &'a self,
        http: &'a Http,
        query: &'a WebQuery,
    ) -> BoxFuture<'a, Result<WebResults, WebError>> {
        Box::pin(async move {
            let headers = [("accept", "application/json")];
            let body = super::get_answer(
                http,
                NAME,
                self.url(query),
                &headers,
                self.timeout,
                FORBIDDEN_HINT,
            )
            .await?;
            let answer: Answer = super::parse_answer(NAME, &body)?;
            let more_available = !answer.results.is_empty();
            let results = answer
                .results
                .into_iter()
                .map(|hit| WebResult {
                    rank: 0,
                    title: hit.title,
                    url: hit.url,
                    snippet: hit.content.unwrap_or_default(),
                    published: hit.published_date,
                    source: hit.engine,
                })
                .collect();
            Ok(WebResults {
                results,
                more_available,
            })
        })
    }
}
