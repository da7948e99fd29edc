//! The one HTTP client every outbound request goes through, configured once: the SSRF-guarded
//! resolver, no proxy (a proxy would resolve names where the guard cannot see), no automatic
//! redirects (each hop is re-checked by its caller), timeouts and a user agent; and body reads
//! that stop at a byte cap however long or endless the body is.

use std::collections::HashSet;
use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use crate::guard::{AddressPolicy, BlockedAddress, GuardedResolver};

/// The user agent sent with every request; its first word is the robots.txt product token.
pub const USER_AGENT: &str = concat!(
    "mcp-search-server/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/mcp-toolkit/mcp-toolkit)"
);
/// The robots.txt product token.
pub const ROBOTS_AGENT: &str = "mcp-search-server";

/// How the client is set up.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Addresses URLs may reach.
    pub policy: Arc<AddressPolicy>,
    /// Host names whose addresses are not checked: the configured search backends.
    pub trusted_hosts: HashSet<String>,
    /// The longest a connection may take to open.
    pub connect_timeout: Duration,
}

/// Why a request failed, in terms a caller can report.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The host resolved to an address the policy refuses.
    #[error(transparent)]
    Blocked(#[from] BlockedAddress),
    /// No answer in time.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The connection could not be made (DNS failure, refused, TLS).
    #[error("cannot connect: {0}")]
    Connect(String),
    /// The answer broke off or was malformed.
    #[error("the answer broke off: {0}")]
    Body(String),
}

/// A response body read up to a cap.
#[derive(Debug)]
pub struct Body {
    /// The bytes read.
    pub bytes: Vec<u8>,
    /// Whether the body went on past the cap.
    pub truncated: bool,
}

/// The shared client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
}

impl Http {
    /// Builds the client.
    pub fn new(settings: HttpSettings) -> Result<Self, reqwest::Error> {
        let resolver = GuardedResolver::new(Arc::clone(&settings.policy), settings.trusted_hosts);
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .dns_resolver(Arc::new(resolver))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(settings.connect_timeout)
            .build()?;
        Ok(Self {
            client,
            policy: settings.policy,
        })
    }

    /// The address policy, for callers that check IP-literal hosts (which skip DNS).
    pub fn policy(&self) -> &AddressPolicy {
        &self.policy
    }

    /// Sends a GET with `headers`, waiting at most `timeout` for the response head.
    pub async fn get(
        &self,
        url: url::Url,
        headers: &[(&str, &str)],
        timeout: Duration,
    ) -> Result<reqwest::Response, HttpError> {
        let mut request = self.client.get(url).timeout(timeout);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request
            .send()
            .await
            .map_err(|error| classify(error, timeout))
    }

    /// Reads at most `cap` bytes of `response`'s body within `timeout` (which bounds a body
    /// that trickles in forever, too).
    pub async fn read_body(
        mut response: reqwest::Response,
        cap: usize,
        timeout: Duration,
    ) -> Result<Body, HttpError> {
        let read = async {
            let mut bytes = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|error| classify(error, timeout))?
            {
                let room = cap - bytes.len();
                if chunk.len() > room {
                    bytes.extend_from_slice(&chunk[..room]);
                    return Ok(Body {
                        bytes,
                        truncated: true,
                    });
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(Body {
                bytes,
                truncated: false,
            })
        };
        tokio::time::timeout(timeout, read)
            .await
            .map_err(|_| HttpError::Timeout(timeout))?
    }
}

fn classify(error: reqwest::Error, timeout: Duration) -> HttpError {
    let mut source = error.source();
    while let Some(inner) = source {
        if let Some(blocked) = inner.downcast_ref::<BlockedAddress>() {
            return HttpError::Blocked(BlockedAddress {
                host: blocked.host.clone(),
                address: blocked.address,
            });
        }
        source = inner.source();
    }
    if error.is_timeout() {
        HttpError::Timeout(timeout)
    } else if error.is_connect() {
        HttpError::Connect(root_cause(&error))
    } else {
        HttpError::Body(root_cause(&error))
    }
}

/// The innermost message of an error chain, which is the one that says what happened.
fn root_cause(error: &reqwest::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        message = inner.to_string();
        source = inner.source();
    }
    message
}
