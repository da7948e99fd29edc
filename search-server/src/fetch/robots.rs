//! robots.txt, per RFC 9309: a 2xx file is obeyed, a 4xx means no rules, and a 5xx or an
//! unreachable file means "disallow everything" (the reference fetch server allowed on 5xx).
//! One file per origin, cached.

use std::sync::Arc;

use texting_robots::Robot;
use url::Url;

use crate::http::ROBOTS_AGENT;

/// What an origin's robots.txt says about us.
#[derive(Clone)]
pub enum Robots {
    /// No file (4xx), or a file that could not be parsed: everything is allowed.
    AllowAll,
    /// The file was unreachable or answered 5xx: nothing is allowed, for this reason.
    DisallowAll(String),
    /// The file's rules.
    Rules(Arc<Robot>),
}

impl std::fmt::Debug for Robots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::AllowAll => f.write_str("AllowAll"),
            Self::DisallowAll(reason) => f.debug_tuple("DisallowAll").field(reason).finish(),
            Self::Rules(_) => f.write_str("Rules"),
        }
    }
}

impl Robots {
    /// The verdict for a robots.txt answered with `status` and `body`.
    pub fn from_answer(status: u16, body: &[u8]) -> Self {
        match status {
            200..=299 => match Robot::new(ROBOTS_AGENT, body) {
                Ok(robot) => Self::Rules(Arc::new(robot)),
                Err(_) => Self::AllowAll,
            },
            400..=499 => Self::AllowAll,
            _ => Self::DisallowAll(format!("robots.txt answered HTTP {status}")),
        }
    }

    /// Why `url` may not be fetched, or `None` if it may.
    pub fn refusal(&self, url: &Url) -> Option<String> {
        match self {
            Self::AllowAll => None,
            Self::DisallowAll(reason) => Some(format!(
                "{reason}, which RFC 9309 says to treat as disallowing everything"
            )),
            Self::Rules(robot) => (!robot.allowed(url.as_str()))
                .then(|| format!("robots.txt disallows {} for {ROBOTS_AGENT}", url.path())),
        }
    }
}

/// The robots.txt URL of `url`'s origin.
pub fn robots_url(url: &Url) -> Url {
    let mut robots = url.clone();
    robots.set_path("/robots.txt");
    robots.set_query(None);
    robots.set_fragment(None);
    robots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn rules_status_codes_and_groups() {
        let body = b"User-agent: *\nDisallow: /private\n\nUser-agent: mcp-search-server\nDisallow: /no-bots\n";
        let robots = Robots::from_answer(200, body);
        assert!(
            robots
                .refusal(&url("https://a.example/no-bots/x"))
                .is_some()
        );
        // Our own group replaces the `*` group, as the RFC says.
        assert!(robots.refusal(&url("https://a.example/private")).is_none());
        assert!(
            Robots::from_answer(404, b"")
                .refusal(&url("https://a.example/x"))
                .is_none()
        );
        assert!(
            Robots::from_answer(503, b"")
                .refusal(&url("https://a.example/x"))
                .is_some()
        );
        assert_eq!(
            robots_url(&url("https://a.example:8443/a/b?q#f")).as_str(),
            "https://a.example:8443/robots.txt"
        );
    }
}
