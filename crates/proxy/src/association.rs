//! SOCKS5 UDP ASSOCIATE (RFC 1928 §7): a host UDP socket per association where the client
//! sends datagrams behind a SOCKS header naming their target, relayed into the tunnel from one
//! stack UDP socket; answers come back behind a header naming who sent them. The
//! association lives as long as the client's TCP connection (§6); datagrams are taken only
//! from the client's own address (the control connection's IP, the first datagram's port).
//! Targets are addresses; a datagram to a name is dropped, as the RFC lets a relay drop what
//! it cannot deliver (names through the tunnel's DNS are open work).

use crate::client::{Client, Got};
use crate::netstack::Netstack;
use crate::socks5::{self, Reply, ReplyCode, Target};
use mio::net::UdpSocket;
use smoltcp::iface::SocketHandle;
use std::io::ErrorKind;
use std::net::SocketAddr;

/// Datagrams the stack socket holds each way, and their bytes.
const QUEUED_DATAGRAMS: usize = 256;
const QUEUED_BYTES: usize = 256 * 1024;

/// What a turn found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Live {
    /// Still open; whether anything moved.
    Open(bool),
    /// The control connection ended: so does the association.
    Ended,
}

/// One association.
pub(crate) struct Association {
    pub(crate) client: Client,
    pub(crate) udp: UdpSocket,
    pub(crate) udp_readable: bool,
    tunnel: SocketHandle,
    /// Where the client sends from (known after its first datagram).
    peer: Option<SocketAddr>,
    buf: Vec<u8>,
    /// An answer with its header, reused from datagram to datagram.
    out: Vec<u8>,
}

impl Association {
    /// Opens the host and stack sockets and answers the client with the host socket's
    /// address; `Err` after a failure reply was sent.
    pub(crate) fn open(mut client: Client, stack: &mut Netstack) -> Result<Association, Client> {
        let local = client
            .stream
            .local_addr()
            .map(|a| SocketAddr::new(a.ip(), 0));
        let udp = local.and_then(UdpSocket::bind);
        let tunnel = stack.open_udp(QUEUED_DATAGRAMS, QUEUED_BYTES);
        let (udp, tunnel) = match (udp, tunnel) {
            (Ok(udp), Ok(tunnel)) => (udp, tunnel),
            (_, tunnel) => {
                if let Ok(tunnel) = tunnel {
                    stack.remove(tunnel);
                }
                let _ = client.send_message(&Reply::failure(ReplyCode::GeneralFailure).to_bytes());
                return Err(client);
            }
        };
        let bound = udp.local_addr().map(Target::Addr);
        let reply = bound.map(|bound| Reply {
            code: ReplyCode::Succeeded,
            bound,
        });
        match reply.and_then(|r| client.send_message(&r.to_bytes())) {
            Ok(()) => Ok(Association {
                client,
                udp,
                udp_readable: true,
                tunnel,
                peer: None,
                buf: vec![0; 65_536],
                out: Vec::new(),
            }),
            Err(_) => {
                stack.remove(tunnel);
                Err(client)
            }
        }
    }

    /// The stack socket, to remove when the association ends.
    pub(crate) fn tunnel(&self) -> SocketHandle {
        self.tunnel
    }

    /// Moves datagrams both ways; ends when the control connection does.
    pub(crate) fn pump(&mut self, stack: &mut Netstack) -> Live {
        let mut scratch = [0u8; 64];
        loop {
            match self.client.read(&mut scratch) {
                // Nothing is expected on the control connection; whatever comes is ignored.
                Got::Bytes(_) => {}
                Got::Nothing => break,
                Got::Closed => return Live::Ended,
            }
        }
        Live::Open(self.up(stack) | self.down(stack))
    }

    /// Client to tunnel.
    fn up(&mut self, stack: &mut Netstack) -> bool {
        let mut moved = false;
        while self.udp_readable {
            let (n, from) = match self.udp.recv_from(&mut self.buf) {
                Ok(got) => got,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => {
                    self.udp_readable = false;
                    break;
                }
            };
            moved = true;
            if from.ip() != self.client.from.ip() || self.peer.is_some_and(|p| p != from) {
                continue;
            }
            self.peer = Some(from);
            let Ok(datagram) = socks5::parse_udp_datagram(&self.buf[..n]) else {
                continue;
            };
            if let Target::Addr(to) = datagram.target {
                let _ = stack.udp_send(self.tunnel, datagram.payload, to);
            }
        }
        moved
    }

    /// Tunnel to client.
    fn down(&mut self, stack: &mut Netstack) -> bool {
        let Some(peer) = self.peer else {
            return false;
        };
        let mut moved = false;
        while let Some((n, from)) = stack.udp_recv(self.tunnel, &mut self.buf) {
            moved = true;
            self.out.clear();
            socks5::write_udp_header(&Target::Addr(from), &mut self.out);
            self.out.extend_from_slice(&self.buf[..n]);
            // Would block: dropped, which UDP allows.
            let _ = self.udp.send_to(&self.out, peer);
        }
        moved
    }
}
