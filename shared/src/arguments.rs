//! Tool arguments that are not a JSON object.
//!
//! Clients (and models writing tool calls by hand) sometimes send `arguments` as a string that
//! holds JSON, or as an array or a number. rmcp cannot deserialize such a `tools/call` request at
//! all: it answers with an id-less `Invalid request` and the caller waits forever for its answer.
//! We look at each incoming message before rmcp does, move a non-object `arguments` out of the
//! way into a private `_meta` entry, and let the tool dispatcher answer that call with a clear
//! `isError` result. Every other message passes through byte for byte.

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
    let raw = probe.params?.arguments?.get().trim_start();
    if raw.starts_with('{') || raw == "null" {
        return None;
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
    let kind = report.get("type").and_then(Value::as_str).unwrap_or("value");
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
        assert!(rewritten(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add"}}"#).is_none());
        assert!(rewritten(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"arguments":"x"}}"#).is_none());
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
        assert!(error.hint().is_some_and(|hint| hint.contains("object itself")));
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
