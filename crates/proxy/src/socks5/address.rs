//! The address fields shared by requests, replies and UDP headers (RFC 1928 §4, §5):
//! ATYP, then 4 bytes (IPv4), a length byte and a name (domain), or 16 bytes (IPv6), then
//! the port in network byte order.

use super::target::{DomainError, Target};
use super::Parsed;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

/// ATYP of an IPv4 address.
pub(crate) const ATYP_IPV4: u8 = 1;
/// ATYP of a domain name.
pub(crate) const ATYP_DOMAIN: u8 = 3;
/// ATYP of an IPv6 address.
pub(crate) const ATYP_IPV6: u8 = 4;

/// Why an address field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddressError {
    /// An ATYP other than 1, 3 and 4.
    Type(u8),
    /// A domain name that is not one.
    Domain(DomainError),
}

/// Parses ATYP, address and port at the start of `buf`.
pub(crate) fn parse_address(buf: &[u8]) -> Result<Parsed<Target>, AddressError> {
    let Some(&atyp) = buf.first() else {
        return Ok(Parsed::Incomplete);
    };
    let (host_len, host_at) = match atyp {
        ATYP_IPV4 => (4, 1),
        ATYP_IPV6 => (16, 1),
        ATYP_DOMAIN => match buf.get(1) {
            Some(&len) => (usize::from(len), 2),
            None => return Ok(Parsed::Incomplete),
        },
        other => return Err(AddressError::Type(other)),
    };
    let used = host_at + host_len + 2;
    let Some(field) = buf.get(..used) else {
        return Ok(Parsed::Incomplete);
    };
    let host = &field[host_at..host_at + host_len];
    let port = u16::from_be_bytes([field[used - 2], field[used - 1]]);
    let target = match atyp {
        ATYP_IPV4 => Target::Addr(SocketAddr::new(
            Ipv4Addr::from(octets::<4>(host)).into(),
            port,
        )),
        ATYP_IPV6 => Target::Addr(SocketAddr::new(
            Ipv6Addr::from(octets::<16>(host)).into(),
            port,
        )),
        _ => Target::from_host(host, port).map_err(AddressError::Domain)?,
    };
    Ok(Parsed::Done { msg: target, used })
}

fn octets<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(bytes);
    out
}

/// Appends ATYP, address and port for `target`.
pub(crate) fn write_address(target: &Target, out: &mut Vec<u8>) {
    match target {
        Target::Addr(SocketAddr::V4(a)) => {
            out.push(ATYP_IPV4);
            out.extend_from_slice(&a.ip().octets());
        }
        Target::Addr(SocketAddr::V6(a)) => {
            out.push(ATYP_IPV6);
            out.extend_from_slice(&a.ip().octets());
        }
        Target::Domain(name, _) => {
            let bytes = name.as_str().as_bytes();
            out.push(ATYP_DOMAIN);
            // A `Domain` holds at most 254 bytes (253 and a final dot), so this never clips.
            out.push(u8::try_from(bytes.len()).unwrap_or(u8::MAX));
            out.extend_from_slice(&bytes[..bytes.len().min(255)]);
        }
    }
    out.extend_from_slice(&target.port().to_be_bytes());
}
