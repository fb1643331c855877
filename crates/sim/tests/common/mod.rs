#![allow(dead_code)]

use ferrotun_proto::device::PeerId;
use ferrotun_proto::keys::PrivateKey;
use ferrotun_proto::time::{Duration, Instant};
use ferrotun_sim::{ipv4_packet, Datagram, SimNet};
use std::net::{Ipv4Addr, SocketAddr};

pub const A_TUN: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
pub const B_TUN: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

pub struct Pair {
    pub net: SimNet,
    /// B as seen by A.
    pub b_at_a: PeerId,
    /// A as seen by B.
    pub a_at_b: PeerId,
}

pub fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub fn pair(seed: u64) -> Pair {
    let mut net = SimNet::new(seed);
    let a = net.add_node(PrivateKey::from_bytes([1; 32]), addr("192.0.2.1:51820"));
    let b = net.add_node(PrivateKey::from_bytes([2; 32]), addr("192.0.2.2:51820"));
    let (b_at_a, a_at_b) = net.connect(a, b, A_TUN.into(), B_TUN.into(), true);
    Pair {
        net,
        b_at_a,
        a_at_b,
    }
}

pub fn a_to_b(payload: &[u8]) -> Vec<u8> {
    ipv4_packet(A_TUN, B_TUN, payload)
}

pub fn b_to_a(payload: &[u8]) -> Vec<u8> {
    ipv4_packet(B_TUN, A_TUN, payload)
}

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

pub fn ms(m: u64) -> Duration {
    Duration::from_millis(m)
}

/// Datagrams `node` sent, with their send times.
pub fn sent_by(net: &SimNet, node: usize) -> Vec<(Instant, Datagram)> {
    let addr = net.nodes[node].addr;
    net.captured
        .iter()
        .filter(|(_, d)| d.from.port() == addr.port() && d.from.ip() == addr.ip())
        .cloned()
        .collect()
}

pub fn of_type(sent: &[(Instant, Datagram)], kind: u8) -> Vec<(Instant, Datagram)> {
    sent.iter()
        .filter(|(_, d)| d.data[0] == kind)
        .cloned()
        .collect()
}

pub fn is_keepalive(d: &Datagram) -> bool {
    d.data[0] == 4 && d.data.len() == 32
}

/// Brings the pair's session up with one packet from A and one reply from B.
pub fn establish(p: &mut Pair) {
    p.net.send_ip(0, &a_to_b(b"hello")).unwrap();
    p.net.run_for(ms(100));
    p.net.send_ip(1, &b_to_a(b"hi")).unwrap();
    p.net.run_for(ms(100));
    assert_eq!(p.net.nodes[1].delivered.len(), 1);
    assert_eq!(p.net.nodes[0].delivered.len(), 1);
}
