//! The reply (RFC 1928 §6): `VER REP RSV ATYP BND.ADDR BND.PORT`.

use super::address::write_address;
use super::{Target, VERSION};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};

/// REP: the outcome of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplyCode {
    /// X'00' succeeded.
    Succeeded,
    /// X'01' general SOCKS server failure.
    GeneralFailure,
    /// X'02' connection not allowed by ruleset.
    NotAllowed,
    /// X'03' network unreachable.
    NetworkUnreachable,
    /// X'04' host unreachable (also: a name that does not resolve).
    HostUnreachable,
    /// X'05' connection refused (the target answered with a reset).
    ConnectionRefused,
    /// X'06' TTL expired (an ICMP time-exceeded came back).
    TtlExpired,
    /// X'07' command not supported.
    CommandNotSupported,
    /// X'08' address type not supported.
    AddressTypeNotSupported,
}

impl ReplyCode {
    /// The code on the wire.
    pub fn code(self) -> u8 {
        match self {
            ReplyCode::Succeeded => 0,
            ReplyCode::GeneralFailure => 1,
            ReplyCode::NotAllowed => 2,
            ReplyCode::NetworkUnreachable => 3,
            ReplyCode::HostUnreachable => 4,
            ReplyCode::ConnectionRefused => 5,
            ReplyCode::TtlExpired => 6,
            ReplyCode::CommandNotSupported => 7,
            ReplyCode::AddressTypeNotSupported => 8,
        }
    }

    /// The code for a failed connect, for a stack that reports failures as `io::ErrorKind`.
    /// A timeout is "host unreachable": nothing answered, which is what that code says;
    /// "TTL expired" is kept for an ICMP time-exceeded, which the caller maps itself.
    pub fn from_io(kind: io::ErrorKind) -> ReplyCode {
        match kind {
            io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset => {
                ReplyCode::ConnectionRefused
            }
            io::ErrorKind::HostUnreachable | io::ErrorKind::TimedOut => ReplyCode::HostUnreachable,
            io::ErrorKind::NetworkUnreachable | io::ErrorKind::AddrNotAvailable => {
                ReplyCode::NetworkUnreachable
            }
            io::ErrorKind::PermissionDenied => ReplyCode::NotAllowed,
            _ => ReplyCode::GeneralFailure,
        }
    }
}

/// A reply: the code and the address the server bound (for CONNECT the local end of the
/// connection to the target, for UDP ASSOCIATE where the client sends its datagrams).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// REP.
    pub code: ReplyCode,
    /// BND.ADDR and BND.PORT.
    pub bound: Target,
}

impl Reply {
    /// A failure reply. RFC 1928 gives the bound address no meaning then; all-zero IPv4 is
    /// the shortest form and what clients expect.
    pub fn failure(code: ReplyCode) -> Reply {
        Reply {
            code,
            bound: Target::Addr(SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), 0)),
        }
    }

    /// Appends the reply to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[VERSION, self.code.code(), 0]);
        write_address(&self.bound, out);
    }

    /// The reply's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(22);
        self.write(&mut out);
        out
    }
}

#[cfg(test)]
mod tests;
