//! Where a client wants to go: an address, or a host name still to be resolved.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// The longest name DNS can carry, without the optional final dot (RFC 1035 §2.3.4).
const MAX_NAME: usize = 253;
/// The longest label (RFC 1035 §2.3.4).
const MAX_LABEL: usize = 63;

/// A connection or datagram target: an address, or a host name and port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// An IPv4 or IPv6 address and port.
    Addr(SocketAddr),
    /// A host name, resolved later (through the tunnel's DNS), and port.
    Domain(Domain, u16),
}

impl Target {
    /// A target from a host as a client wrote it (a name, an IPv4 literal, or an IPv6
    /// literal with or without brackets) and a port. Clients often send literals where a
    /// name may stand (`curl --socks5-hostname 10.0.0.1`), and those must not go to DNS.
    pub fn from_host(host: &[u8], port: u16) -> Result<Target, DomainError> {
        if let Some(ip) = parse_ip_literal(host) {
            return Ok(Target::Addr(SocketAddr::new(ip, port)));
        }
        Ok(Target::Domain(Domain::new(host)?, port))
    }

    /// The port.
    pub fn port(&self) -> u16 {
        match self {
            Target::Addr(addr) => addr.port(),
            Target::Domain(_, port) => *port,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Addr(addr) => write!(f, "{addr}"),
            Target::Domain(name, port) => write!(f, "{name}:{port}"),
        }
    }
}

fn parse_ip_literal(host: &[u8]) -> Option<IpAddr> {
    let text = std::str::from_utf8(host).ok()?;
    let bare = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    bare.parse().ok()
}

/// A host name checked to be something DNS can carry: ASCII letters, digits, `-` and `_`
/// in dot-separated labels of 1 to 63 bytes, at most 253 bytes without the optional final
/// dot. Anything else (spaces, control bytes, non-ASCII, empty labels) is refused before it
/// reaches a resolver or a log line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Domain(Box<str>);

/// Why bytes are not a usable host name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainError {
    /// No bytes at all (or only a dot).
    Empty,
    /// Longer than 253 bytes without the final dot.
    TooLong,
    /// A label is empty (`a..b`, `.a`) or longer than 63 bytes.
    BadLabel,
    /// A byte that is not a letter, digit, `-`, `_` or `.`.
    BadByte(u8),
}

impl Domain {
    /// Checks `bytes` and keeps them as they are (DNS compares names case-insensitively).
    pub fn new(bytes: &[u8]) -> Result<Domain, DomainError> {
        let name = bytes.strip_suffix(b".").unwrap_or(bytes);
        if name.is_empty() {
            return Err(DomainError::Empty);
        }
        if name.len() > MAX_NAME {
            return Err(DomainError::TooLong);
        }
        if let Some(&b) = name
            .iter()
            .find(|&&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
        {
            return Err(DomainError::BadByte(b));
        }
        if name
            .split(|&b| b == b'.')
            .any(|label| label.is_empty() || label.len() > MAX_LABEL)
        {
            return Err(DomainError::BadLabel);
        }
        // Only ASCII bytes passed the check above, so this cannot fail; map rather than unwrap.
        let text = std::str::from_utf8(bytes).map_err(|_| DomainError::BadByte(0x80))?;
        Ok(Domain(text.into()))
    }

    /// The name as received (with its final dot, if it had one).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DomainError::Empty => f.write_str("empty host name"),
            DomainError::TooLong => f.write_str("host name longer than 253 bytes"),
            DomainError::BadLabel => f.write_str("host name with an empty or over-long label"),
            DomainError::BadByte(b) => write!(f, "host name with byte 0x{b:02x}"),
        }
    }
}

impl std::error::Error for DomainError {}

#[cfg(test)]
mod tests;
