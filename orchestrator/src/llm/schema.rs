//! Tool definitions as the LLM APIs accept them.
//!
//! Both APIs take a JSON Schema object for the parameters; some servers behind the
//! OpenAI-compatible API (and Anthropic) refuse a `$schema` key or a schema without
//! `properties`, so those are normalized here. Names are already valid for every API (the
//! registry guarantees `^[a-zA-Z0-9_-]{1,64}$`).

use rmcp::model::Tool;
use serde_json::{Value, json};

/// The tool's input schema, without `$schema`, always an object with `properties`.
pub(crate) fn parameters(tool: &Tool) -> Value {
    let mut schema = (*tool.input_schema).clone();
    schema.remove("$schema");
    schema
        .entry("type")
        .or_insert_with(|| Value::String("object".to_owned()));
    schema.entry("properties").or_insert_with(|| json!({}));
    Value::Object(schema)
}

/// What the model reads about the tool: its description, else its title, else its name.
pub(crate) fn description(tool: &Tool) -> String {
    tool.description
        .as_deref()
        .or(tool.title.as_deref())
        .unwrap_or(&tool.name)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn parameters_drop_the_meta_schema_and_always_have_properties() {
        let schema =
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"});
        let tool = Tool::new(
            "fs__list_allowed_directories",
            "Lists the directories",
            Arc::new(schema.as_object().cloned().unwrap_or_default()),
        );
        assert_eq!(
            parameters(&tool),
            json!({"type": "object", "properties": {}})
        );
        assert_eq!(description(&tool), "Lists the directories");
    }
}
