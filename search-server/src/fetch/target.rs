//! Which URLs `fetch_url` will request: `http` and `https` only, no credentials, and a host that
//! is a public address (IP literals are checked here; names are checked after DNS resolution by
//! the client's resolver, see [`crate::guard`]).

use std::collections::HashSet;
use std::net::IpAddr;

use url::{Host, Url};

use super::FetchError;
use crate::guard::AddressPolicy;

/// The longest URL accepted.
pub const MAX_URL_LEN: usize = 8192;

/// Parses and checks a URL given to `fetch_url` or found in a redirect.
pub fn check(
    text: &str,
    policy: &AddressPolicy,
    backends: &HashSet<String>,
) -> Result<Url, FetchError> {
    let text = text.trim();
    if text.len() > MAX_URL_LEN {
        return Err(FetchError::InvalidUrl(format!(
            "the URL is {} bytes long; at most {MAX_URL_LEN} are accepted",
            text.len()
        )));
    }
    let url = Url::parse(text).map_err(|error| match error {
        url::ParseError::RelativeUrlWithoutBase => FetchError::InvalidUrl(format!(
            "`{}` has no scheme; write it as https://…",
            shorten(text)
        )),
        other => FetchError::InvalidUrl(format!("`{}` is not a URL: {other}", shorten(text))),
    })?;
    check_url(url, policy, backends)
}

/// Checks an already parsed URL (a redirect target).
pub fn check_url(
    url: Url,
    policy: &AddressPolicy,
    backends: &HashSet<String>,
) -> Result<Url, FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::UnsupportedScheme(url.scheme().to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FetchError::Credentials);
    }
    let refused = |address: IpAddr| FetchError::Blocked {
        host: url.host_str().unwrap_or_default().to_owned(),
        address: Some(address),
    };
    match url.host() {
        None => return Err(FetchError::InvalidUrl(format!("`{url}` has no host"))),
        Some(Host::Ipv4(v4)) if !policy.permits(IpAddr::V4(v4)) => {
            return Err(refused(IpAddr::V4(v4)));
        }
        Some(Host::Ipv6(v6)) if !policy.permits(IpAddr::V6(v6)) => {
            return Err(refused(IpAddr::V6(v6)));
        }
        Some(Host::Domain(name)) if policy.refuses_name(name) || backends.contains(name) => {
            return Err(FetchError::Blocked {
                host: name.to_owned(),
                address: None,
            });
        }
        Some(_) => {}
    }
    Ok(url)
}

fn shorten(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> FetchError {
        match check(text, &AddressPolicy::default(), &HashSet::new()) {
            Ok(url) => panic!("{text} was accepted as {url}"),
            Err(error) => error,
        }
    }

    #[test]
    fn every_spelling_of_a_private_host_is_refused() {
        for text in [
            "http://127.0.0.1/",
            "http://127.1/",
            "http://0/",
            "http://0.0.0.0/",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://017700000001/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://10.0.0.1/",
            "http://172.16.0.1/",
            "http://192.168.0.1/",
            "http://100.64.0.1/",
            "http://[fd00::1]/",
            "http://localhost:8080/",
            "http://app.localhost/",
        ] {
            assert!(
                matches!(refused(text), FetchError::Blocked { .. }),
                "{text}"
            );
        }
        assert!(matches!(
            refused("http://[fe80::1%25eth0]/"),
            FetchError::InvalidUrl(_)
        ));
    }

    #[test]
    fn other_schemes_credentials_and_non_urls_are_refused() {
        for text in [
            "file:///etc/passwd",
            "ftp://example.com/",
            "gopher://example.com/",
            "data:text/plain,hi",
            "javascript:alert(1)",
            "about:blank",
        ] {
            assert!(
                matches!(refused(text), FetchError::UnsupportedScheme(_)),
                "{text}"
            );
        }
        assert!(matches!(
            refused("http://user:pass@example.com/"),
            FetchError::Credentials
        ));
        assert!(matches!(refused("example.com"), FetchError::InvalidUrl(_)));
        assert!(matches!(
            refused(&format!("https://example.com/{}", "a".repeat(9000))),
            FetchError::InvalidUrl(_)
        ));
    }

    #[test]
    fn a_configured_backend_is_not_fetchable() {
        let backends = HashSet::from(["searx.lan".to_owned()]);
        assert!(
            check(
                "https://searx.lan/search",
                &AddressPolicy::default(),
                &backends
            )
            .is_err()
        );
        assert!(check("https://example.com/", &AddressPolicy::default(), &backends).is_ok());
    }
}
