//! A SOCKS5 server's side of a conversation (RFC 1928, RFC 1929) over arbitrary client bytes.
//!
//! Input: byte 0 picks the server's policy (bit 0: username/password required) and the read
//! size (bits 1–4: reads of 1–16 bytes); the rest is what the client sends on the control
//! connection, and is also parsed whole as a UDP ASSOCIATE datagram.
//!
//! Checks, for every input: no panic; the conversation advances greeting → (auth) →
//! request as a server feeding each read to the parsers would, and its outcome does not
//! depend on how the bytes were split into reads; the method chosen is the one the policy
//! requires; a complete message used no more bytes than it had and parses the same from its
//! own bytes; an error stays the same error when more bytes arrive; a parsed request written
//! back is byte for byte what was received, and a reply to it has the same address layout;
//! an accepted datagram written back (header and payload) parses to itself.
#![no_main]

use ferrotun_proxy::socks5::{
    self, AuthPolicy, Credentials, Error, Method, Parsed, Reply, ReplyCode, Request, Target,
};
use libfuzzer_sys::fuzz_target;
use std::fmt::Debug;

fuzz_target!(|data: &[u8]| {
    let Some((&control, client)) = data.split_first() else {
        return;
    };
    let policy = if control & 1 == 0 {
        AuthPolicy::NoAuth
    } else {
        AuthPolicy::UserPass
    };
    let read = usize::from((control >> 1) & 0x0f) + 1;
    let whole = converse(client, policy, client.len().max(1));
    let split = converse(client, policy, read);
    assert_eq!(whole, split, "the outcome depends on how reads were split");
    check_datagram(client);
});

/// How far a conversation got.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// Waiting for more bytes in this stage.
    Waiting(Stage),
    /// The server sent method X'FF' and closed.
    NoMethod,
    /// The client failed authentication.
    Refused,
    /// A parser refused a message.
    Failed(Error),
    /// A whole request, and the offset in the client's bytes where the tunnel's data starts.
    Request(Request, usize),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    Greeting,
    Auth,
    Request,
}

/// The server loop: reads of `read` bytes appended to a buffer, each stage parsing it and
/// removing what it used.
fn converse(client: &[u8], policy: AuthPolicy, read: usize) -> Outcome {
    let credentials = Credentials::new("user", "pw");
    let mut buffer = Vec::new();
    let mut consumed = 0;
    let mut stage = Stage::Greeting;
    for chunk in client.chunks(read) {
        buffer.extend_from_slice(chunk);
        loop {
            let used = match stage {
                Stage::Greeting => match checked(socks5::parse_greeting, &buffer) {
                    Err(e) => return Outcome::Failed(e),
                    Ok(Parsed::Incomplete) => break,
                    Ok(Parsed::Done { msg, used }) => {
                        stage = match (msg.select(policy), policy) {
                            (Method::NoAcceptable, _) => return Outcome::NoMethod,
                            (Method::NoAuth, AuthPolicy::NoAuth) => Stage::Request,
                            (Method::UserPass, AuthPolicy::UserPass) => Stage::Auth,
                            (method, _) => panic!("{method:?} selected under {policy:?}"),
                        };
                        used
                    }
                },
                Stage::Auth => match checked(socks5::parse_auth, &buffer) {
                    Err(e) => return Outcome::Failed(e),
                    Ok(Parsed::Incomplete) => break,
                    Ok(Parsed::Done { msg, used }) => {
                        if !msg.matches(&credentials) {
                            return Outcome::Refused;
                        }
                        stage = Stage::Request;
                        used
                    }
                },
                Stage::Request => match checked(socks5::parse_request, &buffer) {
                    Err(e) => return Outcome::Failed(e),
                    Ok(Parsed::Incomplete) => break,
                    Ok(Parsed::Done { msg, used }) => {
                        check_written(&msg, &buffer[..used]);
                        return Outcome::Request(msg, consumed + used);
                    }
                },
            };
            buffer.drain(..used);
            consumed += used;
        }
    }
    Outcome::Waiting(stage)
}

/// One parse, with the checks every incremental parser must pass.
fn checked<T: Debug + PartialEq + Clone>(
    parse: fn(&[u8]) -> Result<Parsed<T>, Error>,
    buffer: &[u8],
) -> Result<Parsed<T>, Error> {
    let result = parse(buffer);
    match &result {
        Ok(Parsed::Done { msg, used }) => {
            assert!(*used <= buffer.len());
            let alone = parse(&buffer[..*used]);
            assert_eq!(
                alone,
                Ok(Parsed::Done {
                    msg: msg.clone(),
                    used: *used
                })
            );
        }
        Ok(Parsed::Incomplete) => {}
        Err(e) => {
            let _ = e.response();
            let mut longer = buffer.to_vec();
            longer.extend_from_slice(&[0; 260]);
            assert_eq!(
                parse(&longer).err(),
                Some(*e),
                "the error changed with more bytes"
            );
        }
    }
    result
}

/// A request written back is what was received, except RSV and a name that was an address
/// literal (it becomes the address's own type); a reply shares the address layout.
fn check_written(request: &Request, received: &[u8]) {
    let mut written = Vec::new();
    socks5::write_request(request, &mut written);
    let literal = received[3] == 3 && matches!(request.target, Target::Addr(_));
    if !literal {
        assert_eq!(&written[..2], &received[..2]);
        assert_eq!(&written[3..], &received[3..]);
    }
    let again = socks5::parse_request(&written);
    assert_eq!(
        again,
        Ok(Parsed::Done {
            msg: request.clone(),
            used: written.len()
        })
    );
    let reply = Reply {
        code: ReplyCode::Succeeded,
        bound: request.target.clone(),
    };
    assert_eq!(&reply.to_bytes()[3..], &written[3..]);
}

fn check_datagram(bytes: &[u8]) {
    let Ok(datagram) = socks5::parse_udp_datagram(bytes) else {
        return;
    };
    assert!(datagram.payload.len() + 7 <= bytes.len());
    let mut again = Vec::new();
    socks5::write_udp_header(&datagram.target, &mut again);
    again.extend_from_slice(datagram.payload);
    assert_eq!(socks5::parse_udp_datagram(&again), Ok(datagram));
}
