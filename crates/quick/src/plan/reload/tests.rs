//! `reload` plans against made-up running interfaces.

use super::*;
use crate::action::DnsBackend;
use crate::testutil::{config, inv, PEER_A, PEER_B, PRIVATE};
use ferrotun_proto::keys::{PresharedKey, PublicKey};
use ferrotun_uapi::client::{DeviceInfo, PeerInfo};

fn env() -> Environment {
    Environment {
        is_wireguard: true,
        link_exists: true,
        src_valid_mark: true,
        ..Environment::default()
    }
}

fn prefix(text: &str) -> Prefix {
    let (ip, len) = text.split_once('/').unwrap();
    Prefix {
        ip: ip.parse().unwrap(),
        len: len.parse().unwrap(),
    }
}

fn peer(key: &str, allowed: &[&str]) -> PeerInfo {
    let mut peer = PeerInfo::new(PublicKey::from_base64(key).unwrap());
    peer.allowed_ips = allowed
        .iter()
        .map(|a| {
            let p = prefix(a);
            (p.ip, p.len)
        })
        .collect();
    peer
}

/// What `up` of `file_a` left: addresses, MTU 1420, routes in the main table for the
/// allowed IPs that no address covers.
fn running_a() -> Running {
    Running {
        device: DeviceInfo {
            listen_port: 51820,
            peers: vec![
                peer(PEER_A, &["10.0.0.0/24", "10.9.0.0/16"]),
                peer(PEER_B, &["10.7.0.0/16"]),
            ],
            ..DeviceInfo::default()
        },
        addresses: vec![
            (prefix("10.0.0.2/24"), false),
            (prefix("fe80::1234/64"), true),
        ],
        mtu: 1420,
        routes: vec![
            (prefix("10.9.0.0/16"), 254),
            (prefix("10.7.0.0/16"), 254),
            // Made by a PostUp hook: not an allowed IP, so not reload's business.
            (prefix("192.168.50.0/24"), 254),
        ],
        rules: Vec::new(),
    }
}

const FILE_A: &str = "[Interface]\nPrivateKey = PRIV\nAddress = 10.0.0.2/24\n\n\
    [Peer]\nPublicKey = PA\nAllowedIPs = 10.0.0.0/24, 10.9.0.0/16\n\n\
    [Peer]\nPublicKey = PB\nAllowedIPs = 10.7.0.0/16\n";

fn text(template: &str) -> String {
    template
        .replace("PRIV", PRIVATE)
        .replace("PA", PEER_A)
        .replace("PB", PEER_B)
}

fn reload(template: &str, env: &Environment, running: &Running) -> Vec<String> {
    let actions = plan_reload(&inv(), &config(&text(template)), env, running).expect("plan");
    actions.iter().map(ToString::to_string).collect()
}

#[test]
fn same_file_changes_nothing_but_the_wg_part() {
    assert_eq!(
        reload(FILE_A, &env(), &running_a()),
        ["wg syncconf wg0 /dev/stdin"]
    );
}

#[test]
fn everything_that_changed_and_only_that() {
    let file_b = "[Interface]\nPrivateKey = PRIV\nAddress = 10.0.0.2/24, 10.9.0.1/16\n\
        MTU = 1380\n\n\
        [Peer]\nPublicKey = PA\nAllowedIPs = 10.0.0.0/24, 10.9.0.0/16, 10.11.0.0/16\n";
    assert_eq!(
        reload(file_b, &env(), &running_a()),
        [
            "wg syncconf wg0 /dev/stdin",
            // 10.9.0.0/16 is now covered by the new address's own route; B's route goes.
            "ip -4 route del 10.9.0.0/16 dev wg0",
            "ip -4 route del 10.7.0.0/16 dev wg0",
            "ip -4 address add 10.9.0.1/16 dev wg0",
            "ip link set mtu 1380 up dev wg0",
            "ip -4 route add 10.11.0.0/16 dev wg0",
        ]
    );
}

#[test]
fn removed_address_uncovers_a_route_and_dns_follows_the_file() {
    let file = "[Interface]\nPrivateKey = PRIV\nAddress = 10.5.0.2/32\nDNS = 10.0.0.53\n\n\
        [Peer]\nPublicKey = PA\nAllowedIPs = 10.0.0.0/24, 10.9.0.0/16\n\n\
        [Peer]\nPublicKey = PB\nAllowedIPs = 10.7.0.0/16\n";
    let mut env = env();
    env.dns = Some(DnsBackend::Resolvconf(String::new()));
    assert_eq!(
        reload(file, &env, &running_a()),
        [
            "wg syncconf wg0 /dev/stdin",
            "ip -4 address del 10.0.0.2/24 dev wg0",
            "ip -4 address add 10.5.0.2/32 dev wg0",
            "resolvconf -a wg0 -m 0 -x",
            "ip -4 route add 10.0.0.0/24 dev wg0",
        ]
    );
    // Without DNS in the file, what an older file set is removed.
    assert_eq!(
        reload(FILE_A, &env, &running_a()),
        ["wg syncconf wg0 /dev/stdin", "resolvconf -d wg0 -f"]
    );
}

/// `--netns`: the namespace's `resolv.conf` is restored only when it holds our DNS, so a
/// reload of a file without DNS prints no restore step that would do nothing.
#[test]
fn netns_dns_is_restored_only_when_set() {
    let mut env = env();
    env.dns = Some(DnsBackend::NetnsFile("blue".into()));
    assert_eq!(
        reload(FILE_A, &env, &running_a()),
        ["wg syncconf wg0 /dev/stdin"]
    );
    env.netns_dns_set = true;
    assert_eq!(
        reload(FILE_A, &env, &running_a()),
        [
            "wg syncconf wg0 /dev/stdin",
            "# restore /etc/netns/blue/resolv.conf"
        ]
    );
}

#[test]
fn default_route_scheme_comes_with_a_new_mark() {
    let file = FILE_A.replace("10.7.0.0/16", "0.0.0.0/0");
    let mut env = env();
    env.nonempty_tables.insert(51820);
    env.has_nft = true;
    assert_eq!(
        reload(&file, &env, &running_a()),
        [
            "wg syncconf wg0 /dev/stdin",
            "ip -4 route del 10.7.0.0/16 dev wg0",
            "wg set wg0 fwmark 51821",
            "ip -4 rule add not fwmark 51821 table 51821",
            "ip -4 rule add table main suppress_prefixlength 0",
            "ip -4 route add 0.0.0.0/0 dev wg0 table 51821",
            "# remove firewall of wg0",
            "nft -f /dev/stdin",
        ]
    );
}

/// Running with the scheme for IPv4 and IPv6 under mark 51820.
fn running_full_tunnel() -> Running {
    let mut running = running_a();
    running.device.fwmark = 51820;
    running.device.peers[1] = peer(PEER_B, &["0.0.0.0/0", "::/0"]);
    running.routes = vec![
        (prefix("10.9.0.0/16"), 254),
        (prefix("0.0.0.0/0"), 51820),
        (prefix("::/0"), 51820),
    ];
    running.rules = vec![
        Rule::NotFwmark {
            family: Family::V4,
            mark: 51820,
        },
        Rule::SuppressMain { family: Family::V4 },
        Rule::NotFwmark {
            family: Family::V6,
            mark: 51820,
        },
        Rule::SuppressMain { family: Family::V6 },
    ];
    running
}

#[test]
fn default_route_scheme_goes_away_rules_after_routes_then_the_mark() {
    let file = FILE_A.replace("10.7.0.0/16", "10.7.0.0/16, ::/0");
    assert_eq!(
        reload(&file, &env(), &running_full_tunnel()),
        [
            "wg syncconf wg0 /dev/stdin",
            "ip -4 route del 0.0.0.0/0 dev wg0 table 51820",
            "ip -4 rule delete table 51820",
            "ip -4 rule delete table main suppress_prefixlength 0",
            "ip -4 route add 10.7.0.0/16 dev wg0",
            // The IPv4 firewall goes with its scheme; IPv6's is made again.
            "# remove firewall of wg0",
            "ip6tables-restore -n",
        ]
    );
    assert_eq!(
        reload(FILE_A, &env(), &running_full_tunnel()),
        [
            "wg syncconf wg0 /dev/stdin",
            "ip -4 route del 0.0.0.0/0 dev wg0 table 51820",
            "ip -6 route del ::/0 dev wg0 table 51820",
            "ip -4 rule delete table 51820",
            "ip -4 rule delete table main suppress_prefixlength 0",
            "ip -6 rule delete table 51820",
            "ip -6 rule delete table main suppress_prefixlength 0",
            "wg set wg0 fwmark 0",
            "# remove firewall of wg0",
            "ip -4 route add 10.7.0.0/16 dev wg0",
        ]
    );
}

#[test]
fn a_new_fwmark_in_the_file_moves_the_scheme_to_its_table() {
    let file = FILE_A.replace("10.7.0.0/16", "0.0.0.0/0, ::/0").replace(
        "Address = 10.0.0.2/24",
        "Address = 10.0.0.2/24\nFwMark = 0x1234",
    );
    assert_eq!(
        reload(&file, &env(), &running_full_tunnel()),
        [
            "wg syncconf wg0 /dev/stdin",
            "ip -4 route del 0.0.0.0/0 dev wg0 table 51820",
            "ip -6 route del ::/0 dev wg0 table 51820",
            "ip -4 rule delete table 51820",
            "ip -6 rule delete table 51820",
            "ip -6 rule add not fwmark 4660 table 4660",
            "ip -6 route add ::/0 dev wg0 table 4660",
            "# remove firewall of wg0",
            "ip6tables-restore -n",
            "ip -4 rule add not fwmark 4660 table 4660",
            "ip -4 route add 0.0.0.0/0 dev wg0 table 4660",
            "iptables-restore -n",
        ]
    );
}

#[test]
fn firewall_is_rebuilt_when_addresses_change_under_the_scheme() {
    let file = FILE_A
        .replace("10.7.0.0/16", "0.0.0.0/0, ::/0")
        .replace("Address = 10.0.0.2/24", "Address = 10.0.0.2/24, fd00::2/64");
    let got = reload(&file, &env(), &running_full_tunnel());
    assert_eq!(
        got,
        [
            "wg syncconf wg0 /dev/stdin",
            "ip -6 address add fd00::2/64 dev wg0",
            "# remove firewall of wg0",
            "ip6tables-restore -n",
            "iptables-restore -n",
        ]
    );
}

#[test]
fn table_change_moves_the_routes() {
    let file = FILE_A.replace(
        "Address = 10.0.0.2/24",
        "Address = 10.0.0.2/24\nTable = 1234",
    );
    assert_eq!(
        reload(&file, &env(), &running_a()),
        [
            "wg syncconf wg0 /dev/stdin",
            "ip -4 route del 10.9.0.0/16 dev wg0",
            "ip -4 route del 10.7.0.0/16 dev wg0",
            // In `up`'s order: most specific first.
            "ip -4 route add 10.0.0.0/24 dev wg0 table 1234",
            "ip -4 route add 10.9.0.0/16 dev wg0 table 1234",
            "ip -4 route add 10.7.0.0/16 dev wg0 table 1234",
        ]
    );
    let off = FILE_A.replace(
        "Address = 10.0.0.2/24",
        "Address = 10.0.0.2/24\nTable = off",
    );
    assert_eq!(
        reload(&off, &env(), &running_a()),
        [
            "wg syncconf wg0 /dev/stdin",
            "ip -4 route del 10.9.0.0/16 dev wg0",
            "ip -4 route del 10.7.0.0/16 dev wg0",
        ]
    );
}

#[test]
fn refuses_what_up_refuses() {
    let not_wg = Environment::default();
    let error = plan_reload(&inv(), &config(&text(FILE_A)), &not_wg, &running_a());
    assert_eq!(error, Err(PlanError::NotWireGuard("wg0".into())));
    let mut no_v6 = env();
    no_v6.ipv6_available = false;
    let file = text(&FILE_A.replace("10.7.0.0/16", "fd07::/48"));
    let error = plan_reload(&inv(), &config(&file), &no_v6, &running_a());
    assert!(matches!(error, Err(PlanError::Ipv6Disabled(_))));
}

#[test]
fn wg_part_is_syncconf_without_resetting_the_interface() {
    let mut running = running_a();
    running.device.peers[0].preshared_key = Some(PresharedKey::from_bytes([7; 32]));
    running.device.peers[0].persistent_keepalive = 25;
    let file = "[Interface]\nAddress = 10.0.0.2/24\n\n\
        [Peer]\nPublicKey = PA\nAllowedIPs = 10.0.0.0/24, 10.9.0.0/16\n";
    let actions = plan_reload(&inv(), &config(&text(file)), &env(), &running).unwrap();
    let Action::SyncWgConfig { request, .. } = &actions[0] else {
        panic!("{actions:?}");
    };
    // No key, port or mark in the file: left as they run.
    assert_eq!(
        (&request.private_key, request.listen_port, request.fwmark),
        (&None, None, None)
    );
    assert!(!request.replace_peers);
    // B goes first, then A is updated in place with its PSK and keepalive cleared.
    assert!(request.peers[0].remove);
    assert_eq!(
        request.peers[0].public_key,
        running.device.peers[1].public_key
    );
    let a = &request.peers[1];
    assert!(!a.remove && a.replace_allowed_ips);
    assert!(a.preshared_key.as_ref().is_some_and(PresharedKey::is_zero));
    assert_eq!(a.persistent_keepalive, Some(0));
}
