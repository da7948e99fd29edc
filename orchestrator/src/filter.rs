//! Per-server tool allow and deny lists, as globs over the server's own tool names.

use globset::{Glob, GlobSet, GlobSetBuilder};

/// Which of a server's tools are exposed. With no allow list every tool is allowed; a deny
/// match always wins. The same filter decides listing and calling, so a hidden tool cannot be
/// called by guessing its name.
#[derive(Debug, Clone, Default)]
pub struct ToolFilter {
    allow: Option<Patterns>,
    deny: Option<Patterns>,
}

#[derive(Debug, Clone)]
struct Patterns {
    set: GlobSet,
    sources: Vec<String>,
}

/// Why a tool is hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hidden {
    /// It matches a deny pattern.
    Denied {
        /// The first matching pattern.
        pattern: String,
    },
    /// There is an allow list and it matches none of it.
    NotAllowed {
        /// The allow list.
        patterns: Vec<String>,
    },
}

impl std::fmt::Display for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Denied { pattern } => {
                write!(f, "denied by the pattern `{pattern}` in tools.deny")
            }
            Self::NotAllowed { patterns } => {
                write!(f, "matches none of tools.allow ({})", patterns.join(", "))
            }
        }
    }
}

impl ToolFilter {
    /// Compiles the lists; an error names the list (`allow[2]`) and says what is wrong.
    pub fn new(allow: &[String], deny: &[String]) -> Result<Self, (String, String)> {
        Ok(Self {
            allow: if allow.is_empty() {
                None
            } else {
                Some(Patterns::new("allow", allow)?)
            },
            deny: if deny.is_empty() {
                None
            } else {
                Some(Patterns::new("deny", deny)?)
            },
        })
    }

    /// `None` if `tool` is exposed, otherwise why not.
    pub fn check(&self, tool: &str) -> Option<Hidden> {
        if let Some(deny) = &self.deny
            && let Some(index) = deny.set.matches(tool).into_iter().min()
        {
            return Some(Hidden::Denied {
                pattern: deny.sources[index].clone(),
            });
        }
        match &self.allow {
            Some(allow) if !allow.set.is_match(tool) => Some(Hidden::NotAllowed {
                patterns: allow.sources.clone(),
            }),
            _ => None,
        }
    }
}

impl Patterns {
    fn new(list: &str, patterns: &[String]) -> Result<Self, (String, String)> {
        let mut builder = GlobSetBuilder::new();
        for (index, pattern) in patterns.iter().enumerate() {
            let glob = Glob::new(pattern).map_err(|error| {
                (
                    format!("{list}[{index}]"),
                    format!("`{pattern}` is not a valid glob: {}", error.kind()),
                )
            })?;
            builder.add(glob);
        }
        let set = builder
            .build()
            .map_err(|error| (list.to_owned(), error.to_string()))?;
        Ok(Self {
            set,
            sources: patterns.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn deny_wins_over_allow() {
        let filter =
            ToolFilter::new(&strings(&["read_*", "list_*"]), &strings(&["*_media_*"])).unwrap();
        assert_eq!(filter.check("read_file"), None);
        assert_eq!(filter.check("list_directory"), None);
        assert_eq!(
            filter.check("read_media_file"),
            Some(Hidden::Denied {
                pattern: "*_media_*".into()
            })
        );
        assert!(matches!(
            filter.check("write_file"),
            Some(Hidden::NotAllowed { .. })
        ));
    }

    #[test]
    fn no_lists_allow_everything() {
        assert_eq!(ToolFilter::default().check("anything"), None);
    }

    #[test]
    fn bad_globs_are_reported_with_their_place() {
        let (field, reason) = ToolFilter::new(&strings(&["ok", "a[b"]), &[]).unwrap_err();
        assert_eq!(field, "allow[1]");
        assert!(reason.contains("a[b"), "{reason}");
    }
}
