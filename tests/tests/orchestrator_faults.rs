//! The orchestrator against servers that misbehave (`faulty-server`): the healthy servers keep
//! answering, a dead one fails fast with a clear error, and a crashed one comes back.

use std::time::Duration;

use anyhow::Result;
use orchestrator::{CallError, ServerState, names};
use serde_json::{Value, json};
use tests::binary;
use tests::fleet::{alive, args, error_code, start, text, wait_for_registry, wait_for_server};

/// A faulty-server entry with short time limits, so that faults show within a second.
fn faulty(flags: &[&str], extra: Value) -> Result<Value> {
    let mut server = json!({
        "command": binary("faulty-server")?,
        "args": flags,
        "timeout": 0.5,
        "maxTimeout": 5,
        "pingInterval": 0.2,
        "pingTimeout": 0.3,
        "restart": {"initialDelay": 0.05, "maxDelay": 0.2, "maxRestarts": 20},
    });
    if let (Some(server), Value::Object(extra)) = (server.as_object_mut(), extra) {
        server.extend(extra);
    }
    Ok(server)
}

fn math() -> Result<Value> {
    Ok(json!({ "command": binary("math-server")? }))
}

async fn assert_math_answers(toolbox: &orchestrator::Toolbox) -> Result<()> {
    let result = toolbox
        .call("math__add", args(json!({"a": 2, "b": 3})))
        .await?;
    assert_eq!(result.is_error, Some(false), "{result:?}");
    assert_eq!(
        result
            .structured_content
            .as_ref()
            .map(|s| s["result"].clone()),
        Some(json!("5"))
    );
    Ok(())
}

#[tokio::test]
async fn a_crashed_server_is_restarted_and_its_tools_return() -> Result<()> {
    let toolbox = start(json!({ "math": math()?, "faulty": faulty(&[], json!({}))? })).await?;
    let before = wait_for_server(&toolbox, "faulty", |s| s.state == ServerState::Ready).await?;
    let old_pid = before.pid.expect("a stdio server has a pid");

    let crashed = toolbox.call("faulty__crash", None).await?;
    assert_eq!(crashed.is_error, Some(true));
    assert_eq!(
        error_code(&crashed).as_deref(),
        Some("connection_lost"),
        "{}",
        text(&crashed)
    );
    assert!(
        text(&crashed).contains("server `faulty`"),
        "{}",
        text(&crashed)
    );
    assert_math_answers(&toolbox).await?;

    let after = wait_for_server(&toolbox, "faulty", |s| {
        s.state == ServerState::Ready && s.restarts >= 1
    })
    .await?;
    assert_ne!(after.pid, Some(old_pid));
    assert!(!alive(old_pid), "the crashed server's process is gone");
    assert!(
        after
            .stderr_tail
            .iter()
            .any(|line| line.contains("crashing on purpose")),
        "the stderr tail survives the restart: {:?}",
        after.stderr_tail
    );
    let echoed = toolbox
        .call("faulty__echo", args(json!({"text": "back"})))
        .await?;
    assert_eq!(text(&echoed), "back");
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_server_that_is_down_fails_at_once_and_says_when_it_returns() -> Result<()> {
    let slow_restart = json!({"restart": {"initialDelay": 30, "maxDelay": 60}});
    let toolbox = start(json!({ "math": math()?, "faulty": faulty(&[], slow_restart)? })).await?;
    toolbox.call("faulty__crash", None).await?;
    wait_for_server(&toolbox, "faulty", |s| s.state == ServerState::Restarting).await?;

    let result = tokio::time::timeout(
        Duration::from_secs(5),
        toolbox.call("faulty__echo", args(json!({"text": "x"}))),
    )
    .await
    .expect("a call to a server that is down must not wait for it")?;
    assert_eq!(error_code(&result).as_deref(), Some("server_unavailable"));
    let message = text(&result);
    assert!(
        message.contains("server `faulty` is down") && message.contains("retry in about"),
        "{message}"
    );
    assert!(message.contains("the connection closed"), "{message}");
    assert_math_answers(&toolbox).await?;
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_hanging_call_times_out_and_the_others_keep_answering() -> Result<()> {
    let toolbox = start(json!({ "math": math()?, "faulty": faulty(&[], json!({}))? })).await?;
    let result = {
        let hanging = toolbox.call("faulty__hang", None);
        tokio::pin!(hanging);
        // While the hanging call is pending, math answers.
        tokio::select! {
            _ = &mut hanging => panic!("the hanging call finished before math answered"),
            outcome = assert_math_answers(&toolbox) => outcome?,
        }
        hanging.await?
    };
    assert_eq!(
        error_code(&result).as_deref(),
        Some("timeout"),
        "{}",
        text(&result)
    );
    assert!(
        text(&result).contains("`hang` on server `faulty`"),
        "{}",
        text(&result)
    );
    // The server itself is fine; other calls to it still work.
    assert_eq!(
        text(
            &toolbox
                .call("faulty__echo", args(json!({"text": "ok"})))
                .await?
        ),
        "ok"
    );
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn progress_keeps_a_long_call_alive_and_silence_does_not() -> Result<()> {
    let toolbox = start(json!({ "faulty": faulty(&[], json!({}))? })).await?;
    // 1.5 s of work against a 0.5 s inactivity limit: progress every 100 ms resets it.
    let with_progress = toolbox
        .call("faulty__slow", args(json!({"ms": 1500, "progress": true})))
        .await?;
    assert_eq!(
        with_progress.is_error,
        Some(false),
        "{}",
        text(&with_progress)
    );
    let silent = toolbox
        .call("faulty__slow", args(json!({"ms": 1500, "progress": false})))
        .await?;
    assert_eq!(error_code(&silent).as_deref(), Some("timeout"));
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn garbage_on_stdout_does_not_break_the_connection() -> Result<()> {
    let toolbox = start(json!({ "faulty": faulty(&["--garbage"], json!({}))? })).await?;
    wait_for_server(&toolbox, "faulty", |s| s.state == ServerState::Ready).await?;
    for i in 0..5 {
        let result = toolbox
            .call("faulty__echo", args(json!({"text": format!("call {i}")})))
            .await?;
        assert_eq!(text(&result), format!("call {i}"));
    }
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn endless_or_looping_pagination_is_cut_and_reported() -> Result<()> {
    let toolbox = start(json!({
        "endless": faulty(&["--endless-pages"], json!({}))?,
        "looping": faulty(&["--repeat-cursor"], json!({}))?,
        "math": math()?,
    }))
    .await?;
    let endless =
        wait_for_server(&toolbox, "endless", |s| s.state == ServerState::Degraded).await?;
    assert!(
        endless
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("still paginating after 100 pages")),
        "{endless:?}"
    );
    assert_eq!(endless.tools_listed, 100);
    let looping =
        wait_for_server(&toolbox, "looping", |s| s.state == ServerState::Degraded).await?;
    assert!(
        looping
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("came back")),
        "{looping:?}"
    );
    // What was read is kept and callable.
    let registry = toolbox.registry();
    assert!(
        registry.get("endless__page_tool_0").is_some() && registry.get("looping__echo").is_some()
    );
    assert_eq!(
        text(
            &toolbox
                .call("looping__echo", args(json!({"text": "still here"})))
                .await?
        ),
        "still here"
    );
    assert_math_answers(&toolbox).await?;
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn servers_that_cannot_start_are_reported_with_their_reason() -> Result<()> {
    let toolbox = start(json!({
        "early-exit": faulty(&["--exit-at-start"], json!({"restart": false}))?,
        "missing": {"command": "/nonexistent/mcp-server", "restart": false},
        "math": math()?,
    }))
    .await?;
    let early = wait_for_server(&toolbox, "early-exit", |s| s.state == ServerState::Failed).await?;
    let detail = early.detail.unwrap_or_default();
    assert!(
        detail.contains("exiting at start on purpose"),
        "the stderr tail explains the failure: {detail}"
    );
    assert!(detail.contains("restarts are turned off"), "{detail}");
    let missing = wait_for_server(&toolbox, "missing", |s| s.state == ServerState::Failed).await?;
    assert!(
        missing
            .detail
            .unwrap_or_default()
            .contains("cannot start `/nonexistent/mcp-server`")
    );

    let error = toolbox
        .call("missing__anything", None)
        .await
        .expect_err("its tools were never listed");
    assert!(
        error
            .to_string()
            .contains("server `missing` has failed for good"),
        "{error}"
    );
    assert_math_answers(&toolbox).await?;
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_wedged_server_is_caught_by_ping_and_restarted() -> Result<()> {
    let toolbox = start(
        json!({ "faulty": faulty(&["--wedge-after-ms", "300"], json!({}))?, "math": math()? }),
    )
    .await?;
    let wedged = wait_for_server(&toolbox, "faulty", |s| {
        s.state == ServerState::Restarting
            && s.detail.as_deref().is_some_and(|d| d.contains("wedged"))
    })
    .await?;
    assert!(
        wedged
            .detail
            .unwrap_or_default()
            .contains("ping unanswered")
    );
    wait_for_server(&toolbox, "faulty", |s| {
        s.restarts >= 1 && s.state.is_connected()
    })
    .await?;
    assert_math_answers(&toolbox).await?;
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn list_changed_refreshes_the_registry_and_storms_are_debounced() -> Result<()> {
    let toolbox = start(json!({ "faulty": faulty(&[], json!({}))? })).await?;
    assert!(toolbox.registry().get("faulty__fresh").is_none());
    toolbox
        .call("faulty__add_tool", args(json!({"name": "fresh"})))
        .await?;
    let registry = wait_for_registry(&toolbox, |r| r.get("faulty__fresh").is_some()).await?;
    assert_eq!(
        registry.get("faulty__fresh").map(|e| e.original()),
        Some("fresh")
    );
    assert_eq!(
        text(
            &toolbox
                .call("faulty__fresh", args(json!({"text": "new"})))
                .await?
        ),
        "new"
    );

    // 500 notifications cost a handful of refreshes, not 500.
    let mut changes = toolbox.watch_registry();
    changes.mark_unchanged();
    toolbox
        .call("faulty__flood_list_changed", args(json!({"count": 500})))
        .await?;
    toolbox
        .call("faulty__add_tool", args(json!({"name": "after_flood"})))
        .await?;
    let mut refreshes = 0;
    while tokio::time::timeout(Duration::from_secs(1), changes.changed())
        .await
        .is_ok()
    {
        refreshes += 1;
        assert!(refreshes < 20, "too many refreshes for one storm");
    }
    assert!(refreshes >= 1);
    assert!(toolbox.registry().get("faulty__after_flood").is_some());
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn awkward_tool_names_become_valid_distinct_names_that_route_back() -> Result<()> {
    let toolbox = start(json!({ "faulty": faulty(&["--odd-names"], json!({}))? })).await?;
    let registry = toolbox.registry();
    for entry in registry.entries() {
        assert!(names::is_valid(&entry.name), "{}", entry.name);
        assert!(entry.name.starts_with("faulty__"));
    }
    let exposed = |original: &str| {
        registry
            .entries()
            .find(|e| e.original() == original)
            .map(|e| e.name.clone())
    };
    let (dot, slash) = (
        exposed("x.y").expect("x.y is exposed"),
        exposed("x/y").expect("x/y is exposed"),
    );
    assert_ne!(dot, slash);
    let long = exposed(&"a".repeat(100)).expect("the long name is exposed");
    assert_eq!(long.len(), names::MAX_NAME_LEN);
    let result = toolbox
        .call(&slash, args(json!({"text": "routed"})))
        .await?;
    assert_eq!(text(&result), "routed");
    match toolbox.explain(&slash) {
        orchestrator::Explanation::Exposed {
            original, renamed, ..
        } => assert!(original == "x/y" && renamed),
        other => panic!("{other:?}"),
    }
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn bad_arguments_and_unknown_tools_get_clear_errors() -> Result<()> {
    let toolbox = start(json!({ "faulty": faulty(&[], json!({}))?, "math": math()? })).await?;
    let wrong_type = toolbox
        .call("faulty__echo", args(json!({"text": 5})))
        .await?;
    assert_eq!(wrong_type.is_error, Some(true));
    assert!(
        text(&wrong_type).contains("must be a string"),
        "{}",
        text(&wrong_type)
    );
    let math_bad = toolbox.call("math__add", args(json!({"a": "two"}))).await?;
    assert_eq!(error_code(&math_bad).as_deref(), Some("invalid_arguments"));
    match toolbox.call("faulty__ech", None).await {
        Err(CallError::UnknownTool { hint, .. }) => {
            assert!(hint.contains("did you mean `faulty__echo`"), "{hint}")
        }
        other => panic!("{other:?}"),
    }
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn shutdown_ends_the_whole_process_group() -> Result<()> {
    // `sh` stays in between, so the server is a grandchild of the orchestrator.
    let faulty_server = binary("faulty-server")?;
    let toolbox = start(json!({
        "wrapped": {"command": "sh", "args": ["-c", format!("'{}'; true", faulty_server.display())]},
    }))
    .await?;
    let status = wait_for_server(&toolbox, "wrapped", |s| s.state == ServerState::Ready).await?;
    let shell = status.pid.expect("pid");
    let server: u32 = text(&toolbox.call("wrapped__pid", None).await?)
        .trim()
        .parse()?;
    assert_ne!(shell, server);
    assert!(alive(shell) && alive(server));
    toolbox.shutdown().await;
    assert!(
        !alive(server),
        "the grandchild server was ended with its group"
    );
    assert!(!alive(shell));
    Ok(())
}

#[tokio::test]
async fn calls_beyond_max_concurrency_wait_their_turn() -> Result<()> {
    let toolbox = start(json!({
        "serial": faulty(&[], json!({"maxConcurrency": 1}))?,
        "parallel": faulty(&[], json!({}))?,
    }))
    .await?;
    for (server, expected) in [("serial", ["hang", "echo"]), ("parallel", ["echo", "hang"])] {
        let order = std::sync::Mutex::new(Vec::new());
        let hang = async {
            let result = toolbox.call(&format!("{server}__hang"), None).await;
            order.lock().unwrap().push("hang");
            result
        };
        let echo = async {
            // Let the hanging call take its slot first.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let result = toolbox
                .call(&format!("{server}__echo"), args(json!({"text": "x"})))
                .await;
            order.lock().unwrap().push("echo");
            result
        };
        let (hang, echo) = tokio::join!(hang, echo);
        assert_eq!(error_code(&hang?).as_deref(), Some("timeout"));
        assert_eq!(text(&echo?), "x");
        assert_eq!(*order.lock().unwrap(), expected, "{server}");
    }
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn an_http_server_that_restarts_is_reinitialized() -> Result<()> {
    let math = binary("math-server")?;
    let first = tests::Server::http(&math, &[]).await?;
    let url = first.url.clone().expect("an HTTP server has a URL");
    let toolbox = start(json!({ "remote": {"url": url, "pingInterval": 60} })).await?;
    let result = toolbox
        .call("remote__add", args(json!({"a": 1, "b": 1})))
        .await?;
    assert_eq!(result.is_error, Some(false));

    // The server restarts on the same address and forgets every session.
    first.terminate().await?;
    let bind = url
        .trim_start_matches("http://")
        .trim_end_matches("/mcp")
        .to_owned();
    let second = tests::Server::http_on(&math, &bind, &[]).await?;
    let mut answered = None;
    for _ in 0..50 {
        let result = toolbox
            .call("remote__add", args(json!({"a": 2, "b": 2})))
            .await?;
        if result.is_error == Some(false) {
            answered = Some(result);
            break;
        }
        // While the orchestrator notices and reconnects, calls fail fast and say why.
        assert!(
            matches!(
                error_code(&result).as_deref(),
                Some("connection_lost" | "server_unavailable")
            ),
            "{result:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let answered = answered.expect("the orchestrator reached the restarted server");
    assert_eq!(
        answered.structured_content.map(|s| s["result"].clone()),
        Some(json!("4"))
    );
    toolbox.shutdown().await;
    second.terminate().await?;
    Ok(())
}
