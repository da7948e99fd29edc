//! The orchestrator: discovers MCP servers, merges their tools into one registry, routes each
//! call to the server that owns it, and drives an LLM agent loop over them.
//!
//! Not built yet; this crate holds its place in the workspace so that the layout and the
//! release process are in place from the start. Its capability is tracked in its own issues.
