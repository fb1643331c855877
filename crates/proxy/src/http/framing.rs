//! Where a message body ends (RFC 9112 §6.3), so that the proxy can forward it and find
//! the next message on a kept-alive connection, and so that a message framed two ways
//! (the classic request-smuggling shape) is refused instead of passed on.

use super::{Error, Header, RequestHead, Version};

/// How the body after a request head is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// No body: the next request starts right after the head.
    None,
    /// Exactly this many bytes.
    Length(u64),
    /// Chunked transfer coding (RFC 9112 §7.1): scan it with [`super::ChunkedBody`].
    Chunked,
}

/// What a message's framing fields declare, once the contradictions are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Declared {
    /// Transfer-Encoding with `chunked` last.
    Chunked,
    /// Transfer-Encoding with another coding last (or none at all).
    OtherCoding,
    /// Content-Length.
    Length(u64),
    /// Neither field.
    Nothing,
}

/// The framing fields of a message. Refused (RFC 9112 §6.1, §6.3): Transfer-Encoding in
/// HTTP/1.0, Transfer-Encoding with Content-Length, and Content-Length values that are not
/// all the same number. Any Transfer-Encoding line, even an empty one, counts: falling
/// back to Content-Length then is how smuggling starts.
pub(crate) fn declared(headers: &[Header], version: Version) -> Result<Declared, Error> {
    if values(headers, "transfer-encoding").next().is_some() {
        if version == Version::Http10 {
            return Err(Error::Framing("Transfer-Encoding in HTTP/1.0"));
        }
        if values(headers, "content-length").next().is_some() {
            return Err(Error::Framing("both Content-Length and Transfer-Encoding"));
        }
        return Ok(
            match values(headers, "transfer-encoding").flat_map(list).last() {
                Some(last) if last.eq_ignore_ascii_case(b"chunked") => Declared::Chunked,
                _ => Declared::OtherCoding,
            },
        );
    }
    let mut length = None;
    for item in values(headers, "content-length").flat_map(list) {
        let n = parse_length(item).ok_or(Error::Framing("invalid Content-Length"))?;
        if length.is_some_and(|l| l != n) {
            return Err(Error::Framing("differing Content-Length values"));
        }
        length = Some(n);
    }
    Ok(length.map_or(Declared::Nothing, Declared::Length))
}

/// The body framing of a request. A request cannot be read until close, so a final coding
/// other than chunked is refused too (RFC 9112 §6.3, item 4).
pub(crate) fn request_body(head: &RequestHead) -> Result<Body, Error> {
    match declared(&head.headers, head.version)? {
        Declared::Chunked => Ok(Body::Chunked),
        Declared::OtherCoding => Err(Error::Framing("final transfer coding is not chunked")),
        Declared::Length(0) | Declared::Nothing => Ok(Body::None),
        Declared::Length(n) => Ok(Body::Length(n)),
    }
}

/// The values of every field named `name` (case-insensitive), in order.
pub(crate) fn values<'a>(headers: &'a [Header], name: &'a str) -> impl Iterator<Item = &'a [u8]> {
    headers
        .iter()
        .filter(move |h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_slice())
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
