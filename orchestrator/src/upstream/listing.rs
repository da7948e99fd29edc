//! Reading every page of a server's `tools/list`, with guards against servers that never stop
//! paginating: a cursor seen before, too many pages, too many tools, a page that never comes.
//! rmcp's own `list_all_tools` follows cursors without any of these.

use std::collections::HashSet;
use std::time::Duration;

use rmcp::model::{PaginatedRequestParams, Tool};
use rmcp::service::{Peer, RoleClient};

/// Pages read before giving up on a server's list.
pub(crate) const MAX_PAGES: usize = 100;

/// Tools kept from one server.
pub(crate) const MAX_TOOLS: usize = 5_000;

/// A server's tools, and why the list may be incomplete.
#[derive(Debug, Clone, Default)]
pub(crate) struct Listing {
    /// The tools, in the server's order.
    pub tools: Vec<Tool>,
    /// Set when a guard stopped the listing; the tools read until then are kept.
    pub incomplete: Option<String>,
}

/// Why no list could be read at all.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ListingError {
    /// The first page did not come in time.
    #[error("tools/list: no answer within {} ms", .0.as_millis())]
    Timeout(Duration),
    /// The server answered with an error or the connection failed.
    #[error("tools/list: {0}")]
    Failed(#[from] rmcp::ServiceError),
}

/// Lists every page; each page must come within `page_timeout`.
pub(crate) async fn list_tools(
    peer: &Peer<RoleClient>,
    page_timeout: Duration,
) -> Result<Listing, ListingError> {
    let mut listing = Listing::default();
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    for page in 1..=MAX_PAGES {
        let params = PaginatedRequestParams::default().with_cursor(cursor.clone());
        let result = match tokio::time::timeout(page_timeout, peer.list_tools(Some(params))).await {
            Ok(Ok(result)) => result,
            Ok(Err(error)) if page == 1 => return Err(error.into()),
            Err(_) if page == 1 => return Err(ListingError::Timeout(page_timeout)),
            Ok(Err(error)) => return Ok(listing.stop(format!("page {page} failed: {error}"))),
            Err(_) => {
                return Ok(listing.stop(format!(
                    "page {page} did not come within {} ms",
                    page_timeout.as_millis()
                )));
            }
        };
        let room = MAX_TOOLS - listing.tools.len();
        if result.tools.len() > room {
            listing.tools.extend(result.tools.into_iter().take(room));
            return Ok(listing.stop(format!("more than {MAX_TOOLS} tools; the rest are ignored")));
        }
        listing.tools.extend(result.tools);
        match result.next_cursor {
            None => return Ok(listing),
            Some(next) if !seen.insert(next.clone()) => {
                return Ok(listing.stop(format!(
                    "the cursor {next:?} came back at page {page}; stopped to avoid a loop"
                )));
            }
            Some(next) => cursor = Some(next),
        }
    }
    Ok(listing.stop(format!(
        "still paginating after {MAX_PAGES} pages; the rest are ignored"
    )))
}

impl Listing {
    fn stop(mut self, why: String) -> Self {
        self.incomplete = Some(format!("tool list incomplete: {why}"));
        self
    }
}
