//! Answers to "where does this tool come from?" and "why is my tool missing?".

use serde::Serialize;

use crate::names;
use crate::registry::{Excluded, Registry};
use crate::status::{ServerState, ServerStatus};

/// What the orchestrator knows about a tool name.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Explanation {
    /// The name is exposed and routes to a server.
    Exposed {
        /// The exposed name.
        name: String,
        /// The owning server's id.
        server: String,
        /// The tool's name on that server.
        original: String,
        /// Whether the name differs from `{prefix}__{original}` (invalid characters or too long).
        renamed: bool,
        /// The owning server's state.
        server_state: ServerState,
        /// Why calls would fail now, if the server is not connected.
        #[serde(skip_serializing_if = "Option::is_none")]
        unavailable: Option<String>,
    },
    /// The server lists the tool but the orchestrator does not expose it.
    Hidden {
        /// The server's id.
        server: String,
        /// The tool's name on that server.
        original: String,
        /// Why.
        reason: String,
    },
    /// The name belongs to a server whose tools are not known now.
    ServerDown {
        /// The server's id.
        server: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No server has or had such a tool.
    Unknown {
        /// The name asked for.
        name: String,
        /// Exposed names that look alike, or that stand for a tool of this original name.
        suggestions: Vec<String>,
    },
}

impl Explanation {
    /// Looks `name` up as an exposed name, then as a hidden tool, then by its prefix, then as
    /// an original tool name.
    pub fn of(name: &str, registry: &Registry, servers: &[ServerStatus]) -> Self {
        let server_status = |id: &str| servers.iter().find(|status| status.id == id);
        if let Some(entry) = registry.get(name) {
            let status = server_status(&entry.server);
            let server_state = status.map_or(ServerState::Failed, |status| status.state);
            return Self::Exposed {
                name: entry.name.clone(),
                server: entry.server.clone(),
                original: entry.original().to_owned(),
                renamed: status.is_some_and(|status| {
                    entry.name
                        != format!("{}{}{}", status.prefix, names::SEPARATOR, entry.original())
                }),
                server_state,
                unavailable: status
                    .filter(|status| !status.state.is_connected())
                    .map(ServerStatus::unavailable_reason),
            };
        }
        if let Some(hidden) = registry.excluded().iter().find(|hidden| {
            let prefix = server_status(&hidden.server)
                .map_or(hidden.server.as_str(), |status| status.prefix.as_str());
            names::exposed_name(prefix, &hidden.tool) == name
        }) {
            return Self::hidden(hidden);
        }
        let owner = servers.iter().find(|status| {
            name.strip_prefix(status.prefix.as_str())
                .is_some_and(|rest| rest.starts_with(names::SEPARATOR))
        });
        if let Some(status) = owner
            && (!status.state.is_connected()
                || !registry.entries().any(|entry| entry.server == status.id))
        {
            let reason = if status.state.is_connected() {
                format!(
                    "server `{}` is {} but exposes no tools",
                    status.id, status.state
                )
            } else {
                status.unavailable_reason()
            };
            return Self::ServerDown {
                server: status.id.clone(),
                reason,
            };
        }
        if let Some(hidden) = registry
            .excluded()
            .iter()
            .find(|hidden| hidden.tool == name)
        {
            return Self::hidden(hidden);
        }
        let mut suggestions: Vec<String> = registry
            .entries()
            .filter(|entry| entry.original() == name)
            .map(|entry| entry.name.clone())
            .collect();
        for similar in registry.similar(name, 3) {
            if !suggestions.iter().any(|s| s == similar) {
                suggestions.push(similar.to_owned());
            }
        }
        Self::Unknown {
            name: name.to_owned(),
            suggestions,
        }
    }

    fn hidden(excluded: &Excluded) -> Self {
        Self::Hidden {
            server: excluded.server.clone(),
            original: excluded.tool.clone(),
            reason: excluded.reason.to_string(),
        }
    }

    /// One or two sentences for people and models.
    pub fn message(&self) -> String {
        match self {
            Self::Exposed {
                name,
                server,
                original,
                renamed,
                unavailable,
                ..
            } => {
                let renamed = if *renamed {
                    " (renamed: the original name is not valid for every LLM API, or too long)"
                } else {
                    ""
                };
                let mut message =
                    format!("`{name}` is the tool `{original}` of server `{server}`{renamed}.");
                if let Some(unavailable) = unavailable {
                    message.push_str(&format!(" Calls fail now: {unavailable}."));
                }
                message
            }
            Self::Hidden {
                server,
                original,
                reason,
            } => {
                format!("server `{server}` lists `{original}`, but it is not exposed: {reason}.")
            }
            Self::ServerDown { reason, .. } => format!("its tools are not available: {reason}."),
            Self::Unknown { name, suggestions } if suggestions.is_empty() => {
                format!(
                    "no server lists a tool exposed as `{name}`; exposed names look like `server__tool` (see `orchestrator tools`)."
                )
            }
            Self::Unknown { name, suggestions } => format!(
                "no server lists a tool exposed as `{name}`; did you mean {}?",
                suggestions
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        }
    }
}
