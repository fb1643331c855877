//! The HTTP proxy (RFC 9110, RFC 9112): request heads parsed without I/O.
//!
//! [`parse_request`] takes the bytes received so far and answers
//! [`Parsed::Incomplete`] (read more, parse again), [`Parsed::Done`] with the head and its
//! length, or an [`Error`] whose [`Error::status`] is the response to send before closing.
//! A CONNECT request opens a tunnel ([`CONNECT_ESTABLISHED`], then bytes both ways); any
//! other method with an absolute URI is forwarded: [`RequestHead::origin_head`] is what the
//! origin server receives, followed by the request body as [`RequestHead::body`] frames it.
//!
//! ```
//! use ferrotun_proxy::http::{self, Credentials, Parsed, Persistence, ProxyAuth, RequestForm};
//!
//! let limits = http::Limits::default();
//! let credentials = Credentials::new("user", "secret");
//! let received = b"GET http://example.com/index.html HTTP/1.1\r\n\
//!                  Host: example.com\r\nProxy-Authorization: Basic dXNlcjpzZWNyZXQ=\r\n\
//!                  Proxy-Connection: keep-alive\r\n\r\n";
//! let Parsed::Done { msg: head, used } = http::parse_request(received, &limits)? else {
//!     unreachable!("a whole head")
//! };
//! assert_eq!(used, received.len());
//! assert_eq!(http::check_basic(&head, &credentials), ProxyAuth::Granted);
//! assert_eq!(head.target.to_string(), "example.com:80");
//! assert!(matches!(head.form, RequestForm::Forward { .. }));
//! // Connect to head.target through the tunnel, then send:
//! let origin = head.origin_head(Persistence::Close).expect("not CONNECT");
//! assert_eq!(
//!     origin,
//!     b"GET /index.html HTTP/1.1\r\nHost: example.com\r\nVia: 1.1 ferrotun\r\n\
//!       Connection: close\r\n\r\n"
//! );
//! assert_eq!(head.client_persistence(), Persistence::KeepAlive);
//!
//! // Without credentials: 407 and the Basic challenge.
//! let bare = b"CONNECT example.com:443 HTTP/1.1\r\n\r\n";
//! let (head, _) = http::parse_request(bare, &limits)?.done().expect("complete");
//! assert_eq!(http::check_basic(&head, &credentials), ProxyAuth::Required);
//! let reply = http::Status::ProxyAuthRequired.response();
//! assert!(reply.starts_with(b"HTTP/1.1 407 Proxy Authentication Required\r\n"));
//! # Ok::<(), http::Error>(())
//! ```
//!
//! The layouts and the status for each failure are written down in
//! `docs/proxy-protocols.md`.

mod auth;
mod chunked;
mod error;
mod framing;
mod origin;
mod request;
mod response;
mod rewrite;
mod uri;

pub use crate::socks5::{Credentials, Parsed, Target};
pub use auth::{check_basic, ProxyAuth};
pub use chunked::{ChunkError, ChunkedBody, Scan};
pub use error::Error;
pub use framing::Body;
pub use origin::{parse_response, ResponseBody, ResponseHead};
pub use request::{parse_request, Header, Limits, RequestForm, RequestHead, Version};
pub use response::{Status, CONNECT_ESTABLISHED};
pub use rewrite::Persistence;

#[cfg(test)]
mod tests;
