//! The orchestrator: many MCP servers used as one toolbox.
//!
//! It reads a Claude-Desktop-style `mcpServers` configuration ([`config`]), connects to every
//! server in parallel and keeps each one alive (`supervisor`, over `upstream`), merges
//! their tools into one [`registry`] under stable `{server}__{tool}` names ([`names`],
//! [`filter`]), and routes each call to the server that owns the tool (`router`). The
//! [`Toolbox`] is the facade over all of that.
//!
//! On top of the toolbox, the [`agent`] loop lets a language model ([`llm`]: OpenAI-compatible
//! or Anthropic APIs, or the offline [`planner`] when there is none) use every server's tools
//! in one conversation. The CLI ([`cli`]) is a thin layer over both.

pub mod agent;
pub mod bench;
pub mod cli;
pub mod config;
pub mod content;
pub mod explain;
pub mod filter;
pub mod gateway;
pub mod llm;
pub mod names;
pub mod planner;
pub mod registry;
pub mod relay;
mod router;
pub mod status;
mod supervisor;
pub mod toolbox;
mod upstream;

pub use config::Config;
pub use explain::Explanation;
pub use registry::Registry;
pub use router::{CallError, ForwardError};
pub use status::{ServerState, ServerStatus};
pub use toolbox::Toolbox;
