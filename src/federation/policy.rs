//! Who this node federates with: the allowlist or blocklist of the configuration, applied to
//! every inbound and outbound request, and the refusal of private addresses.

use std::net::IpAddr;

use url::Url;

use crate::config::{Config, FederationMode};

/// `host` or `host:port` of a URL, lowercased: how domains are written in the configuration.
pub fn authority(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    }
}

fn matches(entry: &str, authority: &str) -> bool {
    let host = authority.split(':').next().unwrap_or_default();
    entry == authority || entry == host || (!entry.contains(':') && host.ends_with(&format!(".{entry}")))
}

/// Whether this node may exchange activities with `authority` (`host` or `host:port`).
/// A blocked domain blocks its subdomains too; in allowlist mode only listed partners pass.
pub fn allows(config: &Config, authority: &str) -> bool {
    let authority = authority.to_ascii_lowercase();
    if authority == config.domain {
        return true;
    }
    if config.federation.blocked_domains.iter().any(|b| matches(b, &authority)) {
        return false;
    }
    match config.federation.mode {
        FederationMode::Open => true,
        FederationMode::Allowlist => config.federation.allowed_domains.iter().any(|a| matches(a, &authority)),
    }
}

/// Loopback, private, link-local, shared, documentation and unspecified addresses.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
                || (o[0] == 198 && (o[1] & 0xfe) == 18)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback() || v6.is_unspecified() || (s[0] & 0xfe00) == 0xfc00 || (s[0] & 0xffc0) == 0xfe80
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlist_and_blocklist() {
        let mut c = Config {
            domain: "a.example".into(),
            ..Config::default()
        };
        c.federation.blocked_domains = vec!["bad.example".into()];
        assert!(allows(&c, "anything.example"));
        assert!(!allows(&c, "bad.example"));
        assert!(!allows(&c, "sub.bad.example"));
        c.federation.mode = FederationMode::Allowlist;
        c.federation.allowed_domains = vec!["partner.example".into(), "localhost:8082".into()];
        assert!(allows(&c, "partner.example"));
        assert!(allows(&c, "a.example"));
        assert!(allows(&c, "localhost:8082"));
        assert!(!allows(&c, "localhost:8083"));
        assert!(!allows(&c, "anything.example"));
    }

    #[test]
    fn private_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.4",
            "169.254.1.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "0.0.0.0",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }
}
