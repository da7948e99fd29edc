//! `search-server`: serves the search tools over stdio (the default) or Streamable HTTP.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use search_server::{SearchServer, Settings, WebBackendChoice};

/// An MCP search server: your files (a local full-text index), the web, and single pages.
#[derive(Debug, Parser)]
#[command(name = "search-server", version, about)]
struct Cli {
    /// Directories to index for local_search.
    #[arg(value_name = "DIR")]
    directories: Vec<PathBuf>,

    /// Where to keep the index [default: a folder per directory set under ~/.cache/mcp-search-server].
    #[arg(long, value_name = "DIR")]
    index_dir: Option<PathBuf>,

    /// Do not watch the directories; changes are picked up by the reindex tool only.
    #[arg(long)]
    no_watch: bool,

    /// Files larger than this many bytes are not indexed.
    #[arg(long, value_name = "BYTES", default_value_t = 4 * 1024 * 1024)]
    max_file_size: u64,

    /// The web search backend.
    #[arg(long, value_enum, default_value_t = WebBackendChoice::Auto)]
    web_backend: WebBackendChoice,

    /// A SearXNG instance (its settings.yml must list `json` under search.formats).
    #[arg(long, env = "SEARXNG_URL", value_name = "URL")]
    searxng_url: Option<url::Url>,

    /// The Brave Search API key (give it through the environment, not the command line).
    #[arg(
        long,
        env = "BRAVE_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    brave_api_key: Option<String>,

    /// The Brave Search API endpoint (for a proxy in front of it).
    #[arg(long, value_name = "URL", default_value = search_server::web::brave::ENDPOINT)]
    brave_endpoint: url::Url,

    /// Web searches per second, at most; more are queued.
    #[arg(long, value_name = "N", default_value_t = 1.0, value_parser = positive)]
    web_rate_limit: f64,

    /// The longest one web search request may take, like `10s`.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = humantime::parse_duration)]
    web_timeout: Duration,

    /// Retries of a web search that failed with 5xx or a timeout.
    #[arg(long, value_name = "N", default_value_t = 2)]
    web_retries: usize,

    /// How long web results are reused, like `5m` (`0s` turns the cache off).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = humantime::parse_duration)]
    web_cache_ttl: Duration,

    /// The longest one fetch_url may take, redirects and body included.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = humantime::parse_duration)]
    fetch_timeout: Duration,

    /// The most bytes of a page fetch_url reads.
    #[arg(long, value_name = "BYTES", default_value_t = 10 * 1024 * 1024)]
    fetch_max_bytes: usize,

    /// Fetch pages even where robots.txt disallows it.
    #[arg(long)]
    ignore_robots_txt: bool,

    /// A network fetch_url may reach although it is not public, like `10.1.0.0/16` or
    /// `127.0.0.1/32`; repeat for more. Everything non-public is refused otherwise.
    #[arg(long, value_name = "CIDR")]
    fetch_allow: Vec<ipnet::IpNet>,

    #[command(flatten)]
    serve: shared::ServeArgs,
}

fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value > 0.0 => Ok(value),
        _ => Err(format!("`{text}` is not a positive number")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = Settings {
        directories: cli.directories,
        index_dir: cli.index_dir,
        watch: !cli.no_watch,
        max_file_size: cli.max_file_size,
        web_backend: cli.web_backend,
        searxng_url: cli.searxng_url,
        brave_api_key: cli.brave_api_key,
        brave_endpoint: cli.brave_endpoint,
        web_rate_limit: cli.web_rate_limit,
        web_timeout: cli.web_timeout,
        web_retries: cli.web_retries,
        web_cache_ttl: cli.web_cache_ttl,
        fetch_timeout: cli.fetch_timeout,
        fetch_max_bytes: cli.fetch_max_bytes,
        respect_robots: !cli.ignore_robots_txt,
        fetch_allow: cli.fetch_allow,
        ..Settings::default()
    };
    match SearchServer::new(&settings) {
        Ok(server) => shared::run(cli.serve, server),
        Err(error) => {
            eprintln!("search-server: {error}");
            ExitCode::from(2)
        }
    }
}
