//! Root-free tests of rtnl: the bytes of every request, and the parsing of replies the
//! kernel sent (captured by `capture.sh` into `data/`).

mod lenient;
mod replies;
mod requests;

use crate::action::{Family, Prefix, Rule};
use crate::exec::netlink::{Answer, Message, Replies, Request};
use std::io;
use std::net::IpAddr;

fn ip(text: &str) -> IpAddr {
    text.parse().expect("a test address")
}

fn prefix(text: &str) -> Prefix {
    let (address, len) = text.split_once('/').expect("a test prefix");
    Prefix {
        ip: ip(address),
        len: len.parse().expect("a test prefix length"),
    }
}

fn not_fwmark(family: Family, mark: u32) -> Rule {
    Rule::NotFwmark { family, mark }
}

fn suppress_main(family: Family) -> Rule {
    Rule::SuppressMain { family }
}

/// `bytes` as hex in 4-byte words, the way the expected values are written.
fn words(bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let chars: Vec<char> = hex.chars().collect();
    let words: Vec<String> = chars.chunks(8).map(|w| w.iter().collect()).collect();
    words.join(" ")
}

/// Asserts that `request`, sent with sequence number 1, is `expected` (hex; spaces and line
/// breaks ignored).
fn check(name: &str, request: &Request, expected: &str) {
    let expected: String = expected.split_whitespace().collect();
    let expected = hex::decode(expected).expect("expected bytes in hex");
    let encoded = request.encode(1);
    assert_eq!(words(&encoded), words(&expected), "{name}");
}

/// The replies in `bytes`, everything the kernel sent to a request with sequence number 1.
fn replies(bytes: &[u8], answer: Answer) -> io::Result<Vec<Message>> {
    let mut replies = Replies::new(1, answer);
    let done = replies.take(bytes).expect("a complete answer");
    done.map(|()| replies.messages)
}
