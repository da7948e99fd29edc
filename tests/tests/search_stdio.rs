//! search-server as a child process over stdio: a session that indexes and searches, the
//! index's lock against a second server, and the command line's failures (exit status 2, a
//! message on stderr, nothing on stdout).

use std::process::Stdio;

use anyhow::{Context, Result};
use rmcp::RoleClient;
use rmcp::ServiceExt;
use rmcp::model::CallToolResult;
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};
use tests::{STARTUP_TIMEOUT, binary, call_tool as call};
use tokio::process::Command;

fn command(args: &[&str]) -> Result<Command> {
    let mut command = Command::new(binary("search-server")?);
    command
        .args(args)
        .env_remove("SEARXNG_URL")
        .env_remove("BRAVE_API_KEY")
        .arg("--log-level")
        .arg("warn");
    Ok(command)
}

async fn spawn(args: &[&str]) -> Result<RunningService<RoleClient, ()>> {
    let (transport, _stderr) = TokioChildProcess::builder(command(args)?)
        .stderr(Stdio::null())
        .spawn()?;
    Ok(tokio::time::timeout(STARTUP_TIMEOUT, ().serve(transport)).await??)
}

fn structured(result: &CallToolResult) -> Result<&Value> {
    result
        .structured_content
        .as_ref()
        .context("no structured content")
}

#[tokio::test]
async fn a_session_indexes_searches_and_holds_the_index() -> Result<()> {
    let temp = tempfile::tempdir()?;
    let docs = temp.path().join("docs");
    std::fs::create_dir_all(&docs)?;
    std::fs::write(docs.join("guide.md"), "# Guide\nThe capybara sleeps.\n")?;
    let index = temp.path().join("index").display().to_string();
    let docs_arg = docs.display().to_string();
    let client = spawn(&[&docs_arg, "--index-dir", &index]).await?;

    call(&client, "reindex", json!({})).await?;
    let found = call(&client, "local_search", json!({"query": "capybara"})).await?;
    let found = structured(&found)?;
    assert_eq!(found["total_hits"], 1, "{found}");
    assert_eq!(
        found["hits"][0]["lines"][0],
        json!({"line": 2, "text": "The **capybara** sleeps."})
    );
    let web = call(&client, "web_search", json!({"query": "capybara"})).await?;
    assert_eq!(structured(&web)?["error"]["code"], "no_web_backend");
    let fetch = call(&client, "fetch_url", json!({"url": "http://127.0.0.1:9/"})).await?;
    assert_eq!(structured(&fetch)?["error"]["code"], "blocked_address");

    // A second server on the same index is refused at start, and says why.
    let second = tokio::time::timeout(
        STARTUP_TIMEOUT,
        command(&[&docs_arg, "--index-dir", &index])?
            .stdin(Stdio::null())
            .output(),
    )
    .await??;
    assert_eq!(second.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&second.stderr).contains("in use by another search-server"));
    assert!(second.stdout.is_empty());
    client.cancel().await?;
    Ok(())
}

#[tokio::test]
async fn bad_command_lines_exit_2_with_a_reason() -> Result<()> {
    let temp = tempfile::tempdir()?;
    let index = temp.path().join("index").display().to_string();
    for (args, needle) in [
        (
            vec!["/definitely/not/here", "--index-dir", index.as_str()],
            "cannot index /definitely/not/here",
        ),
        (vec!["--web-backend", "brave"], "BRAVE_API_KEY"),
        (vec!["--web-backend", "searxng"], "--searxng-url"),
        (vec!["--fetch-allow", "not-a-network"], "--fetch-allow"),
        (vec!["--web-rate-limit", "0"], "not a positive number"),
        (vec!["--web-timeout", "soon"], "--web-timeout"),
    ] {
        let output = tokio::time::timeout(
            STARTUP_TIMEOUT,
            command(&args)?.stdin(Stdio::null()).output(),
        )
        .await??;
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} wrote to stdout");
    }
    Ok(())
}
