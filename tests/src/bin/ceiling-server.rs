//! `ceiling-server`: the practical ceiling of an MCP stdio server, for the benchmarks
//! (`scripts/bench.sh`). One thread reads a line, parses it with serde_json, writes the answer
//! and flushes: no async runtime, no schema, no validation. It serves `initialize`, `ping`,
//! `tools/list` and one tool, `add` (two JSON numbers), which is all the load generator uses;
//! anything else gets a JSON-RPC error. Not a model to follow: a measuring stick.

use std::io::{BufRead, BufWriter, Write};

use serde_json::{Value, json};

fn main() {
    let stdin = std::io::stdin().lock();
    let mut stdout = BufWriter::new(std::io::stdout().lock());
    for line in stdin.lines() {
        let Ok(line) = line else { break };
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        // Notifications have no id and get no answer.
        let Some(id) = message.get("id").cloned() else {
            continue;
        };
        let answer = match answer(&message) {
            Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
            Err((code, text)) => {
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": text}})
            }
        };
        let written = serde_json::to_writer(&mut stdout, &answer)
            .map_err(std::io::Error::from)
            .and_then(|()| stdout.write_all(b"\n"))
            .and_then(|()| stdout.flush());
        if written.is_err() {
            break;
        }
    }
}

fn answer(message: &Value) -> Result<Value, (i64, String)> {
    let params = &message["params"];
    match message["method"].as_str().unwrap_or_default() {
        "initialize" => Ok(json!({
            "protocolVersion": params["protocolVersion"].as_str().unwrap_or("2025-11-25"),
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "ceiling-server", "version": env!("CARGO_PKG_VERSION")},
        })),
        "ping" => Ok(json!({})),
        "tools/list" => Ok(json!({"tools": [{
            "name": "add",
            "description": "Adds two numbers",
            "inputSchema": {"type": "object", "properties": {
                "a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]},
        }]})),
        "tools/call" if params["name"] == "add" => {
            let number = |name: &str| params["arguments"][name].as_f64();
            match (number("a"), number("b")) {
                (Some(a), Some(b)) => {
                    let sum = a + b;
                    Ok(
                        json!({"content": [{"type": "text", "text": sum.to_string()}],
                              "structuredContent": {"result": sum}}),
                    )
                }
                _ => Err((-32602, "a and b must be numbers".to_owned())),
            }
        }
        "tools/call" => Err((-32602, format!("unknown tool {}", params["name"]))),
        other => Err((-32601, format!("method not found: {other}"))),
    }
}
