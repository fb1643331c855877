//! An absolute-form request rewritten into the origin-form head sent to the target
//! (RFC 9112 §3.2.1, RFC 9110 §7.6), and the persistence of the client's connection.

use super::framing::list;
use super::{Header, RequestForm, RequestHead, Version};

/// Whether a connection stays open after the current exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persistence {
    /// Another request may follow on it.
    KeepAlive,
    /// It closes after this response.
    Close,
}

/// Fields that describe one hop and never go further (RFC 9110 §7.6.1), plus the
/// proxy's own credentials and the pre-standard `Proxy-Connection` clients still send.
/// `Host` is here because the proxy writes its own from the URI (RFC 9112 §3.2.2).
/// `Upgrade` is dropped because the proxy forwards plain requests only, not protocol
/// switches. `Transfer-Encoding` stays: the body is forwarded as received, framing and all.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "proxy-authenticate",
    "te",
    "upgrade",
    "host",
];

/// Fields a `Connection` option must not remove: the message's framing and its target.
const NEVER_DROPPED: [&str; 2] = ["content-length", "transfer-encoding"];

impl RequestHead {
    /// The head to send the origin server for a forwarded request, or `None` for CONNECT.
    /// The request line becomes `METHOD path HTTP/1.1` (a proxy speaks its own version,
    /// RFC 9110 §6.2), `Host` is the URI's authority, hop-by-hop fields and those the
    /// client's `Connection` names are removed, `Via` is added (RFC 9110 §7.6.3), and with
    /// `upstream` = [`Persistence::Close`] the origin is asked to close after its response,
    /// so that response needs no parsing to find its end.
    pub fn origin_head(&self, upstream: Persistence) -> Option<Vec<u8>> {
        let RequestForm::Forward { host, path } = &self.form else {
            return None;
        };
        let mut out = Vec::with_capacity(256);
        for part in [
            self.method.as_bytes(),
            b" ",
            path.as_bytes(),
            b" HTTP/1.1\r\n",
        ] {
            out.extend_from_slice(part);
        }
        push_field(&mut out, "Host", host.as_bytes());
        push_end_to_end(&self.headers, &mut out);
        let via: &[u8] = match self.version {
            Version::Http10 => b"1.0 ferrotun",
            Version::Http11 => b"1.1 ferrotun",
        };
        push_field(&mut out, "Via", via);
        if upstream == Persistence::Close {
            push_field(&mut out, "Connection", b"close");
        }
        out.extend_from_slice(b"\r\n");
        Some(out)
    }

    /// Whether the client keeps its connection to the proxy open after this exchange
    /// (RFC 9112 §9.3): HTTP/1.1 does unless it sent `Connection: close`. HTTP/1.0 is
    /// treated as closing even with `Connection: keep-alive`: that is a pre-standard
    /// extension (RFC 9112 §C.2.2) the proxy would have to answer in kind, and 1.0 clients
    /// are rare enough that one request per connection costs nothing that matters.
    pub fn client_persistence(&self) -> Persistence {
        let close = self
            .values("connection")
            .chain(self.values("proxy-connection"))
            .flat_map(list)
            .any(|o| o.eq_ignore_ascii_case(b"close"));
        match (self.version, close) {
            (Version::Http11, false) => Persistence::KeepAlive,
            _ => Persistence::Close,
        }
    }
}

/// Appends the fields of `headers` that go beyond this hop: all but [`HOP_BY_HOP`] and
/// those the message's own `Connection` field names (RFC 9110 §7.6.1).
pub(crate) fn push_end_to_end(headers: &[Header], out: &mut Vec<u8>) {
    let named: Vec<&[u8]> = headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("connection"))
        .flat_map(|h| list(&h.value))
        .collect();
    for header in headers {
        let name = header.name.as_str();
        let hop = HOP_BY_HOP.iter().any(|h| name.eq_ignore_ascii_case(h));
        let optioned = named
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name.as_bytes()))
            && !NEVER_DROPPED.iter().any(|h| name.eq_ignore_ascii_case(h));
        if !hop && !optioned {
            push_field(out, name, &header.value);
        }
    }
}

pub(crate) fn push_field(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests;
