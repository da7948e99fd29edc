//! Arguments for a tool from a request's clues and the tool's input schema.
//!
//! Only required parameters are filled (the server's defaults are better than guesses), each
//! from the clue its name and type call for. A required parameter with no clue for it means
//! the tool cannot do this task. Each filled parameter adds to a strength: a math expression
//! for `expression`, a URL for `url`, a path for `path` are strong evidence for the tool;
//! numbers that would fit any numeric tool are weak.

use rmcp::model::{JsonObject, Tool};
use serde_json::{Value, json};

use super::clues::Clues;

const EXPRESSION_NAMES: [&str; 4] = ["expression", "expr", "formula", "equation"];
const PATH_NAMES: [&str; 9] = [
    "path",
    "file",
    "filename",
    "file_path",
    "directory",
    "dir",
    "folder",
    "root",
    "source",
];
const QUERY_NAMES: [&str; 11] = [
    "query", "q", "text", "search", "keyword", "keywords", "term", "terms", "topic", "pattern",
    "needle",
];
const CONTENT_NAMES: [&str; 4] = ["content", "contents", "body", "data"];

/// Arguments for one tool, and how strongly the request's clues point at it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Filling {
    /// The arguments.
    pub arguments: JsonObject,
    /// The sum of the evidence of each filled parameter.
    pub strength: f32,
}

/// Fills `tool`'s required parameters from `clues`; `previous` is the earlier task's result,
/// used when the request refers back to it. `None` when a required parameter has no clue.
pub(crate) fn fill(tool: &Tool, clues: &Clues, previous: Option<&str>) -> Option<Filling> {
    let schema = &tool.input_schema;
    let properties = schema.get("properties").and_then(Value::as_object);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut state = State {
        clues,
        previous: previous.filter(|_| clues.refers_back),
        numbers: clues.numbers.iter(),
        paths: clues.paths.iter(),
    };
    let mut filling = Filling {
        arguments: JsonObject::new(),
        strength: 0.0,
    };
    for name in required {
        let empty = JsonObject::new();
        let property = properties
            .and_then(|properties| properties.get(name))
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let (value, strength) = state.value(name, property)?;
        filling.arguments.insert(name.to_owned(), value);
        filling.strength += strength;
    }
    Some(filling)
}

struct State<'a> {
    clues: &'a Clues,
    previous: Option<&'a str>,
    numbers: std::slice::Iter<'a, String>,
    paths: std::slice::Iter<'a, String>,
}

impl State<'_> {
    fn value(&mut self, name: &str, property: &JsonObject) -> Option<(Value, f32)> {
        let name = name.to_lowercase();
        let types = types(property);
        if let Some(choices) = choices(property) {
            return choose(&choices, self.clues).map(|choice| (Value::String(choice), 2.0));
        }
        if types.contains(&"array") {
            return self.array(&name, property);
        }
        if types.contains(&"number") || types.contains(&"integer") {
            if let Some(number) = self.numbers.next() {
                return Some((number_value(number, &types), 0.5));
            }
            return self
                .previous
                .map(|previous| (number_value(previous, &types), 1.0));
        }
        if types.contains(&"string") || types.is_empty() {
            return self.string(&name, property);
        }
        if types.contains(&"boolean") {
            return Some((Value::Bool(false), 0.0));
        }
        if types.contains(&"object") {
            return Some((json!({}), 0.0));
        }
        None
    }

    fn string(&mut self, name: &str, property: &JsonObject) -> Option<(Value, f32)> {
        let clues = self.clues;
        let text = |value: &str| Value::String(value.to_owned());
        if EXPRESSION_NAMES.contains(&name) {
            return match (&clues.expression, self.previous) {
                (Some(expression), _) => Some((text(expression), 3.0)),
                (None, Some(previous)) => Some((text(previous), 1.0)),
                (None, None) => None,
            };
        }
        if name.contains("url") || name.contains("uri") || name.contains("link") {
            return clues.urls.first().map(|url| (text(url), 3.0));
        }
        if PATH_NAMES.contains(&name) || name.ends_with("_path") {
            return Some(match self.paths.next() {
                Some(path) => (text(path), 2.0),
                None => (text("."), 0.0),
            });
        }
        if matches!(name, "destination" | "target" | "dest") {
            return self.paths.next().map(|path| (text(path), 1.0));
        }
        if QUERY_NAMES.contains(&name) {
            let topic = clues.topic.as_deref()?;
            let glob = description(property).contains("glob");
            if name == "pattern" && glob && !topic.contains(['*', '?']) {
                return Some((Value::String(format!("*{topic}*")), 1.0));
            }
            return Some((text(topic), 1.5));
        }
        if matches!(name, "from" | "to") {
            let (from, to) = clues.units()?;
            return Some((Value::String(if name == "from" { from } else { to }), 1.5));
        }
        if CONTENT_NAMES.contains(&name) {
            return clues.quoted.first().map(|quoted| (text(quoted), 1.0));
        }
        None
    }

    fn array(&mut self, name: &str, property: &JsonObject) -> Option<(Value, f32)> {
        let items = property
            .get("items")
            .and_then(Value::as_object)
            .map(types)
            .unwrap_or_default();
        if items.contains(&"number") || items.contains(&"integer") {
            let numbers: Vec<Value> = self
                .numbers
                .by_ref()
                .map(|number| number_value(number, &items))
                .collect();
            if !numbers.is_empty() {
                return Some((Value::Array(numbers), 1.0));
            }
            return self
                .previous
                .map(|previous| (json!([number_value(previous, &items)]), 1.0));
        }
        if name.contains("path") || name.contains("file") {
            let paths: Vec<Value> = self
                .paths
                .by_ref()
                .map(|path| Value::String(path.clone()))
                .collect();
            // One path for a list of paths is weak evidence: a tool for one file fits better.
            let strength = if paths.len() > 1 { 2.0 } else { 0.5 };
            return (!paths.is_empty()).then_some((Value::Array(paths), strength));
        }
        None
    }
}

/// The JSON types a property allows (`"type": "string"` or `"type": ["number", "string"]`).
fn types(property: &JsonObject) -> Vec<&str> {
    match property.get("type") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The allowed values of an enumeration (`enum`, or `oneOf`/`anyOf` of `const`s), with the
/// words that describe each.
fn choices(property: &JsonObject) -> Option<Vec<(String, String)>> {
    if let Some(Value::Array(values)) = property.get("enum") {
        return Some(
            values
                .iter()
                .filter_map(Value::as_str)
                .map(|value| (value.to_owned(), String::new()))
                .collect(),
        );
    }
    let variants = property
        .get("oneOf")
        .or_else(|| property.get("anyOf"))?
        .as_array()?;
    let choices: Vec<(String, String)> = variants
        .iter()
        .filter_map(|variant| {
            let value = variant.get("const")?.as_str()?;
            let description = variant
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            Some((value.to_owned(), description.to_owned()))
        })
        .collect();
    (!choices.is_empty()).then_some(choices)
}

/// The choice whose own words the request uses most (`is it prime` → `is_prime`). At least
/// one word of three letters or more must match; a shared stem of five letters counts
/// (`factor` → `factorize`).
fn choose(choices: &[(String, String)], clues: &Clues) -> Option<String> {
    let matches = |part: &str| {
        clues.words.iter().any(|word| {
            word == part || (part.len() >= 5 && word.len() >= 5 && common_prefix(word, part) >= 5)
        })
    };
    choices
        .iter()
        .filter_map(|(value, _)| {
            let parts: Vec<&str> = value.split(['_', '-', ' ']).collect();
            let strong = parts.iter().any(|part| part.len() >= 3 && matches(part));
            let score = parts.iter().filter(|part| matches(part)).count();
            strong.then_some((score, value))
        })
        .max_by(|(a, _), (b, _)| a.cmp(b))
        .map(|(_, value)| value.clone())
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

fn description(property: &JsonObject) -> String {
    property
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_lowercase()
}

/// A number as JSON: a JSON number when it round-trips exactly, else a string when the
/// schema allows one (big integers keep every digit).
fn number_value(number: &str, types: &[&str]) -> Value {
    if let Ok(integer) = number.parse::<i64>() {
        return Value::from(integer);
    }
    if types.contains(&"string") {
        return Value::String(number.to_owned());
    }
    number
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| Value::String(number.to_owned()), Value::Number)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn tool(name: &str, schema: Value) -> Tool {
        Tool::new(
            name.to_owned(),
            String::new(),
            Arc::new(schema.as_object().cloned().unwrap_or_default()),
        )
    }

    fn number_theory() -> Tool {
        tool(
            "number_theory",
            json!({"type": "object", "required": ["operation", "values"], "properties": {
                "operation": {"oneOf": [
                    {"const": "is_prime", "type": "string"},
                    {"const": "next_prime", "type": "string"},
                    {"const": "factorize", "type": "string"},
                ]},
                "values": {"type": "array", "items": {"type": ["number", "string"]}},
            }}),
        )
    }

    #[test]
    fn choices_and_number_arrays() {
        let filled = fill(&number_theory(), &Clues::of("is 97 prime?"), None);
        assert_eq!(
            filled.map(|f| Value::Object(f.arguments)),
            Some(json!({"operation": "is_prime", "values": [97]}))
        );
        let factor = fill(&number_theory(), &Clues::of("factor 360"), None);
        assert_eq!(
            factor.map(|f| f.arguments["operation"].clone()),
            Some(json!("factorize"))
        );
        assert_eq!(
            fill(&number_theory(), &Clues::of("what is 2^64 - 1"), None),
            None
        );
    }

    #[test]
    fn a_back_reference_takes_the_previous_result() {
        let filled = fill(
            &number_theory(),
            &Clues::of("and is it prime"),
            Some("18446744073709551615"),
        );
        assert_eq!(
            filled.map(|f| Value::Object(f.arguments)),
            Some(json!({"operation": "is_prime", "values": ["18446744073709551615"]}))
        );
    }

    #[test]
    fn paths_default_to_the_root_but_queries_need_a_topic() {
        let grep = tool(
            "grep",
            json!({"required": ["path", "query"], "properties": {
                "path": {"type": "string"}, "query": {"type": "string"}}}),
        );
        let filled = fill(&grep, &Clues::of("search for tokio"), None);
        assert_eq!(
            filled.map(|f| Value::Object(f.arguments)),
            Some(json!({"path": ".", "query": "tokio"}))
        );
        assert_eq!(fill(&grep, &Clues::of("search everything"), None), None);
    }

    #[test]
    fn units_and_numbers() {
        let convert = tool(
            "convert_units",
            json!({"required": ["value", "from", "to"], "properties": {
                "value": {"type": ["number", "string"]}, "from": {"type": "string"}, "to": {"type": "string"}}}),
        );
        let filled = fill(&convert, &Clues::of("convert 5 km to mi"), None);
        assert_eq!(
            filled.map(|f| Value::Object(f.arguments)),
            Some(json!({"value": 5, "from": "km", "to": "mi"}))
        );
        assert_eq!(
            number_value("18446744073709551615", &["number"]),
            json!(18446744073709551615.0)
        );
    }
}
