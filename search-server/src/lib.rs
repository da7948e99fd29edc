//! An MCP search server with three kinds of search: the user's own files, the web, and one
//! page of it.
//!
//! - [`local`]: a persistent tantivy index over directories, kept current incrementally (by
//!   modification time and size, and by watching), with highlighted, line-numbered snippets
//!   and cursor paging. It works offline and is the embedded default.
//! - [`web`]: web search through SearXNG or Brave, paced, retried and cached.
//! - [`fetch`]: one page as Markdown, through the SSRF [`guard`], robots.txt and byte caps.
//! - [`http`]: the one shared HTTP client; [`text`]: bytes to text; [`cache`]: TTL caches.
//! - [`SearchServer`]: the MCP tools over all of the above.
//!
//! ```
//! use search_server::local::{IndexSettings, LocalIndex, SearchRequest};
//!
//! let docs = tempfile::tempdir()?;
//! std::fs::write(docs.path().join("tokio.md"), "# Tokio\nTokio is an async runtime.\n")?;
//! let index = LocalIndex::open(&IndexSettings {
//!     roots: vec![docs.path().to_owned()],
//!     index_dir: tempfile::tempdir()?.keep(),
//!     max_file_size: 1 << 20,
//! })?;
//! index.sync(false)?;
//!
//! let found = index.search(&SearchRequest {
//!     text: "async runtime",
//!     literal: false,
//!     limit: 10,
//!     cursor: None,
//!     path_prefix: None,
//!     extensions: &[],
//!     snippet_lines: 2,
//! })?;
//! assert_eq!(found.hits[0].lines[0].line, 2);
//! assert_eq!(found.hits[0].lines[0].text, "Tokio is an **async** **runtime**.");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod args;
pub mod cache;
mod error;
pub mod fetch;
pub mod guard;
pub mod http;
pub mod local;
mod server;
pub mod text;
pub mod web;

pub use server::{SearchServer, Settings, StartError, WebBackendChoice};
