//! The request head a client sends its proxy (RFC 9112 §2–§5), parsed with `httparse`.
//!
//! `httparse` is the parser hyper and most of the Rust HTTP stack use: it does no I/O,
//! copies nothing, rejects what RFC 9112 says to reject (bare CR, obsolete line folding
//! in requests, bytes outside the grammar) and is fuzzed upstream. What it leaves to us is
//! what a proxy adds: the limits, the target forms and the body framing.

use super::framing::{request_body, values, Body};
use super::uri::{parse_absolute_form, parse_authority_form};
use super::Error;
use crate::socks5::{Parsed, Target};

/// How much of a request head the proxy reads before refusing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of request line and header fields, final empty line included.
    pub max_head_bytes: usize,
    /// Header field lines.
    pub max_headers: usize,
}

impl Default for Limits {
    /// 16 KiB and 100 fields: above what browsers and curl send (cookies included), low
    /// enough that 1,000 half-open connections cost 16 MiB at most.
    fn default() -> Limits {
        Limits {
            max_head_bytes: 16 * 1024,
            max_headers: 100,
        }
    }
}

/// The protocol version of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// HTTP/1.0.
    Http10,
    /// HTTP/1.1.
    Http11,
}

/// One header field line, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The field name, in the client's case.
    pub name: String,
    /// The field value, without surrounding whitespace.
    pub value: Vec<u8>,
}

/// What the client asks of the proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestForm {
    /// CONNECT: a tunnel to the target; after `200` the bytes are the client's.
    Connect,
    /// Any other method with an absolute URI: a request to forward to the origin server.
    Forward {
        /// The authority to send as `Host` (without user information).
        host: String,
        /// The origin-form target: path and query.
        path: String,
    },
}

/// A parsed request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    /// The method, case as received (methods are case-sensitive, RFC 9110 §9.1).
    pub method: String,
    /// Where to connect.
    pub target: Target,
    /// Tunnel or forward.
    pub form: RequestForm,
    /// HTTP/1.0 or HTTP/1.1.
    pub version: Version,
    /// The header fields in order.
    pub headers: Vec<Header>,
    /// How the request body that follows the head is delimited (always `None` for CONNECT).
    pub body: Body,
}

impl RequestHead {
    /// The values of every field named `name` (case-insensitive), in order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        values(&self.headers, name)
    }
}

/// Parses a request head at the start of `buf`; `used` is where the body (or, for CONNECT,
/// the tunnel's first bytes) begins.
pub fn parse_request(buf: &[u8], limits: &Limits) -> Result<Parsed<RequestHead>, Error> {
    let mut fields = vec![httparse::EMPTY_HEADER; limits.max_headers];
    let mut request = httparse::Request::new(&mut fields);
    let used = match request.parse(buf) {
        Ok(httparse::Status::Complete(used)) if used <= limits.max_head_bytes => used,
        Ok(httparse::Status::Partial) if buf.len() < limits.max_head_bytes => {
            return Ok(Parsed::Incomplete)
        }
        Ok(_) => return Err(too_large(buf, limits)),
        Err(httparse::Error::TooManyHeaders) => return Err(Error::TooManyHeaders),
        Err(httparse::Error::Version) => return Err(version_error(buf)),
        Err(e) => return Err(Error::Malformed(malformed(e))),
    };
    // A complete parse fills all three; map rather than unwrap all the same.
    let (Some(method), Some(uri), Some(minor)) = (request.method, request.path, request.version)
    else {
        return Err(Error::Malformed("incomplete request line"));
    };
    let version = match minor {
        0 => Version::Http10,
        _ => Version::Http11,
    };
    let headers: Vec<Header> = request
        .headers
        .iter()
        .map(|h| Header {
            name: h.name.to_owned(),
            value: h.value.to_vec(),
        })
        .collect();
    let (target, form) = if method == "CONNECT" {
        (parse_authority_form(uri)?, RequestForm::Connect)
    } else {
        let absolute = parse_absolute_form(uri)?;
        let form = RequestForm::Forward {
            host: absolute.host,
            path: absolute.path,
        };
        (absolute.target, form)
    };
    let mut head = RequestHead {
        method: method.to_owned(),
        target,
        form,
        version,
        headers,
        body: Body::None,
    };
    if head.form != RequestForm::Connect {
        head.body = request_body(&head)?;
    }
    Ok(Parsed::Done { msg: head, used })
}

/// 414 when not even the request line ended within the limit, else 431.
pub(crate) fn too_large(buf: &[u8], limits: &Limits) -> Error {
    let window = &buf[..buf.len().min(limits.max_head_bytes)];
    if window.contains(&b'\n') {
        Error::HeadTooLarge
    } else {
        Error::UriTooLong
    }
}

/// `httparse` also says "version" when a space inside the target pushed other text into
/// the version's place (`GET /a b HTTP/1.1`): that is a malformed line (400), and only a
/// line of three parts ending in `HTTP/…` names a version we do not speak (505).
fn version_error(buf: &[u8]) -> Error {
    let start = buf
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(0);
    let line = buf[start..]
        .split(|&b| b == b'\n')
        .next()
        .unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let parts: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
    match parts.as_slice() {
        [_, _, version] if version.starts_with(b"HTTP/") => Error::Version,
        _ => Error::Malformed("invalid request line"),
    }
}

fn malformed(e: httparse::Error) -> &'static str {
    match e {
        httparse::Error::HeaderName => "invalid header field name",
        httparse::Error::HeaderValue => "invalid header field value",
        httparse::Error::NewLine => "invalid line ending",
        httparse::Error::Status => "invalid status",
        httparse::Error::Token => "invalid token",
        _ => "invalid request line",
    }
}

#[cfg(test)]
mod tests;
