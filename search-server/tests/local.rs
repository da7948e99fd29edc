//! The local index through the MCP tools, on a generated corpus of thousands of files in a
//! temporary folder: ranking, snippets, paging, filters, bad input, incremental reindexing,
//! persistence across restarts, and watching.

// Fixture helpers outside #[test] functions: a setup that fails must fail the test loudly.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use search_server::local::IndexError;
use search_server::{SearchServer, Settings, StartError};
use serde_json::{Value, json};
use shared::ToolServer;
use shared::testing::TestClient;
use support::corpus;

/// Files in the generated corpus.
const CORPUS_FILES: usize = 2000;
/// Generated files that get the word `quokka` planted, for paging.
const QUOKKA_FILES: usize = 35;

struct Fixture {
    _temp: tempfile::TempDir,
    root: PathBuf,
    index_dir: PathBuf,
}

impl Fixture {
    fn new(files: usize) -> Self {
        let temp = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(temp.path()).unwrap();
        let root = base.join("docs");
        std::fs::create_dir_all(&root).unwrap();
        corpus::generate(&root, files).unwrap();
        Self {
            _temp: temp,
            index_dir: base.join("index"),
            root,
        }
    }

    fn write(&self, relative: &str, text: impl AsRef<[u8]>) {
        let path = self.root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn path(&self, relative: &str) -> String {
        self.root.join(relative).display().to_string()
    }

    async fn client(&self, watch: bool) -> TestClient {
        let settings = Settings {
            directories: vec![self.root.clone()],
            index_dir: Some(self.index_dir.clone()),
            watch,
            ..Settings::default()
        };
        // A server closed a moment ago may still be letting go of the index's lock.
        for _ in 0..50 {
            match SearchServer::new(&settings) {
                Ok(server) => return TestClient::connect(ToolServer::new(server)).await.unwrap(),
                Err(StartError::Index(IndexError::Busy(_))) => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(error) => panic!("{error}"),
            }
        }
        panic!("the index stayed locked for 5 s after its server closed");
    }
}

#[tokio::test]
async fn a_search_right_after_the_start_sees_every_file() {
    let fixture = planted();
    let client = fixture.client(false).await;
    let hits = search(&client, json!({"query": "zebracorn"})).await;
    assert_eq!(
        hits["total_hits"], 3,
        "the first search waits for the first pass: {hits}"
    );
    assert_eq!(hits["indexing"], false, "{hits}");
    let status = client.succeed("index_status", json!({})).await;
    assert_eq!(status["documents"], CORPUS_FILES + 3, "{status}");
}

/// The corpus plus the planted documents the assertions are about.
fn planted() -> Fixture {
    let fixture = Fixture::new(CORPUS_FILES);
    fixture.write(
        "notes/alpha.md",
        "# Zebracorn migration guide\n\nThe zebracorn moves.\nEvery zebracorn, zebracorn and zebracorn.\n",
    );
    fixture.write(
        "src/beta.rs",
        "fn main() {\n    let a = 1;\n    let b = 2;\n    let c = 3;\n    let d = 4;\n    // then\n    call_zebracorn(a); // the zebracorn line\n    fn zebra_corn() {}\n}\n",
    );
    fixture.write(
        "web/gamma.html",
        "<html><head><title>Gamma</title><script>zebracorn()</script></head><body><h1>Gamma page</h1><p>A zebracorn lives here.</p></body></html>",
    );
    fixture.write(".gitignore", "ignored/\n");
    fixture.write("ignored/secret.md", "zebracorn secrets\n");
    fixture.write("blob.bin", b"\x00\x01zebracorn\x00\x02");
    for i in 0..QUOKKA_FILES {
        let path = fixture.root.join(corpus::path_of(i * 7));
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("a quokka was here\n");
        std::fs::write(&path, text).unwrap();
    }
    fixture
}

fn paths(answer: &Value) -> Vec<String> {
    answer["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["path"].as_str().unwrap().to_owned())
        .collect()
}

async fn search(client: &TestClient, args: Value) -> Value {
    client.succeed("local_search", args).await
}

#[tokio::test(flavor = "multi_thread")]
async fn ranking_snippets_paging_and_filters_on_a_generated_corpus() {
    let fixture = planted();
    let client = fixture.client(false).await;
    // The server indexes in the background from the start; a full pass reads everything again.
    let pass = client.succeed("reindex", json!({"full": true})).await;
    assert_eq!(pass["pass"]["added"], CORPUS_FILES + 3, "{pass}");
    assert_eq!(pass["documents"], CORPUS_FILES + 3, "{pass}");
    assert!(
        pass["pass"]["skipped_binary"].as_u64().unwrap() >= 1,
        "{pass}"
    );

    // Ranking: the document about zebracorns (title and four mentions) first; ignored and
    // binary files are not indexed; the script of the HTML page is not text.
    let found = search(&client, json!({"query": "zebracorn"})).await;
    assert_eq!(found["total_hits"], 3, "{found}");
    let mut all = paths(&found);
    all.sort();
    assert_eq!(
        all,
        ["notes/alpha.md", "src/beta.rs", "web/gamma.html"].map(|p| fixture.path(p))
    );
    assert_eq!(paths(&found)[0], fixture.path("notes/alpha.md"));
    assert_eq!(found["hits"][0]["title"], "Zebracorn migration guide");
    assert_eq!(found["hits"][0]["rank"], 1);

    // Snippets: numbered lines with the matched words in bold, densest lines first.
    let beta = found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|hit| hit["path"] == fixture.path("src/beta.rs"))
        .unwrap();
    assert_eq!(
        beta["lines"],
        json!([{"line": 7, "text": "call_**zebracorn**(a); // the **zebracorn** line"}])
    );
    let alpha = &found["hits"][0];
    assert_eq!(alpha["lines"][0]["line"], 1);
    assert!(
        alpha["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|line| line["line"] == 4
                && line["text"] == "Every **zebracorn**, **zebracorn** and **zebracorn**.")
    );
    let gamma = found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|hit| hit["kind"] == "html")
        .unwrap();
    assert_eq!(gamma["title"], "Gamma");
    assert!(
        gamma["lines"][0]["text"]
            .as_str()
            .unwrap()
            .contains("**zebracorn**"),
        "{gamma}"
    );

    // Filters: by extension, by directory (relative or absolute); outside paths are refused.
    let rust = search(
        &client,
        json!({"query": "zebracorn", "extensions": [".RS"]}),
    )
    .await;
    assert_eq!(paths(&rust), vec![fixture.path("src/beta.rs")]);
    let notes = search(
        &client,
        json!({"query": "zebracorn", "path_prefix": "notes"}),
    )
    .await;
    assert_eq!(paths(&notes), vec![fixture.path("notes/alpha.md")]);
    let web = search(
        &client,
        json!({"query": "zebracorn", "path_prefix": fixture.path("web")}),
    )
    .await;
    assert_eq!(web["total_hits"], 1);
    let outside = client
        .fail(
            "local_search",
            json!({"query": "zebracorn", "path_prefix": "/etc"}),
        )
        .await;
    assert_eq!(outside["code"], "outside_index");
    let dotdot = client
        .fail(
            "local_search",
            json!({"query": "zebracorn", "path_prefix": "notes/../.."}),
        )
        .await;
    assert_eq!(dotdot["code"], "outside_index");

    // Query syntax, and the literal mode for text that is not syntax.
    let phrase = search(&client, json!({"query": "\"migration guide\" zebracorn"})).await;
    assert_eq!(paths(&phrase), vec![fixture.path("notes/alpha.md")]);
    let excluded = search(&client, json!({"query": "zebracorn -migration"})).await;
    assert_eq!(excluded["total_hits"], 2);
    let invalid = client
        .fail("local_search", json!({"query": "fn zebra_corn("}))
        .await;
    assert_eq!(invalid["code"], "invalid_query");
    assert!(invalid["hint"].as_str().unwrap().contains("literal"));
    let literal = search(&client, json!({"query": "fn zebra_corn(", "literal": true})).await;
    assert_eq!(paths(&literal), vec![fixture.path("src/beta.rs")]);
    assert!(
        literal["hits"][0]["lines"]
            .as_array()
            .unwrap()
            .contains(&json!({"line": 8, "text": "**fn** **zebra**_**corn**() {}"})),
        "{literal}"
    );

    // Paging: disjoint pages whose ranks continue, covering every hit exactly once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0..10 {
        let mut args = json!({"query": "quokka", "limit": 10, "snippet_lines": 1});
        if let Some(cursor) = &cursor {
            args["cursor"] = json!(cursor);
        }
        let answer = search(&client, args).await;
        assert_eq!(answer["total_hits"], QUOKKA_FILES);
        assert_eq!(answer["hits"][0]["rank"], page * 10 + 1);
        seen.extend(paths(&answer));
        match answer["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (QUOKKA_FILES, QUOKKA_FILES));

    // Cursors: garbage, or from another query, are refused.
    let first = search(&client, json!({"query": "quokka", "limit": 10})).await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let garbage = client
        .fail(
            "local_search",
            json!({"query": "quokka", "limit": 10, "cursor": "bm9wZQ"}),
        )
        .await;
    assert_eq!(garbage["code"], "invalid_cursor");
    let other = client
        .fail(
            "local_search",
            json!({"query": "zebracorn", "limit": 10, "cursor": cursor}),
        )
        .await;
    assert_eq!(other["code"], "cursor_mismatch");

    client.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_queries_and_arguments_are_tool_errors() {
    let fixture = Fixture::new(20);
    let client = fixture.client(false).await;
    client.succeed("reindex", json!({})).await;
    for (args, code, field) in [
        (json!({"query": ""}), "invalid_query", "query"),
        (json!({"query": "   "}), "invalid_query", "query"),
        (json!({"query": "a\u{0}b"}), "invalid_query", "query"),
        (json!({"query": "x".repeat(1001)}), "invalid_query", "query"),
        (json!({"query": "title:"}), "invalid_query", "query"),
        (json!({"query": "(a OR"}), "invalid_query", "query"),
        (
            json!({"query": "!!!", "literal": true}),
            "invalid_query",
            "query",
        ),
        (json!({"query": "a", "limit": 0}), "out_of_range", "limit"),
        (json!({"query": "a", "limit": 51}), "out_of_range", "limit"),
        (
            json!({"query": "a", "snippet_lines": 11}),
            "out_of_range",
            "snippet_lines",
        ),
    ] {
        let error = client.fail("local_search", args.clone()).await;
        assert_eq!(
            (error["code"].as_str(), error["field"].as_str()),
            (Some(code), Some(field)),
            "{args}: {error}"
        );
    }
    let control = client
        .fail("local_search", json!({"query": "ab\ncd"}))
        .await;
    assert_eq!(control["position"], 2);
    let wrong_type = client
        .fail("local_search", json!({"query": "a", "limit": "ten"}))
        .await;
    assert_eq!(wrong_type["code"], "invalid_arguments");
    // An empty result is not an error.
    let nothing = search(&client, json!({"query": "absentword"})).await;
    assert_eq!(
        (
            nothing["total_hits"].as_u64(),
            nothing["hits"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );

    let missing = client
        .fail("get_document", json!({"path": "nope.md"}))
        .await;
    assert_eq!(missing["code"], "not_indexed");
    let outside = client
        .fail("get_document", json!({"path": "/etc/passwd"}))
        .await;
    assert_eq!(outside["code"], "outside_index");
    let both = client
        .fail(
            "get_document",
            json!({"path": corpus::path_of(0), "start_line": 1, "start_index": 3}),
        )
        .await;
    assert_eq!(both["code"], "conflicting_arguments");
    let past = client
        .fail(
            "get_document",
            json!({"path": corpus::path_of(0), "start_line": 100000}),
        )
        .await;
    assert_eq!(past["code"], "out_of_range");
    client.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn documents_are_read_in_windows_from_a_line() {
    let fixture = Fixture::new(5);
    let text: String = (1..=100).map(|n| format!("línea número {n}\n")).collect();
    fixture.write("long.txt", &text);
    let client = fixture.client(false).await;
    client.succeed("reindex", json!({})).await;

    let from_line = client
        .succeed(
            "get_document",
            json!({"path": "long.txt", "start_line": 42, "max_length": 40}),
        )
        .await;
    assert!(
        from_line["text"]
            .as_str()
            .unwrap()
            .starts_with("línea número 42\n"),
        "{from_line}"
    );
    assert_eq!(
        (
            from_line["start_line"].as_u64(),
            from_line["truncated"].as_bool()
        ),
        (Some(42), Some(true))
    );
    assert_eq!(from_line["on_disk"], "unchanged");
    let mut offset = 0;
    let mut rebuilt = String::new();
    for _ in 0..200 {
        let page = client
            .succeed(
                "get_document",
                json!({"path": fixture.path("long.txt"), "start_index": offset, "max_length": 97}),
            )
            .await;
        rebuilt.push_str(page["text"].as_str().unwrap());
        match page["next_offset"].as_u64() {
            Some(next) => offset = next,
            None => break,
        }
    }
    assert_eq!(rebuilt, text);

    std::fs::write(fixture.root.join("long.txt"), "changed\n").unwrap();
    let stale = client
        .succeed("get_document", json!({"path": "long.txt"}))
        .await;
    assert_eq!(stale["on_disk"], "changed");
    client.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reindexing_is_incremental_and_survives_a_restart() {
    let fixture = Fixture::new(300);
    fixture.write("keep.md", "# Keep\nstable text\n");
    fixture.write("change.md", "the old wording\n");
    fixture.write("delete.md", "doomed numbat\n");
    let client = fixture.client(false).await;
    let first = client.succeed("reindex", json!({})).await;
    assert_eq!(first["documents"], 303);

    fixture.write("change.md", "the new platypus wording\n");
    std::fs::remove_file(fixture.root.join("delete.md")).unwrap();
    fixture.write("added/new.txt", "a fresh echidna\n");
    let second = client.succeed("reindex", json!({})).await;
    let pass = &second["pass"];
    assert_eq!(
        (
            pass["added"].as_u64(),
            pass["updated"].as_u64(),
            pass["removed"].as_u64(),
            pass["unchanged"].as_u64()
        ),
        (Some(1), Some(1), Some(1), Some(301)),
        "{second}"
    );
    let changed = search(&client, json!({"query": "platypus"})).await;
    assert_eq!(paths(&changed), vec![fixture.path("change.md")]);
    assert_eq!(
        search(&client, json!({"query": "wording old"})).await["total_hits"],
        0
    );
    assert_eq!(
        search(&client, json!({"query": "numbat"})).await["total_hits"],
        0
    );
    assert_eq!(
        paths(&search(&client, json!({"query": "echidna"})).await),
        vec![fixture.path("added/new.txt")]
    );
    client.close().await;

    // A new server on the same index reads nothing that has not changed.
    let client = fixture.client(false).await;
    let status = client.succeed("index_status", json!({})).await;
    assert_eq!(status["documents"], 303);
    let again = client.succeed("reindex", json!({})).await;
    assert_eq!(
        (
            again["pass"]["unchanged"].as_u64(),
            again["pass"]["added"].as_u64()
        ),
        (Some(303), Some(0)),
        "{again}"
    );
    let full = client.succeed("reindex", json!({"full": true})).await;
    assert_eq!(
        (full["pass"]["added"].as_u64(), full["documents"].as_u64()),
        (Some(303), Some(303)),
        "{full}"
    );
    client.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cursor_outlived_by_many_index_changes_is_stale() {
    let fixture = Fixture::new(60);
    let client = fixture.client(false).await;
    client.succeed("reindex", json!({})).await;
    let first = search(&client, json!({"query": "index", "limit": 5})).await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    // One change keeps the cursor's snapshot: the next page comes from it.
    fixture.write("extra0.txt", "index");
    client.succeed("reindex", json!({})).await;
    let next = search(
        &client,
        json!({"query": "index", "limit": 5, "cursor": cursor}),
    )
    .await;
    assert_eq!(
        (
            next["index_generation"].clone(),
            next["hits"][0]["rank"].as_u64()
        ),
        (first["index_generation"].clone(), Some(6))
    );
    for n in 1..10 {
        fixture.write(&format!("extra{n}.txt"), "index");
        client.succeed("reindex", json!({})).await;
    }
    let stale = client
        .fail(
            "local_search",
            json!({"query": "index", "limit": 5, "cursor": cursor}),
        )
        .await;
    assert_eq!(stale["code"], "stale_cursor");
    client.close().await;
}

/// Polls `local_search` until `query` has `expected` hits or 30 seconds pass.
async fn eventually(client: &TestClient, query: &str, expected: u64) -> Value {
    let mut last = Value::Null;
    for _ in 0..300 {
        last = search(client, json!({"query": query})).await;
        if last["total_hits"] == expected && !last["indexing"].as_bool().unwrap_or(true) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("`{query}` never reached {expected} hits: {last}");
}

#[tokio::test(flavor = "multi_thread")]
async fn watching_indexes_changes_as_they_happen() {
    let fixture = Fixture::new(100);
    let client = fixture.client(true).await;
    let status = client.succeed("index_status", json!({})).await;
    assert_eq!(status["watching"], true, "{status}");
    eventually(&client, "index", 100).await;

    fixture.write("new/wombat.md", "a wombat appears\n");
    let found = eventually(&client, "wombat", 1).await;
    assert_eq!(paths(&found), vec![fixture.path("new/wombat.md")]);
    std::fs::remove_file(Path::new(&fixture.path("new/wombat.md"))).unwrap();
    eventually(&client, "wombat", 0).await;
    client.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_directories_the_local_tools_say_how_to_add_them() {
    let client = TestClient::connect(ToolServer::new(
        SearchServer::new(&Settings::default()).unwrap(),
    ))
    .await
    .unwrap();
    for tool in ["local_search", "index_status", "reindex"] {
        let args = if tool == "local_search" {
            json!({"query": "x"})
        } else {
            json!({})
        };
        let error = client.fail(tool, args).await;
        assert_eq!(error["code"], "no_directories");
    }
    client.close().await;
}
