//! fs-server as a child process over stdio: every tool, MCP roots from a real client, the
//! command line's failures, and a race that swaps a directory for a symlink while calls run.
// MCP roots are deprecated by SEP-2577 in the draft specification; clients still send them.
#![allow(deprecated)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rmcp::model::{
    CallToolResult, ClientCapabilities, ClientInfo, Implementation, ListRootsResult, Root,
};
use rmcp::service::{RequestContext, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ErrorData, RoleClient, ServiceExt};
use serde_json::{Value, json};
use tests::{STARTUP_TIMEOUT, binary, call_tool as call};
use tokio::process::Command;

/// A client that offers MCP roots, which a test can change.
#[derive(Clone, Default)]
struct RootsClient {
    roots: Arc<Mutex<Vec<Root>>>,
}

impl ClientHandler for RootsClient {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::new(
            ClientCapabilities::builder()
                .enable_roots()
                .enable_roots_list_changed()
                .build(),
            Implementation::new("roots-test-client", "0.0.0"),
        )
    }

    async fn list_roots(
        &self,
        _context: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, ErrorData> {
        let roots = self
            .roots
            .lock()
            .map(|roots| roots.clone())
            .unwrap_or_default();
        Ok(ListRootsResult::new(roots))
    }
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

async fn spawn<S: ClientHandler>(
    handler: S,
    args: &[&str],
) -> Result<RunningService<RoleClient, S>> {
    let mut command = Command::new(binary("fs-server")?);
    command.args(args).arg("--log-level").arg("warn");
    let (transport, _stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::null())
        .spawn()?;
    Ok(tokio::time::timeout(STARTUP_TIMEOUT, handler.serve(transport)).await??)
}

fn error_code(result: &CallToolResult) -> Option<String> {
    (result.is_error == Some(true)).then(|| {
        result
            .structured_content
            .as_ref()
            .and_then(|content| content["error"]["code"].as_str())
            .unwrap_or_default()
            .to_owned()
    })
}

fn tree() -> Result<(tempfile::TempDir, PathBuf, PathBuf)> {
    let temp = tempfile::tempdir()?;
    let base = std::fs::canonicalize(temp.path())?;
    let root = base.join("root");
    let outside = base.join("outside");
    std::fs::create_dir_all(root.join("docs"))?;
    std::fs::create_dir_all(&outside)?;
    std::fs::write(root.join("docs/notes.md"), "# Notes\ntokio is async\n")?;
    std::fs::write(outside.join("f.txt"), "TOP SECRET\n")?;
    Ok((temp, root, outside))
}

#[tokio::test]
async fn every_tool_answers_over_stdio() -> Result<()> {
    let (_temp, root, _outside) = tree()?;
    let root_arg = root.display().to_string();
    let client = spawn((), &[&root_arg]).await?;
    let info = client.peer_info().context("no server info")?;
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("fs-server")
    );
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
    std::fs::write(root.join("pixel.png"), png)?;
    let calls = [
        ("list_allowed_directories", json!({})),
        (
            "write_file",
            json!({"path": "a.txt", "content": "alpha\nbeta\n"}),
        ),
        (
            "append_file",
            json!({"path": "a.txt", "content": "gamma\n"}),
        ),
        ("read_file", json!({"path": "a.txt", "tail": 1})),
        (
            "read_multiple_files",
            json!({"paths": ["a.txt", "docs/notes.md"]}),
        ),
        ("read_media_file", json!({"path": "pixel.png"})),
        (
            "edit_file",
            json!({"path": "a.txt", "edits": [{"old_text": "beta", "new_text": "BETA"}]}),
        ),
        ("create_directory", json!({"path": "made/inside"})),
        ("list_directory", json!({"path": "."})),
        ("directory_tree", json!({"path": "."})),
        (
            "copy_file",
            json!({"source": "a.txt", "destination": "made/b.txt"}),
        ),
        (
            "move_file",
            json!({"source": "made/b.txt", "destination": "made/c.txt"}),
        ),
        ("get_file_info", json!({"path": "made/c.txt"})),
        ("file_hash", json!({"path": "made/c.txt"})),
        ("search_files", json!({"path": ".", "pattern": "*.txt"})),
        ("grep", json!({"path": ".", "query": "BETA"})),
        ("delete_path", json!({"path": "made", "recursive": true})),
    ];
    let tools = client.list_all_tools().await?;
    assert_eq!(tools.len(), calls.len(), "a tool is not covered here");
    for (tool, arguments) in calls {
        let result = call(&client, tool, arguments.clone()).await?;
        assert_eq!(error_code(&result), None, "{tool} {arguments}: {result:?}");
    }
    assert_eq!(
        std::fs::read_to_string(root.join("a.txt"))?,
        "alpha\nBETA\ngamma\n"
    );
    assert!(!root.join("made").exists());
    let grep = call(&client, "grep", json!({"path": ".", "query": "BETA"})).await?;
    assert_eq!(
        grep.structured_content.context("structured")?["matches"][0]["line"],
        2
    );
    client.cancel().await?;
    Ok(())
}

#[tokio::test]
async fn client_roots_replace_the_directories_and_an_empty_list_revokes_them() -> Result<()> {
    let (_temp, root, outside) = tree()?;
    let handler = RootsClient::default();
    if let Ok(mut roots) = handler.roots.lock() {
        *roots = vec![Root::new(file_uri(&root.join("docs")))];
    }
    // The command line allows `outside`; the client's roots replace it.
    let outside_arg = outside.display().to_string();
    let client = spawn(handler.clone(), &[&outside_arg]).await?;
    // The first call waits for the roots answer: it never sees the command line's directory.
    let allowed = call(&client, "list_allowed_directories", json!({})).await?;
    let directories = &allowed.structured_content.context("structured")?["directories"];
    assert_eq!(
        directories[0]["path"],
        root.join("docs").display().to_string()
    );
    assert_eq!(directories[0]["source"], "client");
    assert_eq!(directories.as_array().map(Vec::len), Some(1));
    let secret = call(
        &client,
        "read_file",
        json!({"path": outside.join("f.txt").display().to_string()}),
    )
    .await?;
    assert_eq!(
        error_code(&secret).as_deref(),
        Some("outside_allowed_directories")
    );
    let notes = call(&client, "read_file", json!({"path": "notes.md"})).await?;
    assert_eq!(error_code(&notes), None, "{notes:?}");

    // Roots change: a non-file URI and a missing directory are skipped, the rest apply.
    if let Ok(mut roots) = handler.roots.lock() {
        *roots = vec![
            Root::new("https://example.com/"),
            Root::new(file_uri(&root.join("missing"))),
            Root::new(file_uri(&root)),
        ];
    }
    client.peer().notify_roots_list_changed().await?;
    let changed = wait_for_directories(&client, |directories| {
        directories.first().map(|d| d["path"].clone()) == Some(json!(root.display().to_string()))
    })
    .await?;
    assert_eq!(changed.len(), 1);

    // An empty list, once roots are in force, revokes access.
    if let Ok(mut roots) = handler.roots.lock() {
        roots.clear();
    }
    client.peer().notify_roots_list_changed().await?;
    wait_for_directories(&client, <[Value]>::is_empty).await?;
    let revoked = call(
        &client,
        "read_file",
        json!({"path": root.join("docs/notes.md").display().to_string()}),
    )
    .await?;
    assert_eq!(
        error_code(&revoked).as_deref(),
        Some("no_allowed_directories")
    );
    client.cancel().await?;
    Ok(())
}

async fn wait_for_directories(
    client: &RunningService<RoleClient, RootsClient>,
    done: impl Fn(&[Value]) -> bool,
) -> Result<Vec<Value>> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let allowed = call(client, "list_allowed_directories", json!({})).await?;
        let directories = allowed
            .structured_content
            .and_then(|content| content["directories"].as_array().cloned())
            .unwrap_or_default();
        if done(&directories) {
            return Ok(directories);
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "roots never changed: {directories:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn bad_command_lines_fail_with_a_message() -> Result<()> {
    let fs_server = binary("fs-server")?;
    let temp = tempfile::tempdir()?;
    let dir = temp.path().display().to_string();
    for (args, needle) in [
        (vec!["/definitely/not/here"], "none of the directories"),
        (
            vec!["--disable-tools", "bogus", dir.as_str()],
            "unknown tool `bogus`",
        ),
        (
            vec!["--transport", "http", "--bind", "127.0.0.1:0"],
            "no directories given",
        ),
    ] {
        let output = tokio::time::timeout(
            STARTUP_TIMEOUT,
            Command::new(&fs_server)
                .args(&args)
                .stdin(Stdio::null())
                .output(),
        )
        .await??;
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} wrote to stdout");
    }
    Ok(())
}

/// A directory inside the root is swapped, again and again, for a symlink to a directory
/// outside it, while calls run against paths through it. cap-std opens every component
/// itself, so whichever state a call meets, it reads, lists and writes only inside.
#[tokio::test]
async fn swapping_a_directory_for_a_symlink_mid_call_escapes_nothing() -> Result<()> {
    let (_temp, root, outside) = tree()?;
    let swap = root.join("swap");
    let parked = root.join("swap-parked");
    std::fs::create_dir(&swap)?;
    std::fs::write(swap.join("f.txt"), "INSIDE\n")?;
    let root_arg = root.display().to_string();
    let client = spawn((), &[&root_arg]).await?;

    let stop = Arc::new(AtomicBool::new(false));
    let swaps = Arc::new(AtomicUsize::new(0));
    let swapper = {
        let (stop, swaps, swap, parked, outside) = (
            stop.clone(),
            swaps.clone(),
            swap.clone(),
            parked.clone(),
            outside.clone(),
        );
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                if std::fs::rename(&swap, &parked).is_ok() {
                    let _ = std::os::unix::fs::symlink(&outside, &swap);
                    std::thread::yield_now();
                    let _ = std::fs::remove_file(&swap);
                    let _ = std::fs::rename(&parked, &swap);
                    swaps.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };
    let swap_arg = swap.display().to_string();
    let calls = [
        ("read_file", json!({"path": format!("{swap_arg}/f.txt")})),
        ("file_hash", json!({"path": format!("{swap_arg}/f.txt")})),
        ("list_directory", json!({"path": swap_arg})),
        ("directory_tree", json!({"path": "."})),
        ("grep", json!({"path": swap_arg, "query": "SECRET"})),
        ("search_files", json!({"path": ".", "pattern": "*.txt"})),
        (
            "write_file",
            json!({"path": format!("{swap_arg}/planted.txt"), "content": "x"}),
        ),
        (
            "append_file",
            json!({"path": format!("{swap_arg}/appended.txt"), "content": "x"}),
        ),
        (
            "create_directory",
            json!({"path": format!("{swap_arg}/made")}),
        ),
        (
            "copy_file",
            json!({"source": "docs/notes.md", "destination": format!("{swap_arg}/copied.md"), "overwrite": true}),
        ),
        (
            "delete_path",
            json!({"path": format!("{swap_arg}/f.txt.gone")}),
        ),
    ];
    let mut answered = 0usize;
    for round in 0..150 {
        for (tool, arguments) in &calls {
            let result = call(&client, tool, arguments.clone()).await?;
            let text = serde_json::to_string(&result)?;
            assert!(
                !text.contains("TOP SECRET"),
                "round {round}: {tool} read outside: {text}"
            );
            assert!(
                !text.contains(&outside.display().to_string()),
                "round {round}: {tool}: {text}"
            );
            answered += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    swapper
        .join()
        .map_err(|_| anyhow::anyhow!("the swapper panicked"))?;
    let names: Vec<_> = std::fs::read_dir(&outside)?
        .map(|entry| entry.map(|entry| entry.file_name()))
        .collect::<Result<_, _>>()?;
    assert_eq!(names, ["f.txt"], "something was written outside the root");
    assert_eq!(
        std::fs::read_to_string(outside.join("f.txt"))?,
        "TOP SECRET\n"
    );
    assert!(
        swaps.load(Ordering::Relaxed) > 10,
        "the race was not exercised"
    );
    assert_eq!(answered, 150 * calls.len());
    // The server still serves.
    let after = call(&client, "list_allowed_directories", json!({})).await?;
    assert_eq!(error_code(&after), None);
    client.cancel().await?;
    Ok(())
}
