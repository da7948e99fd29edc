//! What every MCP server in this workspace needs, and nothing domain-specific.
//!
//! Charter: a thing belongs here only if every server would otherwise write it again, and it
//! knows nothing of arithmetic, files or search.
//!
//! - [`ToolServer`] turns a domain crate's [`Tools`] (its identity and rmcp tool router) into an
//!   MCP handler that keeps the workspace's contracts (serverInfo, paging, error shape).
//! - [`ToolError`] is the error contract: a tool that fails returns `isError: true` with
//!   `structuredContent.error = {code, message, hint, field?, position?}`.
//! - [`run`] is the whole `main` of a server binary: [`ServeArgs`] flags, logging to stderr,
//!   stdio or Streamable HTTP (`/mcp`, `/healthz`), and shutdown on SIGINT, SIGTERM or end of
//!   input.
//! - [`TextPage`] bounds long text output; [`tools_snapshot`] renders `tools/list` for insta.
//! - `testing` (feature `testing`) drives a server in process through a real rmcp client.
//!
//! A server crate looks like this:
//!
//! ```
//! use rmcp::handler::server::router::tool::ToolRouter;
//! use rmcp::handler::server::wrapper::{Json, Parameters};
//! use rmcp::{tool, tool_router};
//! use shared::{ServerIdentity, ToolError, Tools};
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct EchoArgs {
//!     /// The text to send back.
//!     text: String,
//! }
//!
//! #[derive(serde::Serialize, schemars::JsonSchema)]
//! struct Echoed {
//!     text: String,
//! }
//!
//! struct Echo {
//!     tool_router: ToolRouter<Self>,
//! }
//!
//! #[tool_router]
//! impl Echo {
//!     /// Sends the text back.
//!     #[tool(annotations(read_only_hint = true, open_world_hint = false))]
//!     fn echo(&self, Parameters(args): Parameters<EchoArgs>) -> Result<Json<Echoed>, ToolError> {
//!         if args.text.is_empty() {
//!             return Err(ToolError::new("empty_text", "text is empty").with_field("text"));
//!         }
//!         Ok(Json(Echoed { text: args.text }))
//!     }
//! }
//!
//! impl Tools for Echo {
//!     fn identity(&self) -> ServerIdentity {
//!         ServerIdentity {
//!             name: "echo-server",
//!             version: "0.1.0",
//!             title: "Echo",
//!             instructions: "Call `echo`.",
//!             default_port: 8199,
//!         }
//!     }
//!     fn tool_router(&self) -> &ToolRouter<Self> {
//!         &self.tool_router
//!     }
//! }
//!
//! let server = shared::ToolServer::new(Echo { tool_router: Echo::tool_router() });
//! assert_eq!(server.list_all_tools()[0].name, "echo");
//! ```

mod arguments;
mod blocking;
mod cli;
mod error;
pub mod http;
mod lines;
pub mod logging;
mod output;
mod runner;
mod server;
mod snapshot;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use blocking::run_blocking;
pub use cli::{LogFormat, ServeArgs, Transport};
pub use error::ToolError;
pub use lines::GuardedLines;
pub use output::TextPage;
pub use runner::{RunError, run, serve, serve_handler};
pub use server::{ServerIdentity, ToolServer, Tools};
pub use snapshot::tools_snapshot;
