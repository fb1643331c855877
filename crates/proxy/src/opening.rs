//! A connection into the tunnel that is being opened for a host client: it waits for the
//! tunnel side's handshake, then tells the client how it went in the client's protocol (a
//! SOCKS5 reply; nothing for a port forward) and becomes a relay, or fails and closes.

use crate::client::Client;
use crate::http::Status;
use crate::netstack::{Netstack, TCP_TIMEOUT};
use crate::relay::Relay;
use crate::socks5::{Reply, ReplyCode, Target};
use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp::State;
use std::net::SocketAddr;
use std::time::Instant;

/// How the client learns the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Announce {
    /// It does not (a port forward: the connection is the answer).
    Nothing,
    /// A SOCKS5 reply.
    Socks5,
    /// An HTTP CONNECT's response: 200, or an error status.
    HttpConnect,
    /// A forwarded HTTP request: the origin's response on success, an error status if
    /// the connection fails.
    HttpForward,
}

/// Where the opening stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Opened {
    Pending,
    /// Open and announced: make it a relay.
    Open,
    /// Refused or timed out, announced: close the client.
    Failed,
}

/// A tunnel connection on its way.
pub(crate) struct Opening {
    pub(crate) client: Client,
    pub(crate) tunnel: SocketHandle,
    announce: Announce,
    /// Bytes the client sent after its request, before the reply: they go first.
    early: Vec<u8>,
    started: Instant,
}

impl Opening {
    pub(crate) fn new(
        client: Client,
        tunnel: SocketHandle,
        announce: Announce,
        early: Vec<u8>,
    ) -> Opening {
        Opening {
            client,
            tunnel,
            announce,
            early,
            started: Instant::now(),
        }
    }

    /// Looks at the tunnel connection and announces the outcome once there is one.
    pub(crate) fn check(&mut self, stack: &mut Netstack) -> Opened {
        let socket = stack.tcp(self.tunnel);
        match socket.state() {
            State::SynSent | State::SynReceived => Opened::Pending,
            State::Closed => {
                // A reset comes back within a round trip; only silence lasts until the
                // stack gives up.
                let code = if self.started.elapsed() < TCP_TIMEOUT / 2 {
                    ReplyCode::ConnectionRefused
                } else {
                    ReplyCode::HostUnreachable
                };
                self.fail(code);
                Opened::Failed
            }
            _ => {
                let bound = socket
                    .local_endpoint()
                    .map(|e| SocketAddr::new(e.addr.into(), e.port));
                if !self.early.is_empty() && socket.send_slice(&self.early).is_err() {
                    return Opened::Failed;
                }
                let announced = match (self.announce, bound) {
                    (Announce::Nothing, _) => Ok(()),
                    (Announce::Socks5, Some(bound)) => {
                        let reply = Reply {
                            code: ReplyCode::Succeeded,
                            bound: Target::Addr(bound),
                        };
                        self.client.send_message(&reply.to_bytes())
                    }
                    (Announce::Socks5, None) => Err(std::io::ErrorKind::NotConnected.into()),
                    (Announce::HttpConnect, _) => {
                        self.client.send_message(crate::http::CONNECT_ESTABLISHED)
                    }
                    (Announce::HttpForward, _) => Ok(()),
                };
                match announced {
                    Ok(()) => Opened::Open,
                    Err(_) => Opened::Failed,
                }
            }
        }
    }

    /// Whether the tunnel connection failed (without announcing it).
    pub(crate) fn refused(&mut self, stack: &mut Netstack) -> bool {
        stack.tcp(self.tunnel).state() == State::Closed
    }

    /// The client and what it asked for, to try another address.
    pub(crate) fn into_parts(self) -> (Client, Announce, Vec<u8>) {
        (self.client, self.announce, self.early)
    }

    /// Tells the client the connection failed with `code`.
    pub(crate) fn fail(&mut self, code: ReplyCode) {
        fail_client(&mut self.client, self.announce, code);
    }

    pub(crate) fn into_relay(self) -> Relay {
        Relay::new(self.client, self.tunnel)
    }
}

/// Tells a client whose connection cannot be opened why, in its protocol.
pub(crate) fn fail_client(client: &mut Client, announce: Announce, code: ReplyCode) {
    let message = match announce {
        Announce::Nothing => return,
        Announce::Socks5 => Reply::failure(code).to_bytes(),
        // Whatever the cause (no route, no such name, a reset, no answer): the proxy could
        // not reach the origin, which is what 502 says (RFC 9110 §15.6.3).
        Announce::HttpConnect | Announce::HttpForward => Status::BadGateway.response(),
    };
    let _ = client.send_message(&message);
}
