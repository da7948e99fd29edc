//! Every failure as a tool error a model can act on: a stable code, what happened, and what to
//! do instead.

use shared::ToolError;

use crate::fetch::FetchError;
use crate::http::HttpError;
use crate::local::IndexError;
use crate::web::WebError;

/// Says how to give the server a web backend.
pub(crate) const CONFIGURE_WEB: &str = "start search-server with --searxng-url URL (or the SEARXNG_URL \
environment variable) for a SearXNG instance whose settings.yml lists `json` under \
search.formats, or set BRAVE_API_KEY for the Brave Search API";

impl From<IndexError> for ToolError {
    fn from(error: IndexError) -> Self {
        let message = error.to_string();
        match error {
            IndexError::NoDirectories => ToolError::new("no_directories", message)
                .with_hint("start search-server with the directories to index, like `search-server ~/notes ~/src`"),
            IndexError::InvalidQuery { position, .. } => {
                let error = ToolError::new("invalid_query", message)
                    .with_field("query")
                    .with_hint("fix the query syntax, or pass literal: true to search the text exactly as written");
                match position {
                    Some(position) => error.with_position(position),
                    None => error,
                }
            }
            IndexError::InvalidCursor => ToolError::new("invalid_cursor", message)
                .with_field("cursor")
                .with_hint("pass next_cursor from a previous local_search answer unchanged, or leave cursor out for the first page"),
            IndexError::CursorMismatch => ToolError::new("cursor_mismatch", message)
                .with_field("cursor")
                .with_hint("repeat the query, limit and filters of the search that returned this cursor, or leave cursor out"),
            IndexError::StaleCursor => ToolError::new("stale_cursor", message)
                .with_field("cursor")
                .with_hint("run the search again without a cursor to page the current index"),
            IndexError::OutsideIndex(_) | IndexError::InvalidPath(_) => ToolError::new("outside_index", message)
                .with_hint("use a path inside an indexed directory (see index_status), absolute or relative to one"),
            IndexError::NotIndexed(_) => ToolError::new("not_indexed", message).with_field("path").with_hint(
                "use a path from local_search; files that are binary, ignored by .gitignore, hidden, too large, or new since the last pass are not indexed (see index_status, or run reindex)",
            ),
            IndexError::Busy(_) => ToolError::new("index_busy", message)
                .with_hint("stop the other search-server, or give this one its own --index-dir"),
            IndexError::Root { .. } | IndexError::IndexDir { .. } | IndexError::Tantivy(_) => {
                ToolError::new("index_failure", message)
                    .with_hint("check the index directory's disk space and permissions; reindex with full: true rebuilds it")
            }
        }
    }
}

impl From<WebError> for ToolError {
    fn from(error: WebError) -> Self {
        let message = error.to_string();
        match &error {
            WebError::NotConfigured => ToolError::new("no_web_backend", message).with_hint(CONFIGURE_WEB),
            WebError::Unauthorized { detail, .. } => ToolError::new("backend_refused", message).with_hint(detail.clone()),
            WebError::RateLimited { retry_after, .. } => ToolError::new("rate_limited", message).with_hint(match retry_after {
                Some(delay) => format!("wait {} seconds before searching again", delay.as_secs().max(1)),
                None => "wait a little before searching again; the server spaces its requests out meanwhile".to_owned(),
            }),
            WebError::QueueFull { wait, .. } => ToolError::new("rate_limited", message)
                .with_hint(format!("send fewer searches at once, or retry in {} seconds", wait.as_secs().max(1))),
            WebError::Unavailable { .. } => ToolError::new("backend_unavailable", message)
                .with_hint("the search backend is failing; it was retried already, so try again later"),
            WebError::Timeout { .. } => ToolError::new("backend_timeout", message)
                .with_hint("the search backend is slow; it was retried already, so try again later or with a simpler query"),
            WebError::Unreachable { .. } => ToolError::new("backend_unreachable", message)
                .with_hint("check that the configured search backend is running and reachable from this server"),
            WebError::Rejected { .. } => ToolError::new("backend_rejected", message)
                .with_hint("change the arguments the backend objected to (language codes and page limits differ between backends)"),
            WebError::Malformed { .. } => ToolError::new("backend_malformed", message)
                .with_hint("the backend URL may point at the wrong service, or a proxy answered instead; check the server's configuration"),
        }
    }
}

impl From<FetchError> for ToolError {
    fn from(error: FetchError) -> Self {
        let message = error.to_string();
        let (code, hint): (&str, String) = match &error {
            FetchError::InvalidUrl(_) => ("invalid_url", "pass a full http:// or https:// URL".to_owned()),
            FetchError::UnsupportedScheme(_) => ("unsupported_scheme", "only http and https URLs can be fetched".to_owned()),
            FetchError::Credentials => ("credentials_in_url", "remove the user:password@ part of the URL".to_owned()),
            FetchError::Blocked { .. } => (
                "blocked_address",
                "fetch_url reads public internet pages only; loopback, private, link-local and metadata addresses are refused (an operator can allow a network with --fetch-allow)".to_owned(),
            ),
            FetchError::RobotsDisallowed(_) => (
                "robots_disallowed",
                "the site asks automated clients not to read this page; use web_search results from elsewhere, or ask the user to open it".to_owned(),
            ),
            FetchError::TooManyRedirects(_) | FetchError::RedirectLoop(_) | FetchError::BadRedirect(_) => (
                "redirect_failed",
                "the site's redirects do not lead to a page; try the site's canonical URL".to_owned(),
            ),
            FetchError::Downgrade { .. } => (
                "insecure_redirect",
                "the page would be read over plain http after https; fetch the http URL directly if that is acceptable".to_owned(),
            ),
            FetchError::Status { status, .. } => ("http_status", status_hint(*status).to_owned()),
            FetchError::NotText(_) => (
                "not_text",
                "fetch_url reads HTML and text (including JSON and XML); images, PDFs and archives are not converted".to_owned(),
            ),
            FetchError::Empty => ("empty_page", "pass raw: true to see the page's HTML".to_owned()),
            FetchError::Http(HttpError::Timeout(_)) => ("timeout", "the site is slow or sends its page endlessly; try again later".to_owned()),
            FetchError::Http(HttpError::Connect(_)) => ("connect_failed", "check the host name; the site may be down".to_owned()),
            FetchError::Http(_) => ("transfer_failed", "the site broke off the answer; try again".to_owned()),
        };
        ToolError::new(code, message).with_hint(hint)
    }
}

fn status_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => "the page needs a login or refuses automated clients",
        404 | 410 => "the page does not exist; check the URL or search for it",
        429 => "the site is rate limiting; wait before fetching from it again",
        500..=599 => "the site is failing; try again later",
        _ => "the site refused the request; check the URL",
    }
}
