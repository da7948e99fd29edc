//! The toolbox served as one MCP server (`orchestrator serve`): a desktop client or IDE that
//! knows one server gets every server's tools, prompts and resources through one entry.
//!
//! Transparent on the way through:
//! - tools are the registry's, and every call goes through the [`Toolbox`], like the CLI's and
//!   the agent's; prompts and resources are the servers' own, renamed reversibly
//!   ([`Naming`]) and routed back to their owner, with resource templates, subscriptions and
//!   completions;
//! - what a server sends during a call (progress, sampling and elicitation requests) goes to
//!   the client that made the call, and the answers back (`call`); a client that cancels
//!   cancels the call on that one server;
//! - what servers announce between calls (changed lists, resource updates, logs) goes to the
//!   clients it concerns (`announce`);
//! - every list is paged with the gateway's own opaque cursors (`paging`).
//!
//! In pass-through mode the gateway fronts a single server under its own names.

// Logging is the 2025-11-25 protocol's, which clients and servers speak; rmcp marks it
// deprecated in favour of a later specification.
#![allow(deprecated)]

mod announce;
mod call;
mod clients;
mod fan_out;
mod naming;
mod paging;

use std::sync::{Arc, OnceLock};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ClientRequest, CompleteRequest, CompleteRequestParams,
    CompleteResult, ErrorData, GetPromptRequest, GetPromptRequestParams, GetPromptResponse,
    Implementation, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams, ReadResourceRequest, ReadResourceRequestParams,
    ReadResourceResponse, Reference, ServerCapabilities, ServerConfig, ServerResult,
    SetLevelRequestParams, SubscribeRequest, SubscribeRequestParams, Tool, UnsubscribeRequest,
    UnsubscribeRequestParams,
};
use rmcp::service::{NotificationContext, RequestContext};
use rmcp::{RoleServer, ServerHandler};
use tokio::task::JoinHandle;

use crate::router::ForwardError;
use crate::toolbox::Toolbox;
use clients::{Client, Clients};
pub use naming::Naming;
use paging::List;

/// What clients read about the gateway when it serves several servers.
const INSTRUCTIONS: &str = "Tools, prompts and resources from several MCP servers: tools and prompts are named server__name, resource URIs server+uri. A server that is down answers with an error that says when it will be back; the others keep working.";

/// The gateway could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// Pass-through needs exactly one server.
    #[error(
        "--pass-through fronts exactly one server, and {0} are enabled; use a configuration with one server, or serve them prefixed"
    )]
    PassThroughNeedsOneServer(usize),
    /// A page size of zero.
    #[error("--page-size must be at least 1")]
    EmptyPages,
}

/// What every session of the gateway shares.
struct Shared {
    toolbox: Arc<Toolbox>,
    naming: Naming,
    page_size: usize,
    /// Every configured server's id and prefix, in configuration order.
    servers: Vec<(String, String)>,
    clients: Clients,
}

impl Shared {
    fn prefix_of(&self, server: &str) -> Option<&str> {
        self.servers
            .iter()
            .find(|(id, _)| id == server)
            .map(|(_, prefix)| prefix.as_str())
    }

    fn server_with(&self, prefix: &str) -> Option<&str> {
        self.servers
            .iter()
            .find(|(_, known)| known == prefix)
            .map(|(id, _)| id.as_str())
    }

    /// The owner of a name or URI a client used, from its split into prefix and the server's
    /// own; `what` says what it is, for the error.
    fn owner<'a>(
        &'a self,
        split: Option<(&'a str, &'a str)>,
        exposed: &str,
        what: &str,
    ) -> Result<Owner<'a>, ErrorData> {
        split
            .and_then(|(prefix, original)| {
                Some(Owner {
                    server: self.server_with(prefix)?,
                    prefix,
                    original,
                })
            })
            .ok_or_else(|| {
                ErrorData::invalid_params(
                    format!("no server offers the {what} `{exposed}`; list them to see the names this gateway gives out"),
                    None,
                )
            })
    }

    /// Sends a request to a server and turns its failures into errors for the client.
    async fn forward(
        &self,
        server: &str,
        request: ClientRequest,
    ) -> Result<ServerResult, ErrorData> {
        self.toolbox
            .forward(server, request)
            .await
            .map_err(|error| match error {
                ForwardError::Rejected { error, .. } => error,
                ForwardError::UnknownServer(_) => {
                    ErrorData::invalid_params(error.to_string(), None)
                }
                error => ErrorData::internal_error(error.to_string(), None),
            })
    }

    /// Unsubscribes upstream from resources whose last subscriber left.
    async fn release(&self, orphaned: Vec<String>) {
        for exposed in orphaned {
            if let Some((prefix, uri)) = self.naming.split_uri(&exposed)
                && let Some(server) = self.server_with(prefix)
            {
                let request = ClientRequest::UnsubscribeRequest(UnsubscribeRequest::new(
                    UnsubscribeRequestParams::new(uri),
                ));
                if let Err(error) = self.forward(server, request).await {
                    tracing::debug!(%error, uri, "unsubscribing a departed client failed");
                }
            }
        }
    }
}

/// The server that owns a name or URI, and its own name for it.
struct Owner<'a> {
    server: &'a str,
    prefix: &'a str,
    original: &'a str,
}

/// One MCP server over the whole toolbox. Cheap to clone: each HTTP session is served by a
/// clone, which becomes that session's when its client has initialized.
#[derive(Clone)]
pub struct Gateway {
    shared: Arc<Shared>,
    /// This session's client, once initialized.
    client: OnceLock<Arc<Client>>,
}

impl Gateway {
    /// A gateway over `toolbox`, which should be started with
    /// [`Toolbox::start_relaying`] for the servers to be offered sampling and elicitation.
    /// With `pass_through`, the toolbox must have exactly one enabled server.
    pub fn new(
        toolbox: Arc<Toolbox>,
        pass_through: bool,
        page_size: usize,
    ) -> Result<Self, GatewayError> {
        if page_size == 0 {
            return Err(GatewayError::EmptyPages);
        }
        let statuses = toolbox.status();
        let naming = if pass_through {
            let enabled: Vec<_> = statuses
                .iter()
                .filter(|status| status.state != crate::ServerState::Disabled)
                .collect();
            match enabled.as_slice() {
                [only] => Naming::PassThrough {
                    server: only.id.clone(),
                    prefix: only.prefix.clone(),
                },
                _ => return Err(GatewayError::PassThroughNeedsOneServer(enabled.len())),
            }
        } else {
            Naming::Prefixed
        };
        let servers = statuses
            .into_iter()
            .map(|status| (status.id, status.prefix))
            .collect();
        Ok(Self {
            shared: Arc::new(Shared {
                toolbox,
                naming,
                page_size,
                servers,
                clients: Clients::default(),
            }),
            client: OnceLock::new(),
        })
    }

    /// Passes what the servers announce between calls on to the connected clients (changed
    /// lists, resource updates, logs), until the toolbox shuts down. Abort the task to stop
    /// earlier.
    pub fn announce(&self) -> JoinHandle<()> {
        tokio::spawn(announce::run(self.shared.clone()))
    }

    /// The tools as clients see them, in a stable order.
    fn tools(&self) -> Vec<Tool> {
        let registry = self.shared.toolbox.registry();
        match &self.shared.naming {
            Naming::Prefixed => registry
                .entries()
                .map(|entry| entry.exposed_tool())
                .collect(),
            Naming::PassThrough { server, .. } => registry
                .entries()
                .filter(|entry| &entry.server == server)
                .map(|entry| entry.tool.clone())
                .collect(),
        }
    }

    /// The exposed name to call for a tool name a client used.
    fn exposed_name(&self, name: &str) -> String {
        match &self.shared.naming {
            Naming::Prefixed => name.to_owned(),
            Naming::PassThrough { server, .. } => self
                .shared
                .toolbox
                .registry()
                .entries()
                .find(|entry| &entry.server == server && entry.original() == name)
                .map_or_else(|| name.to_owned(), |entry| entry.name.clone()),
        }
    }

    /// What clients read about the gateway: in pass-through mode, the server's own
    /// instructions, as it would say them itself.
    fn instructions(&self) -> Option<String> {
        match &self.shared.naming {
            Naming::Prefixed => Some(INSTRUCTIONS.to_owned()),
            Naming::PassThrough { server, .. } => self
                .shared
                .toolbox
                .connected()
                .into_iter()
                .find(|connected| &connected.id == server)
                .and_then(|connected| connected.instructions),
        }
    }

    /// This session's client; requests come only after the handshake, so it is there.
    fn session(&self) -> Result<&Arc<Client>, ErrorData> {
        self.client.get().ok_or_else(|| {
            ErrorData::invalid_request("the session has not completed its handshake", None)
        })
    }

    fn uri_owner<'a>(&'a self, exposed: &'a str) -> Result<Owner<'a>, ErrorData> {
        let shared = &self.shared;
        shared.owner(shared.naming.split_uri(exposed), exposed, "resource")
    }
}

/// The cursor of a list request.
fn cursor(request: Option<&PaginatedRequestParams>) -> Option<&str> {
    request.and_then(|request| request.cursor.as_deref())
}

impl ServerHandler for Gateway {
    fn get_info(&self) -> ServerConfig {
        let config = ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .enable_prompts()
                .enable_prompts_list_changed()
                .enable_resources()
                .enable_resources_subscribe()
                .enable_resources_list_changed()
                .enable_completions()
                .enable_logging()
                .build(),
        )
        .with_server_info(Implementation::new(
            "mcp-orchestrator",
            env!("CARGO_PKG_VERSION"),
        ));
        match self.instructions() {
            Some(instructions) => config.with_instructions(instructions),
            None => config,
        }
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        let (client, orphaned) = self.shared.clients.add(context.peer);
        if self.client.set(client).is_err() {
            tracing::warn!("a session initialized twice");
        }
        self.shared.release(orphaned).await;
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let page = paging::page(
            List::Tools,
            self.tools(),
            cursor(request.as_ref()),
            self.shared.page_size,
        )?;
        let mut result = ListToolsResult::with_all_items(page.items);
        result.next_cursor = page.next_cursor;
        Ok(result)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = self.exposed_name(&request.name);
        // Boxed, so that the task rmcp spawns for each request stays small (see `Toolbox::forward`).
        let relayed = call::relayed(&self.shared.toolbox, &name, request.arguments, &context);
        let mut result = Box::pin(relayed).await?;
        if let Some(entry) = self.shared.toolbox.registry().get(&name)
            && let Some(prefix) = self.shared.prefix_of(&entry.server)
        {
            self.shared
                .naming
                .expose_content(prefix, &mut result.content);
        }
        Ok(CallToolResponse::Complete(result))
    }

    async fn list_prompts(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        let prompts = fan_out::prompts(&self.shared).await;
        let page = paging::page(
            List::Prompts,
            prompts,
            cursor(request.as_ref()),
            self.shared.page_size,
        )?;
        let mut result = ListPromptsResult::with_all_items(page.items);
        result.next_cursor = page.next_cursor;
        Ok(result)
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let shared = &self.shared;
        let owner = shared.owner(
            shared.naming.split_name(&request.name),
            &request.name,
            "prompt",
        )?;
        let mut params = request.clone();
        params.name = owner.original.to_owned();
        let request = ClientRequest::GetPromptRequest(GetPromptRequest::new(params));
        match shared.forward(owner.server, request).await? {
            ServerResult::GetPromptResult(mut result) => {
                for message in &mut result.messages {
                    shared
                        .naming
                        .expose_content(owner.prefix, std::slice::from_mut(&mut message.content));
                }
                Ok(GetPromptResponse::Complete(result))
            }
            _ => Err(unexpected(owner.server, "prompts/get")),
        }
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let resources = fan_out::resources(&self.shared).await;
        let page = paging::page(
            List::Resources,
            resources,
            cursor(request.as_ref()),
            self.shared.page_size,
        )?;
        let mut result = ListResourcesResult::with_all_items(page.items);
        result.next_cursor = page.next_cursor;
        Ok(result)
    }

    async fn list_resource_templates(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        let templates = fan_out::templates(&self.shared).await;
        let page = paging::page(
            List::Templates,
            templates,
            cursor(request.as_ref()),
            self.shared.page_size,
        )?;
        let mut result = ListResourceTemplatesResult::with_all_items(page.items);
        result.next_cursor = page.next_cursor;
        Ok(result)
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let owner = self.uri_owner(&request.uri)?;
        let mut params = request.clone();
        params.uri = owner.original.to_owned();
        let request = ClientRequest::ReadResourceRequest(ReadResourceRequest::new(params));
        match self.shared.forward(owner.server, request).await? {
            ServerResult::ReadResourceResult(mut result) => {
                self.shared
                    .naming
                    .expose_contents(owner.prefix, &mut result.contents);
                Ok(ReadResourceResponse::Complete(result))
            }
            _ => Err(unexpected(owner.server, "resources/read")),
        }
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let client = self.session()?;
        let owner = self.uri_owner(&request.uri)?;
        // One upstream subscription serves every client subscribed to the resource. The
        // client is recorded first: the server may announce an update before it answers.
        let first = !self
            .shared
            .clients
            .subscribed_elsewhere(&request.uri, client);
        let new = client.subscribe(&request.uri);
        if first {
            let mut params = request.clone();
            params.uri = owner.original.to_owned();
            let upstream = ClientRequest::SubscribeRequest(SubscribeRequest::new(params));
            if let Err(error) = self.shared.forward(owner.server, upstream).await {
                if new {
                    client.unsubscribe(&request.uri);
                }
                return Err(error);
            }
        }
        Ok(())
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let client = self.session()?;
        let owner = self.uri_owner(&request.uri)?;
        client.unsubscribe(&request.uri);
        if !self
            .shared
            .clients
            .subscribed_elsewhere(&request.uri, client)
        {
            let mut params = request.clone();
            params.uri = owner.original.to_owned();
            let upstream = ClientRequest::UnsubscribeRequest(UnsubscribeRequest::new(params));
            self.shared.forward(owner.server, upstream).await?;
        }
        Ok(())
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        let shared = &self.shared;
        let mut params = request.clone();
        let owner = match &request.r#ref {
            Reference::Prompt(prompt) => {
                let owner = shared.owner(
                    shared.naming.split_name(&prompt.name),
                    &prompt.name,
                    "prompt",
                )?;
                if let Reference::Prompt(forwarded) = &mut params.r#ref {
                    forwarded.name = owner.original.to_owned();
                }
                owner
            }
            Reference::Resource(template) => {
                let owner = self.uri_owner(&template.uri)?;
                if let Reference::Resource(forwarded) = &mut params.r#ref {
                    forwarded.uri = owner.original.to_owned();
                }
                owner
            }
            _ => {
                return Err(ErrorData::invalid_params(
                    "completion/complete takes a prompt or a resource template reference",
                    None,
                ));
            }
        };
        let request = ClientRequest::CompleteRequest(CompleteRequest::new(params));
        match shared.forward(owner.server, request).await? {
            ServerResult::CompleteResult(result) => Ok(result),
            _ => Err(unexpected(owner.server, "completion/complete")),
        }
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.session()?.set_level(request.level);
        Ok(())
    }
}

/// A server answered with a result of another kind than asked for.
fn unexpected(server: &str, method: &str) -> ErrorData {
    ErrorData::internal_error(
        format!("server `{server}` answered {method} with a result of another kind"),
        None,
    )
}
