//! A tool result as text: what a terminal shows and what a model reads.

use rmcp::model::{CallToolResult, ContentBlock};

/// The result's text blocks, a line for each other block, or the structured content when
/// there is nothing else.
pub fn to_text(result: &CallToolResult) -> String {
    let mut parts = Vec::new();
    for block in &result.content {
        match block {
            ContentBlock::Text(text) => parts.push(text.text.clone()),
            ContentBlock::Image(image) => parts.push(format!(
                "[image {}, {} base64 characters]",
                image.mime_type,
                image.data.len()
            )),
            ContentBlock::Audio(audio) => parts.push(format!(
                "[audio {}, {} base64 characters]",
                audio.mime_type,
                audio.data.len()
            )),
            ContentBlock::ResourceLink(link) => parts.push(format!("[resource link {}]", link.uri)),
            other => parts.push(serde_json::to_string(other).unwrap_or_default()),
        }
    }
    if parts.is_empty()
        && let Some(structured) = &result.structured_content
    {
        parts.push(serde_json::to_string_pretty(structured).unwrap_or_default());
    }
    parts.join("\n")
}
