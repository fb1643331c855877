//! A resolver that never asks the network, for checking a file on a machine that cannot (or
//! should not) resolve its endpoints.

use super::Resolver;
use crate::error::{Error, ErrorKind};
use crate::value::parse_ip;
use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6};

/// Accepts numeric endpoints as the system resolver would, and host names that are
/// well-formed DNS names without looking them up: such an endpoint is given the unspecified
/// address `0.0.0.0` with its port. Ports (numbers or UDP service names) are read from the
/// local services database through `getaddrinfo`, which does not use the network.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineResolver;

impl Resolver for OfflineResolver {
    fn resolve_endpoint(
        &mut self,
        host: &str,
        service: &str,
        original: &str,
    ) -> Result<SocketAddr, Error> {
        let port = self.resolve_port(service)?;
        if let Some((address, zone)) = host.split_once('%') {
            // A scoped IPv6 address; the zone is checked for form only, since the interface
            // it names may exist only where the file is used.
            let ip = address.parse::<Ipv6Addr>().ok().filter(|_| is_zone(zone));
            let ip = ip.ok_or_else(|| not_an_endpoint(original))?;
            return Ok(SocketAddr::V6(SocketAddrV6::new(ip, port, 0, 0)));
        }
        if let Ok(ip) = parse_ip(host) {
            return Ok(SocketAddr::new(ip, port));
        }
        if is_host_name(host) {
            return Ok(SocketAddr::new([0, 0, 0, 0].into(), port));
        }
        Err(not_an_endpoint(original))
    }

    fn resolve_port(&mut self, service: &str) -> Result<u16, Error> {
        let mut notify = |_: &str| {};
        super::SystemResolver::new(&mut notify).resolve_port(service)
    }
}

fn not_an_endpoint(original: &str) -> Error {
    Error::new(
        ErrorKind::Syntax,
        format!("Endpoint host is neither an IP address nor a host name: `{original}'"),
    )
}

/// An interface name or number after `%`.
fn is_zone(zone: &str) -> bool {
    is_label_text(zone) && zone.len() <= 15
}

/// A DNS name: dot-separated labels of 1 to 63 letters, digits, `-` or `_` (not starting or
/// ending with `-`), at most 253 characters, an optional final dot. A name that is all
/// digits and dots is a malformed IPv4 address, not a name.
#[must_use]
pub fn is_host_name(host: &str) -> bool {
    let name = host.strip_suffix('.').unwrap_or(host);
    if name.is_empty() || name.len() > 253 || name.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return false;
    }
    name.split('.').all(|label| {
        (1..=63).contains(&label.len())
            && is_label_text(label)
            && !label.starts_with('-')
            && !label.ends_with('-')
    })
}

fn is_label_text(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(value: &str) -> Result<SocketAddr, String> {
        let (host, service) = crate::value::split_endpoint(value).map_err(|e| e.to_string())?;
        OfflineResolver
            .resolve_endpoint(host, service, value)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn numeric_endpoints_are_exact() {
        assert_eq!(
            endpoint("192.0.2.1:51820"),
            Ok("192.0.2.1:51820".parse().unwrap())
        );
        assert_eq!(
            endpoint("[2001:db8::1]:443"),
            Ok("[2001:db8::1]:443".parse().unwrap())
        );
        assert_eq!(
            endpoint("[fe80::1%eth0]:1"),
            Ok("[fe80::1]:1".parse().unwrap())
        );
    }

    #[test]
    fn names_are_accepted_unresolved() {
        for name in [
            "vpn.example.com:51820",
            "vpn:1",
            "a-b.c_d.example.:2",
            "xn--bcher-kva.example:3",
        ] {
            assert_eq!(
                endpoint(name).map(|a| a.ip().is_unspecified()),
                Ok(true),
                "{name}"
            );
        }
    }

    #[test]
    fn malformed_hosts_are_errors() {
        for bad in [
            "10.0.0.300:1",
            "-vpn.example:1",
            "vpn..example:1",
            "a b:1",
            "[fe80::1%]:1",
            "[10.0.0.1%eth0]:1",
            "vpn/x:1",
        ] {
            let e = endpoint(bad).unwrap_err();
            assert!(
                e.contains("neither an IP address nor a host name"),
                "{bad}: {e}"
            );
        }
        assert_eq!(
            endpoint("vpn.example.com:nosuchservice").unwrap_err(),
            "Servname not supported for ai_socktype: `nosuchservice'"
        );
        let long = format!("{}.example:1", "a".repeat(64));
        assert!(endpoint(&long).is_err());
    }
}
