//! Tools through the gateway: paging, routing, errors, `tools/list_changed`, pass-through,
//! HTTP and its DNS-rebinding guard, and what crosses during a call (cancellation, progress,
//! logs).

use std::process::Stdio;

use anyhow::{Context, Result};
use rmcp::model::LoggingMessageNotificationParam;
use rmcp::model::{PaginatedRequestParams, ProgressNotificationParam};
use rmcp::service::{NotificationContext, RoleClient};
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{ClientHandler, ServiceExt};
use serde_json::json;
use tests::{CALL_TIMEOUT, STARTUP_TIMEOUT, binary, call_tool};
use tokio::io::AsyncBufReadExt;
use tokio::process::Command;
use tokio::sync::mpsc;

use super::{
    config, fixture_and_math, http_gateway, initialize_request, math_and_faulty, refused_at_start,
    stdio_gateway,
};

/// A client that reports each `tools/list_changed` it receives.
#[derive(Clone)]
struct Listener {
    changed: mpsc::UnboundedSender<()>,
}

impl ClientHandler for Listener {
    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        let _ = self.changed.send(());
    }
}

/// A client that records the log messages it receives.
#[derive(Clone, Default)]
struct LogRecorder {
    seen: std::sync::Arc<std::sync::Mutex<Vec<LoggingMessageNotificationParam>>>,
}

impl ClientHandler for LogRecorder {
    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(params);
        }
    }
}

/// A client that records the progress notifications it receives.
#[derive(Clone, Default)]
struct ProgressRecorder {
    seen: std::sync::Arc<std::sync::Mutex<Vec<ProgressNotificationParam>>>,
}

impl ProgressRecorder {
    fn seen(&self) -> Vec<ProgressNotificationParam> {
        self.seen
            .lock()
            .map(|seen| seen.clone())
            .unwrap_or_default()
    }
}

impl ClientHandler for ProgressRecorder {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(params);
        }
    }
}

fn names(tools: &[rmcp::model::Tool]) -> Vec<String> {
    tools.iter().map(|tool| tool.name.to_string()).collect()
}

#[tokio::test]
async fn stdio_clients_get_every_server_in_pages_and_calls_are_routed() -> Result<()> {
    let (_dir, path) = config(math_and_faulty()?)?;
    let client = stdio_gateway(&path, &["--page-size", "4"], ()).await?;
    let info = client.peer_info().context("no server info")?;
    assert_eq!(
        info.server_info.as_ref().map(|server| server.name.as_str()),
        Some("mcp-orchestrator")
    );

    let first = client.list_tools(None).await?;
    assert_eq!(first.tools.len(), 4);
    let cursor = first.next_cursor.clone().context("more pages")?;
    assert!(
        !cursor.chars().all(|c| c.is_ascii_digit()),
        "the cursor is opaque: {cursor}"
    );
    let all = names(&client.list_all_tools().await?);
    let mut unique = all.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        all.len(),
        "no tool twice across pages: {all:?}"
    );
    for expected in [
        "math__add",
        "math__evaluate",
        "faulty__echo",
        "faulty__crash",
    ] {
        assert!(
            all.iter().any(|name| name == expected),
            "{expected} missing: {all:?}"
        );
    }

    let sum = call_tool(&client, "math__add", json!({"a": 2, "b": 40})).await?;
    assert_eq!(sum.structured_content, Some(json!({"result": "42"})));
    let crashed = call_tool(&client, "faulty__crash", json!({})).await?;
    assert_eq!(
        crashed.is_error,
        Some(true),
        "a crash upstream is a tool error: {crashed:?}"
    );
    let still = call_tool(&client, "math__add", json!({"a": 1, "b": 1})).await?;
    assert_eq!(
        still.is_error,
        Some(false),
        "the other servers keep answering"
    );

    let unknown = call_tool(&client, "math__nope", json!({})).await;
    let message = format!(
        "{:#}",
        unknown.err().context("an unknown tool is an error")?
    );
    assert!(message.contains("unknown tool `math__nope`"), "{message}");
    let garbage = client
        .list_tools(Some(
            PaginatedRequestParams::default().with_cursor(Some("garbage".to_owned())),
        ))
        .await;
    let message = format!(
        "{:#}",
        garbage.err().context("a garbage cursor is an error")?
    );
    assert!(message.contains("not a cursor"), "{message}");
    client.cancel().await?;
    Ok(())
}

#[tokio::test]
async fn a_new_upstream_tool_is_announced_and_listed() -> Result<()> {
    let (_dir, path) = config(math_and_faulty()?)?;
    let (changed, mut notices) = mpsc::unbounded_channel();
    let client = stdio_gateway(&path, &[], Listener { changed }).await?;
    let before = names(&client.list_all_tools().await?);
    assert!(!before.contains(&"faulty__fresh".to_owned()));
    // The faulty server adds a tool and announces it; the orchestrator refreshes its registry
    // and the gateway tells its own clients.
    let added = call_tool(&client, "faulty__add_tool", json!({"name": "fresh"})).await?;
    assert_eq!(added.is_error, Some(false), "{added:?}");
    tokio::time::timeout(CALL_TIMEOUT, notices.recv())
        .await
        .context("no tools/list_changed reached the client")?
        .context("the client closed")?;
    let after = names(&client.list_all_tools().await?);
    assert!(after.contains(&"faulty__fresh".to_owned()), "{after:?}");
    let fresh = call_tool(&client, "faulty__fresh", json!({"text": "hi"})).await?;
    assert_eq!(fresh.is_error, Some(false), "{fresh:?}");
    client.cancel().await?;
    Ok(())
}

#[tokio::test]
async fn pass_through_fronts_one_server_under_its_own_names() -> Result<()> {
    let (_dir, path) = config(json!({"math": {"command": binary("math-server")?}}))?;
    let client = stdio_gateway(&path, &["--pass-through"], ()).await?;
    // The server's own instructions, as it would give them itself.
    let (transport, _) = TokioChildProcess::builder(Command::new(binary("math-server")?))
        .stderr(Stdio::null())
        .spawn()?;
    let direct = tokio::time::timeout(STARTUP_TIMEOUT, ().serve(transport)).await??;
    let instructions = |info: Option<std::sync::Arc<rmcp::model::ServerPeerInfo>>| {
        info.and_then(|info| info.instructions.clone())
    };
    assert!(instructions(direct.peer_info()).is_some());
    assert_eq!(
        instructions(client.peer_info()),
        instructions(direct.peer_info())
    );
    direct.cancel().await?;
    let mut listed = names(&client.list_all_tools().await?);
    listed.sort_unstable();
    assert_eq!(
        listed,
        [
            "add",
            "convert_units",
            "evaluate",
            "multiply",
            "number_theory",
            "statistics"
        ]
    );
    let sum = call_tool(&client, "add", json!({"a": 2, "b": 3})).await?;
    assert_eq!(sum.structured_content, Some(json!({"result": "5"})));
    client.cancel().await?;

    let (_dir, two) = config(math_and_faulty()?)?;
    let mut command = Command::new(binary("orchestrator")?);
    command.args(["--config", &two, "serve", "--pass-through"]);
    refused_at_start(command, "exactly one server, and 2 are enabled").await
}

#[tokio::test]
async fn http_clients_get_the_toolbox_and_foreign_hosts_are_refused() -> Result<()> {
    let (_dir, path) = config(math_and_faulty()?)?;
    let (_gateway, url) = http_gateway(&path, &[]).await?;
    let transport = StreamableHttpClientTransport::from_uri(url.clone());
    let client = tokio::time::timeout(STARTUP_TIMEOUT, ().serve(transport)).await??;
    let all = names(&client.list_all_tools().await?);
    assert!(all.contains(&"math__add".to_owned()) && all.contains(&"faulty__echo".to_owned()));
    let sum = call_tool(&client, "math__multiply", json!({"a": 6, "b": 7})).await?;
    assert_eq!(sum.structured_content, Some(json!({"result": "42"})));
    client.cancel().await?;

    let rebinding = initialize_request(&url)
        .header("host", "evil.example")
        .send()
        .await?;
    assert!(
        rebinding.status().is_client_error(),
        "a foreign Host header is refused: {}",
        rebinding.status()
    );
    Ok(())
}

#[tokio::test]
async fn a_call_the_client_cancels_is_cancelled_upstream() -> Result<()> {
    use rmcp::model::{CallToolRequest, CallToolRequestParams, ClientRequest};
    use rmcp::service::PeerRequestOptions;

    let (_dir, path) = config(json!({
        "faulty": {"command": binary("faulty-server")?, "timeout": 60},
    }))?;
    let mut command = Command::new(binary("orchestrator")?);
    command.args([
        "--config",
        &path,
        "--log-level",
        "orchestrator=debug",
        "serve",
    ]);
    let (transport, stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::piped())
        .spawn()?;
    let mut lines = tokio::io::BufReader::new(stderr.context("no stderr")?).lines();
    let client = tokio::time::timeout(STARTUP_TIMEOUT, ().serve(transport)).await??;

    let params = CallToolRequestParams::new("faulty__slow").with_arguments(
        json!({"ms": 30000})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    );
    let request = ClientRequest::CallToolRequest(CallToolRequest::new(params));
    let handle = client
        .peer()
        .send_cancellable_request(request, PeerRequestOptions::no_options())
        .await?;
    // Long enough for the call to reach the upstream server; far shorter than the call.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    handle
        .cancel(Some("the user changed their mind".to_owned()))
        .await?;
    // The orchestrator logs its servers' stderr at debug level: the slow tool says it was
    // cancelled, long before its 30 s are up.
    let cancelled = tokio::time::timeout(CALL_TIMEOUT, async {
        while let Some(line) = lines.next_line().await? {
            if line.contains("faulty-server: slow cancelled") {
                return Ok(line);
            }
        }
        anyhow::bail!("the gateway exited")
    })
    .await
    .context("the upstream call was never cancelled")??;
    assert!(cancelled.contains("slow cancelled after"), "{cancelled}");
    let still = call_tool(&client, "faulty__echo", json!({"text": "still here"})).await?;
    assert_eq!(still.is_error, Some(false));
    client.cancel().await?;
    Ok(())
}

#[tokio::test]
async fn progress_goes_to_the_caller_only_under_its_own_token() -> Result<()> {
    let (_dir, path) = config(json!({"faulty": {"command": binary("faulty-server")?}}))?;
    let (_gateway, url) = http_gateway(&path, &[]).await?;
    let caller = ProgressRecorder::default();
    let bystander = ProgressRecorder::default();
    let connect = |recorder: ProgressRecorder| {
        let transport = StreamableHttpClientTransport::from_uri(url.clone());
        async move { tokio::time::timeout(STARTUP_TIMEOUT, recorder.serve(transport)).await }
    };
    let calling = connect(caller.clone()).await??;
    let watching = connect(bystander.clone()).await??;
    let done = call_tool(
        &calling,
        "faulty__slow",
        json!({"ms": 500, "progress": true}),
    )
    .await?;
    assert_eq!(done.is_error, Some(false), "{done:?}");
    // Every step's progress crossed, the last one included (the client's own handler may run
    // just after the answer, hence the bounded wait).
    let seen = tokio::time::timeout(CALL_TIMEOUT, async {
        loop {
            let seen = caller.seen();
            if seen.len() >= 5 {
                return seen;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await
    .with_context(|| format!("not every progress arrived: {:?}", caller.seen()))?;
    let steps: Vec<_> = seen.iter().map(|progress| progress.progress).collect();
    assert_eq!(
        steps,
        [100.0, 200.0, 300.0, 400.0, 500.0],
        "in order: {seen:?}"
    );
    assert_eq!(seen.last().and_then(|last| last.total), Some(500.0));
    let tokens: std::collections::HashSet<_> = seen
        .iter()
        .map(|progress| progress.progress_token.clone())
        .collect();
    assert_eq!(tokens.len(), 1, "one token, the caller's own: {tokens:?}");
    assert!(bystander.seen().is_empty(), "another client saw nothing");
    calling.cancel().await?;
    watching.cancel().await?;
    Ok(())
}

#[tokio::test]
async fn server_logs_reach_the_clients_named_after_their_server() -> Result<()> {
    // The conformance fixture logs three messages while `test_tool_with_logging` runs.
    let (_fixture, _dir, path) = fixture_and_math().await?;
    let recorder = LogRecorder::default();
    let client = stdio_gateway(&path, &[], recorder.clone()).await?;
    let done = call_tool(&client, "fixture__test_tool_with_logging", json!({})).await?;
    assert_ne!(done.is_error, Some(true), "{done:?}");
    let messages = tokio::time::timeout(CALL_TIMEOUT, async {
        loop {
            let seen = recorder
                .seen
                .lock()
                .map(|seen| seen.clone())
                .unwrap_or_default();
            if seen.len() >= 3 {
                return seen;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await
    .context("the three log messages never arrived")?;
    let texts: Vec<_> = messages
        .iter()
        .map(|message| message.data.clone())
        .collect();
    assert_eq!(
        texts,
        [
            json!("Tool execution started"),
            json!("Tool processing data"),
            json!("Tool execution completed")
        ]
    );
    assert!(
        messages
            .iter()
            .all(|message| message.logger.as_deref() == Some("fixture/conformance-fixture")),
        "{messages:?}"
    );
    client.cancel().await?;
    Ok(())
}
