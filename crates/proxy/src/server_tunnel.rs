//! Server tunnels (wireproxy's `[TCPServerTunnel]`): a TCP port on the proxy's tunnel
//! addresses whose connections, made by peers, are relayed to a service on the host. A
//! smoltcp socket listens for one connection only, so each tunnel keeps a few listening
//! sockets and replaces each as soon as it takes a connection; a SYN that finds none would
//! be answered with a reset.

use crate::client::Client;
use crate::netstack::Netstack;
use crate::relay::Relay;
use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp::State;
use std::net::SocketAddr;

/// Listening sockets per tunnel: connections that may arrive between two turns of the loop.
const BACKLOG: usize = 4;

/// A server tunnel to open: the tunnel port and the host service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerTunnelSpec {
    /// The port on the proxy's tunnel addresses.
    pub port: u16,
    /// Where on the host side the connections go.
    pub target: SocketAddr,
}

/// A server tunnel's listening sockets.
pub(crate) struct ServerTunnel {
    spec: ServerTunnelSpec,
    listening: Vec<SocketHandle>,
}

impl ServerTunnel {
    pub(crate) fn new(stack: &mut Netstack, spec: ServerTunnelSpec) -> Result<Self, String> {
        let mut tunnel = ServerTunnel {
            spec,
            listening: Vec::new(),
        };
        for _ in 0..BACKLOG {
            let handle = stack
                .listen_tcp(tunnel.spec.port)
                .map_err(|e| format!("cannot listen on tunnel port {}: {e}", tunnel.spec.port))?;
            tunnel.listening.push(handle);
        }
        Ok(tunnel)
    }

    /// Takes the connections that arrived: each gets a host connection to the target and
    /// becomes a relay; its listening socket is replaced.
    pub(crate) fn accept(&mut self, stack: &mut Netstack) -> Vec<Relay> {
        let mut relays = Vec::new();
        for slot in &mut self.listening {
            let socket = stack.tcp(*slot);
            if matches!(socket.state(), State::Listen | State::SynReceived) {
                continue;
            }
            let taken = *slot;
            let peer = socket
                .remote_endpoint()
                .map(|e| SocketAddr::new(e.addr.into(), e.port));
            match stack.listen_tcp(self.spec.port) {
                Ok(fresh) => *slot = fresh,
                Err(e) => tracing::warn!(error = %e, "cannot listen again on a tunnel port"),
            }
            match mio::net::TcpStream::connect(self.spec.target) {
                Ok(stream) => {
                    let from = peer.unwrap_or(self.spec.target);
                    tracing::debug!(%from, target = %self.spec.target, "server tunnel");
                    relays.push(Relay::new(Client::new(stream, from), taken));
                }
                Err(e) => {
                    tracing::info!(target = %self.spec.target, error = %e, "server tunnel target");
                    stack.remove(taken);
                }
            }
        }
        relays
    }
}
