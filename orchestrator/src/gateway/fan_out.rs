//! The servers' prompt, resource and template lists, merged: asked of every connected server
//! that offers them, at once, each followed through all its pages, renamed for clients.
//!
//! A server that fails to answer is left out of the merged list (with a warning) rather than
//! failing it: the others' items stay usable.

use rmcp::model::{
    ClientRequest, ListPromptsRequest, ListResourceTemplatesRequest, ListResourcesRequest,
    PaginatedRequestParams, Prompt, Resource, ResourceTemplate, ServerCapabilities, ServerResult,
};

use super::Shared;
use crate::toolbox::Connected;

/// Pages read from one server for one list at most, against a server whose cursors never end.
const MAX_PAGES: usize = 100;

/// One page a server gave: its items, and the cursor of the next.
type ServerPage<T> = (Vec<T>, Option<String>);

/// One of the lists fanned out: which capability offers it, how to ask for a page, and how to
/// read one.
struct Listing<T> {
    method: &'static str,
    offered: fn(&ServerCapabilities) -> bool,
    request: fn(PaginatedRequestParams) -> ClientRequest,
    read: fn(ServerResult) -> Option<ServerPage<T>>,
}

/// Every server's prompts, named for clients.
pub(crate) async fn prompts(shared: &Shared) -> Vec<Prompt> {
    let listing = Listing {
        method: "prompts/list",
        offered: |capabilities| capabilities.prompts.is_some(),
        request: |params| ClientRequest::ListPromptsRequest(ListPromptsRequest::with_param(params)),
        read: |result| match result {
            ServerResult::ListPromptsResult(page) => Some((page.prompts, page.next_cursor)),
            _ => None,
        },
    };
    collect(shared, &listing, |prefix, mut prompt: Prompt| {
        prompt.name = shared.naming.name(prefix, &prompt.name);
        prompt
    })
    .await
}

/// Every server's resources, their URIs rewritten for clients.
pub(crate) async fn resources(shared: &Shared) -> Vec<Resource> {
    let listing = Listing {
        method: "resources/list",
        offered: |capabilities| capabilities.resources.is_some(),
        request: |params| {
            ClientRequest::ListResourcesRequest(ListResourcesRequest::with_param(params))
        },
        read: |result| match result {
            ServerResult::ListResourcesResult(page) => Some((page.resources, page.next_cursor)),
            _ => None,
        },
    };
    collect(shared, &listing, |prefix, mut resource: Resource| {
        resource.uri = shared.naming.uri(prefix, &resource.uri);
        resource
    })
    .await
}

/// Every server's resource templates, rewritten for clients.
pub(crate) async fn templates(shared: &Shared) -> Vec<ResourceTemplate> {
    let listing = Listing {
        method: "resources/templates/list",
        offered: |capabilities| capabilities.resources.is_some(),
        request: |params| {
            ClientRequest::ListResourceTemplatesRequest(ListResourceTemplatesRequest::with_param(
                params,
            ))
        },
        read: |result| match result {
            ServerResult::ListResourceTemplatesResult(page) => {
                Some((page.resource_templates, page.next_cursor))
            }
            _ => None,
        },
    };
    collect(
        shared,
        &listing,
        |prefix, mut template: ResourceTemplate| {
            template.uri_template = shared.naming.uri(prefix, &template.uri_template);
            template
        },
    )
    .await
}

/// The list from every connected server that offers it, in configuration order, each item
/// passed through `expose` with its server's prefix.
async fn collect<T>(
    shared: &Shared,
    listing: &Listing<T>,
    expose: impl Fn(&str, T) -> T,
) -> Vec<T> {
    let servers: Vec<Connected> = shared
        .toolbox
        .connected()
        .into_iter()
        .filter(|server| (listing.offered)(&server.capabilities))
        .filter(|server| match &shared.naming {
            super::Naming::Prefixed => true,
            super::Naming::PassThrough { server: only, .. } => &server.id == only,
        })
        .collect();
    let lists = futures::future::join_all(
        servers
            .iter()
            .map(|server| all_pages(shared, listing, &server.id)),
    )
    .await;
    servers
        .iter()
        .zip(lists)
        .flat_map(|(server, items)| {
            items
                .into_iter()
                .map(|item| expose(&server.prefix, item))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// One server's whole list, page after page; what it could not give is left out.
async fn all_pages<T>(shared: &Shared, listing: &Listing<T>, server: &str) -> Vec<T> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let params = PaginatedRequestParams::default().with_cursor(cursor.clone());
        let page = match shared.forward(server, (listing.request)(params)).await {
            Ok(result) => (listing.read)(result),
            Err(error) => {
                tracing::warn!(server, method = listing.method, %error.message, "left out of the merged list");
                return items;
            }
        };
        let Some((page, next)) = page else {
            tracing::warn!(
                server,
                method = listing.method,
                "answered with another kind of result; left out of the merged list"
            );
            return items;
        };
        items.extend(page);
        match next {
            Some(next) if cursor.as_ref() != Some(&next) => cursor = Some(next),
            Some(_) => {
                tracing::warn!(
                    server,
                    method = listing.method,
                    "gave the same cursor twice"
                );
                return items;
            }
            None => return items,
        }
    }
    tracing::warn!(
        server,
        method = listing.method,
        "more than {MAX_PAGES} pages; the rest is left out"
    );
    items
}
