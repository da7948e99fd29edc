//! How the gateway shows a server's prompt names and resource URIs to clients, and how it
//! finds the server and its own name again when a client uses them.
//!
//! Prefixed, a prompt `greet` of the server with prefix `docs` is `docs__greet` (the prefix
//! holds no `_`, so the first `__` ends it), and a resource `file:///a.txt` is
//! `docs+file:///a.txt`: the prefix joins the URI's scheme, so the result is still a URI, and a
//! template keeps its `{variables}` where a client expands them. In pass-through mode nothing is
//! renamed.

use rmcp::model::{ContentBlock, ResourceContents};

use crate::names::SEPARATOR;

/// Between a prefix and the URI it is put in front of.
const URI_SEPARATOR: char = '+';

/// How names and URIs are shown to clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Naming {
    /// Prefixed with the owning server's prefix, as everywhere in the orchestrator.
    Prefixed,
    /// The single server's own names, for fronting one server transparently.
    PassThrough {
        /// The id of the server fronted.
        server: String,
        /// Its prefix, which resolution answers with.
        prefix: String,
    },
}

impl Naming {
    /// The name a client sees for a server's prompt.
    pub fn name(&self, prefix: &str, name: &str) -> String {
        match self {
            Self::Prefixed => format!("{prefix}{SEPARATOR}{name}"),
            Self::PassThrough { .. } => name.to_owned(),
        }
    }

    /// The URI (or URI template) a client sees for a server's resource.
    pub fn uri(&self, prefix: &str, uri: &str) -> String {
        match self {
            Self::Prefixed => format!("{prefix}{URI_SEPARATOR}{uri}"),
            Self::PassThrough { .. } => uri.to_owned(),
        }
    }

    /// The prefix of the owning server and the server's own name, for a name a client used;
    /// `None` for a name the gateway never gave out.
    pub fn split_name<'a>(&'a self, exposed: &'a str) -> Option<(&'a str, &'a str)> {
        match self {
            Self::Prefixed => exposed
                .split_once(SEPARATOR)
                .filter(|(prefix, name)| is_prefix(prefix) && !name.is_empty()),
            Self::PassThrough { prefix, .. } => Some((prefix, exposed)),
        }
    }

    /// The prefix of the owning server and the server's own URI, for a URI a client used.
    pub fn split_uri<'a>(&'a self, exposed: &'a str) -> Option<(&'a str, &'a str)> {
        match self {
            Self::Prefixed => exposed
                .split_once(URI_SEPARATOR)
                .filter(|(prefix, uri)| is_prefix(prefix) && !uri.is_empty()),
            Self::PassThrough { prefix, .. } => Some((prefix, exposed)),
        }
    }

    /// Rewrites the resource URIs in content a server returned (embedded resources, resource
    /// links) to the ones a client can read through the gateway.
    pub fn expose_content(&self, prefix: &str, content: &mut [ContentBlock]) {
        if matches!(self, Self::PassThrough { .. }) {
            return;
        }
        for block in content {
            match block {
                ContentBlock::Resource(embedded) => {
                    self.expose_contents(prefix, std::slice::from_mut(&mut embedded.resource));
                }
                ContentBlock::ResourceLink(link) => link.uri = self.uri(prefix, &link.uri),
                _ => {}
            }
        }
    }

    /// Rewrites the URIs of resource contents a server returned.
    pub fn expose_contents(&self, prefix: &str, contents: &mut [ResourceContents]) {
        for content in contents {
            match content {
                ResourceContents::TextResourceContents { uri, .. }
                | ResourceContents::BlobResourceContents { uri, .. } => {
                    *uri = self.uri(prefix, uri);
                }
                _ => {}
            }
        }
    }
}

/// Whether `text` can be a prefix (the orchestrator's prefixes are lowercase letters, digits
/// and `-`).
fn is_prefix(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass_through() -> Naming {
        Naming::PassThrough {
            server: "Docs Server".into(),
            prefix: "docs".into(),
        }
    }

    #[test]
    fn prefixed_names_and_uris_round_trip() {
        let naming = Naming::Prefixed;
        assert_eq!(naming.name("docs", "greet_user"), "docs__greet_user");
        assert_eq!(
            naming.split_name("docs__greet_user"),
            Some(("docs", "greet_user"))
        );
        let uri = naming.uri("docs", "file:///tmp/a+b.txt");
        assert_eq!(uri, "docs+file:///tmp/a+b.txt");
        assert_eq!(
            naming.split_uri(&uri),
            Some(("docs", "file:///tmp/a+b.txt"))
        );
        let template = naming.uri("fs-2", "test://template/{id}/data");
        assert_eq!(
            naming.split_uri(&template.replace("{id}", "7")),
            Some(("fs-2", "test://template/7/data"))
        );
    }

    #[test]
    fn names_the_gateway_never_gave_out_are_refused() {
        let naming = Naming::Prefixed;
        for name in ["greet", "__greet", "docs__", "Docs__greet", "do cs__x"] {
            assert_eq!(naming.split_name(name), None, "{name}");
        }
        for uri in ["file:///a", "+file:///a", "docs+", "Docs+file:///a"] {
            assert_eq!(naming.split_uri(uri), None, "{uri}");
        }
    }

    #[test]
    fn pass_through_renames_nothing() {
        let naming = pass_through();
        assert_eq!(naming.name("docs", "greet"), "greet");
        assert_eq!(naming.uri("docs", "test://x"), "test://x");
        assert_eq!(naming.split_name("a__b"), Some(("docs", "a__b")));
        assert_eq!(naming.split_uri("test://x"), Some(("docs", "test://x")));
        let mut content = vec![ContentBlock::embedded_text("test://x", "hi")];
        naming.expose_content("docs", &mut content);
        assert_eq!(content, vec![ContentBlock::embedded_text("test://x", "hi")]);
    }

    #[test]
    fn content_uris_are_exposed() {
        let naming = Naming::Prefixed;
        let mut content = vec![
            ContentBlock::text("plain"),
            ContentBlock::embedded_text("test://x", "hi"),
        ];
        naming.expose_content("docs", &mut content);
        assert_eq!(
            content,
            vec![
                ContentBlock::text("plain"),
                ContentBlock::embedded_text("docs+test://x", "hi"),
            ]
        );
    }
}
