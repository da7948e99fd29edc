//! The planner against the workspace servers' real tool lists (their `tools/list` snapshots),
//! exposed under `{server}__{tool}` as the registry would.

use std::path::Path;

use rmcp::model::Tool;
use serde_json::{Value, json};

use super::*;

/// The three servers' tools, read from the snapshots each server's tests keep up to date.
fn workspace_tools() -> Vec<Tool> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut tools = Vec::new();
    for (server, snapshot) in [
        (
            "math",
            "math-server/tests/snapshots/mcp__math-server-tools.snap",
        ),
        (
            "search",
            "search-server/tests/snapshots/tools__search-server-tools.snap",
        ),
        (
            "fs",
            "fs-server/tests/snapshots/tools__fs-server-tools.snap",
        ),
    ] {
        let text = std::fs::read_to_string(root.join(snapshot))
            .unwrap_or_else(|error| panic!("{snapshot}: {error}"));
        let body = text.splitn(3, "---").nth(2).unwrap_or_default();
        let listed: Vec<Tool> = serde_json::from_str(body)
            .unwrap_or_else(|error| panic!("{snapshot} is not a tool list: {error}"));
        for mut tool in listed {
            tool.name = format!("{server}__{}", tool.name).into();
            tools.push(tool);
        }
    }
    tools
}

fn calls(reply: &Reply) -> Vec<(String, Value)> {
    reply
        .tool_calls
        .iter()
        .map(|call| {
            let arguments = serde_json::from_str(&call.arguments).unwrap_or(Value::Null);
            (call.name.clone(), arguments)
        })
        .collect()
}

fn first_calls(request: &str) -> Vec<(String, Value)> {
    calls(&next_reply(&[Message::user(request)], &workspace_tools()))
}

fn output(call: &ToolCall, text: &str, is_error: bool) -> Message {
    Message::Tool(ToolOutput {
        call_id: call.id.clone(),
        name: call.name.clone(),
        text: text.to_owned(),
        is_error,
    })
}

#[test]
fn simple_requests_reach_the_right_tool_with_the_right_arguments() {
    assert_eq!(
        first_calls("what is 2^64 - 1"),
        [(
            "math__evaluate".to_owned(),
            json!({"expression": "2^64 - 1"})
        )]
    );
    assert_eq!(
        first_calls("search my notes for tokio"),
        [("search__local_search".to_owned(), json!({"query": "tokio"}))]
    );
    assert_eq!(
        first_calls("list the files in docs"),
        [("fs__list_directory".to_owned(), json!({"path": "docs"}))]
    );
    assert_eq!(
        first_calls("add 2 and 3"),
        [("math__add".to_owned(), json!({"a": 2, "b": 3}))]
    );
    assert_eq!(
        first_calls("read the file README.md"),
        [("fs__read_file".to_owned(), json!({"path": "README.md"}))]
    );
    assert_eq!(
        first_calls("search the web for rust async"),
        [(
            "search__web_search".to_owned(),
            json!({"query": "rust async"})
        )]
    );
    assert_eq!(
        first_calls("convert 10 km to mi"),
        [(
            "math__convert_units".to_owned(),
            json!({"value": 10, "from": "km", "to": "mi"})
        )]
    );
}

#[test]
fn independent_tasks_go_out_together_and_a_back_reference_waits() {
    let tools = workspace_tools();
    let request = "What is 2^64 - 1, and is it prime? Then search my notes for tokio, and list the files in docs.";
    let mut conversation = vec![Message::user(request)];
    let first = next_reply(&conversation, &tools);
    assert_eq!(
        calls(&first),
        [(
            "math__evaluate".to_owned(),
            json!({"expression": "2^64 - 1"})
        )]
    );
    conversation.push(Message::Assistant {
        text: String::new(),
        tool_calls: first.tool_calls.clone(),
    });
    conversation.push(output(
        &first.tool_calls[0],
        r#"{"exact":true,"value":"18446744073709551615"}"#,
        false,
    ));
    let second = next_reply(&conversation, &tools);
    assert_eq!(
        calls(&second),
        [
            (
                "math__number_theory".to_owned(),
                json!({"operation": "is_prime", "values": ["18446744073709551615"]})
            ),
            ("search__local_search".to_owned(), json!({"query": "tokio"})),
            ("fs__list_directory".to_owned(), json!({"path": "docs"})),
        ]
    );
    conversation.push(Message::Assistant {
        text: String::new(),
        tool_calls: second.tool_calls.clone(),
    });
    conversation.push(output(
        &second.tool_calls[0],
        r#"{"result":"false"}"#,
        false,
    ));
    conversation.push(output(
        &second.tool_calls[1],
        r#"{"results":[{"path":"notes/async.md","line":3}],"total":1}"#,
        false,
    ));
    conversation.push(output(
        &second.tool_calls[2],
        "no such directory: docs",
        true,
    ));
    let last = next_reply(&conversation, &tools);
    assert!(last.tool_calls.is_empty());
    assert!(last.text.starts_with(LABEL), "{}", last.text);
    for expected in [
        "1. \"What is 2^64 - 1\" → math__evaluate: 18446744073709551615",
        "2. \"is it prime\" → math__number_theory: false",
        "3. \"search my notes for tokio\" → search__local_search: 1 results: notes/async.md:3",
        "4. \"list the files in docs\" → fs__list_directory failed: no such directory: docs",
    ] {
        assert!(
            last.text.contains(expected),
            "{expected:?} not in\n{}",
            last.text
        );
    }
}

#[test]
fn a_back_reference_to_a_failed_task_is_skipped() {
    let tools = workspace_tools();
    let mut conversation = vec![Message::user("what is 1/0 and is it prime")];
    let first = next_reply(&conversation, &tools);
    assert_eq!(calls(&first).len(), 1);
    conversation.push(Message::Assistant {
        text: String::new(),
        tool_calls: first.tool_calls.clone(),
    });
    conversation.push(output(&first.tool_calls[0], "division by zero", true));
    let last = next_reply(&conversation, &tools);
    assert!(last.tool_calls.is_empty());
    assert!(last.text.contains("was skipped"), "{}", last.text);
}

#[test]
fn a_request_no_tool_fits_is_answered_not_guessed() {
    let reply = next_reply(&[Message::user("sing me a song")], &workspace_tools());
    assert!(reply.tool_calls.is_empty());
    assert!(reply.text.contains("no tool fits"), "{}", reply.text);
    let nothing = next_reply(&[], &workspace_tools());
    assert!(nothing.text.contains("no request"));
}

#[test]
fn requests_split_into_sentences_then_clauses() {
    assert_eq!(
        split(
            "What is 2^64 - 1, and is it prime? Then list docs.",
            &SENTENCE_ENDS
        ),
        ["What is 2^64 - 1, and is it prime", "list docs"]
    );
    assert_eq!(
        split("What is 2^64 - 1, and is it prime", &CLAUSE_ENDS),
        ["What is 2^64 - 1", "is it prime"]
    );
}

#[test]
fn a_back_reference_to_a_result_without_a_value_is_skipped_and_later_answers_line_up() {
    let tools = workspace_tools();
    let request = "list the files in docs, and is it prime? Then add 2 and 3";
    let mut conversation = vec![Message::user(request)];
    let first = next_reply(&conversation, &tools);
    assert_eq!(
        calls(&first),
        [("fs__list_directory".to_owned(), json!({"path": "docs"}))]
    );
    conversation.push(Message::Assistant {
        text: String::new(),
        tool_calls: first.tool_calls.clone(),
    });
    conversation.push(output(&first.tool_calls[0], r#"{"entries":[]}"#, false));
    let second = next_reply(&conversation, &tools);
    assert_eq!(
        calls(&second),
        [("math__add".to_owned(), json!({"a": 2, "b": 3}))]
    );
    conversation.push(Message::Assistant {
        text: String::new(),
        tool_calls: second.tool_calls.clone(),
    });
    conversation.push(output(&second.tool_calls[0], r#"{"result":"5"}"#, false));
    let last = next_reply(&conversation, &tools);
    assert!(
        last.text.contains("2. \"is it prime\" was skipped"),
        "{}",
        last.text
    );
    assert!(
        last.text.contains("3. \"add 2 and 3\" → math__add: 5"),
        "{}",
        last.text
    );
}
