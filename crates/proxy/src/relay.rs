//! A TCP connection relayed between the host and the tunnel: bytes the host's client writes
//! go straight into the tunnel socket's send buffer, and bytes from the tunnel straight to
//! the host socket, with no buffer of our own in between. An end-of-stream on one side
//! becomes a FIN on the other; a reset or a tunnel connection that never opens closes both.

use crate::client::Client;
use crate::netstack::Netstack;
use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp::State;
use std::io::{ErrorKind, Read, Write};
use std::net::Shutdown;

/// Where one direction of the relay stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Open,
    /// The sender finished; the end-of-stream was passed on.
    Finished,
}

/// How a relay is doing after a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    /// Still carrying (or waiting for) bytes.
    Running,
    /// Both directions finished, or one side failed: drop the relay.
    Done,
}

/// One relayed connection.
pub(crate) struct Relay {
    pub(crate) client: Client,
    pub(crate) tunnel: SocketHandle,
    upstream: Flow,
    downstream: Flow,
    /// Whether the tunnel connection was ever established.
    opened: bool,
}

impl Relay {
    pub(crate) fn new(client: Client, tunnel: SocketHandle) -> Relay {
        Relay {
            client,
            tunnel,
            upstream: Flow::Open,
            downstream: Flow::Open,
            opened: false,
        }
    }

    /// Moves what can be moved both ways.
    pub(crate) fn pump(&mut self, stack: &mut Netstack) -> Progress {
        let socket = stack.tcp(self.tunnel);
        if !self.opened {
            match socket.state() {
                State::SynSent | State::SynReceived => return Progress::Running,
                State::Closed => return Progress::Done,
                _ => self.opened = true,
            }
        }
        if self.up(stack).is_err() || self.down(stack).is_err() {
            stack.tcp(self.tunnel).abort();
            return Progress::Done;
        }
        let socket = stack.tcp(self.tunnel);
        let finished = self.upstream == Flow::Finished && self.downstream == Flow::Finished;
        if matches!(socket.state(), State::Closed | State::TimeWait)
            || (finished && !socket.is_active())
        {
            return Progress::Done;
        }
        Progress::Running
    }

    /// Host to tunnel.
    fn up(&mut self, stack: &mut Netstack) -> std::io::Result<()> {
        let socket = stack.tcp(self.tunnel);
        while self.upstream == Flow::Open && self.client.ready.readable && socket.can_send() {
            let read = socket.send(|buf| match self.client.stream.read(buf) {
                Ok(0) => (0, Ok(0)),
                Ok(n) => (n, Ok(n)),
                Err(e) => (0, Err(e)),
            });
            match read {
                Ok(Ok(0)) => {
                    self.upstream = Flow::Finished;
                    socket.close();
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) if e.kind() == ErrorKind::WouldBlock => {
                    self.client.ready.readable = false
                }
                Ok(Err(e)) if e.kind() == ErrorKind::Interrupted => {}
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(ErrorKind::BrokenPipe.into()),
            }
        }
        Ok(())
    }

    /// Tunnel to host.
    fn down(&mut self, stack: &mut Netstack) -> std::io::Result<()> {
        let socket = stack.tcp(self.tunnel);
        while self.client.ready.writable && socket.can_recv() {
            let written = socket.recv(|buf| match self.client.stream.write(buf) {
                Ok(n) => (n, Ok(n)),
                Err(e) => (0, Err(e)),
            });
            match written {
                Ok(Ok(_)) => {}
                Ok(Err(e)) if e.kind() == ErrorKind::WouldBlock => {
                    self.client.ready.writable = false
                }
                Ok(Err(e)) if e.kind() == ErrorKind::Interrupted => {}
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(ErrorKind::ConnectionReset.into()),
            }
        }
        if self.downstream == Flow::Open && !socket.may_recv() && !socket.can_recv() {
            // The tunnel side sent FIN and everything before it was delivered.
            self.downstream = Flow::Finished;
            let _ = self.client.stream.shutdown(Shutdown::Write);
        }
        Ok(())
    }
}
