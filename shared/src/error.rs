//! The tool error contract: how a tool says "I ran and failed" so that a model can act on it.
//!
//! A [`ToolError`] becomes a normal `tools/call` result with `isError: true`, a text block a model
//! can read, and `structuredContent: {"error": {"code", "message", "hint", ...}}` a program can
//! match on. JSON-RPC errors stay reserved for protocol faults (an unknown tool, a bad cursor).

use std::borrow::Cow;

use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;
use serde_json::json;

/// A tool ran and failed: what went wrong, in terms the caller can fix.
///
/// `code` is a stable snake_case identifier (`division_by_zero`, `unknown_unit`); `message` says
/// what happened; `hint` says what to do instead. `field` names the argument at fault and
/// `position` the 0-based character offset inside it, when there is one.
///
/// ```
/// use shared::ToolError;
///
/// let error = ToolError::new("division_by_zero", "division by zero")
///     .with_hint("check the divisor")
///     .with_field("expression")
///     .with_position(4);
/// assert_eq!(error.to_string(), "division by zero");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct ToolError {
    code: Cow<'static, str>,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<usize>,
}

impl ToolError {
    /// An error with a stable `code` and a human-readable `message`.
    pub fn new(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            hint: None,
            field: None,
            position: None,
        }
    }

    /// The arguments did not match the tool's input schema.
    pub fn invalid_arguments(message: impl Into<String>) -> Self {
        Self::new("invalid_arguments", message)
            .with_hint("send arguments that match the tool's inputSchema (see tools/list)")
    }

    /// Says what the caller should do instead.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Names the argument at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Points at the 0-based character offset of the fault inside [`Self::field`].
    pub fn with_position(mut self, position: usize) -> Self {
        self.position = Some(position);
        self
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What to do instead, if known.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The argument at fault, if known.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The character offset of the fault inside the field, if known.
    pub fn position(&self) -> Option<usize> {
        self.position
    }

    /// The `isError` result that carries this error to the caller.
    pub fn into_call_tool_result(self) -> CallToolResult {
        let mut text = format!("error [{}]: {}", self.code, self.message);
        if let Some(field) = &self.field {
            text.push_str(&format!(" (argument `{field}`"));
            if let Some(position) = self.position {
                text.push_str(&format!(", character {position}"));
            }
            text.push(')');
        }
        if let Some(hint) = &self.hint {
            text.push_str(&format!("\nhint: {hint}"));
        }
        let mut result = CallToolResult::structured_error(json!({ "error": self }));
        result.content = vec![ContentBlock::text(text)];
        result
    }
}

impl rmcp::handler::server::tool::IntoCallToolResult for ToolError {
    fn into_call_tool_result(self) -> Result<rmcp::model::CallToolResponse, rmcp::ErrorData> {
        Ok(ToolError::into_call_tool_result(self).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn becomes_an_is_error_result_with_structured_content() {
        let result = ToolError::new("unknown_unit", "unknown unit `furlongz`")
            .with_hint("did you mean `furlong`?")
            .with_field("from")
            .into_call_tool_result();
        assert_eq!(result.is_error, Some(true));
        let structured = result.structured_content.expect("structured content");
        assert_eq!(structured["error"]["code"], "unknown_unit");
        assert_eq!(structured["error"]["hint"], "did you mean `furlong`?");
        assert_eq!(structured["error"]["field"], "from");
        assert!(structured["error"].get("position").is_none());
        let text = result.content[0]
            .as_text()
            .expect("text block")
            .text
            .clone();
        assert!(text.contains("unknown unit `furlongz`"), "{text}");
        assert!(text.contains("hint: did you mean"), "{text}");
    }
}
