//! The MCP handler every tool server runs: identity, tool listing and tool dispatch.
//!
//! A domain crate implements [`Tools`] (its identity and its rmcp [`ToolRouter`]) and wraps
//! itself in [`ToolServer`]. The wrapper keeps the contracts that no server should have to
//! remember: serverInfo carries the crate's own name and version, `tools/list` is one page and
//! rejects a cursor it never issued, arguments that fail to deserialize or are not an object
//! become `isError` results with a code and a hint, and a tool that panics answers with an
//! `internal_error` result instead of leaving its caller waiting.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use rmcp::ErrorData;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{NotificationContext, Peer, RequestContext};
use rmcp::{RoleServer, ServerHandler};

use crate::{ToolError, arguments};

/// Who a server is: what `initialize` reports and where it listens by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerIdentity {
    /// The crate name, reported as `serverInfo.name`; pass `env!("CARGO_PKG_NAME")`.
    pub name: &'static str,
    /// The crate version, reported as `serverInfo.version`; pass `env!("CARGO_PKG_VERSION")`.
    pub version: &'static str,
    /// A display name for clients.
    pub title: &'static str,
    /// A short note that tells a model what the server is for and how to use it.
    pub instructions: &'static str,
    /// The loopback port `--transport http` binds when `--bind` is not given.
    pub default_port: u16,
}

/// What a domain crate provides to become an MCP tool server.
pub trait Tools: Sized + Send + Sync + 'static {
    /// The server's identity.
    fn identity(&self) -> ServerIdentity;
    /// The tools, as collected by rmcp's `#[tool_router]`.
    fn tool_router(&self) -> &ToolRouter<Self>;

    /// Runs once the client has finished the handshake; a server that depends on client state,
    /// such as the filesystem server on MCP roots, asks for it here. The default does nothing.
    fn on_initialized(&self, peer: Peer<RoleServer>) -> impl Future<Output = ()> + Send + '_ {
        drop(peer);
        std::future::ready(())
    }

    /// Runs when the client says its roots changed. The default does nothing.
    fn on_roots_list_changed(
        &self,
        peer: Peer<RoleServer>,
    ) -> impl Future<Output = ()> + Send + '_ {
        drop(peer);
        std::future::ready(())
    }
}

/// An rmcp [`ServerHandler`] around a [`Tools`] implementation; cheap to clone per session.
#[derive(Debug)]
pub struct ToolServer<T> {
    tools: Arc<T>,
}

impl<T> Clone for ToolServer<T> {
    fn clone(&self) -> Self {
        Self {
            tools: Arc::clone(&self.tools),
        }
    }
}

impl<T: Tools> ToolServer<T> {
    /// Serves `tools`.
    pub fn new(tools: T) -> Self {
        Self {
            tools: Arc::new(tools),
        }
    }

    /// The wrapped tools.
    pub fn tools(&self) -> &T {
        &self.tools
    }

    /// The server's identity.
    pub fn identity(&self) -> ServerIdentity {
        self.tools.identity()
    }
}

/// The prefix rmcp gives the `isError` text when arguments fail to deserialize.
const RMCP_DESERIALIZE_PREFIX: &str = "failed to deserialize parameters: ";

/// Gives rmcp's plain-text argument errors the structured shape of every other tool error.
fn structure_argument_error(result: CallToolResult) -> CallToolResult {
    if result.is_error != Some(true) || result.structured_content.is_some() {
        return result;
    }
    let detail = result
        .content
        .first()
        .and_then(|block| block.as_text())
        .and_then(|text| text.text.strip_prefix(RMCP_DESERIALIZE_PREFIX))
        .map(str::to_owned);
    match detail {
        Some(detail) => ToolError::invalid_arguments(detail).into_call_tool_result(),
        None => result,
    }
}

impl<T: Tools> ServerHandler for ToolServer<T> {
    fn get_info(&self) -> ServerConfig {
        let identity = self.identity();
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new(identity.name, identity.version).with_title(identity.title),
            )
            .with_instructions(identity.instructions)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        // rmcp moves a request's `_meta` into the context; look in both places.
        let report = request
            .meta
            .as_ref()
            .and_then(|meta| meta.get(arguments::META_KEY))
            .or_else(|| context.meta.get(arguments::META_KEY))
            .cloned();
        if let Some(report) = report {
            if self.tools.tool_router().get(&request.name).is_none() {
                return Err(ErrorData::invalid_params(
                    format!("tool not found: {}", request.name),
                    None,
                ));
            }
            return Ok(arguments::error_for(&report).into_call_tool_result().into());
        }
        let name = request.name.clone();
        let call = ToolCallContext::new(self.tools.as_ref(), request, context);
        match AssertUnwindSafe(self.tools.tool_router().call(call))
            .catch_unwind()
            .await
        {
            Ok(Ok(CallToolResponse::Complete(result))) => {
                Ok(structure_argument_error(result).into())
            }
            Ok(other) => other,
            Err(_panic) => {
                tracing::error!(tool = %name, "tool panicked; answering with internal_error");
                Ok(ToolError::new(
                    "internal_error",
                    format!("the tool `{name}` failed unexpectedly"),
                )
                .with_hint("this is a bug in the server; the server keeps serving other calls")
                .into_call_tool_result()
                .into())
            }
        }
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        if let Some(cursor) = request.and_then(|request| request.cursor) {
            return Err(ErrorData::invalid_params(
                format!("invalid cursor `{cursor}`: this server lists all its tools in one page"),
                None,
            ));
        }
        Ok(ListToolsResult::with_all_items(self.list_all_tools()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.tool_router().get(name).cloned()
    }

    fn on_initialized(
        &self,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + Send + '_ {
        self.tools.on_initialized(context.peer)
    }

    fn on_roots_list_changed(
        &self,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + Send + '_ {
        self.tools.on_roots_list_changed(context.peer)
    }
}

impl<T: Tools> ToolServer<T> {
    /// Every tool, sorted by name so that `tools/list` is stable across builds.
    pub fn list_all_tools(&self) -> Vec<Tool> {
        let mut tools = self.tools.tool_router().list_all();
        tools.sort_by(|a, b| a.name.cmp(&b.name));
        tools
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestClient;
    use rmcp::handler::server::wrapper::{Json, Parameters};
    use rmcp::model::ContentBlock;
    use rmcp::{tool, tool_router};
    use serde_json::json;

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct CountArgs {
        count: u32,
    }

    #[derive(serde::Serialize, schemars::JsonSchema)]
    struct Counted {
        count: u32,
    }

    struct Fragile {
        tool_router: ToolRouter<Self>,
    }

    #[tool_router]
    impl Fragile {
        /// Echoes the count.
        #[tool]
        fn echo(&self, Parameters(args): Parameters<CountArgs>) -> Json<Counted> {
            Json(Counted { count: args.count })
        }

        /// Panics, as a buggy tool might.
        #[tool]
        fn boom(&self) -> String {
            let empty: Vec<u8> = Vec::new();
            format!("{}", empty[usize::from(empty.is_empty())])
        }
    }

    impl Tools for Fragile {
        fn identity(&self) -> ServerIdentity {
            ServerIdentity {
                name: "fragile-server",
                version: "9.8.7",
                title: "Fragile",
                instructions: "Call echo.",
                default_port: 0,
            }
        }
        fn tool_router(&self) -> &ToolRouter<Self> {
            &self.tool_router
        }
    }

    async fn fragile() -> TestClient {
        TestClient::connect(ToolServer::new(Fragile {
            tool_router: Fragile::tool_router(),
        }))
        .await
        .expect("connect")
    }

    #[tokio::test]
    async fn identity_comes_from_the_server_not_from_rmcp() {
        let client = fragile().await;
        let info = client.server_info().expect("info");
        let implementation = info.server_info.clone().expect("implementation");
        assert_eq!(
            (
                implementation.name.as_str(),
                implementation.version.as_str()
            ),
            ("fragile-server", "9.8.7")
        );
        assert_eq!(info.instructions.as_deref(), Some("Call echo."));
        let names: Vec<String> = client
            .list_tools()
            .await
            .expect("tools")
            .into_iter()
            .map(|t| t.name.to_string())
            .collect();
        assert_eq!(names, ["boom", "echo"]);
        client.close().await;
    }

    #[tokio::test]
    async fn a_panicking_tool_is_answered_and_the_server_keeps_serving() {
        let client = fragile().await;
        let result = client.call("boom", json!({})).await.expect("answered");
        assert_eq!(result.is_error, Some(true));
        assert_eq!(
            result.structured_content.expect("structured")["error"]["code"],
            "internal_error"
        );
        let echoed = client
            .call("echo", json!({"count": 3}))
            .await
            .expect("echo");
        assert_eq!(echoed.structured_content.expect("structured")["count"], 3);
        client.close().await;
    }

    #[tokio::test]
    async fn wrong_argument_types_are_structured_tool_errors() {
        let client = fragile().await;
        let result = client
            .call("echo", json!({"count": "three"}))
            .await
            .expect("answered");
        assert_eq!(result.is_error, Some(true));
        let error = &result.structured_content.expect("structured")["error"];
        assert_eq!(error["code"], "invalid_arguments");
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains("invalid type")),
            "{error}"
        );
        client.close().await;
    }

    #[test]
    fn rmcp_argument_errors_get_a_code_and_hint() {
        let plain = CallToolResult::error(vec![ContentBlock::text(
            "failed to deserialize parameters: missing field `a`",
        )]);
        let structured = structure_argument_error(plain);
        let error = &structured.structured_content.expect("structured")["error"];
        assert_eq!(error["code"], "invalid_arguments");
        assert_eq!(error["message"], "missing field `a`");
        assert!(
            error["hint"]
                .as_str()
                .is_some_and(|h| h.contains("inputSchema"))
        );
    }

    #[test]
    fn other_results_are_left_alone() {
        let ok = CallToolResult::success(vec![ContentBlock::text("5")]);
        assert_eq!(structure_argument_error(ok.clone()), ok);
        let other_error = CallToolResult::error(vec![ContentBlock::text("boom")]);
        assert_eq!(structure_argument_error(other_error.clone()), other_error);
    }
}
