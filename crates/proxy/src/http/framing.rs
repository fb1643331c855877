//! Where a request body ends (RFC 9112 §6.3), so that the proxy can forward it and find
//! the next request on a kept-alive connection, and so that a request framed two ways
//! (the classic request-smuggling shape) is refused instead of passed on.

use super::{Error, RequestHead, Version};

/// How the body after a head is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// No body: the next request starts right after the head.
    None,
    /// Exactly this many bytes.
    Length(u64),
    /// Chunked transfer coding (RFC 9112 §7.1), ending with its last chunk and trailers.
    Chunked,
}

/// The body framing of a request, refusing what RFC 9112 §6.1 and §6.3 call unreliable.
pub(crate) fn request_body(head: &RequestHead) -> Result<Body, Error> {
    // Any Transfer-Encoding line, even an empty one, means the sender meant chunked-ish
    // framing; falling back to Content-Length then is how smuggling starts.
    if head.values("transfer-encoding").next().is_some() {
        if head.version == Version::Http10 {
            return Err(Error::Framing("Transfer-Encoding in HTTP/1.0"));
        }
        if head.values("content-length").next().is_some() {
            return Err(Error::Framing("both Content-Length and Transfer-Encoding"));
        }
        return match head.values("transfer-encoding").flat_map(list).last() {
            Some(last) if last.eq_ignore_ascii_case(b"chunked") => Ok(Body::Chunked),
            _ => Err(Error::Framing("final transfer coding is not chunked")),
        };
    }
    let mut length = None;
    for item in head.values("content-length").flat_map(list) {
        let n = parse_length(item).ok_or(Error::Framing("invalid Content-Length"))?;
        if length.is_some_and(|l| l != n) {
            return Err(Error::Framing("differing Content-Length values"));
        }
        length = Some(n);
    }
    Ok(match length {
        Some(0) | None => Body::None,
        Some(n) => Body::Length(n),
    })
}

/// The items of a comma-separated field value, trimmed, empty ones skipped.
pub(crate) fn list(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(<[u8]>::trim_ascii)
        .filter(|item| !item.is_empty())
}

fn parse_length(item: &[u8]) -> Option<u64> {
    if item.is_empty() || item.len() > 19 || !item.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(item).ok()?.parse().ok()
}
