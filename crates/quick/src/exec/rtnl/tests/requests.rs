//! The bytes of every request we send, each compared with what the hand-written encoder
//! produced (recorded from it before the move to `netlink-packet-route`), so a change on
//! the wire cannot pass unnoticed. Each line is the 16-byte `nlmsghdr` (length, type,
//! flags, sequence number 1, port 0), then the fixed header and the attributes, in
//! native-endian 4-byte words.

use super::{check, ip, not_fwmark, prefix, suppress_main};
use crate::action::Family;
use crate::exec::rtnl::*;

/// `ip link`: get by name (the name NUL-terminated, as `ip` sends it) and by index;
/// `set mtu up` (`IFF_UP` in flags and change mask, `IFLA_MTU`); the move into a namespace
/// (`IFLA_NET_NS_FD`); delete.
#[test]
fn links() {
    check(
        "link_by_name_wg0",
        &link_by_name_request("wg0"),
        "28000000 12000100 01000000 00000000\
         00000000 00000000 00000000 00000000 08000300 77673000",
    );
    check(
        "link_7",
        &link_request(7),
        "20000000 12000100 01000000 00000000\
         00000000 07000000 00000000 00000000",
    );
    check(
        "set_mtu_up",
        &set_mtu_up_request(7, 1420),
        "28000000 10000500 01000000 00000000\
         00000000 07000000 01000000 01000000 08000400 8c050000",
    );
    check(
        "move_link",
        &move_link_request(7, 5),
        "28000000 10000500 01000000 00000000\
         00000000 07000000 00000000 00000000 08001c00 05000000",
    );
    check(
        "delete_link",
        &delete_link_request(7),
        "20000000 11000500 01000000 00000000\
         00000000 07000000 00000000 00000000",
    );
}

/// `ip address add|del` (`IFA_LOCAL` then `IFA_ADDRESS`, the same address) and the
/// per-family dump.
#[test]
fn addresses() {
    check(
        "add_address_v4",
        &add_address_request(7, &prefix("10.0.0.2/24")),
        "28000000 14000506 01000000 00000000\
         02180000 07000000 08000200 0a000002 08000100 0a000002",
    );
    check(
        "add_address_v6",
        &add_address_request(7, &prefix("fd00::2/64")),
        "40000000 14000506 01000000 00000000\
         0a400000 07000000 14000200 fd000000 00000000 00000000 00000002 14000100 fd000000 00000000 00000000 00000002",
    );
    check(
        "delete_address_v4",
        &delete_address_request(7, &prefix("10.0.0.2/24")),
        "28000000 15000500 01000000 00000000\
         02180000 07000000 08000200 0a000002 08000100 0a000002",
    );
    check(
        "delete_address_v6",
        &delete_address_request(7, &prefix("fd00::2/64")),
        "40000000 15000500 01000000 00000000\
         0a400000 07000000 14000200 fd000000 00000000 00000000 00000002 14000100 fd000000 00000000 00000000 00000002",
    );
    check(
        "addresses_v4",
        &addresses_request(Family::V4),
        "18000000 16000103 01000000 00000000\
         02000000 00000000",
    );
    check(
        "addresses_v6",
        &addresses_request(Family::V6),
        "18000000 16000103 01000000 00000000\
         0a000000 00000000",
    );
}

/// `ip route add PREFIX dev IF [table T]`: `proto boot`, scope link, unicast; a table above
/// 255 goes in `RTA_TABLE` with `rtm_table` 0, a smaller one in `rtm_table` alone; a default
/// route has no `RTA_DST`.
#[test]
fn routes_added() {
    check(
        "add_route_v4_main",
        &add_route_request(7, &prefix("10.0.0.0/24"), None),
        "2c000000 18000506 01000000 00000000\
         02180000 fe03fd01 00000000 08000100 0a000000 08000400 07000000",
    );
    check(
        "add_route_v4_default_51820",
        &add_route_request(7, &prefix("0.0.0.0/0"), Some(51820)),
        "2c000000 18000506 01000000 00000000\
         02000000 0003fd01 00000000 08000f00 6cca0000 08000400 07000000",
    );
    check(
        "add_route_v6_default_51820",
        &add_route_request(7, &prefix("::/0"), Some(51820)),
        "2c000000 18000506 01000000 00000000\
         0a000000 0003fd01 00000000 08000f00 6cca0000 08000400 07000000",
    );
    check(
        "add_route_v4_table_200",
        &add_route_request(7, &prefix("192.0.2.0/24"), Some(200)),
        "2c000000 18000506 01000000 00000000\
         02180000 c803fd01 00000000 08000100 c0000200 08000400 07000000",
    );
    check(
        "add_route_v6_main",
        &add_route_request(7, &prefix("fd00::/64"), None),
        "38000000 18000506 01000000 00000000\
         0a400000 fe03fd01 00000000 14000100 fd000000 00000000 00000000 00000000 08000400 07000000",
    );
}

/// `ip route del` (scope nowhere, type 0: any), `ip route get IP` and the per-family dump.
#[test]
fn routes_deleted_got_and_dumped() {
    check(
        "delete_route_v4_main",
        &delete_route_request(7, &prefix("10.0.0.0/24"), None),
        "2c000000 19000500 01000000 00000000\
         02180000 fe03ff00 00000000 08000100 0a000000 08000400 07000000",
    );
    check(
        "delete_route_v4_default_51820",
        &delete_route_request(7, &prefix("0.0.0.0/0"), Some(51820)),
        "2c000000 19000500 01000000 00000000\
         02000000 0003ff00 00000000 08000f00 6cca0000 08000400 07000000",
    );
    check(
        "delete_route_v6_default_51820",
        &delete_route_request(7, &prefix("::/0"), Some(51820)),
        "2c000000 19000500 01000000 00000000\
         0a000000 0003ff00 00000000 08000f00 6cca0000 08000400 07000000",
    );
    check(
        "route_get_v4",
        &route_get_request(ip("192.0.2.1")),
        "24000000 1a000100 01000000 00000000\
         02200000 00000001 00000000 08000100 c0000201",
    );
    check(
        "route_get_v6",
        &route_get_request(ip("2001:db8::1")),
        "30000000 1a000100 01000000 00000000\
         0a800000 00000001 00000000 14000100 20010db8 00000000 00000000 00000001",
    );
    check(
        "dump_routes_v4",
        &dump_routes_request(Family::V4),
        "1c000000 1a000103 01000000 00000000\
         02000000 00000001 00000000",
    );
    check(
        "dump_routes_v6",
        &dump_routes_request(Family::V6),
        "1c000000 1a000103 01000000 00000000\
         0a000000 00000001 00000000",
    );
}

/// `ip rule add not fwmark T table T` (`FIB_RULE_INVERT`), `ip rule add table main
/// suppress_prefixlength 0`.
#[test]
fn rules_added() {
    check(
        "add_rule_not_fwmark_v4",
        &add_rule_request(&not_fwmark(Family::V4, 51820)),
        "2c000000 20000506 01000000 00000000\
         02000000 00000001 02000000 08000f00 6cca0000 08000a00 6cca0000",
    );
    check(
        "add_rule_not_fwmark_v6",
        &add_rule_request(&not_fwmark(Family::V6, 51820)),
        "2c000000 20000506 01000000 00000000\
         0a000000 00000001 02000000 08000f00 6cca0000 08000a00 6cca0000",
    );
    check(
        "add_rule_not_fwmark_v4_200",
        &add_rule_request(&not_fwmark(Family::V4, 200)),
        "2c000000 20000506 01000000 00000000\
         02000000 c8000001 02000000 08000f00 c8000000 08000a00 c8000000",
    );
    check(
        "add_rule_suppress_v4",
        &add_rule_request(&suppress_main(Family::V4)),
        "2c000000 20000506 01000000 00000000\
         02000000 fe000001 00000000 08000f00 fe000000 08000e00 00000000",
    );
    check(
        "add_rule_suppress_v6",
        &add_rule_request(&suppress_main(Family::V6)),
        "2c000000 20000506 01000000 00000000\
         0a000000 fe000001 00000000 08000f00 fe000000 08000e00 00000000",
    );
}

/// Their deletion (the first by table alone, as `ip rule delete table T`) and the dump.
#[test]
fn rules_deleted_and_dumped() {
    check(
        "delete_rule_not_fwmark_v4",
        &delete_rule_request(&not_fwmark(Family::V4, 51820)),
        "24000000 21000500 01000000 00000000\
         02000000 00000001 00000000 08000f00 6cca0000",
    );
    check(
        "delete_rule_not_fwmark_v6_200",
        &delete_rule_request(&not_fwmark(Family::V6, 200)),
        "24000000 21000500 01000000 00000000\
         0a000000 c8000001 00000000 08000f00 c8000000",
    );
    check(
        "delete_rule_suppress_v4",
        &delete_rule_request(&suppress_main(Family::V4)),
        "2c000000 21000500 01000000 00000000\
         02000000 fe000001 00000000 08000f00 fe000000 08000e00 00000000",
    );
    check(
        "delete_rule_suppress_v6",
        &delete_rule_request(&suppress_main(Family::V6)),
        "2c000000 21000500 01000000 00000000\
         0a000000 fe000001 00000000 08000f00 fe000000 08000e00 00000000",
    );
    check(
        "dump_rules_v4",
        &dump_rules_request(Family::V4),
        "1c000000 22000103 01000000 00000000\
         02000000 00000000 00000000",
    );
    check(
        "dump_rules_v6",
        &dump_rules_request(Family::V6),
        "1c000000 22000103 01000000 00000000\
         0a000000 00000000 00000000",
    );
}
