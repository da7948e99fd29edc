//! The search server's `tools/list` as a model sees it, pinned by an insta snapshot, and the
//! start-up checks of its configuration.

// Fixture helpers outside #[test] functions: a setup that fails must fail the test loudly.
#![allow(clippy::unwrap_used)]

use search_server::{SearchServer, Settings, StartError, WebBackendChoice};
use shared::ToolServer;
use shared::testing::TestClient;

#[tokio::test]
async fn tools_list_snapshot() {
    let server = SearchServer::new(&Settings::default()).unwrap();
    let client = TestClient::connect(ToolServer::new(server)).await.unwrap();
    let tools = client.list_tools().await.unwrap();
    insta::assert_json_snapshot!("search-server-tools", shared::tools_snapshot(&tools));
    client.close().await;
}

#[test]
fn a_chosen_backend_without_its_setting_or_a_missing_directory_stops_the_start() {
    let brave = SearchServer::new(&Settings {
        web_backend: WebBackendChoice::Brave,
        ..Settings::default()
    });
    assert!(
        matches!(brave, Err(StartError::WebBackend(message)) if message.contains("BRAVE_API_KEY"))
    );
    let searxng = SearchServer::new(&Settings {
        web_backend: WebBackendChoice::Searxng,
        ..Settings::default()
    });
    assert!(
        matches!(searxng, Err(StartError::WebBackend(message)) if message.contains("--searxng-url"))
    );
    let temp = tempfile::tempdir().unwrap();
    let missing = SearchServer::new(&Settings {
        directories: vec![temp.path().join("absent")],
        index_dir: Some(temp.path().join("index")),
        ..Settings::default()
    });
    assert!(matches!(missing, Err(StartError::Index(_))));
}
