//! Replies the kernel sent (see `capture.sh` for the namespace they came from), parsed:
//! links, addresses, routes and rules, acknowledgements and errors.

use super::{not_fwmark, prefix, replies, suppress_main};
use crate::action::{Family, Prefix};
use crate::exec::netlink::{Answer, Replies};
use crate::exec::rtnl::*;

const LINK: &[u8] = include_bytes!("data/link_ftcap0.bin");
const LINK_MISSING: &[u8] = include_bytes!("data/link_missing.bin");
const ACK: &[u8] = include_bytes!("data/ack.bin");
const DELETE_RULE_MISSING: &[u8] = include_bytes!("data/delete_rule_missing.bin");
const ADDRESSES_V4: &[u8] = include_bytes!("data/addresses_v4.bin");
const ADDRESSES_V6: &[u8] = include_bytes!("data/addresses_v6.bin");
const ROUTES_V4: &[u8] = include_bytes!("data/routes_v4.bin");
const ROUTES_V6: &[u8] = include_bytes!("data/routes_v6.bin");
const ROUTE_GET_V4: &[u8] = include_bytes!("data/route_get_v4.bin");
const ROUTE_GET_V6: &[u8] = include_bytes!("data/route_get_v6.bin");
const ROUTE_GET_UNREACHABLE: &[u8] = include_bytes!("data/route_get_unreachable.bin");
const RULES_V4: &[u8] = include_bytes!("data/rules_v4.bin");
const RULES_V6: &[u8] = include_bytes!("data/rules_v6.bin");

/// The TUN link `ftcap0` is index 2 (after `lo`) in the capture's namespace.
const FTCAP0: u32 = 2;

#[test]
fn link_reply_gives_index_and_mtu() {
    let link = replies(LINK, Answer::One).expect("a link");
    assert_eq!(parse_link(&link), Some((FTCAP0, 1420)));
}

#[test]
fn errors_carry_the_kernels_errno() {
    let missing = replies(LINK_MISSING, Answer::One).expect_err("no such link");
    assert_eq!(missing.raw_os_error(), Some(libc::ENODEV));
    let rule = replies(DELETE_RULE_MISSING, Answer::One).expect_err("no such rule");
    assert_eq!(rule.raw_os_error(), Some(libc::ENOENT));
    let route = replies(ROUTE_GET_UNREACHABLE, Answer::One).expect_err("no route");
    assert_eq!(route.raw_os_error(), Some(libc::ENETUNREACH));
}

#[test]
fn an_acknowledgement_is_success_without_replies() {
    let ack = replies(ACK, Answer::One).expect("an acknowledgement");
    assert!(ack.is_empty());
}

#[test]
fn addresses_of_each_link() {
    let v4 = replies(ADDRESSES_V4, Answer::Dump).expect("an address dump");
    let v6 = replies(ADDRESSES_V6, Answer::Dump).expect("an address dump");
    let found = |dump, family, index| -> Vec<(Prefix, bool)> {
        parse_addresses(dump, family, index)
            .into_iter()
            .map(|a| (a.prefix, a.link_scope))
            .collect()
    };
    assert_eq!(found(&v4, Family::V4, 1), [(prefix("127.0.0.1/8"), false)]);
    assert_eq!(
        found(&v4, Family::V4, FTCAP0),
        [(prefix("10.7.0.2/24"), false)]
    );
    assert_eq!(found(&v6, Family::V6, 1), [(prefix("::1/128"), false)]);
    assert_eq!(
        found(&v6, Family::V6, FTCAP0),
        [
            (prefix("fd00:7::2/64"), false),
            (prefix("fe80::7/64"), true)
        ]
    );
    assert!(found(&v4, Family::V4, 3).is_empty());
}

/// `proto kernel`, the routes the kernel made for an address.
const KERNEL: u8 = 2;
/// `proto boot`, the routes `ip route add` (and so wg-quick) made.
const BOOT: u8 = RTPROT_BOOT;
const LOCAL: u8 = 2;
const BROADCAST: u8 = 3;
const MULTICAST: u8 = 5;

/// A route to `dst` (`default`, or a prefix) in `table` through link `oif`.
fn route(table: u32, dst: &str, oif: u32, protocol: u8, kind: u8) -> RouteInfo {
    let (dst, dst_len) = match dst {
        "default" => (None, 0),
        _ => {
            let dst = prefix(dst);
            (Some(dst.ip), dst.len)
        }
    };
    RouteInfo {
        table,
        dst_len,
        oif: Some(oif),
        mtu: None,
        dst,
        protocol,
        kind,
    }
}

fn routes(bytes: &[u8]) -> Vec<RouteInfo> {
    let dump = replies(bytes, Answer::Dump).expect("a route dump");
    dump.iter().filter_map(parse_route).collect()
}

/// Every route of every table, with its table (`RTA_TABLE` over the header's for 51820),
/// its own MTU metric, protocol and type.
#[test]
fn route_dumps() {
    let with_mtu = RouteInfo {
        mtu: Some(1300),
        ..route(254, "192.0.2.0/24", FTCAP0, BOOT, RTN_UNICAST)
    };
    assert_eq!(
        routes(ROUTES_V4),
        [
            route(51820, "default", FTCAP0, BOOT, RTN_UNICAST),
            route(254, "10.7.0.0/24", FTCAP0, KERNEL, RTN_UNICAST),
            route(254, "10.8.0.0/16", FTCAP0, BOOT, RTN_UNICAST),
            with_mtu,
            route(255, "10.7.0.2/32", FTCAP0, KERNEL, LOCAL),
            route(255, "10.7.0.255/32", FTCAP0, KERNEL, BROADCAST),
            route(255, "127.0.0.0/8", 1, KERNEL, LOCAL),
            route(255, "127.0.0.1/32", 1, KERNEL, LOCAL),
            route(255, "127.255.255.255/32", 1, KERNEL, BROADCAST),
        ]
    );
    assert_eq!(
        routes(ROUTES_V6),
        [
            route(51820, "default", FTCAP0, BOOT, RTN_UNICAST),
            route(254, "fd00:7::/64", FTCAP0, KERNEL, RTN_UNICAST),
            route(254, "fe80::/64", FTCAP0, KERNEL, RTN_UNICAST),
            route(255, "::1/128", 1, KERNEL, LOCAL),
            route(255, "fd00:7::2/128", FTCAP0, KERNEL, LOCAL),
            route(255, "fe80::7/128", FTCAP0, KERNEL, LOCAL),
            route(255, "ff00::/8", FTCAP0, KERNEL, MULTICAST),
        ]
    );
}

/// `ip route get`: the route to the address, with the MTU of the route it came from.
#[test]
fn route_get_replies() {
    let get = |bytes| {
        let reply = replies(bytes, Answer::One).expect("a route");
        assert_eq!(reply.len(), 1);
        parse_route(&reply[0])
    };
    let v4 = RouteInfo {
        mtu: Some(1300),
        ..route(254, "192.0.2.9/32", FTCAP0, 0, RTN_UNICAST)
    };
    assert_eq!(get(ROUTE_GET_V4), Some(v4));
    let v6 = route(254, "fd00:7::9/128", FTCAP0, KERNEL, RTN_UNICAST);
    assert_eq!(get(ROUTE_GET_V6), Some(v6));
}

/// Of the five rules of each family, wg-quick's two, in the kernel's order (by priority).
#[test]
fn rule_dumps() {
    let v4 = replies(RULES_V4, Answer::Dump).expect("a rule dump");
    assert_eq!(
        parse_rules(&v4, Family::V4),
        [suppress_main(Family::V4), not_fwmark(Family::V4, 51820)]
    );
    let v6 = replies(RULES_V6, Answer::Dump).expect("a rule dump");
    assert_eq!(
        parse_rules(&v6, Family::V6),
        [suppress_main(Family::V6), not_fwmark(Family::V6, 51820)]
    );
}

/// A dump spread over datagrams is complete only at `NLMSG_DONE`; messages that answer
/// another request (another sequence number) are passed over.
#[test]
fn replies_span_datagrams_and_skip_other_requests() {
    // The first message of the dump alone, then the rest.
    let first = u32::from_ne_bytes(ROUTES_V4[..4].try_into().unwrap()) as usize;
    let mut dump = Replies::new(1, Answer::Dump);
    assert!(dump.take(&ROUTES_V4[..first]).is_none());
    assert!(dump.take(&ROUTES_V4[first..]).expect("complete").is_ok());
    assert_eq!(dump.messages.len(), 9);

    // An error for sequence number 2 ahead of the link reply to sequence number 1.
    let mut stale = LINK_MISSING.to_vec();
    stale[8..12].copy_from_slice(&2u32.to_ne_bytes());
    stale.extend_from_slice(LINK);
    let link = replies(&stale, Answer::One).expect("the link, not the stale error");
    assert_eq!(parse_link(&link), Some((FTCAP0, 1420)));
}
