//! The math server through a real rmcp client, in process: every tool, every kind of bad
//! input, and the `tools/list` snapshot that versions the server's interface.

use math_server::MathServer;
use serde_json::{Value, json};
use shared::ToolServer;
use shared::testing::{RawSession, TestClient};

async fn client() -> TestClient {
    TestClient::connect(ToolServer::new(MathServer::new()))
        .await
        .expect("connect")
}

#[tokio::test]
async fn server_info_names_this_crate() {
    let client = client().await;
    let info = client.server_info().expect("server info");
    let implementation = info.server_info.as_ref().expect("implementation");
    assert_eq!(implementation.name, "math-server");
    assert_eq!(implementation.version, env!("CARGO_PKG_VERSION"));
    assert!(
        info.instructions
            .as_deref()
            .is_some_and(|i| i.contains("evaluate"))
    );
    client.close().await;
}

#[tokio::test]
async fn tools_list_is_the_versioned_contract() {
    let client = client().await;
    let tools = client.list_tools().await.expect("tools");
    for tool in &tools {
        let annotations = tool.annotations.as_ref().expect("annotations");
        assert_eq!(annotations.read_only_hint, Some(true), "{}", tool.name);
        assert_eq!(annotations.idempotent_hint, Some(true), "{}", tool.name);
        assert_eq!(annotations.open_world_hint, Some(false), "{}", tool.name);
        assert!(
            annotations.title.is_some() && tool.title.is_some(),
            "{}",
            tool.name
        );
        assert!(
            tool.output_schema.is_some(),
            "{} has no output schema",
            tool.name
        );
    }
    insta::assert_json_snapshot!("math-server-tools", shared::tools_snapshot(&tools));
    client.close().await;
}

#[tokio::test]
async fn add_and_multiply_are_exact_at_any_size() {
    let client = client().await;
    let sum = client
        .succeed(
            "add",
            json!({"a": "1000000000000000000000000000000", "b": 1}),
        )
        .await;
    assert_eq!(sum["result"], "1000000000000000000000000000001");
    let sum = client.succeed("add", json!({"a": 0.1, "b": "0.2"})).await;
    assert_eq!(sum["result"], "0.3");
    let product = client
        .succeed(
            "multiply",
            json!({"a": "123456789012345678901234567890", "b": "987654321098765432109876543210"}),
        )
        .await;
    assert_eq!(
        product["result"],
        "121932631137021795226185032733622923332237463801111263526900"
    );
    let product = client
        .succeed("multiply", json!({"a": 9223372036854775807_i64, "b": 2}))
        .await;
    assert_eq!(product["result"], "18446744073709551614");
    client.close().await;
}

#[tokio::test]
async fn every_tool_answers() {
    let client = client().await;
    let value = client
        .succeed("evaluate", json!({"expression": "2^64 - 1"}))
        .await;
    assert_eq!(
        (value["value"].as_str(), value["exact"].as_bool()),
        (Some("18446744073709551615"), Some(true))
    );
    let value = client
        .succeed(
            "evaluate",
            json!({"expression": "x^2 + y", "variables": {"x": 3, "y": "0.5"}}),
        )
        .await;
    assert_eq!(value["value"], "9.5");
    let value = client
        .succeed(
            "evaluate",
            json!({"expression": "1/3", "mode": "decimal", "precision": 5}),
        )
        .await;
    assert_eq!(
        (value["value"].as_str(), value["exact"].as_bool()),
        (Some("0.33333"), Some(false))
    );
    let value = client
        .succeed(
            "evaluate",
            json!({"expression": "sin(30)", "angle_unit": "degrees", "mode": "float"}),
        )
        .await;
    assert_eq!(value["value"], "0.49999999999999994");
    let summary = client
        .succeed(
            "statistics",
            json!({"data": [1, 2, 3, 4], "y": [2, 4, 6, 8]}),
        )
        .await;
    assert_eq!(summary["mean"], "2.5");
    assert_eq!(summary["paired"]["slope"], "2");
    let primes = client
        .succeed(
            "number_theory",
            json!({"operation": "factorize", "values": [360]}),
        )
        .await;
    assert_eq!(primes["result"], "2^3 * 3^2 * 5");
    let converted = client
        .succeed(
            "convert_units",
            json!({"value": 100, "from": "°C", "to": "°F"}),
        )
        .await;
    assert_eq!(converted["value"], "212");
    client.close().await;
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_the_server_keeps_serving() {
    let client = client().await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("evaluate", json!({"expression": "1 +"}), "syntax_error"),
        (
            "evaluate",
            json!({"expression": "__import__('os').system('id')"}),
            "unknown_name",
        ),
        (
            "evaluate",
            json!({"expression": "open('/etc/passwd')"}),
            "unknown_name",
        ),
        ("evaluate", json!({"expression": "foo + 1"}), "unknown_name"),
        ("evaluate", json!({"expression": "1/0"}), "division_by_zero"),
        ("evaluate", json!({"expression": "ln(0)"}), "domain_error"),
        (
            "evaluate",
            json!({"expression": "log10(-5)"}),
            "domain_error",
        ),
        (
            "evaluate",
            json!({"expression": "sqrt(-1)"}),
            "domain_error",
        ),
        ("evaluate", json!({"expression": "asin(2)"}), "domain_error"),
        (
            "evaluate",
            json!({"expression": "9^9^9^9"}),
            "result_too_large",
        ),
        (
            "evaluate",
            json!({"expression": "factorial(10^9)"}),
            "result_too_large",
        ),
        (
            "evaluate",
            json!({"expression": format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000))}),
            "expression_too_long",
        ),
        (
            "evaluate",
            json!({"expression": format!("{}1{}", "(".repeat(4_000), ")".repeat(4_000))}),
            "too_deeply_nested",
        ),
        (
            "evaluate",
            json!({"expression": "1", "mode": "float", "precision": 5}),
            "invalid_argument",
        ),
        ("statistics", json!({"data": []}), "empty_data"),
        (
            "statistics",
            json!({"data": [1, 2, 3], "y": [1, 2]}),
            "length_mismatch",
        ),
        (
            "number_theory",
            json!({"operation": "factorial", "values": ["1000000000"]}),
            "result_too_large",
        ),
        (
            "number_theory",
            json!({"operation": "mod_inverse", "values": [2, 4]}),
            "no_inverse",
        ),
        (
            "convert_units",
            json!({"value": 1, "from": "furlongz", "to": "m"}),
            "unknown_unit",
        ),
        (
            "convert_units",
            json!({"value": 1, "from": "kg", "to": "m"}),
            "incompatible_units",
        ),
        (
            "convert_units",
            json!({"value": -500, "from": "°C", "to": "K"}),
            "domain_error",
        ),
        // Wrong argument types, and numbers as strings where a number is expected.
        ("add", json!({"a": true, "b": 1}), "invalid_arguments"),
        ("add", json!({"a": "twelve", "b": 1}), "invalid_arguments"),
        ("add", json!({"a": 1}), "invalid_arguments"),
        ("evaluate", json!({"expression": 42}), "invalid_arguments"),
        (
            "evaluate",
            json!({"expression": "1", "precision": "10"}),
            "invalid_arguments",
        ),
        (
            "evaluate",
            json!({"expression": "1", "mode": "banana"}),
            "invalid_arguments",
        ),
        (
            "statistics",
            json!({"data": [1, null, "abc"]}),
            "invalid_arguments",
        ),
        (
            "statistics",
            json!({"data": "[1, 2, 3]"}),
            "invalid_arguments",
        ),
        (
            "number_theory",
            json!({"operation": "is_prime", "values": [7], "extra": 1}),
            "invalid_arguments",
        ),
    ];
    for (tool, arguments, code) in cases {
        let error = client.fail(tool, arguments.clone()).await;
        assert_eq!(error["code"], code, "{tool} {arguments}: {error}");
    }
    let position = client
        .fail("evaluate", json!({"expression": "2 * (3 + )"}))
        .await;
    assert_eq!(
        (position["position"].as_u64(), position["field"].as_str()),
        (Some(9), Some("expression"))
    );
    // Still serving.
    assert_eq!(
        client.succeed("add", json!({"a": 2, "b": 3})).await["result"],
        "5"
    );
    client.close().await;
}

#[tokio::test]
async fn protocol_faults_are_json_rpc_errors() {
    let client = client().await;
    let unknown = client.call("no_such_tool", json!({})).await;
    assert!(unknown.is_err(), "{unknown:?}");
    client.close().await;

    let mut raw = RawSession::in_process(ToolServer::new(MathServer::new()))
        .await
        .expect("raw");
    let cursor = raw
        .request(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"cursor": "bogus"}}))
        .await
        .expect("answer");
    assert_eq!(cursor["error"]["code"], -32602, "{cursor}");
}

#[tokio::test]
async fn arguments_sent_as_a_json_string_get_an_answer() {
    let mut raw = RawSession::in_process(ToolServer::new(MathServer::new()))
        .await
        .expect("raw");
    let answer = raw
        .request(json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
            "params": {"name": "add", "arguments": "{\"a\": 1, \"b\": 2}"}}))
        .await
        .expect("answer");
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    let error = &answer["result"]["structuredContent"]["error"];
    assert_eq!(error["code"], "arguments_not_object");
    assert!(
        error["hint"]
            .as_str()
            .is_some_and(|h| h.contains("object itself")),
        "{error}"
    );
    let answer = raw
        .request(json!({"jsonrpc": "2.0", "id": 8, "method": "tools/call",
            "params": {"name": "add", "arguments": {"a": 1, "b": 2}}}))
        .await
        .expect("answer");
    assert_eq!(
        answer["result"]["structuredContent"]["result"], "3",
        "{answer}"
    );
}

#[tokio::test]
async fn json_numbers_keep_every_digit() {
    let mut raw = RawSession::in_process(ToolServer::new(MathServer::new()))
        .await
        .expect("raw");
    let line = r#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"add","arguments":{"a":1000000000000000000000000000007,"b":0.1}}}"#;
    let answer = raw.request_line(line, &json!(9)).await.expect("answer");
    assert_eq!(
        answer["result"]["structuredContent"]["result"], "1000000000000000000000000000007.1",
        "{answer}"
    );
    let line = r#"{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"add","arguments":{"a":1e999999999,"b":1}}}"#;
    let answer = raw.request_line(line, &json!(10)).await.expect("answer");
    assert_eq!(answer["result"]["isError"], true, "{answer}");
}
