//! Fixed cases from the kernel selftest and wireguard-go (docs/protocol.md §15.4)
//! and 100k-prefix runs. Randomized checks against the naive model are in
//! `proptests.rs`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::trie::Key;
use super::{AllowedIps, AllowedIpsError};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Inserts `"addr/cidr"` for `value`.
fn ins<T: Copy + Eq + std::hash::Hash>(t: &mut AllowedIps<T>, value: T, prefix: &str) {
    let (addr, cidr) = prefix.split_once('/').unwrap();
    t.insert(ip(addr), cidr.parse().unwrap(), value).unwrap();
}

/// The kernel selftest's inserts (docs/protocol.md §15.4), as `owner prefix` pairs.
const KERNEL_INSERTS: &str = "
    a 192.168.4.0/24      b 192.168.4.4/32      c 192.168.0.0/16      d 192.95.5.64/27
    c 192.95.5.65/27
    d 2607:5300:6000:6b00:0:0:c05f:543/128      c 2607:5300:6000:6b00::/64
    e 0.0.0.0/0           e ::/0                f ::/0
    g 2404:6800::/32      h 2404:6800:4004:800:dead:beef:dead:beef/64
    a 2404:6800:4004:800:dead:beef:dead:beef/128
    c 2444:6800:40e4:800:deae:beef:def:beef/128
    b 2444:6800:f0e4:800:eeae:beef::/98
    g 64.15.112.0/20      h 64.15.123.211/25
    a 10.0.0.0/25  b 10.0.0.128/25  a 10.1.0.0/30  b 10.1.0.4/30  c 10.1.0.8/29  d 10.1.0.16/29";

/// The kernel selftest's 28 expected lookups, as `address→owner`.
const KERNEL_LOOKUPS: &str = "
    192.168.4.20→a  192.168.4.0→a  192.168.4.4→b  192.168.200.182→c  192.95.5.68→c  192.95.5.96→e
    2607:5300:6000:6b00::c05f:543→d  2607:5300:6000:6b00::c02e:1ee→c  2607:5300:6000:6b01::→f
    2404:6800:4004:806::1006→g  2404:6800:4004:806:0:1234:0:5678→g  2404:67ff:4004:806:0:1234:0:5678→f
    2404:6801:4004:806:0:1234:0:5678→f  2404:6800:4004:800:0:1234:0:5678→h  2404:6800:4004:800::→h
    2404:6800:4004:800:1010:1010:1010:1010→h  2404:6800:4004:800:dead:beef:dead:beef→a
    64.15.116.26→g  64.15.127.3→g  64.15.123.1→g  64.15.123.128→h  64.15.123.129→h
    10.0.0.52→a  10.0.0.220→b  10.1.0.2→a  10.1.0.6→b  10.1.0.10→c  10.1.0.20→d";

fn owner(s: &str) -> char {
    s.chars().next().unwrap()
}

fn kernel_table() -> AllowedIps<char> {
    let mut t = AllowedIps::new();
    let words: Vec<&str> = KERNEL_INSERTS.split_whitespace().collect();
    for pair in words.chunks(2) {
        ins(&mut t, owner(pair[0]), pair[1]);
    }
    t
}

#[test]
fn kernel_lookup_table() {
    let t = kernel_table();
    let mut checked = 0;
    for case in KERNEL_LOOKUPS.split_whitespace() {
        let (addr, value) = case.split_once('→').unwrap();
        assert_eq!(t.lookup(ip(addr)), Some(owner(value)), "{addr}");
        checked += 1;
    }
    assert_eq!(checked, 28);
    // Two of the 23 inserts replaced an existing masked prefix.
    assert_eq!(t.len(), 21);
    assert!(t.iter_for('e').eq([(ip("0.0.0.0"), 0)]));
    let d = [
        (ip("2607:5300:6000:6b00::c05f:543"), 128),
        (ip("10.1.0.16"), 29),
    ];
    assert!(t.iter_for('d').eq(d));
}

#[test]
fn kernel_table_drains_completely() {
    let mut t = kernel_table();
    for value in 'a'..='h' {
        t.remove_all(value);
        assert_eq!(t.iter_for(value).count(), 0);
    }
    assert!(t.is_empty());
    assert_eq!(t.live_nodes(), 0);
    assert_eq!(t.lookup(ip("10.1.0.20")), None);
}

#[test]
fn kernel_removal() {
    let mut t = AllowedIps::new();
    let addrs = ["1.0.0.0", "64.0.0.0", "128.0.0.0", "192.0.0.0", "255.0.0.0"];
    for addr in addrs {
        t.insert(ip(addr), 32, 'a').unwrap();
    }
    t.remove_all('a');
    for addr in addrs {
        assert_ne!(t.lookup(ip(addr)), Some('a'), "{addr}");
    }
    assert_eq!(t.live_nodes(), 0);
}

#[test]
fn kernel_nested_removal() {
    let mut t = AllowedIps::new();
    ins(&mut t, 'a', "192.168.0.0/16");
    ins(&mut t, 'a', "192.168.0.0/24");
    t.remove_all('a');
    assert_ne!(t.lookup(ip("192.168.0.1")), Some('a'));
    assert_eq!(t.live_nodes(), 0);
}

#[test]
fn kernel_stress_v6_one_bit_cleared() {
    let mut t = AllowedIps::new();
    let mut addrs = Vec::new();
    for i in 0..128u32 {
        let part = !(1u64 << (i % 64));
        let mut bytes = [0xff; 16];
        let at = if i < 64 { 8 } else { 0 };
        bytes[at..at + 8].copy_from_slice(&part.to_be_bytes());
        let addr = IpAddr::V6(Ipv6Addr::from(bytes));
        t.insert(addr, 128, 'a').unwrap();
        addrs.push(addr);
    }
    assert_eq!(t.len(), 128);
    assert!(addrs.iter().all(|&a| t.lookup(a) == Some('a')));
    t.remove_all('a');
    assert!(addrs.iter().all(|&a| t.lookup(a).is_none()));
    assert!(t.is_empty());
    assert_eq!(t.live_nodes(), 0);
}

#[test]
fn kernel_readback() {
    let mut t = AllowedIps::new();
    for prefix in [
        "192.95.5.93/27",
        "2607:5300:6000:6b00::c05f:543/128",
        "10.1.0.20/29",
        "2607:5300:6d8a:6bf8:dab1:f1df:c05f:1523/83",
        "2607:5300:6d8a:6bf8:dab1:f1df:c05f:1523/21",
    ] {
        ins(&mut t, 'a', prefix);
    }
    let expected = [
        (ip("192.95.5.64"), 27),
        (ip("2607:5300:6000:6b00::c05f:543"), 128),
        (ip("10.1.0.16"), 29),
        (ip("2607:5300:6d8a:6bf8:dab1:e000::"), 83),
        (ip("2607:5000::"), 21),
    ];
    assert_eq!(t.iter_for('a').collect::<Vec<_>>(), expected);
}

#[test]
fn wg_go_common_bits() {
    let v4 = |b: [u8; 4]| u32::from_be_bytes(b);
    assert_eq!(v4([1, 4, 53, 128]).common_bits(v4([0, 0, 0, 0])), 7);
    assert_eq!(v4([0, 4, 53, 128]).common_bits(v4([0, 0, 0, 0])), 13);
    assert_eq!(v4([0, 4, 53, 253]).common_bits(v4([0, 4, 53, 252])), 31);
    assert_eq!(v4([192, 168, 1, 1]).common_bits(v4([192, 169, 1, 1])), 15);
    assert_eq!(v4([65, 168, 1, 1]).common_bits(v4([192, 169, 1, 1])), 0);
    assert_eq!(7u128.common_bits(7), 128);
}

#[test]
fn wg_go_remove_exact_v4() {
    let mut t = AllowedIps::new();
    ins(&mut t, 'a', "1.0.0.0/32");
    ins(&mut t, 'a', "192.0.0.0/24");
    let probe = ip("192.0.0.1");
    assert!(!t.remove(ip("192.0.0.0"), 32, 'a'), "wrong cidr");
    assert!(!t.remove(ip("192.0.0.0"), 24, 'b'), "wrong owner");
    assert_eq!(t.lookup(probe), Some('a'));
    assert!(t.remove(ip("192.0.0.0"), 24, 'a'));
    assert_eq!(t.lookup(probe), None);
    assert_eq!(t.lookup(ip("1.0.0.0")), Some('a'));
    assert!(!t.remove(ip("192.0.0.0"), 24, 'a'), "already gone");
}

#[test]
fn wg_go_remove_exact_v6() {
    let mut t = AllowedIps::new();
    let a_addr = ip("2444:6801:40e4:800:deae:beef:def:beef");
    let b_addr = ip("2444:6800:f0e4:800:eeae:beef::");
    t.insert(a_addr, 128, 'a').unwrap();
    t.insert(b_addr, 98, 'b').unwrap();
    assert!(!t.remove(a_addr, 96, 'a'));
    assert!(!t.remove(a_addr, 128, 'b'));
    assert_eq!(t.lookup(a_addr), Some('a'));
    assert!(t.remove(a_addr, 128, 'a'));
    assert_eq!(t.lookup(a_addr), None);
    assert!(!t.remove(b_addr, 98, 'a'));
    assert!(!t.remove(b_addr, 97, 'b'));
    assert_eq!(t.lookup(ip("2444:6800:f0e4:800:eeae:beef:0:1")), Some('b'));
    assert!(t.remove(ip("2444:6800:f0e4:800:eeae:beef:1234:5678"), 98, 'b'));
    assert_eq!(t.lookup(b_addr), None);
    assert_eq!(t.live_nodes(), 0);
}

#[test]
fn invalid_cidr_and_edge_inputs() {
    let mut t = AllowedIps::new();
    assert_eq!(
        t.insert(ip("1.2.3.4"), 33, 1),
        Err(AllowedIpsError::InvalidCidr(33))
    );
    assert_eq!(
        t.insert(ip("::1"), 129, 1),
        Err(AllowedIpsError::InvalidCidr(129))
    );
    assert_eq!(
        t.insert(ip("::1"), 255, 1),
        Err(AllowedIpsError::InvalidCidr(255))
    );
    assert!(!t.remove(ip("1.2.3.4"), 200, 1));
    assert!(t.is_empty() && t.lookup(ip("1.2.3.4")).is_none());
    assert_eq!(
        AllowedIpsError::InvalidCidr(33).to_string(),
        "invalid CIDR /33"
    );
    t.remove_all(7);
    assert_eq!(t.iter_for(7).count(), 0);
}

#[test]
fn families_are_separate_and_mapped_v4_is_v6() {
    let mut t = AllowedIps::new();
    ins(&mut t, 1, "0.0.0.0/0");
    ins(&mut t, 2, "::ffff:10.0.0.0/104");
    assert_eq!(t.lookup(ip("10.0.0.1")), Some(1));
    assert_eq!(t.lookup(ip("::ffff:10.0.0.1")), Some(2));
    assert_eq!(t.lookup(ip("::1")), None);
    assert_eq!(t.lookup_v4([10, 0, 0, 1]), Some(1));
    assert_eq!(
        t.lookup_v6(Ipv4Addr::new(10, 0, 0, 1).to_ipv6_mapped().octets()),
        Some(2)
    );
}

#[test]
fn reinsert_moves_owner_and_order() {
    let mut t = AllowedIps::new();
    ins(&mut t, 1, "10.0.0.0/8");
    ins(&mut t, 1, "10.1.0.0/16");
    ins(&mut t, 2, "10.2.0.0/16");
    ins(&mut t, 1, "10.0.0.9/8");
    assert!(t
        .iter_for(1)
        .eq([(ip("10.1.0.0"), 16), (ip("10.0.0.0"), 8)]));
    ins(&mut t, 2, "10.1.2.3/16");
    assert!(t.iter_for(1).eq([(ip("10.0.0.0"), 8)]));
    assert!(t
        .iter_for(2)
        .eq([(ip("10.2.0.0"), 16), (ip("10.1.0.0"), 16)]));
    assert_eq!(t.lookup(ip("10.1.9.9")), Some(2));
    assert_eq!(t.len(), 3);
    t.clear();
    assert!(t.is_empty() && t.lookup(ip("10.1.9.9")).is_none() && t.iter_for(2).count() == 0);
    ins(&mut t, 3, "10.1.2.3/16");
    assert_eq!(AllowedIps::<u8>::default().len(), 0);
    assert_eq!(t.lookup(ip("10.1.9.9")), Some(3));
}

#[test]
fn hundred_thousand_host_routes() {
    const N: u32 = 100_000;
    // An odd multiplier is a bijection on u32, so the addresses are distinct
    // yet spread over the whole space.
    let addr = |i: u32| i.wrapping_mul(0x9E37_79B1).to_be_bytes();
    let mut t = AllowedIps::new();
    for i in 0..N {
        t.insert(IpAddr::from(addr(i)), 32, i).unwrap();
    }
    assert_eq!(t.len(), N as usize);
    assert!((0..N).all(|i| t.lookup_v4(addr(i)) == Some(i)));
    for i in (0..N).step_by(2) {
        t.remove_all(i);
    }
    assert_eq!(t.len(), N as usize / 2);
    for i in 0..N {
        let expected = (i % 2 == 1).then_some(i);
        assert_eq!(t.lookup_v4(addr(i)), expected, "{i}");
    }
    assert!(t.iter_for(7).eq([(IpAddr::from(addr(7)), 32)]));
    assert!(t.live_nodes() < N as usize);
}

#[test]
fn hundred_thousand_trie_routes() {
    const N: u32 = 100_000;
    // Distinct /31 and /64 networks spread over the space; neither length is
    // a host route, so all of these live in the tries.
    let v4 = |i: u32| IpAddr::from((i.wrapping_mul(0x9E37_79B1) << 1).to_be_bytes());
    let v6 = |i: u32| IpAddr::from((u128::from(i.wrapping_mul(0x85EB_CA6B)) << 64).to_be_bytes());
    let mut t = AllowedIps::new();
    for i in 0..N {
        t.insert(v4(i), 31, i).unwrap();
        t.insert(v6(i), 64, i).unwrap();
    }
    assert_eq!(t.len(), 2 * N as usize);
    for i in (0..N).step_by(3) {
        t.remove_all(i);
    }
    for i in 0..N {
        let expected = (i % 3 != 0).then_some(i);
        let (IpAddr::V4(a), IpAddr::V6(b)) = (v4(i), v6(i)) else {
            unreachable!()
        };
        assert_eq!(
            t.lookup_v4((u32::from(a) | 1).to_be_bytes()),
            expected,
            "{i}"
        );
        assert_eq!(
            t.lookup_v6((u128::from(b) | 0xffff).to_be_bytes()),
            expected,
            "{i}"
        );
    }
    assert!(t.iter_for(7).eq([(v4(7), 31), (v6(7), 64)]));
    // At most one glue node per route.
    assert!(t.live_nodes() < 2 * t.len());
}
