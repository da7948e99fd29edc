//! The tools' arguments, as their input schemas show them to a model.

use schemars::JsonSchema;
use serde::Deserialize;
use shared::ToolError;

use crate::web::{SafeSearch, TimeRange, WebQuery};

/// `local_search`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LocalSearchArgs {
    /// What to search for. Query syntax: words (all required), `"exact phrase"`, `a OR b`,
    /// `-excluded`, `title:word`, `path:word`, `prefix*`. With `literal: true` the text is
    /// searched as written, as a phrase.
    pub query: String,
    /// Search the text as written, ignoring query syntax (for code, punctuation, operators).
    #[serde(default)]
    pub literal: bool,
    /// Hits per page, 1 to 50 (default 10).
    pub limit: Option<usize>,
    /// `next_cursor` from the previous page, with the same query and filters.
    pub cursor: Option<String>,
    /// Only files under this directory (absolute, or relative to an indexed directory).
    pub path_prefix: Option<String>,
    /// Only files with these extensions, like `["md", "rs"]`.
    #[serde(default)]
    pub extensions: Vec<String>,
    /// Snippet lines per hit, 0 to 10 (default 3).
    pub snippet_lines: Option<usize>,
}

/// `get_document`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetDocumentArgs {
    /// The file's path, as `local_search` returned it (or relative to an indexed directory).
    pub path: String,
    /// Start at this 1-based line (as in snippets). Exclusive with `start_index`.
    pub start_line: Option<usize>,
    /// Start at this character offset (from a previous `next_offset`).
    pub start_index: Option<usize>,
    /// Characters to return, 1 to 100000 (default 20000).
    pub max_length: Option<usize>,
}

/// `reindex`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReindexArgs {
    /// Rebuild from nothing instead of reading only changed files.
    #[serde(default)]
    pub full: bool,
}

/// `web_search`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebSearchArgs {
    /// The search query, 1 to 400 characters and at most 50 words.
    pub query: String,
    /// Results to return, 1 to 20 (default 10).
    pub count: Option<u32>,
    /// Result page, from 1 (default 1). Brave serves pages 1 to 10.
    pub page: Option<u32>,
    /// `off`, `moderate` (default) or `strict`.
    #[serde(default)]
    pub safesearch: SafeSearch,
    /// Only results from the last `day`, `week`, `month` or `year`.
    pub time_range: Option<TimeRange>,
    /// Result language, like `en` or `pt-BR`.
    pub language: Option<String>,
    /// Only results from these host names (and their subdomains), like `docs.rs`.
    #[serde(default)]
    pub include_domains: Vec<String>,
    /// No results from these host names (and their subdomains).
    #[serde(default)]
    pub exclude_domains: Vec<String>,
}

/// `fetch_url`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FetchUrlArgs {
    /// An http or https URL on the public internet.
    pub url: String,
    /// Character offset to start at (from a previous `next_start_index`), default 0.
    #[serde(default)]
    pub start_index: usize,
    /// Characters to return, 1 to 100000 (default 10000).
    pub max_length: Option<usize>,
    /// Return HTML as it is instead of converting it to Markdown.
    #[serde(default)]
    pub raw: bool,
}

/// The longest web query, in characters and in words (Brave's limits, which SearXNG's engines
/// also live with).
const MAX_WEB_QUERY_CHARS: usize = 400;
const MAX_WEB_QUERY_WORDS: usize = 50;
/// The most domains in one filter.
const MAX_DOMAINS: usize = 20;

impl WebSearchArgs {
    /// The checked query, for a backend that serves pages up to `max_page`.
    pub(crate) fn into_query(self, max_page: u32) -> Result<WebQuery, ToolError> {
        let query = self.query.trim().to_owned();
        let invalid =
            |message: String| ToolError::new("invalid_query", message).with_field("query");
        if query.is_empty() {
            return Err(
                invalid("the query is empty".to_owned()).with_hint("say what to search for")
            );
        }
        if let Some(position) = self.query.chars().position(|c| c.is_control() && c != '\t') {
            return Err(invalid("the query contains a control character".to_owned())
                .with_position(position)
                .with_hint("remove newlines and other control characters"));
        }
        let chars = query.chars().count();
        let words = query.split_whitespace().count();
        if chars > MAX_WEB_QUERY_CHARS || words > MAX_WEB_QUERY_WORDS {
            return Err(invalid(format!(
                "the query has {chars} characters and {words} words; at most {MAX_WEB_QUERY_CHARS} and {MAX_WEB_QUERY_WORDS} are accepted"
            ))
            .with_hint("shorten the query to its key terms"));
        }
        let count = bounded("count", self.count, 10, 20)?;
        let page = bounded("page", self.page, 1, max_page)?;
        let language = match self.language {
            Some(language) if !is_language_tag(&language) => {
                return Err(ToolError::new(
                    "invalid_language",
                    format!("`{language}` is not a language code"),
                )
                .with_field("language")
                .with_hint("use a code like `en`, `de` or `pt-BR`, or leave language out"));
            }
            other => other,
        };
        Ok(WebQuery {
            query,
            count,
            page,
            safesearch: self.safesearch,
            time_range: self.time_range,
            language,
            include_domains: domains("include_domains", self.include_domains)?,
            exclude_domains: domains("exclude_domains", self.exclude_domains)?,
        })
    }
}

/// `value` (or `default`) if within `1..=max`; else an error naming `field`.
pub(crate) fn bounded<T>(
    field: &'static str,
    value: Option<T>,
    default: T,
    max: T,
) -> Result<T, ToolError>
where
    T: PartialOrd + From<u8> + std::fmt::Display + Copy,
{
    let value = value.unwrap_or(default);
    if value < T::from(1) || value > max {
        return Err(ToolError::new(
            "out_of_range",
            format!("{field} is {value}; it must be from 1 to {max}"),
        )
        .with_field(field)
        .with_hint(format!(
            "pass a {field} from 1 to {max}, or leave it out for {default}"
        )));
    }
    Ok(value)
}

fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    tag == "all"
        || ((2..=3).contains(&primary.len())
            && primary.chars().all(|c| c.is_ascii_alphabetic())
            && parts.all(|part| {
                (2..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
            }))
}

/// Host names, lower-cased; URLs, wildcards and other text are refused with a pointer at the fix.
fn domains(field: &'static str, given: Vec<String>) -> Result<Vec<String>, ToolError> {
    if given.len() > MAX_DOMAINS {
        return Err(ToolError::new(
            "too_many_domains",
            format!(
                "{field} has {} entries; at most {MAX_DOMAINS} are accepted",
                given.len()
            ),
        )
        .with_field(field)
        .with_hint("keep the domains that matter most"));
    }
    given
        .into_iter()
        .map(|domain| {
            let host = domain.trim().trim_end_matches('.').to_ascii_lowercase();
            let valid = host.contains('.')
                && host.len() <= 253
                && host.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && !label.starts_with('-')
                        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                });
            if valid {
                Ok(host)
            } else {
                Err(ToolError::new("invalid_domain", format!("`{domain}` in {field} is not a host name"))
                    .with_field(field)
                    .with_hint("give host names like `docs.rs` or `en.wikipedia.org`: no scheme, path, port or wildcard"))
            }
        })
        .collect()
}
