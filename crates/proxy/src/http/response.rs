//! The responses the proxy writes itself: the tunnel's `200` and the errors.

/// The answer to a CONNECT whose tunnel is open; the tunnel's bytes follow it.
pub const CONNECT_ESTABLISHED: &[u8] = b"HTTP/1.1 200 Connection established\r\n\r\n";

/// The realm in the 407 challenge (RFC 9110 §11.5): clients show it when asking the user.
const REALM: &str = "ferrotun";

/// An error status the proxy answers with, then closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 400: a request the proxy cannot parse or trust.
    BadRequest,
    /// 407: missing or wrong `Proxy-Authorization`; carries the `Basic` challenge.
    ProxyAuthRequired,
    /// 414: the request line alone exceeds the head limit (RFC 9112 §3).
    UriTooLong,
    /// 431: the header fields exceed the limit (RFC 6585 §5).
    HeaderFieldsTooLarge,
    /// 501: a URI scheme the proxy does not forward (only `http`).
    NotImplemented,
    /// 502: the target refused, reset or could not be resolved or reached.
    BadGateway,
    /// 504: the target did not answer in time.
    GatewayTimeout,
    /// 505: not HTTP/1.0 or HTTP/1.1.
    VersionNotSupported,
}

impl Status {
    /// The status code and reason phrase.
    pub fn code_and_reason(self) -> (u16, &'static str) {
        match self {
            Status::BadRequest => (400, "Bad Request"),
            Status::ProxyAuthRequired => (407, "Proxy Authentication Required"),
            Status::UriTooLong => (414, "URI Too Long"),
            Status::HeaderFieldsTooLarge => (431, "Request Header Fields Too Large"),
            Status::NotImplemented => (501, "Not Implemented"),
            Status::BadGateway => (502, "Bad Gateway"),
            Status::GatewayTimeout => (504, "Gateway Timeout"),
            Status::VersionNotSupported => (505, "HTTP Version Not Supported"),
        }
    }

    /// The whole response: status line, `Connection: close` (the proxy closes after any
    /// error, so no half-read request can be mistaken for the next one), a short text body
    /// with its length, and for 407 the challenge (RFC 9110 §11.7.1).
    pub fn response(self) -> Vec<u8> {
        let (code, reason) = self.code_and_reason();
        let body = format!("{code} {reason}\n");
        let challenge = match self {
            Status::ProxyAuthRequired => {
                format!("Proxy-Authenticate: Basic realm=\"{REALM}\", charset=\"UTF-8\"\r\n")
            }
            _ => String::new(),
        };
        format!(
            "HTTP/1.1 {code} {reason}\r\n{challenge}Content-Type: text/plain; charset=utf-8\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }
}
