//! A minimal synchronous rtnetlink client: message framing and attributes.
//!
//! wg-quick needs a dozen fixed requests (address, link, route and rule changes, a few
//! queries). Encoding them by hand over a `NETLINK_ROUTE` socket costs less than pulling in
//! an async netlink stack, and keeps every byte visible next to the `ip` command it
//! replaces. `rtnl` builds the requests.

use nix::sys::socket::{
    bind, recv, send, socket, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol,
    SockType,
};
use std::io;
use std::os::fd::{AsRawFd as _, OwnedFd};

const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
/// `NLM_F_REQUEST`.
pub const F_REQUEST: u16 = 0x1;
/// `NLM_F_ACK`.
pub const F_ACK: u16 = 0x4;
/// `NLM_F_DUMP` (`NLM_F_ROOT | NLM_F_MATCH`).
pub const F_DUMP: u16 = 0x300;
/// `NLM_F_EXCL`.
pub const F_EXCL: u16 = 0x200;
/// `NLM_F_CREATE`.
pub const F_CREATE: u16 = 0x400;
const HEADER_LEN: usize = 16;

/// One received message: its type and the bytes after the `nlmsghdr`.
#[derive(Debug, Clone)]
pub struct Message {
    /// `nlmsg_type`.
    pub kind: u16,
    /// The payload (fixed header plus attributes).
    pub payload: Vec<u8>,
}

/// One request as it goes on the wire, less its sequence number: built apart from the
/// socket so that every message we send can be checked byte for byte without root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    kind: u16,
    flags: u16,
    body: Vec<u8>,
}

impl Request {
    /// A change the kernel acknowledges (`NLM_F_ACK`), with extra `flags`.
    #[must_use]
    pub fn change(kind: u16, flags: u16, body: Vec<u8>) -> Self {
        Request {
            kind,
            flags: F_REQUEST | F_ACK | flags,
            body,
        }
    }

    /// A `get` request (with [`F_DUMP`] in `flags` for a dump).
    #[must_use]
    pub fn query(kind: u16, flags: u16, body: Vec<u8>) -> Self {
        Request {
            kind,
            flags: F_REQUEST | flags,
            body,
        }
    }

    fn answer(&self) -> Answer {
        if self.flags & F_DUMP == F_DUMP {
            Answer::Dump
        } else {
            Answer::One
        }
    }

    /// The whole message, `nlmsghdr` first, with sequence number `seq`.
    pub fn encode(&self, seq: u32) -> io::Result<Vec<u8>> {
        let len =
            u32::try_from(HEADER_LEN + self.body.len()).map_err(|_| io::ErrorKind::InvalidInput)?;
        let mut message = Vec::with_capacity(HEADER_LEN + self.body.len());
        message.extend_from_slice(&len.to_ne_bytes());
        message.extend_from_slice(&self.kind.to_ne_bytes());
        message.extend_from_slice(&self.flags.to_ne_bytes());
        message.extend_from_slice(&seq.to_ne_bytes());
        message.extend_from_slice(&0u32.to_ne_bytes());
        message.extend_from_slice(&self.body);
        Ok(message)
    }
}

/// A `NETLINK_ROUTE` socket in the calling thread's network namespace.
#[derive(Debug)]
pub struct Netlink {
    fd: OwnedFd,
    seq: u32,
}

impl Netlink {
    /// Opens and binds the socket.
    pub fn open() -> io::Result<Self> {
        let fd = socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkRoute,
        )?;
        bind(fd.as_raw_fd(), &NetlinkAddr::new(0, 0))?;
        Ok(Netlink { fd, seq: 0 })
    }

    /// Sends a change request and waits for the kernel's acknowledgement; a negative
    /// `errno` in it becomes the error (`RTNETLINK answers: ...` in `ip`).
    pub fn change(&mut self, request: &Request) -> io::Result<()> {
        self.exchange(request).map(drop)
    }

    /// Sends a `get` request and returns the replies.
    pub fn query(&mut self, request: &Request) -> io::Result<Vec<Message>> {
        self.exchange(request)
    }

    fn exchange(&mut self, request: &Request) -> io::Result<Vec<Message>> {
        self.seq = self.seq.wrapping_add(1);
        send(
            self.fd.as_raw_fd(),
            &request.encode(self.seq)?,
            MsgFlags::empty(),
        )?;
        let mut replies = Replies::new(self.seq, request.answer());
        let mut buffer = vec![0u8; 65536];
        loop {
            let n = recv(self.fd.as_raw_fd(), &mut buffer, MsgFlags::empty())?;
            if let Some(done) = replies.take(&buffer[..n]) {
                return done.map(|()| replies.messages);
            }
        }
    }
}

/// What answers a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// One reply, or the acknowledgement (or error).
    One,
    /// Replies until `NLMSG_DONE` (or an error).
    Dump,
}

/// The replies to one request, gathered datagram by datagram.
#[derive(Debug)]
pub(crate) struct Replies {
    seq: u32,
    answer: Answer,
    /// The replies so far.
    pub(crate) messages: Vec<Message>,
}

impl Replies {
    pub(crate) fn new(seq: u32, answer: Answer) -> Self {
        Replies {
            seq,
            answer,
            messages: Vec::new(),
        }
    }

    /// Takes one datagram; `Some` once the answer is complete (an error reply ends it).
    pub(crate) fn take(&mut self, datagram: &[u8]) -> Option<io::Result<()>> {
        let mut rest = datagram;
        while rest.len() >= HEADER_LEN {
            let len = (u32_at(rest, 0) as usize).clamp(HEADER_LEN, rest.len());
            let kind = u16::from_ne_bytes([rest[4], rest[5]]);
            let seq = u32_at(rest, 8);
            let payload = &rest[HEADER_LEN..len];
            rest = &rest[align(len).min(rest.len())..];
            if seq != self.seq {
                continue;
            }
            match kind {
                NLMSG_DONE => return Some(Ok(())),
                NLMSG_ERROR => {
                    let errno = payload
                        .get(..4)
                        .map_or(0, |b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
                    if errno != 0 {
                        return Some(Err(io::Error::from_raw_os_error(-errno)));
                    }
                    return Some(Ok(()));
                }
                _ => self.messages.push(Message {
                    kind,
                    payload: payload.to_vec(),
                }),
            }
            if self.answer == Answer::One {
                return Some(Ok(()));
            }
        }
        None
    }
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Rounds up to the 4-byte netlink alignment.
#[must_use]
pub fn align(len: usize) -> usize {
    (len + 3) & !3
}

/// Appends an attribute (`rtattr`/`nlattr`), padded.
pub fn put_attr(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    let len = u16::try_from(4 + data.len()).expect("netlink attribute too long");
    out.extend_from_slice(&len.to_ne_bytes());
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(data);
    out.resize(align(out.len()), 0);
}

/// Appends a `u32` attribute.
pub fn put_u32(out: &mut Vec<u8>, kind: u16, value: u32) {
    put_attr(out, kind, &value.to_ne_bytes());
}

/// The attributes in `bytes` as `(type, data)` pairs (the nested flag masked off).
#[must_use]
pub fn attrs(mut bytes: &[u8]) -> Vec<(u16, &[u8])> {
    let mut out = Vec::new();
    while bytes.len() >= 4 {
        let len = usize::from(u16::from_ne_bytes([bytes[0], bytes[1]]));
        let kind = u16::from_ne_bytes([bytes[2], bytes[3]]) & 0x3fff;
        if len < 4 || len > bytes.len() {
            break;
        }
        out.push((kind, &bytes[4..len]));
        bytes = &bytes[align(len).min(bytes.len())..];
    }
    out
}

/// The `u32` in an attribute's data, if it has four bytes.
#[must_use]
pub fn as_u32(data: &[u8]) -> Option<u32> {
    Some(u32::from_ne_bytes(data.get(..4)?.try_into().ok()?))
}
