//! The `orchestrator` binary end to end: discovery over stdio and Streamable HTTP, names,
//! routing, filtering, and the `tools`, `call`, `bench`, `doctor` and `explain` commands.

use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, Result};
use serde_json::{Value, json};
use tests::{STARTUP_TIMEOUT, Server, binary};

/// What a run printed, and how it exited.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Result<Value> {
        serde_json::from_str(&self.stdout).with_context(|| {
            format!(
                "stdout is not JSON:\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

async fn orchestrator(args: &[&str]) -> Result<Run> {
    let output = tokio::time::timeout(
        STARTUP_TIMEOUT,
        tokio::process::Command::new(binary("orchestrator")?)
            .args(args)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .context("the orchestrator did not finish in time")??;
    Ok(Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// Writes an `mcpServers` file into a fresh temporary directory.
fn config_file(name: &str, servers: Value) -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("orchestrator-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("servers.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&json!({ "mcpServers": servers }))?,
    )?;
    Ok(path)
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

#[tokio::test]
async fn the_built_in_default_serves_the_workspace_servers() -> Result<()> {
    let run = orchestrator(&["tools", "--json"]).await?;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tools = run.json()?;
    let names: Vec<&str> = tools
        .as_array()
        .context("an array")?
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        names.contains(&"math__add") && names.contains(&"math__evaluate"),
        "{names:?}"
    );
    Ok(())
}

#[tokio::test]
async fn stdio_and_http_servers_merge_into_one_toolbox() -> Result<()> {
    let http = Server::http(&binary("math-server")?, &[]).await?;
    let config = config_file(
        "merge",
        json!({
            "math": {"command": binary("math-server")?},
            "remote": {"url": http.url, "tools": {"allow": ["multiply", "evaluate"], "deny": ["evaluate"]}},
        }),
    )?;
    let run = orchestrator(&["--config", path(&config), "tools", "--json"]).await?;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tools = run.json()?;
    let entries = tools.as_array().context("an array")?;
    let names: Vec<&str> = entries.iter().filter_map(|t| t["name"].as_str()).collect();
    assert!(
        names.contains(&"math__add") && names.contains(&"remote__multiply"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"remote__add") && !names.contains(&"remote__evaluate"),
        "filtered: {names:?}"
    );
    let multiply = entries
        .iter()
        .find(|t| t["name"] == "remote__multiply")
        .context("remote__multiply")?;
    assert_eq!(
        (multiply["server"].as_str(), multiply["original"].as_str()),
        (Some("remote"), Some("multiply"))
    );
    assert_eq!(
        multiply["tool"]["name"], "remote__multiply",
        "callers see the exposed name"
    );
    assert!(multiply["tool"]["inputSchema"]["properties"].is_object());

    let run = orchestrator(&[
        "--config",
        path(&config),
        "call",
        "remote__multiply",
        r#"{"a": 6, "b": 7}"#,
        "--json",
    ])
    .await?;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()?["structuredContent"]["result"], "42");

    let run = orchestrator(&[
        "--config",
        path(&config),
        "call",
        "math__add",
        r#"{"a": 1, "b": 2}"#,
    ])
    .await?;
    assert_eq!(
        (run.code, run.stdout.trim()),
        (0, r#"{"result":"3"}"#),
        "{}",
        run.stderr
    );

    // A hidden tool cannot be called by guessing its name, and explain says why.
    let run = orchestrator(&[
        "--config",
        path(&config),
        "call",
        "remote__evaluate",
        r#"{"expression": "1"}"#,
    ])
    .await?;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("denied by the pattern `evaluate` in tools.deny"),
        "{}",
        run.stderr
    );
    let run = orchestrator(&["--config", path(&config), "explain", "remote__add"]).await?;
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("matches none of tools.allow (multiply, evaluate)"),
        "{}",
        run.stdout
    );
    let run = orchestrator(&[
        "--config",
        path(&config),
        "explain",
        "remote__multiply",
        "--json",
    ])
    .await?;
    assert_eq!(run.code, 0);
    assert_eq!(
        run.json()?,
        json!({"verdict": "exposed", "name": "remote__multiply", "server": "remote", "original": "multiply", "renamed": false, "server_state": "ready"})
    );

    http.terminate().await?;
    Ok(())
}

#[tokio::test]
async fn call_reports_tool_errors_and_bad_input_with_exit_codes() -> Result<()> {
    let config = config_file(
        "call",
        json!({ "math": {"command": binary("math-server")?} }),
    )?;
    let config = path(&config);
    let tool_error = orchestrator(&[
        "--config",
        config,
        "call",
        "math__evaluate",
        r#"{"expression": "1/0"}"#,
    ])
    .await?;
    assert_eq!(tool_error.code, 1, "{}", tool_error.stdout);
    assert!(
        tool_error.stdout.contains("division by zero"),
        "{}",
        tool_error.stdout
    );

    for (arguments, expected) in [
        (r#"{"a": 1"#, "the arguments are not valid JSON"),
        ("[1, 2]", "the arguments must be a JSON object"),
    ] {
        let run = orchestrator(&["--config", config, "call", "math__add", arguments]).await?;
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains(expected), "{}", run.stderr);
    }
    let unknown = orchestrator(&["--config", config, "call", "add", "{}"]).await?;
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("unknown tool `add`")
            && unknown.stderr.contains("did you mean `math__add`"),
        "{}",
        unknown.stderr
    );
    Ok(())
}

#[tokio::test]
async fn bench_measures_calls_cold_starts_and_discovery() -> Result<()> {
    let config = config_file(
        "bench",
        json!({ "math": {"command": binary("math-server")?, "maxConcurrency": 8} }),
    )?;
    let config = path(&config);
    for path_flag in [None, Some("--direct")] {
        let mut args = vec!["--config", config, "bench", "calls", "math__add"];
        args.extend([
            r#"{"a": 1, "b": 2}"#,
            "-n",
            "300",
            "-c",
            "8",
            "--warmup",
            "20",
        ]);
        args.extend(path_flag);
        args.push("--json");
        let run = orchestrator(&args).await?;
        assert_eq!(run.code, 0, "{}", run.stderr);
        let report = run.json()?;
        let expected_path = if path_flag.is_some() {
            "direct"
        } else {
            "routed"
        };
        assert_eq!(report["path"], expected_path);
        assert_eq!(report["server"], "math");
        assert_eq!(
            (report["calls"].as_u64(), report["errors"].as_u64()),
            (Some(300), Some(0))
        );
        assert!(
            report["calls_per_second"].as_f64().unwrap_or_default() > 0.0,
            "{report}"
        );
        let latency = &report["latency"];
        let percentiles: Vec<f64> = ["p50_us", "p90_us", "p99_us", "max_us"]
            .iter()
            .filter_map(|key| latency[key].as_f64())
            .collect();
        assert_eq!(percentiles.len(), 4, "{report}");
        assert!(percentiles[0] > 0.0, "{report}");
        assert!(
            percentiles.windows(2).all(|pair| pair[0] <= pair[1]),
            "{report}"
        );
        assert!(
            report["peak_rss_mib"].as_f64().unwrap_or_default() > 1.0,
            "{report}"
        );
    }

    // Calls that fail are counted, the first failure is shown, and the exit status says so.
    let failing = orchestrator(&[
        "--config",
        config,
        "bench",
        "calls",
        "math__evaluate",
        r#"{"expression": "1/0"}"#,
        "-n",
        "5",
        "--warmup",
        "0",
        "--json",
    ])
    .await?;
    assert_eq!(failing.code, 1, "{}", failing.stderr);
    let report = failing.json()?;
    assert_eq!(report["errors"], 5);
    assert!(
        report["first_error"]
            .as_str()
            .unwrap_or_default()
            .contains("division by zero"),
        "{report}"
    );
    for (args, expected) in [
        (&["math__nope", "{}"][..], "unknown tool `math__nope`"),
        (&["math__add", "{}", "-n", "0"][..], "must be at least 1"),
    ] {
        let mut all = vec!["--config", config, "bench", "calls"];
        all.extend(args);
        let run = orchestrator(&all).await?;
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains(expected), "{}", run.stderr);
    }

    for (what, key) in [("startup", "server"), ("discovery", "servers")] {
        let run =
            orchestrator(&["--config", config, "bench", what, "--runs", "2", "--json"]).await?;
        assert_eq!(run.code, 0, "{}", run.stderr);
        let rows = run.json()?;
        let row = &rows[0];
        assert_eq!(row[key], if what == "startup" { "math" } else { "1" });
        assert_eq!(row["runs"], 2);
        let (min, median, max) = (
            row["min_ms"].as_f64().unwrap_or_default(),
            row["median_ms"].as_f64().unwrap_or_default(),
            row["max_ms"].as_f64().unwrap_or_default(),
        );
        assert!(0.0 < min && min <= median && median <= max, "{rows}");
    }
    let broken = config_file(
        "bench-broken",
        json!({ "gone": {"command": "/nonexistent/mcp-server"} }),
    )?;
    let run = orchestrator(&["--config", path(&broken), "bench", "startup", "--runs", "1"]).await?;
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("server `gone` did not start"),
        "{}",
        run.stderr
    );
    Ok(())
}

#[tokio::test]
async fn doctor_shows_healthy_and_broken_servers() -> Result<()> {
    let config = config_file(
        "doctor",
        json!({
            "math": {"command": binary("math-server")?},
            "broken": {"command": "/nonexistent/server", "restart": false},
            "off": {"command": "whatever", "enabled": false},
        }),
    )?;
    let run = orchestrator(&["--config", path(&config), "doctor", "--json"]).await?;
    assert_eq!(run.code, 1, "not every server is ready");
    let report = run.json()?;
    let servers = report["servers"].as_array().context("servers")?;
    let server = |id: &str| {
        servers
            .iter()
            .find(|s| s["id"] == id)
            .cloned()
            .unwrap_or_default()
    };
    let math = server("math");
    assert_eq!(math["state"], "ready");
    assert_eq!(math["server_name"], "math-server");
    assert_eq!(math["protocol"], "2025-11-25");
    assert_eq!(
        (
            math["tools_listed"].as_u64(),
            math["tools_exposed"].as_u64()
        ),
        (Some(6), Some(6))
    );
    assert!(
        math["connect_ms"].as_f64().is_some() && math["ping_ms"].as_f64().is_some(),
        "{math}"
    );
    assert_eq!(server("broken")["state"], "failed");
    assert!(
        server("broken")["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("cannot start `/nonexistent/server`")
    );
    assert_eq!(server("off")["state"], "disabled");
    assert!(report["settled_ms"].as_f64().is_some());

    let table = orchestrator(&["--config", path(&config), "doctor"]).await?;
    assert!(
        table.stdout.contains("math-server")
            && table.stdout.contains("broken (failed): cannot start"),
        "{}",
        table.stdout
    );
    Ok(())
}
