//! Handshake and first data in both directions, staging, confirmation and simultaneous starts.

mod common;
use common::*;
use ferrotun_proto::device::{Event, Outbound};
use ferrotun_sim::ipv6_packet;

#[test]
fn handshake_and_data_both_ways() {
    let mut p = pair(1);
    let out = p.net.send_ip(0, &a_to_b(b"ping")).unwrap();
    assert!(matches!(out, Outbound::Queued(_)), "no session yet: staged");
    p.net.run_for(ms(100));
    let (peer, packet) = &p.net.nodes[1].delivered[0];
    assert_eq!(
        (*peer, packet.as_slice()),
        (p.a_at_b, a_to_b(b"ping").as_slice())
    );
    let out = p.net.send_ip(1, &b_to_a(b"pong")).unwrap();
    assert!(
        matches!(out, Outbound::Transmit { .. }),
        "session exists: sent at once"
    );
    p.net.run_for(ms(100));
    assert_eq!(p.net.nodes[0].delivered[0].1, b_to_a(b"pong"));
    for node in 0..2 {
        assert!(p.net.nodes[node]
            .events
            .iter()
            .any(|(_, e)| matches!(e, Event::HandshakeComplete(_))));
        assert!(
            p.net.nodes[node].drops.is_empty(),
            "{:?}",
            p.net.nodes[node].drops
        );
    }
    let info = p.net.nodes[0].device.peer_info(p.b_at_a).unwrap();
    assert!(info.last_handshake().is_some() && info.rx_bytes() > 0 && info.tx_bytes() > 0);
}

#[test]
fn ipv6_inside_the_tunnel() {
    let mut p = pair(2);
    let (a6, b6) = ("fd00::1".parse().unwrap(), "fd00::2".parse().unwrap());
    p.net.nodes[0]
        .device
        .add_allowed_ip(p.b_at_a, std::net::IpAddr::V6(b6), 128)
        .unwrap();
    p.net.nodes[1]
        .device
        .add_allowed_ip(p.a_at_b, std::net::IpAddr::V6(a6), 128)
        .unwrap();
    p.net.send_ip(0, &ipv6_packet(a6, b6, b"six")).unwrap();
    p.net.run_for(ms(100));
    assert_eq!(p.net.nodes[1].delivered[0].1, ipv6_packet(a6, b6, b"six"));
}

#[test]
fn staged_packets_are_sent_in_order_once_a_session_exists() {
    let mut p = pair(3);
    for i in 0..10u8 {
        p.net.send_ip(0, &a_to_b(&[i])).unwrap();
    }
    assert_eq!(
        of_type(&sent_by(&p.net, 0), 1).len(),
        1,
        "one initiation for all staged packets"
    );
    p.net.run_for(ms(100));
    let got: Vec<_> = p.net.nodes[1]
        .delivered
        .iter()
        .map(|(_, d)| d[20])
        .collect();
    assert_eq!(got, (0..10).collect::<Vec<u8>>());
}

#[test]
fn responder_waits_for_confirmation_before_sending() {
    let mut p = pair(4);
    p.net.send_ip(0, &a_to_b(b"x")).unwrap();
    // Initiation arrives at 10 ms, the response leaves then; A's confirmation arrives at 30 ms.
    p.net.run_for(ms(15));
    let out = p.net.send_ip(1, &b_to_a(b"early")).unwrap();
    assert!(
        matches!(out, Outbound::Queued(_)),
        "responder must not send on an unconfirmed session"
    );
    assert!(
        of_type(&sent_by(&p.net, 1), 1).is_empty(),
        "and must not start its own handshake"
    );
    p.net.run_for(ms(100));
    assert_eq!(p.net.nodes[0].delivered[0].1, b_to_a(b"early"));
    assert!(of_type(&sent_by(&p.net, 1), 1).is_empty());
}

#[test]
fn simultaneous_initiation_converges() {
    let mut p = pair(5);
    p.net.send_ip(0, &a_to_b(b"a1")).unwrap();
    p.net.send_ip(1, &b_to_a(b"b1")).unwrap();
    p.net.run_for(secs(30));
    for round in 0..5u8 {
        p.net.send_ip(0, &a_to_b(&[round])).unwrap();
        p.net.send_ip(1, &b_to_a(&[round])).unwrap();
        p.net.run_for(ms(100));
    }
    assert_eq!(p.net.nodes[1].delivered.len(), 6);
    assert_eq!(p.net.nodes[0].delivered.len(), 6);
    // Colliding initiations are resolved by the retransmit jitter; after that, silence.
    let inits = of_type(&p.net.captured, 1);
    let last = inits.last().unwrap().0;
    assert!(inits.len() <= 8, "{} initiations", inits.len());
    assert!(
        last.saturating_duration_since(inits[0].0) < secs(20),
        "converged within a few retries"
    );
}

#[test]
fn no_route_and_no_endpoint_are_reported() {
    use ferrotun_proto::device::SendError;
    let mut p = pair(6);
    let stray = ferrotun_sim::ipv4_packet(A_TUN, "10.9.9.9".parse().unwrap(), b"");
    assert_eq!(p.net.send_ip(0, &stray), Err(SendError::NoRoute));
    assert_eq!(p.net.send_ip(0, b"\x00garbage"), Err(SendError::NotIp));
    let mut lone = pair(7);
    let c = lone.net.add_node(
        ferrotun_proto::keys::PrivateKey::from_bytes([3; 32]),
        addr("192.0.2.3:1"),
    );
    let (c_at_a, _) = lone
        .net
        .connect(0, c, A_TUN.into(), "10.0.0.3".parse().unwrap(), false);
    let to_c = ferrotun_sim::ipv4_packet(A_TUN, "10.0.0.3".parse().unwrap(), b"");
    assert_eq!(
        lone.net.send_ip(0, &to_c),
        Err(SendError::NoEndpoint(c_at_a))
    );
}
