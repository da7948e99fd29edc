//! The orchestrator over third-party servers (the seed's FastMCP servers and the npm reference
//! server `server-everything`) next to ours: discovery, names, routing and filtering.

use anyhow::Result;
use orchestrator::{CallError, ServerState};
use serde_json::json;
use tests::fleet::{args, start, text};
use tests::{binary, everything_server, seed_server};

#[tokio::test]
async fn third_party_servers_join_the_toolbox() -> Result<()> {
    let entry = |peer: tests::PeerCommand| json!({"command": peer.command, "args": peer.args, "connectTimeout": 60});
    let mut everything = entry(everything_server()?);
    everything["tools"] = json!({"deny": ["get-env", "*-long-*"]});
    let toolbox = start(json!({
        "math": {"command": binary("math-server")?},
        "seed-math": entry(seed_server("math")?),
        "seed-search": entry(seed_server("search")?),
        "everything": everything,
    }))
    .await?;

    for status in toolbox.status() {
        assert_eq!(status.state, ServerState::Ready, "{status:?}");
    }
    let everything_status = toolbox
        .status()
        .into_iter()
        .find(|s| s.id == "everything")
        .expect("listed");
    assert_eq!(
        everything_status.server_name.as_deref(),
        Some("mcp-servers/everything")
    );

    let registry = toolbox.registry();
    for name in [
        "math__add",
        "seed-math__add",
        "seed-math__multiply",
        "seed-search__search",
        "everything__echo",
        "everything__get-sum",
    ] {
        assert!(
            registry.get(name).is_some(),
            "{name} missing from {:?}",
            registry.entries().map(|e| &e.name).collect::<Vec<_>>()
        );
    }
    assert!(registry.get("everything__get-env").is_none());
    assert!(
        registry
            .get("everything__trigger-long-running-operation")
            .is_none()
    );

    // Each call goes to the server that owns the tool.
    assert_eq!(
        text(
            &toolbox
                .call("seed-math__add", args(json!({"a": 2, "b": 3})))
                .await?
        ),
        "5"
    );
    assert_eq!(
        text(
            &toolbox
                .call("seed-math__multiply", args(json!({"a": 6, "b": 7})))
                .await?
        ),
        "42"
    );
    assert_eq!(
        text(
            &toolbox
                .call("seed-search__search", args(json!({"query": "mcp"})))
                .await?
        ),
        "Search results for 'mcp'"
    );
    let ours = toolbox
        .call("math__add", args(json!({"a": 2, "b": 3})))
        .await?;
    assert_eq!(
        ours.structured_content.map(|s| s["result"].clone()),
        Some(json!("5"))
    );
    let echoed = toolbox
        .call("everything__echo", args(json!({"message": "hello"})))
        .await?;
    assert!(text(&echoed).contains("hello"), "{}", text(&echoed));
    let sum = toolbox
        .call("everything__get-sum", args(json!({"a": 2, "b": 40})))
        .await?;
    assert!(text(&sum).contains("42"), "{}", text(&sum));

    // FastMCP validates arguments itself; its complaint reaches the caller.
    let bad = toolbox
        .call("seed-math__add", args(json!({"a": "two", "b": 3})))
        .await;
    match bad {
        Ok(result) => assert_eq!(result.is_error, Some(true), "{result:?}"),
        Err(CallError::Rejected { server, .. }) => assert_eq!(server, "seed-math"),
        Err(other) => panic!("{other}"),
    }
    // A filtered tool is refused with the reason.
    match toolbox.call("everything__get-env", None).await {
        Err(CallError::UnknownTool { hint, .. }) => {
            assert!(hint.contains("denied by the pattern `get-env`"), "{hint}")
        }
        other => panic!("{other:?}"),
    }
    toolbox.shutdown().await;
    Ok(())
}
