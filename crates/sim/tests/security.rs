//! Hostile-network scenarios: cookies under load, replay, spoofed sources, roaming rules.

mod common;
use common::*;
use ferrotun_proto::device::{DropReason, Event, Inbound};
use ferrotun_proto::keys::PrivateKey;
use ferrotun_proto::peer::Endpoint;
use ferrotun_sim::{ipv4_packet, Datagram};

#[test]
fn under_load_cookie_reply_then_mac2_retry_is_accepted() {
    let mut p = pair(20);
    p.net.nodes[1].device.set_under_load(true);
    p.net.send_ip(0, &a_to_b(b"knock")).unwrap();
    p.net.run_for(secs(10));
    let from_b = sent_by(&p.net, 1);
    assert_eq!(from_b[0].1.data.len(), 64, "first answer is a cookie reply");
    assert_eq!(from_b[0].1.data[0], 3);
    let inits = of_type(&sent_by(&p.net, 0), 1);
    assert_eq!(
        inits.len(),
        2,
        "the retry carries the cookie and is accepted"
    );
    assert_eq!(
        inits[0].1.data[132..],
        [0u8; 16],
        "no cookie yet: mac2 is zero"
    );
    assert_ne!(inits[1].1.data[132..], [0u8; 16], "retry carries mac2");
    let gap = inits[1].0.saturating_duration_since(inits[0].0);
    assert!(
        gap >= secs(5) && gap < secs(5) + ms(334),
        "retry after REKEY_TIMEOUT + jitter: {gap:?}"
    );
    assert_eq!(p.net.nodes[1].delivered[0].1, a_to_b(b"knock"));
}

#[test]
fn sec4_no_cookie_reply_unless_under_load() {
    let mut p = pair(21);
    for _ in 0..200 {
        p.net.nodes[0].device.remove_peer(p.b_at_a);
        let b_pub = *p.net.nodes[1].device.public_key().unwrap();
        p.b_at_a = p.net.nodes[0].device.add_peer(b_pub).unwrap();
        p.net.nodes[0]
            .device
            .add_allowed_ip(p.b_at_a, B_TUN.into(), 32)
            .unwrap();
        let b_addr = p.net.nodes[1].addr;
        p.net.nodes[0]
            .device
            .set_endpoint(p.b_at_a, b_addr)
            .unwrap();
        p.net.send_ip(0, &a_to_b(b"x")).unwrap();
        p.net.run_for(ms(30));
    }
    assert!(of_type(&sent_by(&p.net, 1), 3).is_empty());
}

#[test]
fn replayed_data_and_handshakes_are_dropped_and_never_roam() {
    let mut p = pair(22);
    establish(&mut p);
    let captured = p.net.captured.clone();
    let delivered = p.net.nodes[1].delivered.len();
    let attacker = addr("198.51.100.7:4444");
    let b_addr = p.net.nodes[1].addr;
    for (_, d) in captured.iter().filter(|(_, d)| d.to == b_addr) {
        p.net.inject(Datagram {
            from: attacker,
            to: d.to,
            data: d.data.clone(),
        });
    }
    assert_eq!(
        p.net.nodes[1].delivered.len(),
        delivered,
        "nothing replayed reaches the tunnel"
    );
    let ep = p.net.nodes[1]
        .device
        .peer_info(p.a_at_b)
        .unwrap()
        .endpoint()
        .unwrap();
    assert_eq!(
        ep.addr, p.net.nodes[0].addr,
        "replays never move the endpoint"
    );
    let drops = &p.net.nodes[1].drops;
    assert!(drops.iter().any(|d| d.contains("replay")), "{drops:?}");
    assert!(
        drops.iter().any(|d| d.contains("replayed handshake")),
        "{drops:?}"
    );
    assert!(
        of_type(&sent_by(&p.net, 1), 2).len() == 1,
        "no response to a replayed initiation"
    );
}

#[test]
fn sec6_spoofed_inner_source_is_dropped() {
    let mut p = pair(23);
    // B also has peer C owning 10.0.0.3/32, inside A's wider 10.0.0.0/24.
    third_node(&mut p);
    p.net.nodes[1]
        .device
        .add_allowed_ip(p.a_at_b, "10.0.0.0".parse().unwrap(), 24)
        .unwrap();
    establish(&mut p);
    let before = p.net.nodes[1].delivered.len();
    for src in ["10.0.0.3", "10.0.1.1", "192.168.1.1"] {
        p.net
            .send_ip(0, &ipv4_packet(src.parse().unwrap(), B_TUN, b"spoof"))
            .unwrap();
    }
    p.net
        .send_ip(
            0,
            &ipv4_packet("10.0.0.77".parse().unwrap(), B_TUN, b"fine"),
        )
        .unwrap();
    p.net.run_for(ms(100));
    let got = &p.net.nodes[1].delivered[before..];
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].1,
        ipv4_packet("10.0.0.77".parse().unwrap(), B_TUN, b"fine")
    );
    let spoofed = p.net.nodes[1]
        .drops
        .iter()
        .filter(|d| d.contains("source address not allowed"))
        .count();
    assert_eq!(spoofed, 3);
    assert_eq!(p.net.nodes[1].device.drop_stats().source_not_allowed, 3);
}

#[test]
fn endpoint_follows_authenticated_packets_from_a_new_address() {
    let mut p = pair(24);
    establish(&mut p);
    let new_addr = addr("203.0.113.9:40000");
    p.net.nodes[0].addr = new_addr;
    p.net.send_ip(0, &a_to_b(b"from elsewhere")).unwrap();
    p.net.run_for(ms(100));
    let ep = p.net.nodes[1]
        .device
        .peer_info(p.a_at_b)
        .unwrap()
        .endpoint()
        .unwrap();
    assert_eq!(
        ep,
        Endpoint {
            addr: new_addr,
            local_ip: Some(p.net.nodes[1].addr.ip())
        }
    );
    p.net.send_ip(1, &b_to_a(b"follow")).unwrap();
    p.net.run_for(ms(100));
    assert_eq!(
        p.net.nodes[0].delivered.last().unwrap().1,
        b_to_a(b"follow")
    );
}

#[test]
fn sec12_cookie_reply_never_moves_the_endpoint() {
    let mut p = pair(25);
    let b_addr = p.net.nodes[1].addr;
    p.net.filter = Some(Box::new(move |_, d| d.to != b_addr));
    p.net.send_ip(0, &a_to_b(b"x")).unwrap();
    let (_, init) = of_type(&sent_by(&p.net, 0), 1).pop().unwrap();
    // B, under load, answers from a different address than the one A knows.
    p.net.nodes[1].device.set_under_load(true);
    let now = p.net.now();
    let mut buf = init.data.clone();
    let from_a = Endpoint::from(p.net.nodes[0].addr);
    assert_eq!(
        p.net.nodes[1].device.handle_datagram(now, from_a, &mut buf),
        Ok(Inbound::Handled)
    );
    let reply = p.net.nodes[1].device.poll_transmit().unwrap();
    assert_eq!(reply.data.len(), 64);
    let mut buf = reply.data.clone();
    let elsewhere = Endpoint::from(addr("198.51.100.1:9"));
    assert_eq!(
        p.net.nodes[0]
            .device
            .handle_datagram(now, elsewhere, &mut buf),
        Ok(Inbound::Handled)
    );
    let ep = p.net.nodes[0]
        .device
        .peer_info(p.b_at_a)
        .unwrap()
        .endpoint()
        .unwrap();
    assert_eq!(ep.addr, b_addr);
    // A second copy is refused: a cookie answers one mac1 only.
    let mut again = reply.data.clone();
    assert!(matches!(
        p.net.nodes[0]
            .device
            .handle_datagram(now, elsewhere, &mut again),
        Err(DropReason::Cookie(_))
    ));
}

#[test]
fn sec2_under_load_rate_limit_is_per_source() {
    let mut p = pair(26);
    let c = third_node(&mut p);
    // A gets a cookie and then floods valid-mac2 initiations; C must still get through.
    p.net.nodes[1].device.set_under_load(true);
    p.net.send_ip(0, &a_to_b(b"a")).unwrap();
    p.net.run_for(secs(6));
    assert!(p.net.nodes[0]
        .events
        .iter()
        .any(|(_, e)| matches!(e, Event::HandshakeComplete(_))));
    let (_, retry) = of_type(&sent_by(&p.net, 0), 1).pop().unwrap();
    for _ in 0..50 {
        p.net.inject(retry.clone());
    }
    assert!(p.net.nodes[1].device.drop_stats().rate_limited > 0);
    p.net.send_ip(c, &ipv4_packet(C_TUN, B_TUN, b"c")).unwrap();
    p.net.run_for(secs(6));
    let from_c = ipv4_packet(C_TUN, B_TUN, b"c");
    assert!(p.net.nodes[1].delivered.iter().any(|(_, d)| *d == from_c));
}

#[test]
fn garbage_datagrams_are_counted_never_panic() {
    let mut p = pair(27);
    establish(&mut p);
    let to = p.net.nodes[1].addr;
    let mut x = 0x9e37_79b9_u32;
    for len in 0..2000usize {
        let mut data = vec![0u8; len % 300];
        for b in &mut data {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *b = x as u8;
        }
        if let Some(first) = data.first_mut() {
            *first = (len % 6) as u8;
        }
        if data.len() >= 4 {
            data[1..4].fill(0);
        }
        p.net.inject(Datagram {
            from: addr("198.51.100.2:1"),
            to,
            data,
        });
    }
    let stats = p.net.nodes[1].device.drop_stats();
    assert!(
        stats.malformed > 0 && stats.unknown_index + stats.invalid_mac1 > 0,
        "{stats:?}"
    );
    p.net.send_ip(0, &a_to_b(b"still fine")).unwrap();
    p.net.run_for(ms(100));
    assert_eq!(
        p.net.nodes[1].delivered.last().unwrap().1,
        a_to_b(b"still fine")
    );
}

#[test]
fn replayed_initiation_does_not_cancel_a_handshake_in_flight() {
    let mut p = pair(28);
    establish(&mut p);
    let (_, old_init) = of_type(&sent_by(&p.net, 0), 1)[0].clone();
    // Let the session expire, then make B initiate (a keepalive with no usable session).
    p.net.run_for(secs(200));
    let now = p.net.now();
    p.net.nodes[1]
        .device
        .set_persistent_keepalive(now, p.a_at_b, 60)
        .unwrap();
    p.net.flush(1);
    assert_eq!(of_type(&sent_by(&p.net, 1), 1).len(), 1, "B initiated");
    // An attacker replays A's old initiation to B while B's own is in flight.
    p.net.inject(old_init);
    assert!(p.net.nodes[1]
        .drops
        .iter()
        .any(|d| d.contains("replayed handshake")));
    p.net.run_for(secs(1));
    assert_eq!(
        of_type(&sent_by(&p.net, 1), 1).len(),
        1,
        "B's handshake completed without a retry"
    );
    let last = p.net.nodes[1].events.last().map(|(_, e)| *e);
    assert_eq!(last, Some(Event::HandshakeComplete(p.a_at_b)));
}

#[test]
fn under_load_cookie_replies_are_rate_limited_per_source() {
    let mut p = pair(28);
    let c = third_node(&mut p);
    p.net.nodes[1].device.set_under_load(true);
    p.net.send_ip(0, &a_to_b(b"a")).unwrap();
    p.net.run_for(ms(10));
    // A flood of mac1-valid initiations from A's address: a handful of cookie replies.
    let (_, first) = of_type(&sent_by(&p.net, 0), 1)[0].clone();
    for _ in 0..100 {
        p.net.inject(first.clone());
    }
    p.net.run_for(ms(10));
    let replies = of_type(&sent_by(&p.net, 1), 3).len();
    assert!(replies <= 7, "{replies} cookie replies to one source");
    assert!(p.net.nodes[1].device.drop_stats().rate_limited >= 90);
    // Once the source is over its budget, messages without a cookie are dropped before any
    // MAC is computed: a broken mac1 is not even noticed.
    let before = p.net.nodes[1].device.drop_stats();
    let mut broken = first.clone();
    broken.data[120] ^= 1;
    for _ in 0..10 {
        p.net.inject(broken.clone());
    }
    let after = p.net.nodes[1].device.drop_stats();
    assert_eq!(after.invalid_mac1, before.invalid_mac1);
    assert_eq!(after.rate_limited, before.rate_limited + 10);
    // Another source still gets its cookie, and its retry goes through.
    p.net.send_ip(c, &ipv4_packet(C_TUN, B_TUN, b"c")).unwrap();
    p.net.run_for(secs(6));
    let from_c = ipv4_packet(C_TUN, B_TUN, b"c");
    assert!(p.net.nodes[1].delivered.iter().any(|(_, d)| *d == from_c));
}

const C_TUN: std::net::Ipv4Addr = std::net::Ipv4Addr::new(10, 0, 0, 3);

/// A third node C (tunnel address 10.0.0.3/32), a peer of B only; returns its index.
fn third_node(p: &mut Pair) -> usize {
    let c = p
        .net
        .add_node(PrivateKey::from_bytes([3; 32]), addr("192.0.2.3:51820"));
    p.net.connect(c, 1, C_TUN.into(), B_TUN.into(), true);
    c
}
