//! UDP client tunnels (wireproxy's `[UDPProxyTunnel]`): a host UDP port whose datagrams go to
//! a target inside the tunnel, one flow per client address, each flow a UDP socket of the
//! stack on a port of its own, so the replies find their way back to that client. A flow
//! ends after its inactivity timeout (never, if the file says 0).

use crate::netstack::Netstack;
use mio::net::UdpSocket;
use smoltcp::iface::SocketHandle;
use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Datagrams each flow's stack socket holds each way, and their bytes.
const QUEUED_DATAGRAMS: usize = 256;
const QUEUED_BYTES: usize = 256 * 1024;

/// A UDP tunnel to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpTunnelSpec {
    /// The host address to listen on.
    pub bind: SocketAddr,
    /// Where inside the tunnel.
    pub target: SocketAddr,
    /// How long a flow may be idle; `None`: forever.
    pub inactivity: Option<Duration>,
}

/// One client's flow.
struct Flow {
    socket: SocketHandle,
    last: Instant,
}

/// A UDP tunnel and its flows.
pub(crate) struct UdpTunnel {
    pub(crate) socket: UdpSocket,
    spec: UdpTunnelSpec,
    flows: HashMap<SocketAddr, Flow>,
    /// Whether the host socket reported datagrams not read yet.
    pub(crate) readable: bool,
}

impl UdpTunnel {
    pub(crate) fn bind(spec: &UdpTunnelSpec) -> Result<UdpTunnel, String> {
        let socket = UdpSocket::bind(spec.bind)
            .map_err(|e| format!("cannot listen on UDP {}: {e}", spec.bind))?;
        Ok(UdpTunnel {
            socket,
            spec: spec.clone(),
            flows: HashMap::new(),
            readable: true,
        })
    }

    /// Whether it has flows that may time out.
    pub(crate) fn has_expiring_flows(&self) -> bool {
        self.spec.inactivity.is_some() && !self.flows.is_empty()
    }

    /// Moves datagrams both ways and ends idle flows; says whether any moved.
    pub(crate) fn pump(&mut self, stack: &mut Netstack, buf: &mut [u8]) -> bool {
        let moved = self.up(stack, buf) | self.down(stack, buf);
        self.expire(stack);
        moved
    }

    /// Host to tunnel: every datagram queued on the host socket.
    fn up(&mut self, stack: &mut Netstack, buf: &mut [u8]) -> bool {
        let mut moved = false;
        while self.readable {
            let (n, from) = match self.socket.recv_from(buf) {
                Ok(got) => got,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => {
                    // WouldBlock, or an ICMP error from an earlier send: either way,
                    // nothing more to read now.
                    self.readable = false;
                    break;
                }
            };
            moved = true;
            let Some(socket) = self.flow(stack, from) else {
                continue;
            };
            // A full queue drops the datagram, as a full socket buffer would.
            let _ = stack.udp_send(socket, &buf[..n], self.spec.target);
        }
        moved
    }

    /// The flow of `from`, opened if new.
    fn flow(&mut self, stack: &mut Netstack, from: SocketAddr) -> Option<SocketHandle> {
        let now = Instant::now();
        if let Some(flow) = self.flows.get_mut(&from) {
            flow.last = now;
            return Some(flow.socket);
        }
        match stack.open_udp(QUEUED_DATAGRAMS, QUEUED_BYTES) {
            Ok(socket) => {
                tracing::debug!(%from, target = %self.spec.target, "UDP flow");
                self.flows.insert(from, Flow { socket, last: now });
                Some(socket)
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot open a UDP flow");
                None
            }
        }
    }

    /// Tunnel to host: every datagram the flows' sockets received.
    fn down(&mut self, stack: &mut Netstack, buf: &mut [u8]) -> bool {
        let mut moved = false;
        for (client, flow) in &mut self.flows {
            while let Some((n, from)) = stack.udp_recv(flow.socket, buf) {
                moved = true;
                if from != self.spec.target {
                    // Only the target's answers go back, as a connected socket would have it.
                    continue;
                }
                flow.last = Instant::now();
                // Would block: the datagram is dropped, which UDP allows.
                let _ = self.socket.send_to(&buf[..n], *client);
            }
        }
        moved
    }

    fn expire(&mut self, stack: &mut Netstack) {
        let Some(limit) = self.spec.inactivity else {
            return;
        };
        self.flows.retain(|client, flow| {
            let live = flow.last.elapsed() < limit;
            if !live {
                tracing::debug!(%client, "UDP flow ended (inactive)");
                stack.remove(flow.socket);
            }
            live
        });
    }
}
