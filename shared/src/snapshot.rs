//! A server's `tools/list` as stable JSON: the versioning contract reviewed in snapshots.
//!
//! Tools are sorted by name and every object's keys are sorted, so the rendering changes only
//! when a tool's name, description, schema or annotations change. A change to a server's
//! snapshot is a change to its public interface, and a breaking one bumps its version.

use rmcp::model::Tool;
use serde_json::{Map, Value};

/// Renders `tools` as canonical JSON, ready for `insta::assert_json_snapshot!`.
pub fn tools_snapshot(tools: &[Tool]) -> Value {
    let mut tools = tools.to_vec();
    tools.sort_by(|a, b| a.name.cmp(&b.name));
    canonical(serde_json::to_value(tools).unwrap_or(Value::Null))
}

/// Sorts object keys at every depth.
fn canonical(value: Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut entries: Vec<(String, Value)> = object.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut sorted = Map::new();
            for (key, value) in entries {
                sorted.insert(key, canonical(value));
            }
            Value::Object(sorted)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn tools_are_sorted_by_name() {
        let schema = Arc::new(Map::new());
        let tools = vec![
            Tool::new("zeta", "last", schema.clone()),
            Tool::new("alpha", "first", schema),
        ];
        let snapshot = tools_snapshot(&tools);
        assert_eq!(snapshot[0]["name"], "alpha");
        assert_eq!(snapshot[1]["name"], "zeta");
    }
}
