//! The Streamable HTTP face of a server: `/mcp` for MCP and `/healthz` for liveness.
//!
//! DNS-rebinding protection stays on: only loopback names (plus the bound address and any
//! `--allowed-host`) are accepted in `Host`, and a browser `Origin` must name one of them. With
//! a bearer token, `/mcp` also requires `Authorization: Bearer <token>` (`/healthz` does not).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rmcp::ServerHandler;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::json;
use subtle::ConstantTimeEq;
use tokio_util::sync::CancellationToken;

use crate::{ServerIdentity, arguments};

/// The largest request body accepted on `/mcp`.
pub const MAX_REQUEST_BODY_BYTES: usize = 4 << 20;

/// Host names accepted on every server, whatever the flags say.
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// How the HTTP app is set up.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// No sessions: every request is served on its own (see `--stateless`).
    pub stateless: bool,
    /// Extra `Host` names to accept besides the loopback ones.
    pub allowed_hosts: Vec<String>,
    /// The token every `/mcp` request must carry, if any.
    pub bearer_token: Option<BearerToken>,
}

/// A secret that clients must present as `Authorization: Bearer <token>`. Never printed.
#[derive(Clone)]
pub struct BearerToken(Arc<str>);

impl BearerToken {
    /// The token clients will have to send.
    pub fn new(token: impl Into<Arc<str>>) -> Self {
        Self(token.into())
    }

    /// Whether an `Authorization` header value carries this token; compared in constant time.
    fn admits(&self, authorization: &str) -> bool {
        let Some((scheme, token)) = authorization.split_once(' ') else {
            return false;
        };
        scheme.eq_ignore_ascii_case("bearer")
            && bool::from(token.trim().as_bytes().ct_eq(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(..)")
    }
}

impl HttpOptions {
    /// The options a server binding `bind` gets from its flags: a specific bound address is
    /// accepted as a `Host` too, since that is how clients will reach it.
    pub fn for_bind(bind: SocketAddr, stateless: bool, extra_hosts: &[String]) -> Self {
        let mut allowed_hosts = extra_hosts.to_vec();
        if !bind.ip().is_unspecified() && !bind.ip().is_loopback() {
            allowed_hosts.push(bind.ip().to_string());
        }
        Self {
            stateless,
            allowed_hosts,
            bearer_token: None,
        }
    }

    fn hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = LOOPBACK_HOSTS.iter().map(|h| (*h).to_owned()).collect();
        for host in &self.allowed_hosts {
            if !hosts.contains(host) {
                hosts.push(host.clone());
            }
        }
        hosts
    }

    fn origins(&self) -> Vec<String> {
        let mut origins = Vec::new();
        for host in self.hosts() {
            let authority = match host.parse::<IpAddr>() {
                Ok(IpAddr::V6(_)) => format!("[{host}]"),
                _ => host,
            };
            origins.push(format!("http://{authority}:*"));
            origins.push(format!("https://{authority}:*"));
        }
        origins
    }
}

/// Builds the app for `server` (each session gets a clone); `shutdown` ends every session
/// when cancelled.
pub fn app<S>(
    server: S,
    identity: ServerIdentity,
    options: &HttpOptions,
    shutdown: CancellationToken,
) -> Router
where
    S: ServerHandler + Clone + Send + Sync + 'static,
{
    let mut config = StreamableHttpServerConfig::default()
        .with_cancellation_token(shutdown)
        .with_allowed_hosts(options.hosts())
        .with_allowed_origins(options.origins())
        .with_max_request_body_bytes(MAX_REQUEST_BODY_BYTES);
    if options.stateless {
        config = config
            .with_legacy_session_mode(false)
            .with_json_response(true);
    }
    let mcp = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let health = json!({ "status": "ok", "name": identity.name, "version": identity.version });
    let mut router = Router::new()
        .route_service("/mcp", mcp)
        .layer(middleware::from_fn(guard_arguments));
    if let Some(token) = options.bearer_token.clone() {
        router = router.layer(middleware::from_fn_with_state(token, require_bearer));
    }
    router.route("/healthz", get(move || async move { Json(health) }))
}

/// Refuses a request without the bearer token, with 401 and the challenge RFC 6750 asks for.
async fn require_bearer(
    State(token): State<BearerToken>,
    request: Request,
    next: Next,
) -> Response {
    let admitted = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| token.admits(value));
    if admitted {
        return next.run(request).await;
    }
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        "this server requires `Authorization: Bearer <token>`",
    )
        .into_response()
}

/// Runs [`arguments::rewrite`] over POSTed messages, as the stdio path does line by line.
async fn guard_arguments(request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_REQUEST_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body larger than {MAX_REQUEST_BODY_BYTES} bytes"),
            )
                .into_response();
        }
    };
    let body = match arguments::rewrite(&bytes) {
        Some(rewritten) => Body::from(rewritten),
        None => Body::from(bytes),
    };
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_token_under_the_bearer_scheme_is_admitted() {
        let token = BearerToken::new("s3cret");
        for admitted in ["Bearer s3cret", "bearer s3cret", "BEARER  s3cret "] {
            assert!(token.admits(admitted), "{admitted}");
        }
        for refused in [
            "s3cret",
            "Bearer",
            "Bearer ",
            "Bearer s3cre",
            "Bearer s3cret2",
            "Basic s3cret",
        ] {
            assert!(!token.admits(refused), "{refused}");
        }
        assert_eq!(format!("{token:?}"), "BearerToken(..)");
    }

    #[test]
    fn loopback_is_always_allowed_and_bound_addresses_are_added() {
        let options = HttpOptions::for_bind(
            "10.1.2.3:8101".parse().expect("addr"),
            false,
            &["mcp.internal".to_owned()],
        );
        let hosts = options.hosts();
        for host in ["localhost", "127.0.0.1", "::1", "mcp.internal", "10.1.2.3"] {
            assert!(
                hosts.iter().any(|h| h == host),
                "{host} missing from {hosts:?}"
            );
        }
        let origins = options.origins();
        assert!(origins.iter().any(|o| o == "http://[::1]:*"), "{origins:?}");
        assert!(
            origins.iter().any(|o| o == "https://mcp.internal:*"),
            "{origins:?}"
        );
    }

    #[test]
    fn wildcard_binds_add_no_host() {
        let options = HttpOptions::for_bind("0.0.0.0:8101".parse().expect("addr"), true, &[]);
        assert_eq!(options.hosts().len(), LOOPBACK_HOSTS.len());
    }
}
