//! The MCP face of the search server: one method per tool, each a thin adapter over
//! [`LocalIndex`], [`WebSearch`] and [`Fetcher`].

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::Serialize;
use shared::{ServerIdentity, TextPage, ToolError, Tools};
use url::Url;

use crate::args::{
    FetchUrlArgs, GetDocumentArgs, LocalSearchArgs, ReindexArgs, WebSearchArgs, bounded,
};
use crate::fetch::{FetchSettings, Fetcher};
use crate::guard::AddressPolicy;
use crate::http::{Http, HttpSettings};
use crate::local::{
    DiskState, IndexError, IndexSettings, IndexStatus, LocalIndex, SearchHits, SearchRequest,
    SyncReport, watch,
};
use crate::web::brave::Brave;
use crate::web::searxng::Searxng;
use crate::web::{WebBackend, WebError, WebResult, WebSearch, WebSettings};

const INSTRUCTIONS: &str = "Search the user's files with local_search (BM25 over the indexed \
directories: words are all required, \"quotes\" for phrases, OR, -exclusion, title:/path: \
fields, or literal: true for text as written); hits carry line-numbered snippets, and \
get_document reads a hit's text from a line. index_status tells what is indexed; reindex picks \
up changes at once. web_search searches the web through the configured backend; fetch_url \
reads one public page as Markdown, in windows (next_start_index continues). Failures are \
isError results with a code and a hint.";

/// Which web search backend to use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum WebBackendChoice {
    /// SearXNG if a URL is given, else Brave if a key is given, else none.
    #[default]
    Auto,
    /// A SearXNG instance.
    Searxng,
    /// The Brave Search API.
    Brave,
    /// No web search.
    None,
}

/// How the server is set up (the command line, in the binary).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Directories to index.
    pub directories: Vec<PathBuf>,
    /// Where the index is kept; by default a per-directory-set folder in the user's cache.
    pub index_dir: Option<PathBuf>,
    /// Pick up file changes as they happen.
    pub watch: bool,
    /// Larger files are not indexed.
    pub max_file_size: u64,
    /// Which web backend.
    pub web_backend: WebBackendChoice,
    /// The SearXNG instance.
    pub searxng_url: Option<Url>,
    /// The Brave Search API key.
    pub brave_api_key: Option<String>,
    /// The Brave Search API endpoint.
    pub brave_endpoint: Url,
    /// Web searches per second, at most.
    pub web_rate_limit: f64,
    /// The longest a web search may queue for its turn.
    pub web_max_queue_wait: Duration,
    /// The longest one backend request may take.
    pub web_timeout: Duration,
    /// Retries on 5xx and timeouts.
    pub web_retries: usize,
    /// How long results are reused.
    pub web_cache_ttl: Duration,
    /// The longest one fetch may take.
    pub fetch_timeout: Duration,
    /// The most bytes of a page that are read.
    pub fetch_max_bytes: usize,
    /// Obey robots.txt.
    pub respect_robots: bool,
    /// Networks `fetch_url` may reach besides the public internet.
    pub fetch_allow: Vec<IpNet>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            directories: Vec::new(),
            index_dir: None,
            watch: true,
            max_file_size: 4 * 1024 * 1024,
            web_backend: WebBackendChoice::Auto,
            searxng_url: None,
            brave_api_key: None,
            brave_endpoint: Url::parse(crate::web::brave::ENDPOINT)
                .unwrap_or_else(|_| unreachable!("a valid constant URL")),
            web_rate_limit: 1.0,
            web_max_queue_wait: Duration::from_secs(30),
            web_timeout: Duration::from_secs(10),
            web_retries: 2,
            web_cache_ttl: Duration::from_secs(300),
            fetch_timeout: Duration::from_secs(30),
            fetch_max_bytes: 10 * 1024 * 1024,
            respect_robots: true,
            fetch_allow: Vec::new(),
        }
    }
}

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The index cannot be opened.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The HTTP client cannot be built.
    #[error("cannot set up HTTP: {0}")]
    Http(#[from] reqwest::Error),
    /// The chosen web backend lacks its setting.
    #[error("{0}")]
    WebBackend(String),
}

/// The search server's tools.
#[derive(Debug, Clone)]
pub struct SearchServer {
    tool_router: ToolRouter<Self>,
    local: Option<Arc<LocalIndex>>,
    web: Option<Arc<WebSearch>>,
    fetcher: Arc<Fetcher>,
}

impl SearchServer {
    /// Opens the index (and starts indexing in the background), builds the HTTP client and the
    /// web backend.
    pub fn new(settings: &Settings) -> Result<Self, StartError> {
        let local = if settings.directories.is_empty() {
            None
        } else {
            let index_dir = match &settings.index_dir {
                Some(dir) => dir.clone(),
                None => default_index_dir(&settings.directories),
            };
            let index = LocalIndex::open(&IndexSettings {
                roots: settings.directories.clone(),
                index_dir,
                max_file_size: settings.max_file_size,
            })?;
            watch::start(&index, settings.watch);
            Some(index)
        };
        let backend = backend(settings)?;
        let backend_hosts: HashSet<String> = backend
            .as_ref()
            .map(|(_, host)| host.clone())
            .into_iter()
            .flatten()
            .collect();
        let http = Http::new(HttpSettings {
            policy: Arc::new(AddressPolicy::new(settings.fetch_allow.iter().copied())),
            trusted_hosts: backend_hosts.clone(),
            connect_timeout: Duration::from_secs(10),
        })?;
        let web = backend.map(|(backend, _)| {
            Arc::new(WebSearch::new(
                backend,
                http.clone(),
                WebSettings {
                    min_interval: Duration::from_secs_f64(1.0 / settings.web_rate_limit.max(0.001)),
                    max_queue_wait: settings.web_max_queue_wait,
                    retries: settings.web_retries,
                    retry_delay: Duration::from_millis(250),
                    cache_ttl: settings.web_cache_ttl,
                },
            ))
        });
        let fetcher = Fetcher::new(
            http,
            FetchSettings {
                respect_robots: settings.respect_robots,
                max_bytes: settings.fetch_max_bytes,
                timeout: settings.fetch_timeout,
                backend_hosts,
            },
        );
        Ok(Self {
            tool_router: Self::tool_router(),
            local,
            web,
            fetcher: Arc::new(fetcher),
        })
    }

    fn local(&self) -> Result<Arc<LocalIndex>, ToolError> {
        self.local
            .clone()
            .ok_or_else(|| ToolError::from(IndexError::NoDirectories))
    }

    /// Runs blocking index work off the async threads.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&LocalIndex) -> Result<T, IndexError> + Send + 'static,
    ) -> Result<T, ToolError> {
        let index = self.local()?;
        shared::run_blocking(move || work(&index).map_err(ToolError::from)).await
    }
}

/// The configured backend and the host it lives on (trusted by the resolver, never fetched).
type Configured = (Box<dyn WebBackend>, Option<String>);

fn backend(settings: &Settings) -> Result<Option<Configured>, StartError> {
    let searxng = |url: &Url| -> Result<Configured, StartError> {
        let backend = Searxng::new(url, settings.web_timeout)
            .map_err(|error| StartError::WebBackend(format!("bad --searxng-url {url}: {error}")))?;
        Ok((Box::new(backend), url.host_str().map(str::to_owned)))
    };
    let brave = |key: &String| -> Configured {
        let endpoint = settings.brave_endpoint.clone();
        let host = endpoint.host_str().map(str::to_owned);
        (
            Box::new(Brave::new(endpoint, key.clone(), settings.web_timeout)),
            host,
        )
    };
    let key = settings
        .brave_api_key
        .as_ref()
        .filter(|key| !key.trim().is_empty());
    match settings.web_backend {
        WebBackendChoice::None => Ok(None),
        WebBackendChoice::Auto => match (&settings.searxng_url, key) {
            (Some(url), _) => searxng(url).map(Some),
            (None, Some(key)) => Ok(Some(brave(key))),
            (None, None) => Ok(None),
        },
        WebBackendChoice::Searxng => match &settings.searxng_url {
            Some(url) => searxng(url).map(Some),
            None => Err(StartError::WebBackend(
                "--web-backend searxng needs --searxng-url (or SEARXNG_URL)".to_owned(),
            )),
        },
        WebBackendChoice::Brave => match key {
            Some(key) => Ok(Some(brave(key))),
            None => Err(StartError::WebBackend(
                "--web-backend brave needs the BRAVE_API_KEY environment variable".to_owned(),
            )),
        },
    }
}

/// `$XDG_CACHE_HOME/mcp-search-server/<digest of the directories>`, or under `~/.cache`.
fn default_index_dir(directories: &[PathBuf]) -> PathBuf {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for dir in directories {
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
        hasher.update(dir.as_os_str().as_encoded_bytes());
        hasher.update([0]);
    }
    let digest: String = hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("mcp-search-server").join(digest)
}

/// A window of an indexed document.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub(crate) struct DocumentPage {
    /// Absolute path.
    pub path: String,
    /// `text`, `markdown`, `code` or `html` (HTML is shown as Markdown).
    pub kind: String,
    /// The title, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Size of the file when indexed, in bytes.
    pub size: u64,
    /// `unchanged`, `changed` (the next pass reindexes it) or `deleted`.
    pub on_disk: DiskState,
    /// The 1-based line the window starts on.
    pub start_line: usize,
    /// The window.
    #[serde(flatten)]
    pub page: TextPage,
}

/// The outcome of `reindex`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub(crate) struct Reindexed {
    /// Documents in the index now.
    pub documents: u64,
    /// What the pass did.
    pub pass: SyncReport,
}

/// A page of web results.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub(crate) struct WebAnswer {
    /// The query as searched.
    pub query: String,
    /// The backend that answered.
    pub backend: &'static str,
    /// The page number.
    pub page: u32,
    /// The results, best first; empty when nothing matched.
    pub results: Vec<WebResult>,
    /// Whether the backend has another page (ask for `page + 1`).
    pub more_available: bool,
    /// Whether the answer came from the cache.
    pub cached: bool,
}

/// A window of a fetched page.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub(crate) struct FetchedPage {
    /// The URL asked for.
    pub url: String,
    /// The URL that answered, after redirects.
    pub final_url: String,
    /// HTTP status.
    pub status: u16,
    /// Content type (sent, or sniffed).
    pub content_type: String,
    /// Character set the page was decoded from.
    pub charset: String,
    /// The HTML title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The window's text: Markdown for HTML unless `raw`.
    pub content: String,
    /// The character offset the window starts at.
    pub start_index: usize,
    /// Characters in the window.
    pub returned_chars: usize,
    /// Characters in the whole converted page.
    pub total_chars: usize,
    /// Pass as `start_index` to read on, when there is more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_start_index: Option<usize>,
    /// Whether the page was larger than the server's byte cap and was cut there.
    pub body_truncated: bool,
    /// Redirects followed, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<String>,
    /// Whether the page came from the cache.
    pub cached: bool,
}

#[tool_router]
impl SearchServer {
    /// Full-text search (BM25) over the indexed directories, with line-numbered snippets.
    #[tool(
        title = "Search local documents",
        annotations(
            title = "Search local documents",
            read_only_hint = true,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn local_search(
        &self,
        Parameters(args): Parameters<LocalSearchArgs>,
    ) -> Result<Json<SearchHits>, ToolError> {
        let limit = bounded("limit", args.limit, 10, 50)?;
        let snippet_lines = args.snippet_lines.unwrap_or(3);
        if snippet_lines > 10 {
            return Err(ToolError::new(
                "out_of_range",
                format!("snippet_lines is {snippet_lines}; it must be from 0 to 10"),
            )
            .with_field("snippet_lines")
            .with_hint("pass 0 to 10, or leave it out for 3"));
        }
        self.blocking(move |index| {
            index.ensure_synced();
            index.search(&SearchRequest {
                text: &args.query,
                literal: args.literal,
                limit,
                cursor: args.cursor.as_deref(),
                path_prefix: args.path_prefix.as_deref(),
                extensions: &args.extensions,
                snippet_lines,
            })
        })
        .await
        .map(Json)
    }

    /// The indexed text of one file, in windows, from a line or a character offset.
    #[tool(
        title = "Get indexed document",
        annotations(
            title = "Get indexed document",
            read_only_hint = true,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn get_document(
        &self,
        Parameters(args): Parameters<GetDocumentArgs>,
    ) -> Result<Json<DocumentPage>, ToolError> {
        let max_length = bounded("max_length", args.max_length, 20_000, 100_000)?;
        if args.start_line.is_some() && args.start_index.is_some() {
            return Err(ToolError::new(
                "conflicting_arguments",
                "start_line and start_index were both given",
            )
            .with_field("start_index")
            .with_hint("pass one of them"));
        }
        let path = args.path.clone();
        let document = self.blocking(move |index| index.document(&path)).await?;
        let (offset, start_line) = match (args.start_line, args.start_index) {
            (Some(0), _) => {
                return Err(
                    ToolError::new("out_of_range", "start_line is 0; lines count from 1")
                        .with_field("start_line")
                        .with_hint("pass 1 for the first line"),
                );
            }
            (Some(line), _) => match line_offset(&document.text, line) {
                Some(offset) => (offset, line),
                None => {
                    let lines = document.text.lines().count();
                    return Err(ToolError::new(
                        "out_of_range",
                        format!("start_line is {line}, but the document has {lines} lines"),
                    )
                    .with_field("start_line")
                    .with_hint(format!("pass a line from 1 to {lines}")));
                }
            },
            (None, offset) => {
                let offset = offset.unwrap_or(0);
                (offset, line_of(&document.text, offset))
            }
        };
        let page = TextPage::window(&document.text, offset, max_length);
        Ok(Json(DocumentPage {
            path: document.path,
            kind: document.kind,
            title: document.title,
            size: document.size,
            on_disk: document.on_disk,
            start_line,
            page,
        }))
    }

    /// What is indexed: directories, documents, the last pass, whether changes are watched.
    #[tool(
        title = "Index status",
        annotations(
            title = "Index status",
            read_only_hint = true,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn index_status(&self) -> Result<Json<IndexStatus>, ToolError> {
        self.blocking(|index| Ok(index.status())).await.map(Json)
    }

    /// Brings the index up to date now (only changed files are read), or rebuilds it (`full`).
    #[tool(
        title = "Reindex",
        annotations(
            title = "Reindex",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn reindex(
        &self,
        Parameters(args): Parameters<ReindexArgs>,
    ) -> Result<Json<Reindexed>, ToolError> {
        self.blocking(move |index| {
            let pass = index.sync(args.full)?;
            Ok(Reindexed {
                documents: index.status().documents,
                pass,
            })
        })
        .await
        .map(Json)
    }

    /// Searches the web through the configured backend (SearXNG or Brave).
    #[tool(
        title = "Search the web",
        annotations(
            title = "Search the web",
            read_only_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn web_search(
        &self,
        Parameters(args): Parameters<WebSearchArgs>,
    ) -> Result<Json<WebAnswer>, ToolError> {
        let web = self
            .web
            .clone()
            .ok_or_else(|| ToolError::from(WebError::NotConfigured))?;
        let query = args.into_query(web.max_page())?;
        let searched = web.search(&query).await?;
        Ok(Json(WebAnswer {
            query: query.query,
            backend: web.backend_name(),
            page: query.page,
            results: searched.results.results,
            more_available: searched.results.more_available,
            cached: searched.cached,
        }))
    }

    /// Reads a public web page as Markdown (or text), in windows of `max_length` characters.
    #[tool(
        title = "Fetch URL",
        annotations(
            title = "Fetch URL",
            read_only_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn fetch_url(
        &self,
        Parameters(args): Parameters<FetchUrlArgs>,
    ) -> Result<Json<FetchedPage>, ToolError> {
        let max_length = bounded("max_length", args.max_length, 10_000, 100_000)?;
        let (page, cached) = self.fetcher.fetch(&args.url, args.raw).await?;
        let window = TextPage::window(&page.content, args.start_index, max_length);
        if args.start_index > 0 && args.start_index >= window.total_chars {
            return Err(ToolError::new(
                "start_beyond_end",
                format!(
                    "start_index is {}, but the page has {} characters",
                    args.start_index, window.total_chars
                ),
            )
            .with_field("start_index")
            .with_hint("the whole page has been read; start_index 0 reads it from the top"));
        }
        let returned_chars = window.text.chars().count();
        Ok(Json(FetchedPage {
            url: page.url.clone(),
            final_url: page.final_url.clone(),
            status: page.status,
            content_type: page.content_type.clone(),
            charset: page.charset.to_owned(),
            title: page.title.clone(),
            content: window.text,
            start_index: args.start_index.min(window.total_chars),
            returned_chars,
            total_chars: window.total_chars,
            next_start_index: window.next_offset,
            body_truncated: page.body_truncated,
            redirects: page.redirects.clone(),
            cached,
        }))
    }
}

/// The character offset where 1-based `line` starts, if the text has that line.
fn line_offset(text: &str, line: usize) -> Option<usize> {
    if line == 1 {
        return Some(0);
    }
    let mut newlines = 0;
    for (offset, c) in text.chars().enumerate() {
        if c == '\n' {
            newlines += 1;
            if newlines == line - 1 {
                return (offset + 1 < text.chars().count()).then_some(offset + 1);
            }
        }
    }
    None
}

/// The 1-based line of character `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    1 + text.chars().take(offset).filter(|&c| c == '\n').count()
}

impl Tools for SearchServer {
    fn identity(&self) -> ServerIdentity {
        ServerIdentity {
            name: "search-server",
            version: env!("CARGO_PKG_VERSION"),
            title: "Search",
            instructions: INSTRUCTIONS,
            default_port: 8102,
        }
    }

    fn tool_router(&self) -> &ToolRouter<Self> {
        &self.tool_router
    }
}
