//! The merged registry: every exposed tool name mapped to the server and tool it stands for,
//! and every tool left out, with the reason.
//!
//! A registry is an immutable snapshot, rebuilt from the servers' tool lists whenever one of
//! them changes; readers hold an `Arc` to the snapshot they started with.

use std::collections::BTreeMap;

use rmcp::model::Tool;

use crate::config::ServerConfig;
use crate::filter::Hidden;
use crate::names;

/// One exposed tool.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The name callers use: `{prefix}__{tool}`.
    pub name: String,
    /// The id of the server that owns it.
    pub server: String,
    /// The tool as its server lists it (with its original name).
    pub tool: Tool,
}

impl Entry {
    /// The tool's name on its own server.
    pub fn original(&self) -> &str {
        &self.tool.name
    }

    /// The tool's title: its own, or its annotations'.
    pub fn title(&self) -> Option<&str> {
        self.tool.title.as_deref().or_else(|| {
            self.tool
                .annotations
                .as_ref()
                .and_then(|annotations| annotations.title.as_deref())
        })
    }

    /// The tool as callers see it: the server's definition under the exposed name.
    pub fn exposed_tool(&self) -> Tool {
        let mut tool = self.tool.clone();
        tool.name = self.name.clone().into();
        tool
    }
}

/// A tool a server lists that is not exposed.
#[derive(Debug, Clone)]
pub struct Excluded {
    /// The server's id.
    pub server: String,
    /// The tool's name on that server.
    pub tool: String,
    /// Why it is left out.
    pub reason: Exclusion,
}

/// Why a listed tool is not exposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exclusion {
    /// The server's allow or deny list hides it.
    Filtered(Hidden),
    /// Another tool of the same server already has this exposed name (the server lists the
    /// name twice, or two names map to the same one).
    Duplicate {
        /// The name both would have.
        name: String,
    },
}

impl std::fmt::Display for Exclusion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Filtered(hidden) => hidden.fmt(f),
            Self::Duplicate { name } => write!(
                f,
                "the server lists another tool that is also exposed as `{name}`; the first one is kept"
            ),
        }
    }
}

/// How alike two names must be (normalized edit distance) to be suggested for each other.
const SIMILARITY: f64 = 0.7;

/// A snapshot of all exposed tools.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    entries: BTreeMap<String, Entry>,
    excluded: Vec<Excluded>,
}

impl Registry {
    /// Merges the servers' tool lists, applying each server's filter and naming.
    pub fn build<'a>(catalogs: impl IntoIterator<Item = (&'a ServerConfig, &'a [Tool])>) -> Self {
        let mut registry = Self::default();
        for (server, tools) in catalogs {
            for tool in tools {
                let reason = match server.tools.check(&tool.name) {
                    Some(hidden) => Some(Exclusion::Filtered(hidden)),
                    None => {
                        let name = names::exposed_name(&server.prefix, &tool.name);
                        if registry.entries.contains_key(&name) {
                            Some(Exclusion::Duplicate { name })
                        } else {
                            registry.entries.insert(
                                name.clone(),
                                Entry {
                                    name,
                                    server: server.id.clone(),
                                    tool: tool.clone(),
                                },
                            );
                            None
                        }
                    }
                };
                if let Some(reason) = reason {
                    registry.excluded.push(Excluded {
                        server: server.id.clone(),
                        tool: tool.name.to_string(),
                        reason,
                    });
                }
            }
        }
        registry
    }

    /// The tool exposed as `name`.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.get(name)
    }

    /// All exposed tools, sorted by exposed name.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = &Entry> {
        self.entries.values()
    }

    /// The listed tools that are not exposed.
    pub fn excluded(&self) -> &[Excluded] {
        &self.excluded
    }

    /// The number of exposed tools.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no tool is exposed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Exposed names close to `name`, best first, for "did you mean" hints.
    pub fn similar(&self, name: &str, limit: usize) -> Vec<&str> {
        let mut scored: Vec<(f64, &str)> = self
            .entries
            .keys()
            .map(|candidate| {
                (
                    strsim::normalized_damerau_levenshtein(name, candidate),
                    candidate.as_str(),
                )
            })
            .filter(|(score, _)| *score >= SIMILARITY)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored
            .into_iter()
            .take(limit)
            .map(|(_, candidate)| candidate)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::filter::ToolFilter;

    fn tool(name: &str) -> Tool {
        Tool::new(name.to_owned(), "a tool", Arc::new(serde_json::Map::new()))
    }

    fn server(id: &str) -> ServerConfig {
        ServerConfig::stdio(id, "true".into(), Vec::new())
    }

    #[test]
    fn names_are_prefixed_and_mapped_back() {
        let math = server("math");
        let search = server("search");
        let (a, b) = (vec![tool("add"), tool("search")], vec![tool("search")]);
        let registry = Registry::build([(&math, &a[..]), (&search, &b[..])]);
        assert_eq!(
            registry
                .entries()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>(),
            ["math__add", "math__search", "search__search"]
        );
        let entry = registry.get("search__search").unwrap();
        assert_eq!(
            (entry.server.as_str(), entry.original()),
            ("search", "search")
        );
        assert_eq!(entry.exposed_tool().name, "search__search");
    }

    #[test]
    fn adding_a_server_never_renames_a_tool() {
        let math = server("math");
        let tools = [tool("add")];
        let alone = Registry::build([(&math, &tools[..])]);
        let other = server("other");
        let together = Registry::build([(&math, &tools[..]), (&other, &tools[..])]);
        assert!(alone.get("math__add").is_some() && together.get("math__add").is_some());
    }

    #[test]
    fn filtered_and_duplicate_tools_are_recorded() {
        let mut fs = server("fs");
        fs.tools = ToolFilter::new(&[], &["delete_*".to_owned()]).unwrap();
        let tools = [
            tool("read"),
            tool("delete_path"),
            tool("read"),
            tool("x.y"),
            tool("x.y"),
        ];
        let registry = Registry::build([(&fs, &tools[..])]);
        assert_eq!(registry.len(), 2);
        let reasons: Vec<String> = registry
            .excluded()
            .iter()
            .map(|e| format!("{}: {}", e.tool, e.reason))
            .collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons[0].starts_with("delete_path: denied by the pattern `delete_*`"));
        assert!(reasons[1].contains("also exposed as `fs__read`"));
    }

    #[test]
    fn similar_names_are_suggested() {
        let math = server("math");
        let tools = [tool("add"), tool("multiply")];
        let registry = Registry::build([(&math, &tools[..])]);
        assert_eq!(registry.similar("math_add", 3), ["math__add"]);
        assert!(registry.similar("zzz", 3).is_empty());
    }
}
