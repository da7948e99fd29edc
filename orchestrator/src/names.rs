//! Exposed tool names: `{prefix}__{tool}`, always, valid for every LLM API
//! (`^[a-zA-Z0-9_-]{1,64}$`).
//!
//! A prefix holds only lowercase letters, digits and `-`, so the first `_` of an exposed name
//! is where the prefix ends: two servers with different prefixes can never produce the same
//! name, and no tool name can forge another server's prefix. Names are still mapped back to
//! their owner through the registry's table, never by splitting.

use sha2::{Digest, Sha256};

/// The longest exposed name OpenAI, Anthropic and Gemini all accept.
pub const MAX_NAME_LEN: usize = 64;

/// Between prefix and tool name.
pub const SEPARATOR: &str = "__";

/// The longest prefix, so that at least 38 characters are left for the tool's own name.
pub const MAX_PREFIX_LEN: usize = 24;

/// Hex digits of the hash added to a name that had to be changed.
const HASH_LEN: usize = 8;

/// Checks a prefix given in the configuration.
pub fn validate_prefix(prefix: &str) -> Result<(), String> {
    if prefix.is_empty() || prefix.len() > MAX_PREFIX_LEN {
        return Err(format!(
            "must be 1 to {MAX_PREFIX_LEN} characters, not {}",
            prefix.len()
        ));
    }
    if let Some(bad) = prefix
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!(
            "`{prefix}` contains {bad:?}; a prefix holds only lowercase letters, digits and '-' (so that `__` always ends it)"
        ));
    }
    Ok(())
}

/// The prefix for a server id when the configuration gives none: lowercased, `_`, `.` and
/// spaces become `-`, other characters are dropped. `None` when nothing is left.
///
/// ```
/// use orchestrator::names::derive_prefix;
/// assert_eq!(derive_prefix("Math_Server").as_deref(), Some("math-server"));
/// assert_eq!(derive_prefix("???"), None);
/// ```
pub fn derive_prefix(id: &str) -> Option<String> {
    let mut prefix = String::with_capacity(id.len());
    for c in id.chars() {
        match c {
            'a'..='z' | '0'..='9' => prefix.push(c),
            'A'..='Z' => prefix.push(c.to_ascii_lowercase()),
            '-' | '_' | '.' | ' ' if !prefix.ends_with('-') && !prefix.is_empty() => {
                prefix.push('-')
            }
            _ => {}
        }
    }
    prefix.truncate(MAX_PREFIX_LEN);
    let prefix = prefix.trim_end_matches('-');
    (!prefix.is_empty()).then(|| prefix.to_owned())
}

/// The exposed name of `tool` on the server with `prefix`.
///
/// A tool name that is already valid and fits is kept as is. Otherwise invalid characters
/// become `_`, the name is cut to fit, and the first 8 hex digits of the SHA-256 of the
/// original name are appended, so that two names that sanitize alike (`a.b`, `a/b`) stay
/// distinct and the same tool always gets the same name.
///
/// ```
/// use orchestrator::names::exposed_name;
/// assert_eq!(exposed_name("math", "add"), "math__add");
/// let odd = exposed_name("fs", "read.file");
/// assert!(odd.starts_with("fs__read_file_") && odd.len() == "fs__read_file_".len() + 8);
/// ```
pub fn exposed_name(prefix: &str, tool: &str) -> String {
    let budget = MAX_NAME_LEN - prefix.len() - SEPARATOR.len();
    let valid = !tool.is_empty()
        && tool
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if valid && tool.len() <= budget {
        return format!("{prefix}{SEPARATOR}{tool}");
    }
    let keep = budget - 1 - HASH_LEN;
    let sanitized: String = tool
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(keep)
        .collect();
    let digest = Sha256::digest(tool.as_bytes());
    let hash: String = digest
        .iter()
        .take(HASH_LEN / 2)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("{prefix}{SEPARATOR}{sanitized}_{hash}")
}

/// Whether a name is valid for every LLM API.
pub fn is_valid(name: &str) -> bool {
    (1..=MAX_NAME_LEN).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names_are_kept() {
        assert_eq!(exposed_name("math", "add"), "math__add");
        assert_eq!(exposed_name("a-b", "x_y-z"), "a-b__x_y-z");
    }

    #[test]
    fn every_name_is_valid_distinct_and_stable() {
        let prefix = "a".repeat(MAX_PREFIX_LEN);
        let tools = [
            "a.b",
            "a/b",
            "a b",
            "ünïcödé",
            "",
            &"t".repeat(100),
            &"t".repeat(101),
            "__",
            "ok",
        ];
        let names: Vec<String> = tools
            .iter()
            .map(|tool| exposed_name(&prefix, tool))
            .collect();
        for name in &names {
            assert!(is_valid(name), "{name}");
            assert!(name.starts_with(&format!("{prefix}__")));
        }
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert_eq!(
            names,
            tools
                .iter()
                .map(|tool| exposed_name(&prefix, tool))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_name_that_just_fits_is_not_hashed() {
        let tool = "t".repeat(MAX_NAME_LEN - "math__".len());
        assert_eq!(exposed_name("math", &tool), format!("math__{tool}"));
        let long = "t".repeat(MAX_NAME_LEN - "math__".len() + 1);
        assert_eq!(exposed_name("math", &long).len(), MAX_NAME_LEN);
    }

    #[test]
    fn prefixes_are_checked_and_derived() {
        assert!(validate_prefix("math-2").is_ok());
        assert!(validate_prefix("Math").is_err());
        assert!(validate_prefix("a_b").is_err());
        assert!(validate_prefix("").is_err());
        assert!(validate_prefix(&"a".repeat(MAX_PREFIX_LEN + 1)).is_err());
        assert_eq!(
            derive_prefix("my server.v2").as_deref(),
            Some("my-server-v2")
        );
        assert_eq!(derive_prefix("__x__").as_deref(), Some("x"));
        assert_eq!(derive_prefix("ü").as_deref(), None);
        assert_eq!(
            derive_prefix(&"x".repeat(40)).map(|p| p.len()),
            Some(MAX_PREFIX_LEN)
        );
    }
}
