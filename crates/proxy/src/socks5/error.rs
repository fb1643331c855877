//! What went wrong in a client's message, and what the server answers before it closes.

use super::address::AddressError;
use super::reply::ReplyCode;
use super::target::DomainError;
use std::fmt;

/// A message the server cannot accept. Every one ends the connection; [`Error::response`]
/// says what to send first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// A greeting whose version is not 5 (a SOCKS4 client, or not SOCKS at all).
    GreetingVersion(u8),
    /// A username/password sub-negotiation whose version is not 1 (RFC 1929 §2).
    AuthVersion(u8),
    /// A request whose version is not 5.
    RequestVersion(u8),
    /// A request command other than CONNECT, BIND and UDP ASSOCIATE.
    Command(u8),
    /// An address type other than IPv4, domain name and IPv6.
    AddressType(u8),
    /// A domain name that is not a host name.
    Domain(DomainError),
}

/// What the server sends before it closes the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// Nothing: the peer does not speak this protocol, so no reply could mean anything.
    Close,
    /// The RFC 1929 status "failure" ([`super::write_auth_status`]).
    AuthFailure,
    /// A reply with this code and an all-zero IPv4 bound address ([`super::Reply::failure`]).
    Reply(ReplyCode),
}

impl Error {
    /// The response RFC 1928 and RFC 1929 ask for (see `docs/proxy-protocols.md`).
    pub fn response(&self) -> Response {
        match self {
            Error::GreetingVersion(_) => Response::Close,
            Error::AuthVersion(_) => Response::AuthFailure,
            // The client negotiated version 5, so it can read a version 5 reply.
            Error::RequestVersion(_) => Response::Reply(ReplyCode::GeneralFailure),
            Error::Command(_) => Response::Reply(ReplyCode::CommandNotSupported),
            Error::AddressType(_) => Response::Reply(ReplyCode::AddressTypeNotSupported),
            // What the client would see had the name been sent to a resolver that refused it.
            Error::Domain(_) => Response::Reply(ReplyCode::HostUnreachable),
        }
    }
}

impl From<AddressError> for Error {
    fn from(e: AddressError) -> Error {
        match e {
            AddressError::Type(t) => Error::AddressType(t),
            AddressError::Domain(d) => Error::Domain(d),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::GreetingVersion(v) => write!(f, "greeting with version {v}, not 5"),
            Error::AuthVersion(v) => write!(f, "username/password version {v}, not 1"),
            Error::RequestVersion(v) => write!(f, "request with version {v}, not 5"),
            Error::Command(c) => write!(f, "unsupported command {c}"),
            Error::AddressType(t) => write!(f, "unsupported address type {t}"),
            Error::Domain(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}
