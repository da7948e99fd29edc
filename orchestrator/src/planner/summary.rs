//! Tool results read back in a line: the value of a calculation, the names in a listing, the
//! hits of a search.

use serde_json::Value;

/// How many items of a list a summary names.
const ITEMS_SHOWN: usize = 8;
/// The longest summary of anything else.
const MAX_CHARS: usize = 300;

/// The main value of a result, for a task that refers back to it: a `value` or `result`
/// field, else the first number in the text.
pub(crate) fn value(text: &str) -> Option<String> {
    if let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) {
        for key in ["value", "result"] {
            match object.get(key) {
                Some(Value::String(value)) => return Some(value.clone()),
                Some(Value::Number(value)) => return Some(value.to_string()),
                _ => {}
            }
        }
    }
    text.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .find_map(super::clues::parse_number)
}

/// One line (or a few) that says what a result holds.
pub(crate) fn summarize(text: &str) -> String {
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) else {
        return shorten(&text.lines().take(3).collect::<Vec<_>>().join(" / "));
    };
    for key in ["value", "result"] {
        if let Some(value) = object.get(key).filter(|value| !value.is_object()) {
            return shorten(&scalar(value));
        }
    }
    let list = object.iter().find_map(|(key, value)| match value {
        Value::Array(items) if items.iter().all(Value::is_object) => Some((key, items)),
        _ => None,
    });
    if let Some((key, items)) = list {
        let total = object
            .get("total")
            .or_else(|| object.get("total_hits"))
            .and_then(Value::as_u64)
            .map_or(items.len(), |total| {
                usize::try_from(total).unwrap_or(usize::MAX)
            });
        if items.is_empty() {
            return format!("no {key}");
        }
        let names: Vec<String> = items.iter().take(ITEMS_SHOWN).map(label).collect();
        let more = total.saturating_sub(names.len());
        let mut line = format!("{total} {key}: {}", names.join(", "));
        if more > 0 {
            line.push_str(&format!(", and {more} more"));
        }
        return line;
    }
    shorten(&Value::Object(object).to_string())
}

/// What names one item of a list.
fn label(item: &Value) -> String {
    for key in ["name", "path", "title", "url", "file"] {
        if let Some(text) = item.get(key).and_then(Value::as_str) {
            let line = item.get("line").and_then(Value::as_u64);
            return match line {
                Some(line) => format!("{text}:{line}"),
                None if item.get("kind").and_then(Value::as_str) == Some("directory") => {
                    format!("{text}/")
                }
                None => text.to_owned(),
            };
        }
    }
    shorten(&item.to_string())
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_CHARS {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(MAX_CHARS).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_listings_and_text() {
        let evaluated = r#"{"exact":true,"value":"18446744073709551615"}"#;
        assert_eq!(summarize(evaluated), "18446744073709551615");
        assert_eq!(value(evaluated).as_deref(), Some("18446744073709551615"));
        let listing = r#"{"entries":[{"kind":"file","name":"Cargo.toml"},{"kind":"directory","name":"src"}],"total":2}"#;
        assert_eq!(summarize(listing), "2 entries: Cargo.toml, src/");
        assert_eq!(summarize(r#"{"results":[]}"#), "no results");
        assert_eq!(summarize("plain\ntext"), "plain / text");
        assert_eq!(value("the answer is 42.").as_deref(), Some("42"));
    }
}
