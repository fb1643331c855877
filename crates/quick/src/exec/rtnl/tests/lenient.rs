//! Replies that `netlink-packet-route` cannot decode whole: what decodes is kept, as the
//! hand-written parser did, and only a reply without a readable fixed header is an error.

use super::replies;
use crate::exec::netlink::Answer;
use crate::exec::rtnl::*;
use std::io;

const LINK: &[u8] = include_bytes!("data/link_ftcap0.bin");
const ROUTES_V4: &[u8] = include_bytes!("data/routes_v4.bin");

/// `IFLA_TXQLEN` (13) and `RTA_PRIORITY` (6) with two bytes where four belong: the crate
/// rejects the whole message for either.
const BAD_TXQLEN: [u8; 8] = [6, 0, 13, 0, 1, 0, 0, 0];
const BAD_PRIORITY: [u8; 8] = [6, 0, 6, 0, 1, 0, 0, 0];

/// The first message in `bytes` with `attribute` appended (and its length updated).
fn with_attribute(bytes: &[u8], attribute: &[u8]) -> Vec<u8> {
    let len = u32::from_ne_bytes(bytes[..4].try_into().unwrap()) as usize;
    let mut message = bytes[..len].to_vec();
    message.extend_from_slice(attribute);
    let len = u32::try_from(message.len()).unwrap();
    message[..4].copy_from_slice(&len.to_ne_bytes());
    message
}

#[test]
fn a_link_with_an_attribute_the_crate_rejects_still_gives_its_mtu() {
    let reply = with_attribute(LINK, &BAD_TXQLEN);
    let link = replies(&reply, Answer::One).expect("the link, less one attribute");
    assert_eq!(parse_link(&link), Some((2, 1420)));
}

#[test]
fn a_route_with_an_attribute_the_crate_rejects_is_still_read() {
    let whole = replies(ROUTES_V4, Answer::Dump).expect("a route dump");
    let reply = with_attribute(ROUTES_V4, &BAD_PRIORITY);
    let route = replies(&reply, Answer::One).expect("the route, less one attribute");
    assert_eq!(route.len(), 1);
    assert_eq!(parse_route(&route[0]), parse_route(&whole[0]));
    assert!(parse_route(&route[0]).is_some());
}

#[test]
fn a_reply_too_short_for_its_fixed_header_is_an_error() {
    // An `RTM_NEWROUTE` with four bytes where `struct rtmsg` has twelve.
    let mut reply = ROUTES_V4[..20].to_vec();
    reply[..4].copy_from_slice(&20u32.to_ne_bytes());
    let error = replies(&reply, Answer::One).expect_err("undecodable");
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
}
