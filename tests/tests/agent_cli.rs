//! `orchestrator chat` and `orchestrator demo` end to end, on the workspace's own servers:
//! the offline planner on the requests a user types first, the demo as the README runs it,
//! and chat pointed at an OpenAI-compatible endpoint.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::Value;
use tests::binary;
use tests::fake_llm::{FakeLlm, Scripted, openai};
use tokio::io::AsyncWriteExt;

/// The longest a chat or the demo may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// What a run printed, and how it exited.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// A folder to run in: `notes/` and `docs/` to find, and a cache of its own, so that the
/// search server's index is not shared with any other test.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Result<Self> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir_all(dir.path().join("notes"))?;
        std::fs::create_dir_all(dir.path().join("docs"))?;
        std::fs::create_dir_all(dir.path().join("cache"))?;
        std::fs::write(
            dir.path().join("notes/async.md"),
            "# Async notes\n\nThe runtime is tokio; spawn tasks with tokio::spawn.\n",
        )?;
        std::fs::write(dir.path().join("notes/shopping.md"), "milk, eggs\n")?;
        std::fs::write(dir.path().join("docs/guide.md"), "# Guide\n")?;
        Ok(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Runs the orchestrator in `cwd` with no LLM configured, feeding `stdin`.
async fn orchestrator(cwd: &Path, cache: &Path, args: &[&str], stdin: &str) -> Result<Run> {
    let mut child = tokio::process::Command::new(binary("orchestrator")?)
        .args(args)
        .current_dir(cwd)
        .env("XDG_CACHE_HOME", cache)
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("ANTHROPIC_API_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut input = child.stdin.take().context("no stdin")?;
    input.write_all(stdin.as_bytes()).await?;
    drop(input);
    let output = tokio::time::timeout(RUN_TIMEOUT, child.wait_with_output())
        .await
        .context("the orchestrator did not finish in time")??;
    Ok(Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

async fn chat(workspace: &Workspace, prompt: &str) -> Result<Run> {
    let cache = workspace.path().join("cache");
    orchestrator(workspace.path(), &cache, &["chat", prompt], "").await
}

#[tokio::test]
async fn the_planner_answers_the_first_things_a_user_asks() -> Result<()> {
    let workspace = Workspace::new()?;

    let run = chat(&workspace, "what is 2^64 - 1").await?;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("model: offline planner (not an LLM"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("→ math__evaluate {\"expression\":\"2^64 - 1\"}  [math,"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("[offline planner, not an LLM]")
            && run
                .stdout
                .contains("→ math__evaluate: 18446744073709551615"),
        "{}",
        run.stdout
    );

    let run = chat(&workspace, "search my notes for tokio").await?;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("→ search__local_search {\"query\":\"tokio\"}  [search,"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("notes/async.md"), "{}", run.stdout);
    assert!(!run.stdout.contains("shopping.md"), "{}", run.stdout);

    let run = chat(&workspace, "list the files in docs").await?;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("→ fs__list_directory {\"path\":\"docs\"}  [fs,"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("1 entries: guide.md"), "{}", run.stdout);
    Ok(())
}

#[tokio::test]
async fn chat_prints_json_and_holds_a_conversation_on_stdin() -> Result<()> {
    let workspace = Workspace::new()?;
    let cache = workspace.path().join("cache");
    let run = orchestrator(
        workspace.path(),
        &cache,
        &["chat", "--json", "add 2 and 3"],
        "",
    )
    .await?;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).context("JSON on stdout")?;
    assert_eq!(json["outcome"]["kind"], "answered");
    assert_eq!(json["steps"][0]["calls"][0]["tool"], "math__add");
    assert_eq!(json["steps"][0]["calls"][0]["server"], "math");
    assert_eq!(json["messages"][0]["role"], "user");

    let run = orchestrator(
        workspace.path(),
        &cache,
        &["chat"],
        "what is 6*7\n\nfactorize 360\n/exit\nwhat is 1+1\n",
    )
    .await?;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("→ math__evaluate: 42"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("→ math__number_theory:"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("1+1"),
        "nothing after /exit runs: {}",
        run.stdout
    );
    assert!(
        run.stderr.contains("chatting with offline planner"),
        "{}",
        run.stderr
    );
    Ok(())
}

#[tokio::test]
async fn chat_streams_an_openai_compatible_model_and_reports_its_faults() -> Result<()> {
    let workspace = Workspace::new()?;
    let cache = workspace.path().join("cache");
    let fake = FakeLlm::start(vec![
        Scripted::events(openai::events(
            &openai::stream_calls(&[("c1", "math__add", r#"{"a": 40, "b": 2}"#)]),
            true,
        )),
        Scripted::events(openai::events(
            &openai::stream_text(&["It is ", "42."]),
            true,
        )),
    ])
    .await?;
    let base = fake.openai_base();
    let args = [
        "chat",
        "--base-url",
        &base,
        "--model",
        "fake",
        "what is 40 + 2",
    ];
    let run = orchestrator(workspace.path(), &cache, &args, "").await?;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("model: fake at http://127.0.0.1:"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("→ math__add {\"a\":40,\"b\":2}  [math,"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("It is 42.\n(answered; 2 steps, 1 tool calls"),
        "{}",
        run.stdout
    );

    let fake = FakeLlm::start(vec![Scripted::error(401, "bad key")]).await?;
    let base = fake.openai_base();
    let args = ["chat", "--base-url", &base, "--model", "fake", "hi"];
    let run = orchestrator(workspace.path(), &cache, &args, "").await?;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("refused the API key (HTTP 401): bad key"),
        "{}",
        run.stdout
    );

    let run = orchestrator(
        workspace.path(),
        &cache,
        &["chat", "--llm", "openai", "hi"],
        "",
    )
    .await?;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("OPENAI_API_KEY"), "{}", run.stderr);
    assert!(
        run.stdout.is_empty(),
        "no server was started: {}",
        run.stdout
    );
    let run = orchestrator(
        workspace.path(),
        &cache,
        &["chat", "--max-steps", "0", "hi"],
        "",
    )
    .await?;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--max-steps"), "{}", run.stderr);
    Ok(())
}

#[tokio::test]
async fn the_demo_runs_as_the_readme_says() -> Result<()> {
    let cache = tempfile::tempdir()?;
    let root = tests::workspace_root();
    let run = orchestrator(&root, cache.path(), &["demo"], "").await?;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for expected in [
        "== 1. Discovery ==",
        "Started 3 servers from the built-in configuration",
        "== 2. The merged registry:",
        "math__evaluate",
        "== 3. Calls routed to their servers ==",
        "== 4. Fault isolation: `math` is killed ==",
        "✗ error [server_unavailable]",
        "The other servers keep answering:",
        "The supervisor restarted math",
        "← {\"result\":\"5\"}",
        "== 5. An agent conversation across all three servers ==",
        "model: offline planner (not an LLM",
        "2. \"is it prime\" → math__number_theory: false",
        "The conversation used 3 servers: fs, math, search.",
    ] {
        assert!(
            run.stdout.contains(expected),
            "{expected:?} missing:\n{}",
            run.stdout
        );
    }
    Ok(())
}

#[tokio::test]
async fn ctrl_c_ends_a_run_cleanly() -> Result<()> {
    let workspace = Workspace::new()?;
    let fake = FakeLlm::start(vec![Scripted::hang()]).await?;
    let base = fake.openai_base();
    let child = tokio::process::Command::new(binary("orchestrator")?)
        .args([
            "chat",
            "--base-url",
            &base,
            "--model",
            "fake",
            "--llm-timeout",
            "300",
            "hi",
        ])
        .current_dir(workspace.path())
        .env("XDG_CACHE_HOME", workspace.path().join("cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().context("no pid")?;
    // The servers start first; the model is asked once they have settled.
    tokio::time::timeout(RUN_TIMEOUT, async {
        while fake.requests().is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .context("the model was never asked")?;
    tests::signal(pid, "INT")?;
    let output = tokio::time::timeout(RUN_TIMEOUT, child.wait_with_output())
        .await
        .context("the orchestrator did not stop after Ctrl-C")??;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(130), "{stdout}");
    assert!(stdout.contains("(interrupted; 0 steps"), "{stdout}");
    Ok(())
}
