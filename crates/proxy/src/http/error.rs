//! Why a request head was refused, and the status the client gets for it.

use super::response::Status;
use crate::socks5::DomainError;
use std::fmt;

/// A request the proxy refuses; [`Error::status`] is the response to send before closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The request line alone is longer than the head limit.
    UriTooLong,
    /// The head (request line and header fields) is longer than the limit.
    HeadTooLarge,
    /// More header fields than the limit.
    TooManyHeaders,
    /// Not HTTP/1.0 or HTTP/1.1 (an HTTP/2 preface, for instance).
    Version,
    /// Not a well-formed HTTP/1.x request head.
    Malformed(&'static str),
    /// A non-CONNECT request whose target is not absolute-form (`GET / HTTP/1.1`): a
    /// request for the proxy itself, which serves nothing.
    NotProxyRequest,
    /// An absolute-form target whose scheme is not `http`.
    UnsupportedScheme,
    /// A request target that names no usable host and port.
    BadTarget(&'static str),
    /// A host that is neither an address literal nor a host name.
    Host(DomainError),
    /// Body framing the proxy cannot trust (RFC 9112 §6.3): Content-Length and
    /// Transfer-Encoding together, differing lengths, or a final coding other than chunked.
    Framing(&'static str),
}

impl Error {
    /// The status to answer with.
    ///
    /// Over-long heads get 431 (RFC 6585 §5, "Request Header Fields Too Large"), which names
    /// the problem so a client can retry with fewer fields, rather than a bare 400; when no
    /// line end appeared within the limit it is the request line that is too long, and RFC
    /// 9112 §3 asks for 414 then.
    pub fn status(&self) -> Status {
        match self {
            Error::UriTooLong => Status::UriTooLong,
            Error::HeadTooLarge | Error::TooManyHeaders => Status::HeaderFieldsTooLarge,
            Error::Version => Status::VersionNotSupported,
            Error::UnsupportedScheme => Status::NotImplemented,
            Error::Malformed(_)
            | Error::NotProxyRequest
            | Error::BadTarget(_)
            | Error::Host(_)
            | Error::Framing(_) => Status::BadRequest,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UriTooLong => f.write_str("request line too long"),
            Error::HeadTooLarge => f.write_str("request head too large"),
            Error::TooManyHeaders => f.write_str("too many header fields"),
            Error::Version => f.write_str("HTTP version not supported"),
            Error::Malformed(why) => write!(f, "malformed request: {why}"),
            Error::NotProxyRequest => f.write_str("not a proxy request (no absolute URI)"),
            Error::UnsupportedScheme => f.write_str("URI scheme other than http"),
            Error::BadTarget(why) => write!(f, "bad request target: {why}"),
            Error::Host(e) => write!(f, "bad host: {e}"),
            Error::Framing(why) => write!(f, "bad message framing: {why}"),
        }
    }
}

impl std::error::Error for Error {}
