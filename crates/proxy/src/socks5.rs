//! SOCKS5 (RFC 1928, RFC 1929): the messages, parsed and written without I/O.
//!
//! Every parser takes the bytes received so far and answers [`Parsed::Incomplete`] (read
//! more and call again with the longer buffer), [`Parsed::Done`] with the message and how
//! many bytes it used (anything after them belongs to the next stage), or an [`Error`]
//! whose [`Error::response`] says what the server sends before it closes. No parser
//! panics or allocates more than the message it returns, whatever the input.
//!
//! A server's conversation, with the socket left to the caller:
//!
//! ```
//! use ferrotun_proxy::socks5::{self, Command, Method, Parsed, Reply, ReplyCode, Target};
//!
//! let policy = socks5::AuthPolicy::NoAuth;
//! // The client's greeting and request arrive together in one read.
//! let received = [5, 1, 0, 5, 1, 0, 3, 11, b'e', b'x', b'a', b'm', b'p', b'l', b'e',
//!                 b'.', b'c', b'o', b'm', 0, 80];
//! let Parsed::Done { msg: greeting, used } = socks5::parse_greeting(&received)? else {
//!     unreachable!("a whole greeting")
//! };
//! let method = greeting.select(policy);
//! assert_eq!(method, Method::NoAuth);
//! let to_client = socks5::write_method_selection(method); // [5, 0]
//! assert_eq!(to_client, [5, 0]);
//!
//! let rest = &received[used..];
//! let Parsed::Done { msg: request, used } = socks5::parse_request(rest)? else {
//!     unreachable!("a whole request")
//! };
//! assert_eq!(used, rest.len());
//! assert_eq!(request.command, Command::Connect);
//! assert_eq!(request.target.to_string(), "example.com:80");
//! // ... connect through the tunnel, then answer with the local address used:
//! let bound = Target::Addr("10.0.0.2:40000".parse().unwrap());
//! let reply = Reply { code: ReplyCode::Succeeded, bound }.to_bytes();
//! assert_eq!(reply, [5, 0, 0, 1, 10, 0, 0, 2, 0x9c, 0x40]);
//!
//! // A request the server cannot serve gets the reply its error names, then the close.
//! let err = socks5::parse_request(&[5, 9, 0, 1]).unwrap_err();
//! assert_eq!(err.response(), socks5::Response::Reply(ReplyCode::CommandNotSupported));
//! # Ok::<(), socks5::Error>(())
//! ```
//!
//! The layouts, the choice of reply code for each failure and what we add beyond other
//! rootless proxies are written down in `docs/proxy-protocols.md`.

mod address;
mod auth;
mod error;
mod greeting;
mod parsed;
mod reply;
mod request;
mod target;
mod udp;

pub use auth::{parse_auth, write_auth_status, AuthRequest, AuthStatus, Credentials};
pub use error::{Error, Response};
pub use greeting::{parse_greeting, write_method_selection, AuthPolicy, Greeting, Method};
pub use parsed::Parsed;
pub use reply::{Reply, ReplyCode};
pub use request::{parse_request, write_request, Command, Request};
pub use target::{Domain, DomainError, Target};
pub use udp::{parse_udp_datagram, write_udp_header, UdpDatagram, UdpError};

/// The protocol version byte of every SOCKS5 greeting, request and reply (RFC 1928 §3).
pub const VERSION: u8 = 5;

#[cfg(test)]
mod tests;
