//! `web_search` against fake SearXNG and Brave servers on loopback that answer with the JSON
//! shapes the real services send (and with every failure they are known for): parameters,
//! ranking, domain filters, caching, retries on 5xx and timeouts only, rate limits that queue,
//! actionable errors, and bad arguments.

// Fixture helpers outside #[test] functions: a setup that fails must fail the test loudly.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use search_server::{SearchServer, Settings, WebBackendChoice};
use serde_json::{Value, json};
use shared::ToolServer;
use shared::testing::TestClient;
use support::fake::{FakeServer, serve};

/// A scripted answer: status, extra headers, body, and a delay before answering.
#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: String,
    delay: Duration,
}

impl Answer {
    fn status(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
            delay: Duration::ZERO,
        }
    }
}

/// What the fake backend saw and what it will answer next (a default result page once the
/// script runs out).
#[derive(Default)]
struct Backend {
    requests: Vec<(Instant, HashMap<String, String>, HeaderMap)>,
    script: VecDeque<Answer>,
}

type Shared = Arc<Mutex<Backend>>;

/// SearXNG's `/search?format=json` answer for `query`: three results, one of them on
/// another domain.
fn searxng_results(query: &str) -> Value {
    json!({
        "query": query,
        "number_of_results": 0,
        "results": [
            {"url": "https://docs.rs/tokio", "title": format!("{query} on docs.rs"), "content": "Tokio is a runtime.", "engine": "duckduckgo", "engines": ["duckduckgo"], "score": 3.0, "category": "general", "publishedDate": null},
            {"url": "https://tokio.rs/blog", "title": "Tokio blog", "content": "News.", "engine": "brave", "engines": ["brave"], "score": 2.0, "category": "general", "publishedDate": "2025-01-02T00:00:00"},
            {"url": "https://sub.docs.rs/x", "title": "Sub", "content": "Sub page.", "engine": "google", "engines": ["google"], "score": 1.0, "category": "general"}
        ],
        "answers": [], "corrections": [], "infoboxes": [], "suggestions": ["tokio rs"], "unresponsive_engines": []
    })
}

/// Brave's `/res/v1/web/search` answer.
fn brave_results(query: &str, count: usize) -> Value {
    let results: Vec<Value> = (0..count)
        .map(|i| json!({"type": "search_result", "title": format!("<strong>{query}</strong> result {i}"), "url": format!("https://example{i}.com/"), "description": format!("About <strong>{query}</strong> &amp; more"), "page_age": "2025-03-01T00:00:00", "age": "March 1, 2025", "language": "en", "family_friendly": true}))
        .collect();
    json!({"type": "search", "query": {"original": query, "more_results_available": true}, "mixed": {"type": "mixed", "main": []}, "web": {"type": "search", "results": results}})
}

async fn answer(
    state: &Shared,
    params: HashMap<String, String>,
    headers: HeaderMap,
    default: impl FnOnce(&HashMap<String, String>) -> Value,
) -> Response {
    let scripted = {
        let mut backend = state.lock().unwrap();
        backend
            .requests
            .push((Instant::now(), params.clone(), headers));
        backend.script.pop_front()
    };
    match scripted {
        Some(answer) => {
            tokio::time::sleep(answer.delay).await;
            let mut response =
                (StatusCode::from_u16(answer.status).unwrap(), answer.body).into_response();
            for (name, value) in answer.headers {
                response.headers_mut().insert(name, value.parse().unwrap());
            }
            response
        }
        None => axum::Json(default(&params)).into_response(),
    }
}

async fn fake_searxng(state: Shared) -> FakeServer {
    let router = axum::Router::new()
        .route(
            "/search",
            get(
                |State(state): State<Shared>,
                 Query(params): Query<HashMap<String, String>>,
                 headers: HeaderMap| async move {
                    answer(&state, params, headers, |p| searxng_results(&p["q"])).await
                },
            ),
        )
        .with_state(state);
    serve(router).await
}

async fn fake_brave(state: Shared) -> FakeServer {
    let router = axum::Router::new()
        .route(
            "/res/v1/web/search",
            get(|State(state): State<Shared>, Query(params): Query<HashMap<String, String>>, headers: HeaderMap| async move {
                if headers.get("x-subscription-token").and_then(|v| v.to_str().ok()) != Some("test-key") {
                    let body = json!({"type": "ErrorResponse", "error": {"id": "x", "status": 401, "code": "SUBSCRIPTION_TOKEN_INVALID", "detail": "The provided subscription token is invalid."}});
                    return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
                }
                answer(&state, params, headers, |p| brave_results(&p["q"], p["count"].parse().unwrap())).await
            }),
        )
        .with_state(state);
    serve(router).await
}

fn settings() -> Settings {
    Settings {
        web_rate_limit: 1000.0,
        web_timeout: Duration::from_secs(5),
        ..Settings::default()
    }
}

async fn client(settings: Settings) -> TestClient {
    TestClient::connect(ToolServer::new(SearchServer::new(&settings).unwrap()))
        .await
        .unwrap()
}

async fn searxng_client(server: &FakeServer, tune: impl FnOnce(&mut Settings)) -> TestClient {
    let mut settings = settings();
    settings.searxng_url = Some(server.base.parse().unwrap());
    tune(&mut settings);
    client(settings).await
}

fn hits(state: &Shared) -> usize {
    state.lock().unwrap().requests.len()
}

fn script(state: &Shared, answers: impl IntoIterator<Item = Answer>) {
    state.lock().unwrap().script.extend(answers);
}

#[tokio::test(flavor = "multi_thread")]
async fn searxng_results_parameters_filters_and_cache() {
    let state = Shared::default();
    let server = fake_searxng(state.clone()).await;
    let client = searxng_client(&server, |_| {}).await;

    let found = client
        .succeed("web_search", json!({"query": "tokio runtime", "count": 2, "page": 3, "safesearch": "strict", "time_range": "week", "language": "en"}))
        .await;
    assert_eq!(found["backend"], "searxng");
    assert_eq!(found["page"], 3);
    assert_eq!(found["cached"], false);
    assert_eq!(
        found["results"],
        json!([
            {"rank": 1, "title": "tokio runtime on docs.rs", "url": "https://docs.rs/tokio", "snippet": "Tokio is a runtime.", "source": "duckduckgo"},
            {"rank": 2, "title": "Tokio blog", "url": "https://tokio.rs/blog", "snippet": "News.", "published": "2025-01-02T00:00:00", "source": "brave"}
        ])
    );
    {
        let backend = state.lock().unwrap();
        let params = &backend.requests[0].1;
        assert_eq!(params["q"], "tokio runtime");
        assert_eq!(params["format"], "json");
        assert_eq!(params["pageno"], "3");
        assert_eq!(params["safesearch"], "2");
        assert_eq!(params["time_range"], "week");
        assert_eq!(params["language"], "en");
    }

    // The same search again comes from the cache.
    let again = client
        .succeed("web_search", json!({"query": "tokio runtime", "count": 2, "page": 3, "safesearch": "strict", "time_range": "week", "language": "en"}))
        .await;
    assert_eq!((again["cached"].as_bool(), hits(&state)), (Some(true), 1));

    // Domain filters go to the backend as site: operators and are enforced on the results.
    let only = client
        .succeed(
            "web_search",
            json!({"query": "tokio", "include_domains": ["docs.rs"]}),
        )
        .await;
    let urls: Vec<&str> = only["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls, ["https://docs.rs/tokio", "https://sub.docs.rs/x"]);
    assert_eq!(
        state.lock().unwrap().requests[1].1["q"],
        "tokio (site:docs.rs)"
    );
    let without = client
        .succeed(
            "web_search",
            json!({"query": "tokio", "exclude_domains": ["DOCS.rs"]}),
        )
        .await;
    assert_eq!(without["results"].as_array().unwrap().len(), 1);
    assert_eq!(without["results"][0]["rank"], 1);

    // Nothing found is an answer, not an error.
    script(
        &state,
        [Answer::status(200, r#"{"query": "zzz", "results": []}"#)],
    );
    let empty = client.succeed("web_search", json!({"query": "zzz"})).await;
    assert_eq!(
        (empty["results"].clone(), empty["more_available"].clone()),
        (json!([]), json!(false))
    );
    client.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn transient_failures_are_retried_and_others_are_not() {
    let state = Shared::default();
    let server = fake_searxng(state.clone()).await;
    let client = searxng_client(&server, |s| s.web_retries = 2).await;

    script(
        &state,
        [
            Answer::status(502, "bad gateway"),
            Answer::status(503, "busy"),
        ],
    );
    let recovered = client.succeed("web_search", json!({"query": "one"})).await;
    assert_eq!(
        (recovered["results"].as_array().unwrap().len(), hits(&state)),
        (3, 3)
    );

    script(&state, (0..3).map(|_| Answer::status(500, "boom")));
    let down = client.fail("web_search", json!({"query": "two"})).await;
    assert_eq!(
        (down["code"].as_str(), hits(&state)),
        (Some("backend_unavailable"), 6)
    );

    script(&state, [Answer::status(403, "Forbidden")]);
    let forbidden = client.fail("web_search", json!({"query": "three"})).await;
    assert_eq!(
        (forbidden["code"].as_str(), hits(&state)),
        (Some("backend_refused"), 7)
    );
    assert!(
        forbidden["hint"]
            .as_str()
            .unwrap()
            .contains("search.formats"),
        "{forbidden}"
    );

    script(&state, [Answer::status(400, "bad pageno")]);
    let rejected = client.fail("web_search", json!({"query": "four"})).await;
    assert_eq!(
        (rejected["code"].as_str(), hits(&state)),
        (Some("backend_rejected"), 8)
    );
    assert!(rejected["message"].as_str().unwrap().contains("bad pageno"));

    let mut limited = Answer::status(429, "slow down");
    limited.headers.push(("retry-after", "7"));
    script(&state, [limited]);
    let error = client.fail("web_search", json!({"query": "five"})).await;
    assert_eq!(
        (error["code"].as_str(), hits(&state)),
        (Some("rate_limited"), 9)
    );
    assert!(
        error["hint"].as_str().unwrap().contains("7 seconds"),
        "{error}"
    );
    client.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_answers_and_timeouts_are_reported() {
    let state = Shared::default();
    let server = fake_searxng(state.clone()).await;
    let client = searxng_client(&server, |s| {
        s.web_retries = 1;
        s.web_timeout = Duration::from_millis(300);
    })
    .await;

    script(&state, [Answer::status(200, "{\"results\": [tru")]);
    let broken = client.fail("web_search", json!({"query": "a"})).await;
    assert_eq!(broken["code"], "backend_malformed");
    script(
        &state,
        [Answer::status(
            200,
            "<!DOCTYPE html><html><body>Are you a robot?</body></html>",
        )],
    );
    let interstitial = client.fail("web_search", json!({"query": "b"})).await;
    assert!(
        interstitial["message"]
            .as_str()
            .unwrap()
            .contains("HTML page instead of JSON"),
        "{interstitial}"
    );

    let before = hits(&state);
    let mut slow = Answer::status(200, "{}");
    slow.delay = Duration::from_secs(3);
    script(&state, [slow.clone(), slow]);
    let timeout = client.fail("web_search", json!({"query": "c"})).await;
    assert_eq!(
        (timeout["code"].as_str(), hits(&state) - before),
        (Some("backend_timeout"), 2)
    );
    client.close().await;

    // A backend that is not running at all.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut settings = settings();
    settings.searxng_url = Some(format!("http://{closed}").parse().unwrap());
    let client = self::client(settings).await;
    let unreachable = client.fail("web_search", json!({"query": "d"})).await;
    assert_eq!(unreachable["code"], "backend_unreachable");
    client.close().await;
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_searches_is_queued_not_refused() {
    let state = Shared::default();
    let server = fake_searxng(state.clone()).await;
    let client = Arc::new(searxng_client(&server, |s| s.web_rate_limit = 5.0).await);
    let calls: Vec<_> = (0..4)
        .map(|i| {
            let client = Arc::clone(&client);
            tokio::spawn(async move {
                client
                    .succeed("web_search", json!({"query": format!("burst {i}")}))
                    .await
            })
        })
        .collect();
    for call in calls {
        call.await.unwrap();
    }
    let backend = state.lock().unwrap();
    let mut times: Vec<Instant> = backend.requests.iter().map(|r| r.0).collect();
    times.sort();
    assert_eq!(times.len(), 4);
    for pair in times.windows(2) {
        // 5 per second: the requests were spaced, never sent together.
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(150),
            "{:?}",
            pair[1] - pair[0]
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn brave_key_paging_and_errors() {
    let state = Shared::default();
    let server = fake_brave(state.clone()).await;
    let mut settings = settings();
    settings.brave_api_key = Some("test-key".to_owned());
    settings.brave_endpoint = format!("{}/res/v1/web/search", server.base)
        .parse()
        .unwrap();
    let client = client(settings.clone()).await;

    let found = client.succeed("web_search", json!({"query": "rust", "count": 3, "page": 2, "time_range": "month", "safesearch": "off"})).await;
    assert_eq!(found["backend"], "brave");
    assert_eq!(found["more_available"], true);
    assert_eq!(
        found["results"][0],
        json!({"rank": 1, "title": "rust result 0", "url": "https://example0.com/", "snippet": "About rust & more", "published": "2025-03-01T00:00:00"})
    );
    assert_eq!(found["results"].as_array().unwrap().len(), 3);
    {
        let backend = state.lock().unwrap();
        let params = &backend.requests[0].1;
        assert_eq!(
            (
                params["count"].as_str(),
                params["offset"].as_str(),
                params["freshness"].as_str(),
                params["safesearch"].as_str()
            ),
            ("3", "1", "pm", "off")
        );
    }
    let beyond = client
        .fail("web_search", json!({"query": "rust", "page": 11}))
        .await;
    assert_eq!(
        (beyond["code"].as_str(), beyond["field"].as_str()),
        (Some("out_of_range"), Some("page"))
    );

    let mut limited = Answer::status(
        429,
        r#"{"type":"ErrorResponse","error":{"code":"RATE_LIMITED","status":429}}"#,
    );
    limited.headers.push(("x-ratelimit-reset", "2, 1419704"));
    script(&state, [limited]);
    let error = client.fail("web_search", json!({"query": "limited"})).await;
    assert!(
        error["hint"].as_str().unwrap().contains("2 seconds"),
        "{error}"
    );
    client.close().await;

    settings.brave_api_key = Some("wrong".to_owned());
    let wrong = self::client(settings).await;
    let refused = wrong.fail("web_search", json!({"query": "rust"})).await;
    assert_eq!(refused["code"], "backend_refused");
    assert!(
        refused["hint"].as_str().unwrap().contains("BRAVE_API_KEY"),
        "{refused}"
    );
    wrong.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_backend_says_how_to_configure_one_and_bad_arguments_are_refused() {
    let client = client(Settings {
        web_backend: WebBackendChoice::Auto,
        ..settings()
    })
    .await;
    let error = client
        .fail("web_search", json!({"query": "anything"}))
        .await;
    assert_eq!(error["code"], "no_web_backend");
    let hint = error["hint"].as_str().unwrap();
    assert!(
        hint.contains("--searxng-url") && hint.contains("BRAVE_API_KEY"),
        "{hint}"
    );
    client.close().await;

    let state = Shared::default();
    let server = fake_searxng(state.clone()).await;
    let client = searxng_client(&server, |_| {}).await;
    let many_words = vec!["word"; 51].join(" ");
    let many_domains: Vec<String> = (0..21).map(|i| format!("d{i}.com")).collect();
    for (args, code) in [
        (json!({"query": ""}), "invalid_query"),
        (json!({"query": " \t "}), "invalid_query"),
        (json!({"query": "x".repeat(401)}), "invalid_query"),
        (json!({"query": many_words}), "invalid_query"),
        (json!({"query": "a\u{7}b"}), "invalid_query"),
        (json!({"query": "q", "count": 0}), "out_of_range"),
        (json!({"query": "q", "count": 21}), "out_of_range"),
        (json!({"query": "q", "count": -1}), "invalid_arguments"),
        (json!({"query": "q", "count": 1.5}), "invalid_arguments"),
        (json!({"query": "q", "page": 0}), "out_of_range"),
        (
            json!({"query": "q", "time_range": "hour"}),
            "invalid_arguments",
        ),
        (
            json!({"query": "q", "safesearch": "2"}),
            "invalid_arguments",
        ),
        (
            json!({"query": "q", "language": "english!"}),
            "invalid_language",
        ),
        (
            json!({"query": "q", "include_domains": ["https://docs.rs/tokio"]}),
            "invalid_domain",
        ),
        (
            json!({"query": "q", "exclude_domains": ["*.example.com"]}),
            "invalid_domain",
        ),
        (
            json!({"query": "q", "include_domains": many_domains}),
            "too_many_domains",
        ),
    ] {
        let error = client.fail("web_search", args.clone()).await;
        assert_eq!(error["code"].as_str(), Some(code), "{args}: {error}");
    }
    assert_eq!(hits(&state), 0, "no bad request reached the backend");
    client.close().await;
}
