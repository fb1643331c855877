//! The origin server's response to a forwarded request: where it ends, and the head the
//! client receives (hop-by-hop fields removed, RFC 9110 §7.6.1). Needed for keep-alive:
//! the proxy can only read the client's next request once it knows this response is over.

use super::framing::{declared, Declared};
use super::request::too_large;
use super::rewrite::{push_end_to_end, push_field};
use super::{Error, Header, Limits, Persistence, Version};
use crate::socks5::Parsed;

/// How the body after a response head is delimited (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseBody {
    /// None: a response to HEAD, a 1xx, 204 or 304.
    None,
    /// Exactly this many bytes.
    Length(u64),
    /// Chunked: scan it with [`super::ChunkedBody`].
    Chunked,
    /// Everything until the origin closes; the client's connection must close after it.
    UntilClose,
}

/// A parsed response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    /// The status code.
    pub code: u16,
    /// The reason phrase (may be empty).
    pub reason: String,
    /// HTTP/1.0 or HTTP/1.1.
    pub version: Version,
    /// The header fields in order.
    pub headers: Vec<Header>,
    /// How the body is delimited.
    pub body: ResponseBody,
}

/// Parses the origin's response head at the start of `buf`; `method` is the request's.
/// Any error means the response cannot be relayed safely: answer 502 if nothing was sent
/// to the client yet, else close its connection.
pub fn parse_response(
    buf: &[u8],
    limits: &Limits,
    method: &str,
) -> Result<Parsed<ResponseHead>, Error> {
    let mut fields = vec![httparse::EMPTY_HEADER; limits.max_headers];
    let mut response = httparse::Response::new(&mut fields);
    let used = match response.parse(buf) {
        Ok(httparse::Status::Complete(used)) if used <= limits.max_head_bytes => used,
        Ok(httparse::Status::Partial) if buf.len() < limits.max_head_bytes => {
            return Ok(Parsed::Incomplete)
        }
        Ok(_) => return Err(too_large(buf, limits)),
        Err(httparse::Error::TooManyHeaders) => return Err(Error::TooManyHeaders),
        Err(_) => return Err(Error::Malformed("invalid response head")),
    };
    let (Some(minor), Some(code)) = (response.version, response.code) else {
        return Err(Error::Malformed("incomplete status line"));
    };
    // `httparse` reads any three digits; a status below 100 has no meaning (RFC 9110 §15)
    // and would not survive being written back as three digits.
    if code < 100 {
        return Err(Error::Malformed("status code below 100"));
    }
    let version = if minor == 0 {
        Version::Http10
    } else {
        Version::Http11
    };
    let headers: Vec<Header> = response
        .headers
        .iter()
        .map(|h| Header {
            name: h.name.to_owned(),
            value: h.value.to_vec(),
        })
        .collect();
    let no_body = method == "HEAD" || ((100..200).contains(&code) && code != 101);
    let body = match declared(&headers, version)? {
        _ if no_body || code == 204 || code == 304 => ResponseBody::None,
        Declared::Chunked => ResponseBody::Chunked,
        Declared::Length(n) => ResponseBody::Length(n),
        Declared::OtherCoding | Declared::Nothing => ResponseBody::UntilClose,
    };
    let head = ResponseHead {
        code,
        reason: response.reason.unwrap_or_default().to_owned(),
        version,
        headers,
        body,
    };
    Ok(Parsed::Done { msg: head, used })
}

impl ResponseHead {
    /// A 1xx other than 101: an interim response, and the final one follows it.
    pub fn is_interim(&self) -> bool {
        (100..200).contains(&self.code) && self.code != 101
    }

    /// Whether the client's connection stays open after this response, given what the
    /// client's request asked for ([`super::RequestHead::client_persistence`]): never after
    /// a body that ends with the origin's close.
    pub fn client_persistence(&self, requested: Persistence) -> Persistence {
        match (requested, self.body) {
            (Persistence::KeepAlive, ResponseBody::UntilClose) => Persistence::Close,
            (requested, _) => requested,
        }
    }

    /// The head the client receives: the origin's status, its end-to-end fields, `Via`,
    /// and `Connection: close` when the client's connection will close after it.
    pub fn client_head(&self, client: Persistence) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        let code = self.code.to_string();
        for part in [
            b"HTTP/1.1 ",
            code.as_bytes(),
            b" ",
            self.reason.as_bytes(),
            b"\r\n",
        ] {
            out.extend_from_slice(part);
        }
        push_end_to_end(&self.headers, &mut out);
        let via: &[u8] = match self.version {
            Version::Http10 => b"1.0 ferrotun",
            Version::Http11 => b"1.1 ferrotun",
        };
        push_field(&mut out, "Via", via);
        if client == Persistence::Close {
            push_field(&mut out, "Connection", b"close");
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

#[cfg(test)]
mod tests;
