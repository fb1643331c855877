//! A connection from a client on the host, with what mio last said of it: mio reports each
//! change of readiness once (edge-triggered), so the flags stay set until a read or write
//! finds the socket drained or full.

use mio::net::TcpStream;
use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;

/// What the host side last reported.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct HostReady {
    pub(crate) readable: bool,
    pub(crate) writable: bool,
}

/// A host connection.
pub(crate) struct Client {
    pub(crate) stream: TcpStream,
    pub(crate) ready: HostReady,
    pub(crate) from: SocketAddr,
    /// When it was accepted.
    pub(crate) since: std::time::Instant,
}

/// What a read found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Got {
    /// This many bytes.
    Bytes(usize),
    /// Nothing now.
    Nothing,
    /// The client closed its side (or the connection failed).
    Closed,
}

impl Client {
    pub(crate) fn new(stream: TcpStream, from: SocketAddr) -> Client {
        Client {
            stream,
            ready: HostReady::default(),
            from,
            since: std::time::Instant::now(),
        }
    }

    /// Reads what is there into `buf`.
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> Got {
        if !self.ready.readable {
            return Got::Nothing;
        }
        loop {
            return match self.stream.read(buf) {
                Ok(0) => Got::Closed,
                Ok(n) => Got::Bytes(n),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    self.ready.readable = false;
                    Got::Nothing
                }
                Err(_) => Got::Closed,
            };
        }
    }

    /// Writes a short protocol message (a reply of a few dozen bytes) whole. A fresh
    /// connection's send buffer always has room for one; if it has not, the client is not
    /// reading and the connection is given up.
    pub(crate) fn send_message(&mut self, message: &[u8]) -> std::io::Result<()> {
        let mut rest = message;
        while !rest.is_empty() {
            match self.stream.write(rest) {
                Ok(0) => return Err(ErrorKind::WriteZero.into()),
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
