//! `fetch_url` against sites served on loopback by the test (the SSRF guard's loopback
//! exception is switched on here, and only here, with `fetch_allow`): conversion, charsets,
//! paging that never splits a character, redirects re-checked hop by hop, robots.txt, byte
//! caps, endless and lying bodies, binary content, and every refused address.

// Fixture helpers outside #[test] functions: a setup that fails must fail the test loudly.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use futures::StreamExt as _;
use search_server::guard::AddressPolicy;
use search_server::http::{Http, HttpError, HttpSettings};
use search_server::{SearchServer, Settings};
use serde_json::json;
use shared::ToolServer;
use shared::testing::TestClient;
use support::fake::{FakeServer, serve, serve_raw};

const PAGE: &str = "<!DOCTYPE html><html><head><title>The Page</title><style>body{}</style></head>\
<body><h1>Welcome</h1><script>document.write('tracking')</script><p>Some <a href=\"/next\">linked</a> text.</p>\
<ul><li>one</li><li>two</li></ul></body></html>";

fn typed(content_type: &'static str, body: impl Into<Body>) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body.into()).into_response()
}

fn site() -> axum::Router {
    axum::Router::new()
        .route("/robots.txt", get(|| async { "User-agent: *\nDisallow: /private\n" }))
        .route("/page.html", get(|| async { typed("text/html; charset=utf-8", PAGE) }))
        .route("/plain.txt", get(|| async { typed("text/plain", "just text\n") }))
        .route("/data.json", get(|| async { typed("application/json", "{\"a\": 1}") }))
        .route("/latin1", get(|| async { typed("text/html; charset=ISO-8859-1", &b"<html><body><p>caf\xe9 cr\xe8me</p></body></html>"[..]) }))
        .route("/sjis", get(|| async {
            let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("日本語のテキストです。東京都の天気は晴れです。");
            typed("text/plain", bytes.into_owned())
        }))
        .route("/untyped", get(|| async {
            let mut response = b"<html><body><p>sniffed html</p></body></html>"[..].into_response();
            response.headers_mut().remove(header::CONTENT_TYPE);
            response
        }))
        .route("/long", get(|| async { typed("text/plain; charset=utf-8", "αβγ😀".repeat(2500)) }))
        .route("/huge", get(|| async {
            let chunk = bytes_of("x".repeat(64 * 1024));
            let stream = futures::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone())).take(800);
            typed("text/plain", Body::from_stream(stream))
        }))
        .route("/trickle", get(|| async {
            let stream = futures::stream::unfold(0u32, |n| async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                (n < 1000).then(|| (Ok::<_, std::io::Error>(bytes_of("x".to_owned())), n + 1))
            });
            typed("text/plain", Body::from_stream(stream))
        }))
        .route("/binary", get(|| async { typed("application/octet-stream", &b"\x00\x01\x02"[..]) }))
        .route("/image.png", get(|| async { typed("image/png", &b"\x89PNG\r\n\x1a\n\x00"[..]) }))
        .route("/lying-text", get(|| async { typed("text/plain", &b"PK\x03\x04\x00\x00zip"[..]) }))
        .route("/script-only", get(|| async { typed("text/html", "<html><body><script>render()</script></body></html>") }))
        .route("/empty", get(|| async { StatusCode::NO_CONTENT }))
        .route("/private/secret", get(|| async { "secret" }))
        .route("/status/{code}", get(|Path(code): Path<u16>| async move { StatusCode::from_u16(code).unwrap() }))
        .route("/redirect", get(|| async { Redirect::temporary("/page.html") }))
        .route("/loop-a", get(|| async { Redirect::temporary("/loop-b") }))
        .route("/loop-b", get(|| async { Redirect::temporary("/loop-a") }))
        .route("/chain/{n}", get(|Path(n): Path<u32>| async move { Redirect::temporary(&format!("/chain/{}", n + 1)) }))
        .route("/to-metadata", get(|| async { Redirect::temporary("http://169.254.169.254/latest/meta-data/") }))
        .route("/to-private", get(|| async { Redirect::temporary("http://[::ffff:10.0.0.1]/") }))
        .route("/to-robots-blocked", get(|| async { Redirect::temporary("/private/secret") }))
        .route("/to-file", get(|| async { Redirect::temporary("file:///etc/passwd") }))
        .route("/no-location", get(|| async { StatusCode::FOUND }))
}

fn bytes_of(text: String) -> axum::body::Bytes {
    axum::body::Bytes::from(text)
}

/// A server whose fetch_url may reach loopback (tests only), with small caps.
async fn client_with(tune: impl FnOnce(&mut Settings)) -> TestClient {
    let mut settings = Settings {
        fetch_allow: vec!["127.0.0.0/8".parse().unwrap()],
        fetch_max_bytes: 1024 * 1024,
        fetch_timeout: Duration::from_secs(3),
        ..Settings::default()
    };
    tune(&mut settings);
    TestClient::connect(ToolServer::new(SearchServer::new(&settings).unwrap()))
        .await
        .unwrap()
}

async fn fixture() -> (FakeServer, TestClient) {
    (serve(site()).await, client_with(|_| {}).await)
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_become_markdown_and_text_passes_through() {
    let (site, client) = fixture().await;
    let page = client
        .succeed(
            "fetch_url",
            json!({"url": format!("{}/page.html", site.base)}),
        )
        .await;
    assert_eq!(page["title"], "The Page");
    assert_eq!(page["status"], 200);
    assert_eq!(page["content_type"], "text/html");
    assert_eq!(page["charset"], "UTF-8");
    let content = page["content"].as_str().unwrap();
    // Scripts and styles are gone; the structure is Markdown.
    assert_eq!(
        content,
        "# Welcome\n\nSome [linked](/next) text.\n\n*   one\n*   two"
    );
    assert_eq!(page["cached"], false);
    let again = client
        .succeed(
            "fetch_url",
            json!({"url": format!("{}/page.html", site.base)}),
        )
        .await;
    assert_eq!(again["cached"], true);
    let raw = client
        .succeed(
            "fetch_url",
            json!({"url": format!("{}/page.html", site.base), "raw": true}),
        )
        .await;
    assert_eq!(raw["content"], PAGE);

    let plain = client
        .succeed(
            "fetch_url",
            json!({"url": format!("{}/plain.txt", site.base)}),
        )
        .await;
    assert_eq!(
        (plain["content"].as_str(), plain["content_type"].as_str()),
        (Some("just text\n"), Some("text/plain"))
    );
    let data = client
        .succeed(
            "fetch_url",
            json!({"url": format!("{}/data.json", site.base)}),
        )
        .await;
    assert_eq!(data["content"], "{\"a\": 1}");
    let latin1 = client
        .succeed("fetch_url", json!({"url": format!("{}/latin1", site.base)}))
        .await;
    assert_eq!(
        (latin1["content"].as_str(), latin1["charset"].as_str()),
        (Some("café crème"), Some("windows-1252"))
    );
    let sjis = client
        .succeed("fetch_url", json!({"url": format!("{}/sjis", site.base)}))
        .await;
    assert_eq!(
        (sjis["content"].as_str(), sjis["charset"].as_str()),
        (
            Some("日本語のテキストです。東京都の天気は晴れです。"),
            Some("Shift_JIS")
        )
    );
    let untyped = client
        .succeed(
            "fetch_url",
            json!({"url": format!("{}/untyped", site.base)}),
        )
        .await;
    assert_eq!(
        (
            untyped["content"].as_str(),
            untyped["content_type"].as_str()
        ),
        (Some("sniffed html"), Some("text/html (sniffed)"))
    );
    let empty = client
        .succeed("fetch_url", json!({"url": format!("{}/empty", site.base)}))
        .await;
    assert_eq!(
        (empty["status"].as_u64(), empty["content"].as_str()),
        (Some(204), Some(""))
    );
    client.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn paging_never_splits_a_character_and_covers_the_page() {
    let (site, client) = fixture().await;
    let url = format!("{}/long", site.base);
    let expected = "αβγ😀".repeat(2500);
    let mut rebuilt = String::new();
    let mut start = 0;
    for _ in 0..100 {
        let page = client
            .succeed(
                "fetch_url",
                json!({"url": url, "start_index": start, "max_length": 999}),
            )
            .await;
        assert_eq!(page["total_chars"], 10_000);
        let content = page["content"].as_str().unwrap();
        assert_eq!(
            page["returned_chars"].as_u64(),
            Some(content.chars().count() as u64)
        );
        rebuilt.push_str(content);
        match page["next_start_index"].as_u64() {
            Some(next) => start = next,
            None => break,
        }
    }
    assert_eq!(rebuilt, expected);
    let beyond = client
        .fail("fetch_url", json!({"url": url, "start_index": 10_000}))
        .await;
    assert_eq!(beyond["code"], "start_beyond_end");
    for max_length in [0, 100_001, 1_000_000_000] {
        let error = client
            .fail("fetch_url", json!({"url": url, "max_length": max_length}))
            .await;
        assert_eq!(error["code"], "out_of_range");
    }
    let negative = client
        .fail("fetch_url", json!({"url": url, "start_index": -1}))
        .await;
    assert_eq!(negative["code"], "invalid_arguments");
    client.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_are_followed_and_rechecked_at_every_hop() {
    let (site, client) = fixture().await;
    let followed = client
        .succeed(
            "fetch_url",
            json!({"url": format!("{}/redirect", site.base)}),
        )
        .await;
    assert_eq!(followed["final_url"], format!("{}/page.html", site.base));
    assert_eq!(
        followed["redirects"],
        json!([format!("{}/page.html", site.base)])
    );
    for (path, code) in [
        ("/loop-a", "redirect_failed"),
        ("/chain/0", "redirect_failed"),
        ("/no-location", "redirect_failed"),
        ("/to-metadata", "blocked_address"),
        ("/to-private", "blocked_address"),
        ("/to-file", "unsupported_scheme"),
        ("/to-robots-blocked", "robots_disallowed"),
    ] {
        let error = client
            .fail("fetch_url", json!({"url": format!("{}{path}", site.base)}))
            .await;
        assert_eq!(error["code"].as_str(), Some(code), "{path}: {error}");
    }
    client.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn robots_txt_is_obeyed_unless_the_operator_says_otherwise() {
    let (site, client) = fixture().await;
    let refused = client
        .fail(
            "fetch_url",
            json!({"url": format!("{}/private/secret", site.base)}),
        )
        .await;
    assert_eq!(refused["code"], "robots_disallowed");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("/private/secret"),
        "{refused}"
    );
    client.close().await;

    // A robots.txt that answers 5xx disallows everything (RFC 9309).
    let failing = serve(
        axum::Router::new()
            .route(
                "/robots.txt",
                get(|| async { StatusCode::SERVICE_UNAVAILABLE }),
            )
            .route("/page", get(|| async { "page" })),
    )
    .await;
    let client = client_with(|_| {}).await;
    let error = client
        .fail(
            "fetch_url",
            json!({"url": format!("{}/page", failing.base)}),
        )
        .await;
    assert!(
        error["message"].as_str().unwrap().contains("503"),
        "{error}"
    );
    client.close().await;

    let client = client_with(|s| s.respect_robots = false).await;
    let read = client
        .succeed(
            "fetch_url",
            json!({"url": format!("{}/private/secret", site.base)}),
        )
        .await;
    assert_eq!(read["content"], "secret");
    let read = client
        .succeed(
            "fetch_url",
            json!({"url": format!("{}/page", failing.base)}),
        )
        .await;
    assert_eq!(read["content"], "page");
    client.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn huge_endless_lying_and_binary_bodies() {
    let (site, client) = fixture().await;
    let huge = client
        .succeed(
            "fetch_url",
            json!({"url": format!("{}/huge", site.base), "max_length": 10}),
        )
        .await;
    assert_eq!(
        (
            huge["body_truncated"].as_bool(),
            huge["total_chars"].as_u64()
        ),
        (Some(true), Some(1024 * 1024))
    );
    let trickle = client
        .fail(
            "fetch_url",
            json!({"url": format!("{}/trickle", site.base)}),
        )
        .await;
    assert_eq!(trickle["code"], "timeout");
    for path in ["/binary", "/image.png", "/lying-text"] {
        let error = client
            .fail("fetch_url", json!({"url": format!("{}{path}", site.base)}))
            .await;
        assert_eq!(error["code"], "not_text", "{path}");
    }
    let scripted = client
        .fail(
            "fetch_url",
            json!({"url": format!("{}/script-only", site.base)}),
        )
        .await;
    assert_eq!(scripted["code"], "empty_page");
    for status in [404, 410, 500, 403] {
        let error = client
            .fail(
                "fetch_url",
                json!({"url": format!("{}/status/{status}", site.base)}),
            )
            .await;
        assert_eq!(error["code"], "http_status");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains(&status.to_string())
        );
    }

    client.close().await;

    // Raw servers answer robots.txt with the same bytes, which would disallow everything.
    let client = client_with(|s| s.respect_robots = false).await;
    // A Content-Length that promises more than is sent.
    let liar = serve_raw(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nshort",
    )
    .await;
    let error = client
        .fail("fetch_url", json!({"url": format!("{}/", liar.base)}))
        .await;
    assert_eq!(error["code"], "transfer_failed");
    // Not HTTP at all.
    let garbage = serve_raw(b"SSH-2.0-OpenSSH_9.6\r\n").await;
    let error = client
        .fail("fetch_url", json!({"url": format!("{}/", garbage.base)}))
        .await;
    assert!(
        ["transfer_failed", "connect_failed"].contains(&error["code"].as_str().unwrap()),
        "{error}"
    );
    client.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_guard_refuses_every_private_address_by_default() {
    let site = serve(site()).await;
    let client = client_with(|s| s.fetch_allow.clear()).await;
    let port = site.addr.port();
    for url in [
        format!("http://127.0.0.1:{port}/page.html"),
        format!("http://127.1:{port}/page.html"),
        format!("http://2130706433:{port}/"),
        format!("http://0x7f000001:{port}/"),
        format!("http://017700000001:{port}/"),
        format!("http://0:{port}/"),
        format!("http://[::1]:{port}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        format!("http://localhost:{port}/"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://metadata.google.internal/".to_owned(),
        "http://10.0.0.1/".to_owned(),
        "http://172.16.0.1/".to_owned(),
        "http://192.168.0.1/".to_owned(),
        "http://100.64.0.1/".to_owned(),
        "http://[fd00::1]/".to_owned(),
    ] {
        let error = client.fail("fetch_url", json!({"url": url})).await;
        assert_eq!(error["code"], "blocked_address", "{url}");
    }
    for (url, code) in [
        ("file:///etc/passwd", "unsupported_scheme"),
        ("ftp://example.com/", "unsupported_scheme"),
        ("gopher://example.com/", "unsupported_scheme"),
        ("data:text/plain,hi", "unsupported_scheme"),
        ("javascript:alert(1)", "unsupported_scheme"),
        ("example.com", "invalid_url"),
        ("http://exa mple.com/", "invalid_url"),
        ("http://user:pass@example.com/", "credentials_in_url"),
        ("http://[fe80::1%25eth0]/", "invalid_url"),
    ] {
        let error = client.fail("fetch_url", json!({"url": url})).await;
        assert_eq!(error["code"], code, "{url}");
    }
    let long = client
        .fail(
            "fetch_url",
            json!({"url": format!("https://example.com/{}", "a".repeat(9000))}),
        )
        .await;
    assert_eq!(long["code"], "invalid_url");
    client.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_that_resolves_to_a_private_address_is_refused_after_dns() {
    let site = serve(site()).await;
    // The client's own resolver: `localhost` is looked up (no name rule applies here), and its
    // loopback answer is refused before any connection is made.
    let http = Http::new(HttpSettings {
        policy: Arc::new(AddressPolicy::default()),
        trusted_hosts: HashSet::new(),
        connect_timeout: Duration::from_secs(2),
    })
    .unwrap();
    let url = format!("http://localhost:{}/page.html", site.addr.port())
        .parse()
        .unwrap();
    match http.get(url, &[], Duration::from_secs(2)).await {
        Err(HttpError::Blocked(blocked)) => assert!(blocked.address.is_loopback(), "{blocked}"),
        other => panic!("expected a blocked address, got {other:?}"),
    }
    // A trusted host (a configured backend) resolves as usual.
    let trusted = Http::new(HttpSettings {
        policy: Arc::new(AddressPolicy::default()),
        trusted_hosts: HashSet::from(["localhost".to_owned()]),
        connect_timeout: Duration::from_secs(2),
    })
    .unwrap();
    let url = format!("http://localhost:{}/plain.txt", site.addr.port())
        .parse()
        .unwrap();
    assert_eq!(
        trusted
            .get(url, &[], Duration::from_secs(2))
            .await
            .unwrap()
            .status(),
        200
    );
}
