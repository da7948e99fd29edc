//! A tour of the math server: starts it in process, connects a real MCP client, lists the
//! tools and calls each one, including calls that fail the way a model's mistakes would.
//!
//! Run it with `cargo run -p math-server --example tour`.

// A demo prints its results: that is its purpose.
#![allow(clippy::print_stdout)]

use anyhow::Result;
use math_server::MathServer;
use serde_json::{Value, json};
use shared::ToolServer;
use shared::testing::TestClient;

#[tokio::main]
async fn main() -> Result<()> {
    let client = TestClient::connect(ToolServer::new(MathServer::new())).await?;
    if let Some(info) = client
        .server_info()
        .and_then(|info| info.server_info.clone())
    {
        println!("connected to {} {}\n", info.name, info.version);
    }
    println!("tools:");
    for tool in client.list_tools().await? {
        let title = tool.title.clone().unwrap_or_default();
        println!("  {:<14} {title}", tool.name);
    }
    let calls: [(&str, Value); 10] = [
        (
            "add",
            json!({"a": "1000000000000000000000000000000", "b": 1}),
        ),
        ("evaluate", json!({"expression": "0.1 + 0.2"})),
        ("evaluate", json!({"expression": "2^128 / 3"})),
        (
            "evaluate",
            json!({"expression": "sqrt(2) * pi", "precision": 30}),
        ),
        (
            "statistics",
            json!({"data": [2, 4, 4, 4, 5, 5, 7, 9], "variance": "population"}),
        ),
        (
            "number_theory",
            json!({"operation": "factorize", "values": ["18446744073709551617"]}),
        ),
        (
            "convert_units",
            json!({"value": 60, "from": "mph", "to": "km/h"}),
        ),
        ("evaluate", json!({"expression": "2 * (3 + )"})),
        ("evaluate", json!({"expression": "9^9^9^9"})),
        (
            "convert_units",
            json!({"value": 1, "from": "kg", "to": "m"}),
        ),
    ];
    for (tool, arguments) in calls {
        let result = client.call(tool, arguments.clone()).await?;
        let outcome = if result.is_error == Some(true) {
            "error"
        } else {
            "ok"
        };
        let structured = result.structured_content.unwrap_or(Value::Null);
        println!("\n{tool} {arguments}\n  -> {outcome}: {structured}");
    }
    client.close().await;
    Ok(())
}
