//! A synchronous rtnetlink client: one request at a time over a `NETLINK_ROUTE` socket, its
//! replies gathered until the answer is complete.
//!
//! The messages are `netlink-packet-route`'s, which encode and decode synchronously, and
//! the socket is `netlink-sys`'s; an async netlink stack would buy nothing for wg-quick's
//! dozen requests. `rtnl` builds the requests, each the way `ip` builds it.

use netlink_packet_core::{
    NetlinkBuffer, NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_DUMP,
    NLM_F_REQUEST,
};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};
use std::io;

mod lenient;

/// One message the kernel sent: a link, an address, a route, a rule.
pub type Message = RouteNetlinkMessage;

/// `struct nlmsghdr`.
const HEADER: usize = 16;
/// Room for one datagram (the kernel fills those of a dump to at most 32 KiB).
const DATAGRAM: usize = 65536;

/// One request as it goes on the wire, less its sequence number: built apart from the
/// socket so that every message we send can be checked byte for byte without root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    flags: u16,
    message: Message,
}

impl Request {
    /// A change the kernel acknowledges (`NLM_F_ACK`), with extra `flags`.
    #[must_use]
    pub fn change(message: Message, flags: u16) -> Self {
        Request {
            flags: NLM_F_REQUEST | NLM_F_ACK | flags,
            message,
        }
    }

    /// A `get` request for one object.
    #[must_use]
    pub fn get(message: Message) -> Self {
        Request {
            flags: NLM_F_REQUEST,
            message,
        }
    }

    /// A `get` request for every object of a kind (`NLM_F_DUMP`).
    #[must_use]
    pub fn dump(message: Message) -> Self {
        Request {
            flags: NLM_F_REQUEST | NLM_F_DUMP,
            message,
        }
    }

    fn answer(&self) -> Answer {
        if self.flags & NLM_F_DUMP == NLM_F_DUMP {
            Answer::Dump
        } else {
            Answer::One
        }
    }

    /// The whole message, `nlmsghdr` first, with sequence number `seq`.
    #[must_use]
    pub fn encode(&self, seq: u32) -> Vec<u8> {
        let mut header = NetlinkHeader::default();
        header.flags = self.flags;
        header.sequence_number = seq;
        let mut packet = NetlinkMessage::new(header, NetlinkPayload::from(self.message.clone()));
        packet.finalize();
        let mut bytes = vec![0; packet.buffer_len()];
        packet.serialize(&mut bytes);
        bytes
    }
}

/// A `NETLINK_ROUTE` socket in the calling thread's network namespace.
#[derive(Debug)]
pub struct Netlink {
    socket: Socket,
    seq: u32,
}

impl Netlink {
    /// Opens and binds the socket (close-on-exec: hooks and `nft` must not inherit it).
    pub fn open() -> io::Result<Self> {
        let mut socket = Socket::new(NETLINK_ROUTE)?;
        socket.bind(&SocketAddr::new(0, 0))?;
        Ok(Netlink { socket, seq: 0 })
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
        self.socket.send(&request.encode(self.seq), 0)?;
        let mut replies = Replies::new(self.seq, request.answer());
        let mut buffer = vec![0u8; DATAGRAM];
        loop {
            let n = self.socket.recv(&mut &mut buffer[..], 0)?;
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

    /// Takes one datagram; `Some` once the answer is complete (an error reply ends it, and
    /// so does a message that cannot be decoded even [leniently](lenient)). Messages that
    /// answer another request (another sequence number) are passed over.
    pub(crate) fn take(&mut self, datagram: &[u8]) -> Option<io::Result<()>> {
        let mut rest = datagram;
        while !rest.is_empty() {
            let buffer = match NetlinkBuffer::new_checked(rest) {
                Ok(buffer) => buffer,
                Err(e) => return Some(Err(undecodable(&e))),
            };
            let len = buffer.length() as usize;
            let seq = buffer.sequence_number();
            let bytes = &rest[..len];
            rest = &rest[align(len).min(rest.len())..];
            if seq != self.seq {
                continue;
            }
            let kind = buffer.message_type();
            match NetlinkMessage::<Message>::deserialize(bytes).map(|m| m.payload) {
                Err(e) => match lenient::decode(kind, &bytes[HEADER..]) {
                    Some(message) => self.messages.push(message),
                    None => return Some(Err(undecodable(&e))),
                },
                Ok(NetlinkPayload::Done(_)) => return Some(Ok(())),
                Ok(NetlinkPayload::Error(error)) => {
                    return Some(error.code.map_or(Ok(()), |_| Err(error.to_io())));
                }
                Ok(NetlinkPayload::InnerMessage(message)) => self.messages.push(message),
                Ok(_) => {}
            }
            if self.answer == Answer::One {
                return Some(Ok(()));
            }
        }
        None
    }
}

/// A reply we cannot read: the kernel's bytes, or the crate's idea of them, are not what
/// we expect, and guessing would act on a wrong picture of the host.
fn undecodable(error: &dyn std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("cannot decode the kernel's netlink reply: {error}"),
    )
}

/// Rounds up to the 4-byte netlink alignment.
fn align(len: usize) -> usize {
    (len + 3) & !3
}
