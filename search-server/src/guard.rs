//! The SSRF guard: which addresses a URL given by a model may reach.
//!
//! A fetched URL is attacker-chosen text, so the server refuses every address that is not on the
//! public internet (loopback, private, link-local, carrier-grade NAT, cloud metadata, multicast,
//! reserved) in every spelling. Spelling is handled by parsing: the [`url`] crate reads `127.1`,
//! `2130706433`, `0x7f000001` and `017700000001` as the IPv4 address they mean, and
//! [`AddressPolicy::permits`] unwraps IPv6 forms that embed an IPv4 address (`::ffff:127.0.0.1`,
//! NAT64, 6to4). Host names are checked after DNS resolution, inside the HTTP client's resolver
//! ([`GuardedResolver`]), so the address that is checked is the address that is connected to,
//! and a name that answers differently on a second lookup (DNS rebinding) gains nothing.
//!
//! ```
//! use search_server::guard::AddressPolicy;
//!
//! let policy = AddressPolicy::default();
//! assert!(policy.permits("93.184.215.14".parse()?));
//! assert!(!policy.permits("169.254.169.254".parse()?));
//! assert!(!policy.permits("::ffff:127.0.0.1".parse()?));
//!
//! let tests = AddressPolicy::new(["127.0.0.1/32".parse()?]);
//! assert!(tests.permits("127.0.0.1".parse()?));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// IPv4 networks that are not the public internet (IANA special-purpose registry).
const NON_PUBLIC_V4: [Ipv4Net; 15] = [
    Ipv4Net::new_assert(Ipv4Addr::new(0, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(10, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(100, 64, 0, 0), 10),
    Ipv4Net::new_assert(Ipv4Addr::new(127, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(169, 254, 0, 0), 16),
    Ipv4Net::new_assert(Ipv4Addr::new(172, 16, 0, 0), 12),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 0, 0, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 0, 2, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 88, 99, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 168, 0, 0), 16),
    Ipv4Net::new_assert(Ipv4Addr::new(198, 18, 0, 0), 15),
    Ipv4Net::new_assert(Ipv4Addr::new(198, 51, 100, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(203, 0, 113, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(224, 0, 0, 0), 4),
    Ipv4Net::new_assert(Ipv4Addr::new(240, 0, 0, 0), 4),
];

/// IPv6 networks that are not the public internet. Forms that embed an IPv4 address are
/// unwrapped before this table is consulted.
const NON_PUBLIC_V6: [Ipv6Net; 9] = [
    Ipv6Net::new_assert(Ipv6Addr::UNSPECIFIED, 128),
    Ipv6Net::new_assert(Ipv6Addr::LOCALHOST, 128),
    Ipv6Net::new_assert(Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64),
    Ipv6Net::new_assert(Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23),
    Ipv6Net::new_assert(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32),
    Ipv6Net::new_assert(Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),
    Ipv6Net::new_assert(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10),
    Ipv6Net::new_assert(Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10),
    Ipv6Net::new_assert(Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),
];

/// Host names that always mean a machine-local or cloud-internal service.
const INTERNAL_NAMES: [&str; 4] = [
    "localhost",
    "metadata.google.internal",
    "metadata.goog",
    "instance-data",
];

/// Which addresses may be reached: the public internet, plus the networks an operator (or a
/// test) allows explicitly.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    allowed: Vec<IpNet>,
}

impl AddressPolicy {
    /// The public internet plus `allowed`.
    pub fn new(allowed: impl IntoIterator<Item = IpNet>) -> Self {
        Self {
            allowed: allowed.into_iter().collect(),
        }
    }

    /// Whether `ip` may be connected to.
    pub fn permits(&self, ip: IpAddr) -> bool {
        let ip = unwrap_embedded_v4(ip);
        is_public(ip) || self.allowed.iter().any(|net| net.contains(&ip))
    }

    /// Whether a host name is refused before any lookup: `localhost`, `*.localhost` and the
    /// cloud metadata names, unless an allowed network covers loopback (as in tests).
    pub fn refuses_name(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let local = host.ends_with(".localhost") || INTERNAL_NAMES.contains(&host.as_str());
        local && !self.permits(IpAddr::V4(Ipv4Addr::LOCALHOST))
    }
}

/// The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 address, which
/// reaches that IPv4 host; any other address unchanged.
fn unwrap_embedded_v4(ip: IpAddr) -> IpAddr {
    let IpAddr::V6(v6) = ip else { return ip };
    if let Some(v4) = v6.to_ipv4_mapped() {
        return IpAddr::V4(v4);
    }
    let segments = v6.segments();
    let octets = v6.octets();
    let embedded_tail = Ipv4Addr::new(octets[12], octets[13], octets[14], octets[15]);
    match segments {
        // ::a.b.c.d (deprecated IPv4-compatible), but not :: and ::1.
        [0, 0, 0, 0, 0, 0, high, _] if high != 0 => IpAddr::V4(embedded_tail),
        // 64:ff9b::/96, NAT64.
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => IpAddr::V4(embedded_tail),
        // 2002:aabb:ccdd::/48, 6to4.
        [0x2002, ..] => IpAddr::V4(Ipv4Addr::new(octets[2], octets[3], octets[4], octets[5])),
        _ => ip,
    }
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !NON_PUBLIC_V4.iter().any(|net| net.contains(&v4)),
        IpAddr::V6(v6) => !NON_PUBLIC_V6.iter().any(|net| net.contains(&v6)),
    }
}

/// A host name resolved only to addresses the policy refuses.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to {address}, which is not a public internet address")]
pub struct BlockedAddress {
    /// The name looked up.
    pub host: String,
    /// The first refused address.
    pub address: IpAddr,
}

/// The HTTP client's DNS resolver: the system resolver, with every answer checked against the
/// policy. Hosts in `trusted` (the operator's configured search backends) are not checked.
#[derive(Debug)]
pub struct GuardedResolver {
    policy: Arc<AddressPolicy>,
    trusted: HashSet<String>,
}

impl GuardedResolver {
    /// A resolver that applies `policy` to every host but the `trusted` ones.
    pub fn new(policy: Arc<AddressPolicy>, trusted: HashSet<String>) -> Self {
        Self { policy, trusted }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let policy = Arc::clone(&self.policy);
        let trusted = self.trusted.contains(&host);
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if trusted {
                return Ok(Box::new(found.into_iter()) as Addrs);
            }
            let (permitted, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = found
                .into_iter()
                .partition(|addr| policy.permits(addr.ip()));
            match (permitted.is_empty(), refused.first()) {
                // A name with any refused answer is refused whole: a mix of public and private
                // answers is how rebinding attacks hedge.
                (_, Some(refused)) => Err(Box::new(BlockedAddress {
                    host,
                    address: refused.ip(),
                }) as _),
                (false, None) => Ok(Box::new(permitted.into_iter()) as Addrs),
                (true, None) => Err(format!("{host} has no addresses").into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> bool {
        let ip: IpAddr = text.parse().unwrap();
        !AddressPolicy::default().permits(ip)
    }

    #[test]
    fn every_private_spelling_is_refused() {
        for text in [
            "127.0.0.1",
            "127.255.255.254",
            "0.0.0.0",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.0.1",
            "100.64.0.1",
            "169.254.169.254",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:7f00:1",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
        ] {
            assert!(refused(text), "{text} must be refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for text in [
            "1.1.1.1",
            "93.184.215.14",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!refused(text), "{text} must pass");
        }
    }

    #[test]
    fn an_allowed_network_opens_only_itself() {
        let policy = AddressPolicy::new(["127.0.0.1/32".parse().unwrap()]);
        assert!(policy.permits("127.0.0.1".parse().unwrap()));
        assert!(policy.permits("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!policy.permits("127.0.0.2".parse().unwrap()));
        assert!(!policy.permits("10.0.0.1".parse().unwrap()));
        assert!(!policy.refuses_name("localhost"));
        assert!(AddressPolicy::default().refuses_name("LOCALHOST."));
        assert!(AddressPolicy::default().refuses_name("api.localhost"));
        assert!(AddressPolicy::default().refuses_name("metadata.google.internal"));
    }
}
