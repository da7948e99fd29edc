//! Every fs-server tool through a real rmcp client, in process, on real directory trees in
//! temporary folders: what each tool does, every hostile path, and the `tools/list` snapshot.

// Fixture helpers outside #[test] functions: a setup that fails must fail the test loudly.
#![allow(clippy::unwrap_used)]

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use fs_server::{FsServer, Settings};
use serde_json::{Value, json};
use shared::ToolServer;
use shared::testing::TestClient;

/// A temporary tree: `root` is allowed, `outside` (its sibling) is not.
struct Fixture {
    _temp: tempfile::TempDir,
    root: PathBuf,
    outside: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let temp = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(temp.path()).unwrap();
        let root = base.join("root");
        let outside = base.join("root-evil");
        std::fs::create_dir_all(root.join("docs/deep/deeper")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret.txt"), "TOP SECRET\n").unwrap();
        std::fs::write(root.join("hello.txt"), "line 1\nline 2\nline 3\n").unwrap();
        std::fs::write(root.join("docs/notes.md"), "# Notes\ntokio is async\n").unwrap();
        std::fs::write(root.join("docs/deep/deeper/end.txt"), "the end\n").unwrap();
        Self {
            _temp: temp,
            root,
            outside,
        }
    }

    fn path(&self, relative: &str) -> String {
        self.root.join(relative).display().to_string()
    }

    async fn client(&self) -> TestClient {
        self.client_with(Settings {
            directories: vec![self.root.clone()],
            ..Settings::default()
        })
        .await
    }

    async fn client_with(&self, settings: Settings) -> TestClient {
        TestClient::connect(ToolServer::new(FsServer::new(&settings).unwrap()))
            .await
            .unwrap()
    }

    /// Everything outside the root is exactly as the fixture made it.
    fn assert_outside_untouched(&self) {
        let names: Vec<_> = std::fs::read_dir(&self.outside)
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            ["secret.txt"],
            "something was written outside the root"
        );
        assert_eq!(
            std::fs::read_to_string(self.outside.join("secret.txt")).unwrap(),
            "TOP SECRET\n"
        );
    }
}

fn code(error: &Value) -> &str {
    error["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn tools_list_snapshot() {
    let fixture = Fixture::new();
    let client = fixture.client().await;
    let tools = client.list_tools().await.unwrap();
    insta::assert_json_snapshot!("fs-server-tools", shared::tools_snapshot(&tools));
    client.close().await;
}

#[tokio::test]
async fn read_only_and_disabled_tools_are_not_offered() {
    let fixture = Fixture::new();
    let client = fixture
        .client_with(Settings {
            directories: vec![fixture.root.clone()],
            read_only: true,
            disabled_tools: vec!["grep".to_owned()],
            ..Settings::default()
        })
        .await;
    let names: Vec<String> = client
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|tool| tool.name.to_string())
        .collect();
    for gone in fs_server::WRITE_TOOLS.iter().chain(&["grep"]) {
        assert!(!names.iter().any(|name| name == gone), "{gone} offered");
    }
    assert!(names.iter().any(|name| name == "read_file"));
    let error = FsServer::new(&Settings {
        directories: vec![fixture.root.clone()],
        disabled_tools: vec!["no_such_tool".to_owned()],
        ..Settings::default()
    })
    .unwrap_err();
    assert!(error.to_string().contains("no_such_tool"), "{error}");
    client.close().await;
}

#[tokio::test]
async fn read_file_windows_hashes_and_encodings() {
    let fixture = Fixture::new();
    let client = fixture.client().await;
    let whole = client
        .succeed("read_file", json!({"path": fixture.path("hello.txt")}))
        .await;
    assert_eq!(whole["content"], "line 1\nline 2\nline 3\n");
    assert_eq!(whole["total_lines"], 3);
    assert_eq!(whole["truncated"], false);
    assert_eq!(whole["line_ending"], "lf");
    // sha256 of "line 1\nline 2\nline 3\n", as `sha256sum` prints it.
    let expected = std::process::Command::new("sha256sum")
        .arg(fixture.root.join("hello.txt"))
        .output()
        .unwrap();
    let expected = String::from_utf8(expected.stdout).unwrap();
    assert_eq!(whole["sha256"].as_str(), expected.split_whitespace().next());
    let window = client
        .succeed(
            "read_file",
            json!({"path": "hello.txt", "offset": 2, "limit": 1}),
        )
        .await;
    assert_eq!(window["content"], "line 2\n");
    assert_eq!(window["start_line"], 2);
    assert_eq!(window["next_offset"], 3);
    assert_eq!(window["truncated"], true);
    let tail = client
        .succeed("read_file", json!({"path": "hello.txt", "tail": 2}))
        .await;
    assert_eq!(tail["content"], "line 2\nline 3\n");
    assert_eq!(tail["start_line"], 2);
    let head = client
        .succeed("read_file", json!({"path": "hello.txt", "head": 1}))
        .await;
    assert_eq!(head["content"], "line 1\n");
    let beyond = client
        .succeed("read_file", json!({"path": "hello.txt", "offset": 99}))
        .await;
    assert_eq!(beyond["content"], "");
    assert_eq!(beyond["lines_returned"], 0);

    // A byte cap keeps whole lines and says where to go on.
    let capped = client
        .succeed("read_file", json!({"path": "hello.txt", "max_bytes": 10}))
        .await;
    assert_eq!(capped["content"], "line 1\n");
    assert_eq!(capped["next_offset"], 2);

    std::fs::write(fixture.root.join("crlf.txt"), "a\r\nb\r\n").unwrap();
    let crlf = client
        .succeed("read_file", json!({"path": "crlf.txt"}))
        .await;
    assert_eq!(crlf["line_ending"], "crlf");
    std::fs::write(fixture.root.join("bom.txt"), "\u{feff}héllo\n").unwrap();
    let bom = client
        .succeed("read_file", json!({"path": "bom.txt"}))
        .await;
    assert_eq!(
        (bom["content"].as_str(), bom["bom"].as_bool()),
        (Some("héllo\n"), Some(true))
    );
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("hi\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    std::fs::write(fixture.root.join("utf16.txt"), utf16).unwrap();
    let decoded = client
        .succeed("read_file", json!({"path": "utf16.txt"}))
        .await;
    assert_eq!(
        (decoded["content"].as_str(), decoded["encoding"].as_str()),
        (Some("hi\n"), Some("utf-16le"))
    );
    std::fs::write(fixture.root.join("latin1.txt"), b"caf\xe9\n").unwrap();
    let lossy = client
        .succeed("read_file", json!({"path": "latin1.txt"}))
        .await;
    assert_eq!(
        (lossy["content"].as_str(), lossy["lossy"].as_bool()),
        (Some("caf\u{fffd}\n"), Some(true))
    );
    std::fs::write(fixture.root.join("empty.txt"), "").unwrap();
    let empty = client
        .succeed("read_file", json!({"path": "empty.txt"}))
        .await;
    assert_eq!(
        (empty["content"].as_str(), empty["total_lines"].as_u64()),
        (Some(""), Some(0))
    );
    client.close().await;
}

#[tokio::test]
async fn read_file_refuses_what_it_cannot_read_well() {
    let fixture = Fixture::new();
    let client = fixture.client().await;
    std::fs::write(fixture.root.join("blob.bin"), b"\x00\x01\x02binary").unwrap();
    let binary = client.fail("read_file", json!({"path": "blob.bin"})).await;
    assert_eq!(code(&binary), "binary_file");
    let directory = client.fail("read_file", json!({"path": "docs"})).await;
    assert_eq!(code(&directory), "wrong_kind");
    for arguments in [
        json!({"path": "hello.txt", "head": 1, "tail": 1}),
        json!({"path": "hello.txt", "head": 1, "offset": 2}),
        json!({"path": "hello.txt", "limit": 0}),
        json!({"path": "hello.txt", "tail": 0}),
        json!({"path": "hello.txt", "max_bytes": 0}),
        json!({"path": "hello.txt", "max_bytes": 1_000_000_000u64}),
    ] {
        assert_eq!(
            code(&client.fail("read_file", arguments).await),
            "invalid_arguments"
        );
    }
    for arguments in [
        json!({"path": "hello.txt", "head": -1}),
        json!({"path": "hello.txt", "head": 1.5}),
        json!({"path": "hello.txt", "head": "10"}),
        json!({"path": "hello.txt", "head": 1e20}),
        json!({"path": 5}),
        json!({"path": "hello.txt", "surprise": true}),
    ] {
        assert_eq!(
            code(&client.fail("read_file", arguments).await),
            "invalid_arguments"
        );
    }
    // A single line longer than the cap is cut on a character boundary and marked partial.
    std::fs::write(fixture.root.join("long.txt"), "é".repeat(100)).unwrap();
    let long = client
        .succeed("read_file", json!({"path": "long.txt", "max_bytes": 11}))
        .await;
    assert_eq!(long["content"], "é".repeat(5));
    assert_eq!(long["partial_line"], true);
    client.close().await;
}

#[tokio::test]
async fn read_multiple_files_reports_each_file() {
    let fixture = Fixture::new();
    let client = fixture.client().await;
    let result = client
        .succeed(
            "read_multiple_files",
            json!({"paths": ["hello.txt", "missing.txt", "../root-evil/secret.txt", "hello.txt"]}),
        )
        .await;
    let files = result["files"].as_array().unwrap();
    assert_eq!(files.len(), 4);
    assert_eq!(files[0]["ok"], true);
    assert_eq!(files[1]["error"]["code"], "not_found");
    assert_eq!(files[2]["error"]["code"], "outside_allowed_directories");
    assert_eq!(files[3]["file"]["content"], files[0]["file"]["content"]);
    let none = client
        .fail("read_multiple_files", json!({"paths": []}))
        .await;
    assert_eq!(code(&none), "invalid_arguments");
    let many: Vec<String> = (0..10_000).map(|i| format!("f{i}")).collect();
    let too_many = client
        .fail("read_multiple_files", json!({"paths": many}))
        .await;
    assert_eq!(code(&too_many), "invalid_arguments");
    client.close().await;
}

#[tokio::test]
async fn read_media_file_sniffs_and_caps() {
    let fixture = Fixture::new();
    let client = fixture.client().await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
    std::fs::write(fixture.root.join("pixel.dat"), png).unwrap();
    let result = client
        .call("read_media_file", json!({"path": "pixel.dat"}))
        .await
        .unwrap();
    let block = serde_json::to_value(&result.content[0]).unwrap();
    assert_eq!(block["type"], "image");
    assert_eq!(block["mimeType"], "image/png");
    std::fs::write(fixture.root.join("data.bin"), [7u8; 64]).unwrap();
    let other = client
        .call("read_media_file", json!({"path": "data.bin"}))
        .await
        .unwrap();
    let block = serde_json::to_value(&other.content[0]).unwrap();
    assert_eq!(block["type"], "resource");
    assert_eq!(block["resource"]["mimeType"], "application/octet-stream");
    let big = client
        .fail(
            "read_media_file",
            json!({"path": "data.bin", "max_bytes": 10}),
        )
        .await;
    assert_eq!(code(&big), "too_large");
    client.close().await;
}

#[tokio::test]
async fn write_file_is_atomic_guarded_and_never_follows_links() {
    let fixture = Fixture::new();
    let client = fixture.client().await;
    let written = client
        .succeed("write_file", json!({"path": "new.txt", "content": "v1\n"}))
        .await;
    assert_eq!(written["created"], true);
    let read = client
        .succeed("read_file", json!({"path": "new.txt"}))
        .await;
    assert_eq!(read["sha256"], written["sha256"]);
    std::fs::set_permissions(
        fixture.root.join("new.txt"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    let second = client
        .succeed(
            "write_file",
            json!({"path": "new.txt", "content": "v2\n", "expected_sha256": read["sha256"]}),
        )
        .await;
    assert_eq!(second["created"], false);
    let mode = std::fs::metadata(fixture.root.join("new.txt"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640, "mode bits kept");
    let stale = client
        .fail(
            "write_file",
            json!({"path": "new.txt", "content": "v3\n", "expected_sha256": read["sha256"]}),
        )
        .await;
    assert_eq!(code(&stale), "content_changed");
    assert_eq!(
        std::fs::read_to_string(fixture.root.join("new.txt")).unwrap(),
        "v2\n"
    );

    // Links at the target are refused: dangling, pointing outside, or pointing inside.
    symlink(
        fixture.outside.join("planted.txt"),
        fixture.root.join("dangling"),
    )
    .unwrap();
    symlink(
        fixture.outside.join("secret.txt"),
        fixture.root.join("to-secret"),
    )
    .unwrap();
    for link in ["dangling", "to-secret"] {
        let error = client
            .fail("write_file", json!({"path": link, "content": "x"}))
            .await;
        assert_eq!(code(&error), "symlink", "{link}");
        let error = client
            .fail("append_file", json!({"path": link, "content": "x"}))
            .await;
        assert_eq!(code(&error), "symlink", "{link}");
    }
    let missing_parent = client
        .fail("write_file", json!({"path": "a/b/c.txt", "content": "x"}))
        .await;
    assert_eq!(code(&missing_parent), "not_found");
    client
        .succeed(
            "write_file",
            json!({"path": "a/b/c.txt", "content": "x", "create_parents": true}),
        )
        .await;
    let to_dir = client
        .fail("write_file", json!({"path": "docs", "content": "x"}))
        .await;
    assert_eq!(code(&to_dir), "wrong_kind");
    let slash = client
        .fail("write_file", json!({"path": "docs/new/", "content": "x"}))
        .await;
    assert_eq!(code(&slash), "invalid_path");
    let not_text = client
        .fail("write_file", json!({"path": "n.txt", "content": 5}))
        .await;
    assert_eq!(code(&not_text), "invalid_arguments");
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&fixture.root)
        .unwrap()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    fixture.assert_outside_untouched();
    client.close().await;
}

#[tokio::test]
async fn append_file_creates_and_extends() {
    let fixture = Fixture::new();
    let client = fixture.client().await;
    let first = client
        .succeed(
            "append_file",
            json!({"path": "log.txt", "content": "one\n"}),
        )
        .await;
    assert_eq!(
        (first["created"].as_bool(), first["size"].as_u64()),
        (Some(true), Some(4))
    );
    let second = client
        .succeed(
            "append_file",
            json!({"path": "log.txt", "content": "two\n"}),
        )
        .await;
    assert_eq!(
        (second["created"].as_bool(), second["size"].as_u64()),
        (Some(false), Some(8))
    );
    assert_eq!(
        std::fs::read_to_string(fixture.root.join("log.txt")).unwrap(),
        "one\ntwo\n"
    );
    client.close().await;
}

#[tokio::test]
async fn edit_file_applies_exact_edits_with_a_diff() {
    let fixture = Fixture::new();
    let client = fixture.client().await;
    let path = fixture.root.join("code.rs");
    std::fs::write(
        &path,
        "\u{feff}fn main() {\r\n    let x = 1;\r\n    let y = 1;\r\n}\r\n",
    )
    .unwrap();
    let preview = client
        .succeed(
            "edit_file",
            json!({"path": "code.rs", "dry_run": true,
                   "edits": [{"old_text": "let x = 1;\n    let y", "new_text": "let x = 2;\n    let z"}]}),
        )
        .await;
    assert_eq!(preview["applied"], false);
    assert!(
        preview["diff"]
            .as_str()
            .unwrap()
            .contains("+    let x = 2;"),
        "{preview}"
    );
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("let x = 1;"),
        "dry run wrote"
    );
    let applied = client
        .succeed(
            "edit_file",
            json!({"path": "code.rs",
                   "edits": [{"old_text": "let x = 1;", "new_text": "let x = $1;"},
                             {"old_text": "= 1;", "new_text": "= 3;"}]}),
        )
        .await;
    assert_eq!(applied["replacements"], json!([1, 1]));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "\u{feff}fn main() {\r\n    let x = $1;\r\n    let y = 3;\r\n}\r\n"
    );
    let ambiguous = client
        .fail(
            "edit_file",
            json!({"path": "code.rs", "edits": [{"old_text": "let", "new_text": "var"}]}),
        )
        .await;
    assert_eq!(code(&ambiguous), "ambiguous_match");
    let all = client
        .succeed(
            "edit_file",
            json!({"path": "code.rs", "edits": [{"old_text": "let", "new_text": "var", "replace_all": true}]}),
        )
        .await;
    assert_eq!(all["replacements"], json!([2]));
    for (edits, expected) in [
        (json!([]), "invalid_arguments"),
        (json!([{"old_text": "", "new_text": "x"}]), "empty_old_text"),
        (json!([{"old_text": "var", "new_text": "var"}]), "no_change"),
        (json!([{"old_text": "absent", "new_text": "x"}]), "no_match"),
        (
            json!([{"old_text": "fn main", "new_text": "fn start"}, {"old_text": "absent", "new_text": "x"}]),
            "no_match",
        ),
    ] {
        let before = std::fs::read(&path).unwrap();
        let error = client
            .fail("edit_file", json!({"path": "code.rs", "edits": edits}))
            .await;
        assert_eq!(code(&error), expected, "{edits}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "a failed edit changed the file"
        );
    }
    client.close().await;
}

#[tokio::test]
async fn directories_are_created_listed_and_walked() {
    let fixture = Fixture::new();
    let client = fixture.client().await;
    let created = client
        .succeed("create_directory", json!({"path": "x/y/z"}))
        .await;
    assert_eq!(created["created"], true);
    let again = client
        .succeed("create_directory", json!({"path": "x/y/z"}))
        .await;
    assert_eq!(again["created"], false);
    let on_file = client
        .fail("create_directory", json!({"path": "hello.txt"}))
        .await;
    assert_eq!(code(&on_file), "wrong_kind");
    let deep: String = (0..100).map(|_| "d/").collect();
    client
        .succeed("create_directory", json!({"path": deep}))
        .await;

    std::fs::remove_dir_all(fixture.root.join("x/y")).unwrap();
    for i in 0..7 {
        std::fs::write(fixture.root.join(format!("x/f{i}.txt")), "x".repeat(i)).unwrap();
    }
    symlink("/etc", fixture.root.join("x/etc-link")).unwrap();
    let page = client
        .succeed(
            "list_directory",
            json!({"path": "x", "limit": 3, "sort_by": "size"}),
        )
        .await;
    assert_eq!(page["total"], 8);
    assert_eq!(page["entries"][0]["name"], "f6.txt");
    assert_eq!(page["next_offset"], 3);
    let all = client.succeed("list_directory", json!({"path": "x"})).await;
    let link = all["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["name"] == "etc-link")
        .unwrap()
        .clone();
    assert_eq!(link["kind"], "symlink");

    std::fs::write(fixture.root.join(".gitignore"), "ignored/\n*.log\n").unwrap();
    std::fs::create_dir(fixture.root.join("ignored")).unwrap();
    std::fs::write(fixture.root.join("ignored/big.txt"), "x").unwrap();
    std::fs::write(fixture.root.join("debug.log"), "x").unwrap();
    let tree = client
        .succeed("directory_tree", json!({"path": ".", "max_depth": 2}))
        .await;
    let text = tree.to_string();
    assert!(
        !text.contains("\"ignored\"") && !text.contains("debug.log"),
        "{text}"
    );
    assert_eq!(tree["truncated"], true);
    let docs = tree["tree"]
        .as_array()
        .unwrap()
        .iter()
        .find(|node| node["name"] == "docs")
        .unwrap()
        .clone();
    let deep_node = docs["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|node| node["name"] == "deep")
        .unwrap()
        .clone();
    assert_eq!(deep_node["truncated"], true, "{docs}");
    let capped = client
        .succeed(
            "directory_tree",
            json!({"path": ".", "max_entries": 2, "respect_gitignore": false}),
        )
        .await;
    assert_eq!(capped["entries"], 2);
    // The top directory was listed only in part; the tree says so.
    assert_eq!(capped["truncated"], true);
    let partial = client
        .succeed("directory_tree", json!({"path": "docs", "max_entries": 1}))
        .await;
    assert_eq!(partial["tree"].as_array().map(Vec::len), Some(1));
    assert_eq!(partial["limits_hit"], json!(["max_entries"]));
    let nested = client
        .succeed(
            "directory_tree",
            json!({"path": ".", "max_entries": 4, "respect_gitignore": false, "max_depth": 4}),
        )
        .await;
    let nested_text = nested.to_string();
    assert!(nested_text.contains("\"truncated\":true"), "{nested_text}");
    assert!(
        capped["limits_hit"]
            .as_array()
            .unwrap()
            .contains(&json!("max_entries"))
    );
    let bad_glob = client
        .fail("directory_tree", json!({"path": ".", "exclude": ["{a,b"]}))
        .await;
    assert_eq!(code(&bad_glob), "invalid_glob");
    client.close().await;
}

#[tokio::test]
async fn move_copy_and_delete_refuse_to_lose_data() {
    let fixture = Fixture::new();
    let client = fixture.client().await;
    std::fs::write(fixture.root.join("a.txt"), "A").unwrap();
    std::fs::write(fixture.root.join("b.txt"), "B").unwrap();
    let clobber = client
        .fail(
            "move_file",
            json!({"source": "a.txt", "destination": "b.txt"}),
        )
        .await;
    assert_eq!(code(&clobber), "already_exists");
    assert_eq!(
        std::fs::read_to_string(fixture.root.join("b.txt")).unwrap(),
        "B"
    );
    client
        .succeed(
            "move_file",
            json!({"source": "a.txt", "destination": "b.txt", "overwrite": true}),
        )
        .await;
    assert_eq!(
        std::fs::read_to_string(fixture.root.join("b.txt")).unwrap(),
        "A"
    );
    for (source, destination, expected) in [
        ("b.txt", "b.txt", "invalid_arguments"),
        ("docs", "docs/deep/moved", "invalid_arguments"),
        (".", "elsewhere", "allowed_directory"),
        ("missing.txt", "m.txt", "not_found"),
        ("b.txt", "../root-evil/b.txt", "outside_allowed_directories"),
    ] {
        let error = client
            .fail(
                "move_file",
                json!({"source": source, "destination": destination}),
            )
            .await;
        assert_eq!(code(&error), expected, "{source} -> {destination}");
    }

    let copied = client
        .succeed(
            "copy_file",
            json!({"source": "b.txt", "destination": "c.txt"}),
        )
        .await;
    assert_eq!(copied["bytes"], 1);
    let exists = client
        .fail(
            "copy_file",
            json!({"source": "b.txt", "destination": "c.txt"}),
        )
        .await;
    assert_eq!(code(&exists), "already_exists");
    let dir_without_flag = client
        .fail(
            "copy_file",
            json!({"source": "docs", "destination": "docs2"}),
        )
        .await;
    assert_eq!(code(&dir_without_flag), "invalid_arguments");
    symlink("/etc/passwd", fixture.root.join("docs/passwd-link")).unwrap();
    let tree = client
        .succeed(
            "copy_file",
            json!({"source": "docs", "destination": "docs2", "recursive": true}),
        )
        .await;
    assert_eq!(tree["files"], 2);
    assert_eq!(tree["skipped"].as_array().unwrap().len(), 1);
    assert_eq!(
        std::fs::read_to_string(fixture.root.join("docs2/deep/deeper/end.txt")).unwrap(),
        "the end\n"
    );

    let root = client
        .fail("delete_path", json!({"path": fixture.path("")}))
        .await;
    assert_eq!(code(&root), "allowed_directory");
    let full = client.fail("delete_path", json!({"path": "docs2"})).await;
    assert_eq!(code(&full), "directory_not_empty");
    let deleted = client
        .succeed("delete_path", json!({"path": "docs2", "recursive": true}))
        .await;
    assert_eq!(deleted["deleted"], true);
    let gone = client
        .succeed("delete_path", json!({"path": "docs2"}))
        .await;
    assert_eq!(gone["deleted"], false);
    // A link is deleted, not its target.
    symlink(
        fixture.outside.join("secret.txt"),
        fixture.root.join("link"),
    )
    .unwrap();
    let link = client.succeed("delete_path", json!({"path": "link"})).await;
    assert_eq!(link["kind"], "symlink");
    fixture.assert_outside_untouched();
    client.close().await;
}

#[tokio::test]
async fn info_and_hashes() {
    let fixture = Fixture::new();
    let client = fixture.client().await;
    let info = client
        .succeed("get_file_info", json!({"path": "hello.txt"}))
        .await;
    assert_eq!(
        (info["kind"].as_str(), info["size"].as_u64()),
        (Some("file"), Some(21))
    );
    assert!(info["modified"].as_str().unwrap().ends_with('Z'));
    symlink(fixture.outside.join("secret.txt"), fixture.root.join("out")).unwrap();
    symlink("hello.txt", fixture.root.join("in")).unwrap();
    symlink("nowhere", fixture.root.join("dangling")).unwrap();
    for (link, target_kind) in [("out", "outside"), ("in", "file"), ("dangling", "dangling")] {
        let info = client.succeed("get_file_info", json!({"path": link})).await;
        assert_eq!(info["kind"], "symlink");
        assert_eq!(info["target_kind"], target_kind, "{link}");
    }
    let sha = client
        .succeed("file_hash", json!({"path": "hello.txt"}))
        .await;
    let read = client
        .succeed("read_file", json!({"path": "hello.txt"}))
        .await;
    assert_eq!(sha["hash"], read["sha256"]);
    let md5 = client
        .succeed(
            "file_hash",
            json!({"path": "hello.txt", "algorithm": "md5"}),
        )
        .await;
    assert_eq!(md5["hash"].as_str().unwrap().len(), 32);
    let bad = client
        .fail(
            "file_hash",
            json!({"path": "hello.txt", "algorithm": "crc32"}),
        )
        .await;
    assert_eq!(code(&bad), "invalid_arguments");
    client.close().await;
}

#[tokio::test]
async fn search_by_name_and_by_content() {
    let fixture = Fixture::new();
    let client = fixture.client().await;
    let found = client
        .succeed("search_files", json!({"path": ".", "pattern": "*.txt"}))
        .await;
    let paths: Vec<&str> = found["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|found| found["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            fixture.path("hello.txt"),
            fixture.path("docs/deep/deeper/end.txt")
        ]
    );
    let relative = client
        .succeed(
            "search_files",
            json!({"path": ".", "pattern": "docs/**/*.md"}),
        )
        .await;
    assert_eq!(relative["matches"].as_array().unwrap().len(), 1);
    let paged = client
        .succeed(
            "search_files",
            json!({"path": ".", "pattern": "*", "max_results": 2}),
        )
        .await;
    assert_eq!(paged["next_offset"], 2);
    let next = client
        .succeed(
            "search_files",
            json!({"path": ".", "pattern": "*", "max_results": 2, "offset": 2}),
        )
        .await;
    assert_ne!(next["matches"][0], paged["matches"][0]);
    for pattern in ["[", "{a,b", "/etc/*", ""] {
        let error = client
            .fail("search_files", json!({"path": ".", "pattern": pattern}))
            .await;
        assert_eq!(code(&error), "invalid_glob", "{pattern:?}");
    }

    std::fs::write(
        fixture.root.join("code.rs"),
        "fn a() {}\n// Tokio here\nfn b() {}\nlet re = \"a.b\";\n",
    )
    .unwrap();
    std::fs::write(fixture.root.join("bin.dat"), b"tokio\x00\x01").unwrap();
    let hits = client
        .succeed("grep", json!({"path": ".", "query": "tokio"}))
        .await;
    let lines: Vec<(String, u64)> = hits["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            (
                hit["path"].as_str().unwrap().to_owned(),
                hit["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (fixture.path("code.rs"), 2),
            (fixture.path("docs/notes.md"), 2)
        ]
    );
    assert_eq!(hits["binary_files_skipped"], 1);
    let sensitive = client
        .succeed(
            "grep",
            json!({"path": ".", "query": "Tokio", "case": "sensitive"}),
        )
        .await;
    assert_eq!(sensitive["matches"].as_array().unwrap().len(), 1);
    let context = client
        .succeed(
            "grep",
            json!({"path": "code.rs", "query": "Tokio", "context_lines": 1}),
        )
        .await;
    assert_eq!(context["matches"][0]["before"], json!(["fn a() {}"]));
    assert_eq!(context["matches"][0]["after"], json!(["fn b() {}"]));
    assert_eq!(context["matches"][0]["column"], 4);
    // Literal by default: the dot is a dot.
    let literal = client
        .succeed("grep", json!({"path": ".", "query": "a.b"}))
        .await;
    assert_eq!(literal["matches"].as_array().unwrap().len(), 1);
    let regex = client
        .succeed(
            "grep",
            json!({"path": ".", "query": "fn [ab]", "regex": true, "include": ["*.rs"]}),
        )
        .await;
    assert_eq!(regex["matches"].as_array().unwrap().len(), 2);
    let invalid = client
        .fail("grep", json!({"path": ".", "query": "(", "regex": true}))
        .await;
    assert_eq!(code(&invalid), "invalid_regex");
    let huge = client
        .fail(
            "grep",
            json!({"path": ".", "query": "a{100000}{1000}", "regex": true}),
        )
        .await;
    assert_eq!(code(&huge), "invalid_regex");
    let empty = client.fail("grep", json!({"path": ".", "query": ""})).await;
    assert_eq!(code(&empty), "invalid_arguments");
    client.close().await;
}

/// Every hostile path from the research list: a clear error, and nothing outside is touched.
#[tokio::test]
async fn hostile_paths_get_clear_errors_and_reach_nothing() {
    let fixture = Fixture::new();
    let client = fixture.client().await;
    let root = fixture.root.display().to_string();
    symlink(&fixture.outside, fixture.root.join("dir-out")).unwrap();
    symlink(
        fixture.outside.join("secret.txt"),
        fixture.root.join("file-out"),
    )
    .unwrap();
    symlink("../root-evil/secret.txt", fixture.root.join("relative-out")).unwrap();
    symlink("chain-2", fixture.root.join("chain-1")).unwrap();
    symlink("dir-out/secret.txt", fixture.root.join("chain-2")).unwrap();
    symlink("loop-b", fixture.root.join("loop-a")).unwrap();
    symlink("loop-a", fixture.root.join("loop-b")).unwrap();
    symlink("/", fixture.root.join("slash")).unwrap();
    let hostile: Vec<(String, &str)> = vec![
        ("".into(), "invalid_path"),
        ("a\u{0}b".into(), "invalid_path"),
        ("file:///etc/passwd".into(), "invalid_path"),
        ("~root/.ssh".into(), "invalid_path"),
        ("..".into(), "outside_allowed_directories"),
        ("../../etc/passwd".into(), "outside_allowed_directories"),
        (
            format!("{root}/../root-evil/secret.txt"),
            "outside_allowed_directories",
        ),
        (format!("{root}/a/../../.."), "outside_allowed_directories"),
        (format!("{root}//..//x"), "outside_allowed_directories"),
        (format!("{root}/./../x"), "outside_allowed_directories"),
        (
            format!("{root}-evil/secret.txt"),
            "outside_allowed_directories",
        ),
        (format!("{root}evil"), "outside_allowed_directories"),
        (format!("{root} "), "outside_allowed_directories"),
        (format!("{root}\""), "outside_allowed_directories"),
        ("/".into(), "outside_allowed_directories"),
        ("/etc/passwd".into(), "outside_allowed_directories"),
        ("dir-out/secret.txt".into(), "outside_allowed_directories"),
        ("file-out".into(), "outside_allowed_directories"),
        ("relative-out".into(), "outside_allowed_directories"),
        ("chain-1".into(), "outside_allowed_directories"),
        ("slash/etc/passwd".into(), "outside_allowed_directories"),
        ("loop-a".into(), "symlink"),
        ("%2e%2e/%2e%2e/etc/passwd".into(), "not_found"),
        ("\\..\\..\\etc\\passwd".into(), "not_found"),
        ("C:\\Windows\\win.ini".into(), "not_found"),
        ("\\\\server\\share".into(), "not_found"),
        (format!("{}/{}", root, "n".repeat(300)), "name_too_long"),
    ];
    for (path, expected) in &hostile {
        for tool in ["read_file", "get_file_info", "file_hash"] {
            if *tool == *"get_file_info" && path.ends_with("-out") {
                continue; // describing a link is allowed; following it is not
            }
            if *tool == *"get_file_info" && (path == "chain-1" || path == "loop-a") {
                continue;
            }
            let error = client.fail(tool, json!({"path": path})).await;
            assert_eq!(code(&error), *expected, "{tool} {path:?}: {error}");
            assert!(!error.to_string().contains("TOP SECRET"));
        }
    }
    for (path, _) in &hostile {
        for (tool, arguments) in [
            (
                "write_file",
                json!({"path": format!("{path}/planted"), "content": "x"}),
            ),
            ("write_file", json!({"path": path, "content": "x"})),
            ("append_file", json!({"path": path, "content": "x"})),
            (
                "create_directory",
                json!({"path": format!("{path}/planted")}),
            ),
            ("delete_path", json!({"path": format!("{path}/secret.txt")})),
            ("list_directory", json!({"path": path})),
            ("directory_tree", json!({"path": path})),
            ("grep", json!({"path": path, "query": "SECRET"})),
            ("search_files", json!({"path": path, "pattern": "*"})),
            (
                "move_file",
                json!({"source": "hello.txt", "destination": format!("{path}/moved")}),
            ),
            (
                "copy_file",
                json!({"source": "hello.txt", "destination": format!("{path}/copied")}),
            ),
        ] {
            let result = client.call(tool, arguments.clone()).await.unwrap();
            if result.is_error != Some(true) {
                // Only a harmless success is acceptable (a literal name such as `%2e%2e`
                // inside the root): nothing from outside may show up.
                let text = serde_json::to_string(&result).unwrap();
                assert!(!text.contains("TOP SECRET"), "{tool} {arguments}: {text}");
                assert!(
                    !text.contains(&fixture.outside.display().to_string()),
                    "{tool} {arguments}: {text}"
                );
            }
        }
    }
    // Walks do not follow links out.
    let tree = client
        .succeed("directory_tree", json!({"path": ".", "max_depth": 5}))
        .await;
    assert!(!tree.to_string().contains("secret.txt"), "{tree}");
    let grep = client
        .succeed("grep", json!({"path": ".", "query": "SECRET"}))
        .await;
    assert_eq!(grep["matches"], json!([]));
    fixture.assert_outside_untouched();
    client.close().await;
}

#[tokio::test]
async fn special_files_never_block_and_unreadable_directories_are_reported() {
    let fixture = Fixture::new();
    let client = fixture.client().await;
    let fifo = fixture.root.join("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo failed");
    for tool in ["read_file", "file_hash", "read_media_file"] {
        let error = client.fail(tool, json!({"path": "pipe"})).await;
        assert_eq!(code(&error), "wrong_kind", "{tool}");
    }
    let append = client
        .fail("append_file", json!({"path": "pipe", "content": "x"}))
        .await;
    assert_eq!(code(&append), "wrong_kind");
    let write = client
        .fail("write_file", json!({"path": "pipe", "content": "x"}))
        .await;
    assert_eq!(code(&write), "wrong_kind");
    let grep = client
        .succeed("grep", json!({"path": ".", "query": "anything"}))
        .await;
    assert_eq!(grep["matches"], json!([]));

    let locked = fixture.root.join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("inner.txt"), "x").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let running_as_root = std::fs::read_dir(&locked).is_ok();
    let tree = client.succeed("directory_tree", json!({"path": "."})).await;
    if !running_as_root {
        assert!(
            tree["errors"]
                .as_array()
                .is_some_and(|errors| !errors.is_empty()),
            "{tree}"
        );
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();

    // Invalid UTF-8 names are listed lossily, not fatally.
    let name = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"bad\xffname");
    std::fs::write(fixture.root.join(name), "x").unwrap();
    let listing = client.succeed("list_directory", json!({"path": "."})).await;
    assert!(
        listing["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|entry| entry["invalid_utf8"] == true)
    );
    client.close().await;
}

#[tokio::test]
async fn per_directory_read_only_refuses_writes_there_only() {
    let fixture = Fixture::new();
    let reference = fixture.root.join("docs");
    let client = fixture
        .client_with(Settings {
            directories: vec![fixture.root.join("docs/deep")],
            read_only_directories: vec![reference.clone()],
            ..Settings::default()
        })
        .await;
    let allowed = client.succeed("list_allowed_directories", json!({})).await;
    assert_eq!(allowed["directories"][1]["access"], "read_only");
    let refused = client
        .fail(
            "write_file",
            json!({"path": reference.join("x.txt").display().to_string(), "content": "x"}),
        )
        .await;
    assert_eq!(code(&refused), "read_only");
    client
        .succeed(
            "write_file",
            json!({"path": fixture.root.join("docs/deep/ok.txt").display().to_string(), "content": "x"}),
        )
        .await;
    let read = client
        .succeed(
            "read_file",
            json!({"path": reference.join("notes.md").display().to_string()}),
        )
        .await;
    assert_eq!(read["total_lines"], 2);
    client.close().await;
}

#[test]
fn unusable_directories_fail_start_only_when_all_fail() {
    let fixture = Fixture::new();
    let missing = Path::new("/definitely/not/here");
    let error = FsServer::new(&Settings {
        directories: vec![missing.to_path_buf()],
        ..Settings::default()
    })
    .unwrap_err();
    assert!(
        error.to_string().contains("/definitely/not/here"),
        "{error}"
    );
    assert!(
        FsServer::new(&Settings {
            directories: vec![missing.to_path_buf(), fixture.root.clone()],
            ..Settings::default()
        })
        .is_ok()
    );
    assert!(FsServer::new(&Settings::default()).is_err());
}
