//! The command line on its own, without any server: help, and refusing bad configurations
//! before anything is started. Runs with servers are in the workspace's `tests` crate.

use std::process::{Command, Output, Stdio};

fn orchestrator(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_orchestrator"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the orchestrator runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn every_command_has_help() {
    for command in ["tools", "call", "doctor", "explain"] {
        let output = orchestrator(&[command, "--help"]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{command}: {}", stderr(&output));
        assert!(
            stdout.contains("--config") && stdout.contains("--json"),
            "{command}: {stdout}"
        );
    }
}

#[test]
fn bad_configurations_are_refused_with_file_key_and_reason() {
    let dir = std::env::temp_dir().join(format!("orchestrator-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            r#"{"mcpServers": {"math": {"command": "math-server", "timeout": 0}}}"#,
            "mcpServers.math.timeout: must be a positive number of seconds",
        ),
        (
            r#"{"mcpServers": {"math": {"command": "math-server", "tols": {}}}}"#,
            "mcpServers.math.tols: unknown field `tols`",
        ),
        (
            r#"{"mcpServers": {"math": {"command": "math-server"}"#,
            "not valid JSON: EOF while parsing an object at line 1 column",
        ),
        (r#"{"mcpServers": {}}"#, "no servers are configured"),
    ];
    for (index, (text, expected)) in cases.iter().enumerate() {
        let path = dir.join(format!("servers-{index}.json"));
        std::fs::write(&path, text).unwrap();
        let output = orchestrator(&["--config", path.to_str().unwrap(), "tools"]);
        assert_eq!(output.status.code(), Some(2), "{text}");
        let expected = format!("{}: {expected}", path.display());
        assert!(
            stderr(&output).contains(&expected),
            "{text}\n  gave: {}\n  expected: {expected}",
            stderr(&output)
        );
    }
    let output = orchestrator(&["--config", "/nonexistent/servers.json", "doctor"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("/nonexistent/servers.json: cannot read"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
