//! A conversation in no provider's format. Each provider translates it on the way out and its
//! reply on the way back, so the agent loop and the transcript never see a wire format.

use serde::{Deserialize, Serialize};

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Message {
    /// What the user asked.
    User {
        /// The request.
        text: String,
    },
    /// What the model answered: text, tool calls, or both.
    Assistant {
        /// The text (possibly empty when the model only calls tools).
        text: String,
        /// The tool calls, in the order the model made them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<ToolCall>,
    },
    /// The answer to one tool call.
    Tool(ToolOutput),
}

/// A tool call as the model made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The id that ties the call to its output (made up when a provider gives none).
    pub id: String,
    /// The exposed tool name the model asked for, which may not exist.
    pub name: String,
    /// The arguments exactly as the model wrote them: JSON text that may be invalid.
    pub arguments: String,
}

/// What a tool call gave back, as the model will read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolOutput {
    /// The [`ToolCall::id`] this answers.
    pub call_id: String,
    /// The tool name the call used.
    pub name: String,
    /// The result as text (an error message when `is_error`).
    pub text: String,
    /// Whether the call failed; the model should correct itself or work around it.
    pub is_error: bool,
}

impl Message {
    /// A user message.
    pub fn user(text: impl Into<String>) -> Self {
        Self::User { text: text.into() }
    }
}
