//! The search server: a local full-text index, web search backends and URL fetch.
//!
//! Not built yet; this crate holds its place in the workspace so that the layout and the
//! release process are in place from the start. Its capability is tracked in its own issue.
