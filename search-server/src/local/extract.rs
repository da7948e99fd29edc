//! A file's bytes to indexable text: binaries are skipped, character sets decoded, HTML turned
//! into Markdown, and a title taken from the first Markdown heading or the HTML `<title>`.

use std::path::Path;

use schemars::JsonSchema;
use serde::Serialize;

use crate::text;

/// What kind of document a file is, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Prose or data.
    Text,
    /// Markdown.
    Markdown,
    /// Source code.
    Code,
    /// HTML, indexed as its Markdown conversion.
    Html,
}

impl Kind {
    /// The kind of a file named `path`.
    pub fn of(path: &Path) -> Self {
        let ext = extension(path);
        match ext.as_str() {
            "md" | "markdown" | "mdx" | "mdown" => Self::Markdown,
            "html" | "htm" | "xhtml" => Self::Html,
            "rs" | "py" | "js" | "mjs" | "cjs" | "ts" | "tsx" | "jsx" | "go" | "java" | "kt"
            | "c" | "h" | "cc" | "cpp" | "hpp" | "cs" | "rb" | "php" | "swift" | "scala" | "sh"
            | "bash" | "zsh" | "sql" | "lua" | "pl" | "r" | "hs" | "ml" | "ex" | "exs" | "erl"
            | "clj" | "dart" | "zig" | "nim" | "vue" | "svelte" | "css" | "scss" | "toml"
            | "yaml" | "yml" | "json" | "xml" | "proto" | "gradle" | "cmake" => Self::Code,
            _ => Self::Text,
        }
    }

    /// The kind's name in the index.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Markdown => "markdown",
            Self::Code => "code",
            Self::Html => "html",
        }
    }
}

/// The lower-cased extension of `path` without its dot, or empty.
pub fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|ext| ext.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

/// Text ready to index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The document's kind.
    pub kind: Kind,
    /// Its title, when it has one.
    pub title: Option<String>,
    /// Its text.
    pub body: String,
}

/// The indexable text of the file at `path` with content `bytes`, or `None` for a binary file.
pub fn extract(path: &Path, bytes: &[u8]) -> Option<Extracted> {
    if text::looks_binary(bytes) {
        return None;
    }
    let mut kind = Kind::of(path);
    let decoded = text::decode(bytes, None, kind == Kind::Html);
    if kind == Kind::Text && extension(path).is_empty() && text::looks_like_html(&decoded.text) {
        kind = Kind::Html;
    }
    let extracted = match kind {
        Kind::Html => Extracted {
            kind,
            title: text::html_title(&decoded.text),
            body: text::html_to_markdown(&decoded.text),
        },
        Kind::Markdown => Extracted {
            kind,
            title: markdown_title(&decoded.text),
            body: decoded.text,
        },
        Kind::Text | Kind::Code => Extracted {
            kind,
            title: None,
            body: decoded.text,
        },
    };
    Some(extracted)
}

/// The text of the first ATX heading (`# Title`).
fn markdown_title(markdown: &str) -> Option<String> {
    markdown.lines().find_map(|line| {
        let heading = line.trim_start().strip_prefix('#')?;
        let heading = heading.trim_start_matches('#');
        heading
            .starts_with(' ')
            .then(|| heading.trim().trim_end_matches('#').trim().to_owned())
            .filter(|title| !title.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_titles_and_binaries() {
        let md = extract(Path::new("a/README.md"), b"intro\n## The Title ##\nbody\n").unwrap();
        assert_eq!(
            (md.kind, md.title.as_deref()),
            (Kind::Markdown, Some("The Title"))
        );
        let html = extract(
            Path::new("page.html"),
            b"<html><head><title>Page</title></head><body><p>Hello <i>there</i></p></body></html>",
        )
        .unwrap();
        assert_eq!(html.kind, Kind::Html);
        assert_eq!(html.title.as_deref(), Some("Page"));
        assert_eq!(html.body, "Hello *there*");
        assert_eq!(Kind::of(Path::new("main.RS")), Kind::Code);
        assert!(extract(Path::new("blob.txt"), b"\x7fELF\x02\x01\x00\x00").is_none());
        let latin1 = extract(
            Path::new("old.txt"),
            b"na\xefve caf\xe9 r\xe9sum\xe9 text here",
        )
        .unwrap();
        assert_eq!(latin1.body, "naïve café résumé text here");
    }
}
