//! Tool arguments that are not a JSON object.
//!
//! Clients (and models writing tool calls by hand) sometimes send `arguments` as a string that
//! holds JSON, or as an array or a number. rmcp cannot deserialize such a `tools/call` request at
//! all: it answers with an id-less `Invalid request` and the caller waits forever for its answer.
//! We look at each incoming message before rmcp does, move a non-object `arguments` out of the
//! way into a private `_meta` entry, and let the tool dispatcher answer that call with a clear
//! `isError` result.
//!
//! Numbers are kept whole too. A JSON number with more significant digits than a double holds
//! (`1000000000000000000000000000007`), or beyond a double's range (`1e999999`), would be
//! rounded, or make the whole message unreadable, before any tool saw it. Inside a call's
//! `arguments` such numbers are passed on as numeric strings, every digit intact; a tool that
//! accepts numbers as strings reads them exactly, and any other tool reports a type error.
//!
//! Every other message passes through byte for byte.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::ToolError;

/// The `_meta` key that carries what was wrong with the arguments to the tool dispatcher.
pub(crate) const META_KEY: &str = "io.github.mcp-toolkit/argumentsNotObject";

/// Only what is needed to decide whether a message needs rewriting, parsed without copying.
#[derive(Deserialize)]
struct MessageProbe<'a> {
    #[serde(borrow)]
    method: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    params: Option<ParamsProbe<'a>>,
}

#[derive(Deserialize)]
struct ParamsProbe<'a> {
    #[serde(borrow)]
    arguments: Option<&'a RawValue>,
}

/// Returns the rewritten message when `message` is a `tools/call` request whose `arguments` is
/// present but neither an object nor `null`; `None` when the message must pass unchanged.
pub(crate) fn rewrite(message: &[u8]) -> Option<Vec<u8>> {
    let probe: MessageProbe<'_> = serde_json::from_slice(message).ok()?;
    if probe.method.as_deref() != Some("tools/call") {
        return None;
    }
    let raw_arguments = probe.params?.arguments?;
    let raw = raw_arguments.get().trim_start();
    if raw == "null" {
        return None;
    }
    if raw.starts_with('{') {
        return quote_lossy_numbers(raw_arguments.get()).map(|quoted| {
            // The raw value borrows from `message`, so its offset locates it there.
            let start = raw_arguments.get().as_ptr() as usize - message.as_ptr() as usize;
            let end = start + raw_arguments.get().len();
            [&message[..start], quoted.as_bytes(), &message[end..]].concat()
        });
    }

    let mut value: Value = serde_json::from_slice(message).ok()?;
    let params = value.get_mut("params")?.as_object_mut()?;
    let arguments = params.remove("arguments")?;
    let report = json!({
        "type": json_type(&arguments),
        "holdsObject": arguments
            .as_str()
            .and_then(|text| serde_json::from_str::<Value>(text).ok())
            .is_some_and(|inner| inner.is_object()),
    });
    let meta = params.entry("_meta").or_insert_with(|| json!({}));
    if !meta.is_object() {
        *meta = json!({});
    }
    meta.as_object_mut()?.insert(META_KEY.to_owned(), report);
    serde_json::to_vec(&value).ok()
}

/// The error a tool call answers with when [`rewrite`] moved its arguments aside.
pub(crate) fn error_for(report: &Value) -> ToolError {
    let kind = report
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("value");
    let holds_object = report
        .get("holdsObject")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let hint = if holds_object {
        "the string holds a JSON object: send that object itself as `arguments`, not a string that encodes it"
    } else {
        "send `arguments` as a JSON object whose keys are the tool's parameters (see its inputSchema)"
    };
    ToolError::new(
        "arguments_not_object",
        format!("tool arguments must be a JSON object, but a {kind} was sent"),
    )
    .with_field("arguments")
    .with_hint(hint)
}

/// Rewrites the number tokens of a JSON text that a double cannot hold exactly as strings;
/// `None` when there are none.
fn quote_lossy_numbers(json: &str) -> Option<String> {
    let bytes = json.as_bytes();
    let mut quoted = String::new();
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                at += 1;
                while at < bytes.len() {
                    match bytes[at] {
                        b'\\' => at += 2,
                        b'"' => {
                            at += 1;
                            break;
                        }
                        _ => at += 1,
                    }
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = at;
                at += 1;
                while at < bytes.len()
                    && matches!(bytes[at], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    at += 1;
                }
                let token = &json[start..at];
                if loses_precision(token) {
                    quoted.push_str(&json[copied..start]);
                    quoted.push('"');
                    quoted.push_str(token);
                    quoted.push('"');
                    copied = at;
                }
            }
            _ => at += 1,
        }
    }
    if copied == 0 {
        return None;
    }
    quoted.push_str(&json[copied..]);
    Some(quoted)
}

/// Whether the double nearest to a JSON number token differs from it: more than 15
/// significant digits (beyond what every double keeps), or out of a double's range.
fn loses_precision(token: &str) -> bool {
    let mantissa = token.split(['e', 'E']).next().unwrap_or(token);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let significant = digits.trim_start_matches('0').trim_end_matches('0');
    if significant.len() > 15 {
        return true;
    }
    match token.parse::<f64>() {
        Ok(value) => !value.is_finite() || (value == 0.0 && !significant.is_empty()),
        Err(_) => false,
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(message: &str) -> Option<Value> {
        rewrite(message.as_bytes()).map(|bytes| serde_json::from_slice(&bytes).expect("json"))
    }

    #[test]
    fn objects_null_and_other_methods_pass_unchanged() {
        assert!(rewritten(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1}}}"#).is_none());
        assert!(rewritten(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":null}}"#).is_none());
        assert!(
            rewritten(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add"}}"#)
                .is_none()
        );
        assert!(
            rewritten(
                r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"arguments":"x"}}"#
            )
            .is_none()
        );
        assert!(rewritten("not json at all").is_none());
    }

    #[test]
    fn a_json_encoded_string_is_moved_into_meta() {
        let message = rewritten(
            r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"add","arguments":"{\"a\":1,\"b\":2}"}}"#,
        )
        .expect("rewritten");
        assert_eq!(message["id"], 7);
        assert!(message["params"].get("arguments").is_none());
        let report = &message["params"]["_meta"][META_KEY];
        assert_eq!(report["type"], "string");
        assert_eq!(report["holdsObject"], true);
        let error = error_for(report);
        assert_eq!(error.code(), "arguments_not_object");
        assert!(
            error
                .hint()
                .is_some_and(|hint| hint.contains("object itself"))
        );
    }

    #[test]
    fn numbers_a_double_cannot_hold_become_strings() {
        let message = rewritten(
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1000000000000000000000000000007,"b":[1e999999,0.1,"12345678901234567890"],"c":1e30,"d":-0.000000000000000000001}}}"#,
        )
        .expect("rewritten");
        let arguments = &message["params"]["arguments"];
        assert_eq!(arguments["a"], "1000000000000000000000000000007");
        assert_eq!(arguments["b"][0], "1e999999");
        assert_eq!(arguments["b"][1], 0.1);
        assert_eq!(arguments["b"][2], "12345678901234567890");
        assert_eq!(arguments["c"], 1e30);
        assert_eq!(arguments["d"], -1e-21);
        assert!(rewritten(r#"{"id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":123456789012345,"b":"1e999999"}}}"#).is_none());
    }

    #[test]
    fn existing_meta_is_kept() {
        let message = rewritten(
            r#"{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"add","arguments":[1,2],"_meta":{"progressToken":3}}}"#,
        )
        .expect("rewritten");
        assert_eq!(message["params"]["_meta"]["progressToken"], 3);
        assert_eq!(message["params"]["_meta"][META_KEY]["type"], "array");
        assert_eq!(message["params"]["_meta"][META_KEY]["holdsObject"], false);
    }
}
