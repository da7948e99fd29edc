//! `fetch_url`: one web page as Markdown or text, read safely.
//!
//! Every hop of a redirect chain is checked like the first URL ([`target`]), against robots.txt
//! ([`robots`]) and against downgrades from `https` to `http`; bodies are read up to a byte cap
//! within a deadline; character sets are decoded ([`crate::text`]); HTML becomes Markdown. The
//! converted page is cached, so reading a long page in windows downloads it once.

pub mod robots;
pub mod target;

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use url::Url;

use crate::cache::TtlCache;
use crate::http::{Http, HttpError};
use crate::text;
use robots::Robots;

/// The most redirects followed for a page (and five for robots.txt, as RFC 9309 asks).
pub const MAX_REDIRECTS: usize = 10;
const MAX_ROBOTS_REDIRECTS: usize = 5;
/// robots.txt files are read up to this size (the RFC's minimum).
const ROBOTS_MAX_BYTES: usize = 500 * 1024;

/// Why a page could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Not a usable URL.
    #[error("{0}")]
    InvalidUrl(String),
    /// Not `http` or `https`.
    #[error("the `{0}:` scheme is not fetched; only http and https URLs are")]
    UnsupportedScheme(String),
    /// The URL carries a user name or password.
    #[error("URLs with a user name or password are not fetched")]
    Credentials,
    /// The host is not a public internet address.
    #[error("{host}{} is not a public internet address", address.map(|a| format!(" ({a})")).unwrap_or_default())]
    Blocked {
        /// The host as written.
        host: String,
        /// The refused address, when known.
        address: Option<IpAddr>,
    },
    /// robots.txt forbids the fetch.
    #[error("{0}")]
    RobotsDisallowed(String),
    /// More than [`MAX_REDIRECTS`] redirects.
    #[error("more than {MAX_REDIRECTS} redirects, the last to {0}")]
    TooManyRedirects(String),
    /// A redirect chain came back to a URL it had visited.
    #[error("redirect loop: {0} was reached twice")]
    RedirectLoop(String),
    /// An `https` page redirected to `http`.
    #[error("{from} redirected to the insecure {to}")]
    Downgrade {
        /// The https URL.
        from: String,
        /// The http URL.
        to: String,
    },
    /// A redirect without a usable `Location`.
    #[error("HTTP {0} redirect without a usable Location header")]
    BadRedirect(u16),
    /// The server answered with an error status.
    #[error("the server answered HTTP {status}{}", reason.map(|r| format!(" {r}")).unwrap_or_default())]
    Status {
        /// The status code.
        status: u16,
        /// Its reason phrase.
        reason: Option<&'static str>,
    },
    /// The content is not text.
    #[error("the content is {0}, which is not text")]
    NotText(String),
    /// HTML with no readable text after conversion.
    #[error("the page has no readable text once converted (it may be built by JavaScript)")]
    Empty,
    /// Transport failure.
    #[error(transparent)]
    Http(HttpError),
}

impl From<HttpError> for FetchError {
    fn from(error: HttpError) -> Self {
        match error {
            HttpError::Blocked(blocked) => Self::Blocked {
                host: blocked.host,
                address: Some(blocked.address),
            },
            other => Self::Http(other),
        }
    }
}

/// How pages are fetched.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    /// Obey robots.txt.
    pub respect_robots: bool,
    /// The most bytes of a body that are read.
    pub max_bytes: usize,
    /// The longest one fetch (all hops, headers and body) may take.
    pub timeout: Duration,
    /// Hosts never fetched: the configured search backends.
    pub backend_hosts: HashSet<String>,
}

/// A fetched and converted page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The URL asked for.
    pub url: String,
    /// The URL that answered, after redirects.
    pub final_url: String,
    /// The HTTP status.
    pub status: u16,
    /// The content type, as sent or as sniffed.
    pub content_type: String,
    /// The character set the body was decoded from.
    pub charset: &'static str,
    /// The HTML title.
    pub title: Option<String>,
    /// The text: Markdown for HTML (unless raw), else the decoded body.
    pub content: String,
    /// Whether the body went past the byte cap and was cut.
    pub body_truncated: bool,
    /// The redirect hops followed.
    pub redirects: Vec<String>,
}

/// Fetches pages, with robots.txt and page caches.
#[derive(Debug)]
pub struct Fetcher {
    http: Http,
    settings: FetchSettings,
    robots: TtlCache<String, Robots>,
    pages: TtlCache<(String, bool), Arc<Page>>,
}

/// One hop's outcome.
enum Hop {
    Answer(reqwest::Response),
    Redirect(Url),
}

impl Fetcher {
    /// A fetcher over the shared client.
    pub fn new(http: Http, settings: FetchSettings) -> Self {
        Self {
            http,
            settings,
            robots: TtlCache::new(256, Duration::from_secs(3600)),
            pages: TtlCache::new(16, Duration::from_secs(300)),
        }
    }

    /// The page at `url` (Markdown for HTML, or the decoded body if `raw`), and whether it came
    /// from the cache.
    pub async fn fetch(&self, url: &str, raw: bool) -> Result<(Arc<Page>, bool), FetchError> {
        let key = (url.trim().to_owned(), raw);
        if let Some(page) = self.pages.get(&key) {
            return Ok((page, true));
        }
        let timeout = self.settings.timeout;
        let page = tokio::time::timeout(timeout, self.fetch_uncached(url, raw))
            .await
            .map_err(|_| FetchError::Http(HttpError::Timeout(timeout)))??;
        let page = Arc::new(page);
        self.pages.insert(key, Arc::clone(&page));
        Ok((page, false))
    }

    async fn fetch_uncached(&self, text: &str, raw: bool) -> Result<Page, FetchError> {
        let first = target::check(text, self.http.policy(), &self.settings.backend_hosts)?;
        let mut url = first.clone();
        let mut visited = HashSet::from([url.clone()]);
        let mut redirects = Vec::new();
        let response = loop {
            self.check_robots(&url).await?;
            match self.hop(&url).await? {
                Hop::Answer(response) => break response,
                Hop::Redirect(next) => {
                    if url.scheme() == "https" && next.scheme() == "http" {
                        return Err(FetchError::Downgrade {
                            from: url.to_string(),
                            to: next.to_string(),
                        });
                    }
                    if !visited.insert(next.clone()) {
                        return Err(FetchError::RedirectLoop(next.to_string()));
                    }
                    if redirects.len() == MAX_REDIRECTS {
                        return Err(FetchError::TooManyRedirects(next.to_string()));
                    }
                    redirects.push(next.to_string());
                    url = next;
                }
            }
        };
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status {
                status: status.as_u16(),
                reason: status.canonical_reason(),
            });
        }
        let declared = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body =
            Http::read_body(response, self.settings.max_bytes, self.settings.timeout).await?;
        let content = Content::classify(declared.as_deref(), &body.bytes)?;
        let decoded = text::decode(&body.bytes, content.charset.as_deref(), content.html);
        let (title, content_text) = if content.html {
            let title = text::html_title(&decoded.text);
            if raw {
                (title, decoded.text)
            } else {
                let markdown = text::html_to_markdown(&decoded.text);
                if markdown.is_empty() && !decoded.text.trim().is_empty() {
                    return Err(FetchError::Empty);
                }
                (title, markdown)
            }
        } else {
            (None, decoded.text)
        };
        Ok(Page {
            url: first.to_string(),
            final_url: url.to_string(),
            status: status.as_u16(),
            content_type: content.mime,
            charset: decoded.charset,
            title,
            content: content_text,
            body_truncated: body.truncated,
            redirects,
        })
    }

    /// Requests `url` once; a redirect's target is checked before it is returned.
    async fn hop(&self, url: &Url) -> Result<Hop, FetchError> {
        let response = self
            .http
            .get(url.clone(), &[], self.settings.timeout)
            .await?;
        let status = response.status();
        if !is_redirect(status) {
            return Ok(Hop::Answer(response));
        }
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|location| url.join(location).ok())
            .ok_or(FetchError::BadRedirect(status.as_u16()))?;
        let next = target::check_url(location, self.http.policy(), &self.settings.backend_hosts)?;
        Ok(Hop::Redirect(next))
    }

    async fn check_robots(&self, url: &Url) -> Result<(), FetchError> {
        if !self.settings.respect_robots {
            return Ok(());
        }
        let origin = url.origin().ascii_serialization();
        let robots = match self.robots.get(&origin) {
            Some(robots) => robots,
            None => {
                let robots = self.fetch_robots(url).await;
                self.robots.insert(origin, robots.clone());
                robots
            }
        };
        match robots.refusal(url) {
            Some(reason) => Err(FetchError::RobotsDisallowed(reason)),
            None => Ok(()),
        }
    }

    /// The origin's robots.txt, following up to five checked redirects.
    async fn fetch_robots(&self, page: &Url) -> Robots {
        let unreachable =
            |why: String| Robots::DisallowAll(format!("robots.txt is unreachable ({why})"));
        let mut url = robots::robots_url(page);
        for _ in 0..=MAX_ROBOTS_REDIRECTS {
            match self.hop(&url).await {
                Ok(Hop::Answer(response)) => {
                    let status = response.status().as_u16();
                    let timeout = self.settings.timeout;
                    return match Http::read_body(response, ROBOTS_MAX_BYTES, timeout).await {
                        Ok(body) => Robots::from_answer(status, &body.bytes),
                        Err(error) => unreachable(error.to_string()),
                    };
                }
                Ok(Hop::Redirect(next)) => url = next,
                Err(error) => return unreachable(error.to_string()),
            }
        }
        unreachable("too many redirects".to_owned())
    }
}

fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// What a body is, from its declared type and its first bytes.
struct Content {
    mime: String,
    charset: Option<String>,
    html: bool,
}

impl Content {
    fn classify(declared: Option<&str>, bytes: &[u8]) -> Result<Self, FetchError> {
        let (mime, charset) = match declared {
            Some(value) => parse_content_type(value),
            None => (String::new(), None),
        };
        let binary = text::looks_binary(bytes);
        if mime.is_empty() {
            if binary {
                return Err(FetchError::NotText(
                    "binary data without a content type".to_owned(),
                ));
            }
            let html =
                text::looks_like_html(&String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]));
            let mime = if html { "text/html" } else { "text/plain" };
            return Ok(Self {
                mime: format!("{mime} (sniffed)"),
                charset,
                html,
            });
        }
        let html = matches!(mime.as_str(), "text/html" | "application/xhtml+xml");
        let textual = mime.starts_with("text/")
            || mime.ends_with("+json")
            || mime.ends_with("+xml")
            || matches!(
                mime.as_str(),
                "application/json"
                    | "application/xml"
                    | "application/javascript"
                    | "application/ecmascript"
                    | "application/x-yaml"
                    | "application/yaml"
                    | "application/toml"
                    | "application/x-sh"
                    | "application/sql"
                    | "application/ld+json"
            );
        if !textual || binary {
            return Err(FetchError::NotText(mime));
        }
        Ok(Self {
            mime,
            charset,
            html,
        })
    }
}

/// The lower-cased media type and the charset parameter of a `Content-Type` value.
fn parse_content_type(value: &str) -> (String, Option<String>) {
    let mut parts = value.split(';');
    let mime = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let charset = parts.find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_owned())
    });
    (mime, charset)
}
