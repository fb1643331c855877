//! Regression tests for bugs other Rust WireGuard implementations shipped
//! (docs/compatibility.md §2.4 HS-7 and §2.7), where not covered by a unit test of the module.

mod common;
use common::*;
use ferrotun_proto::device::Inbound;
use ferrotun_proto::peer::Endpoint;
use ferrotun_proto::time::Instant;
use ferrotun_sim::Datagram;

#[test]
fn sec7_oversized_datagram_does_not_panic() {
    let mut p = pair(30);
    establish(&mut p);
    let to = p.net.nodes[1].addr;
    for kind in 0u8..6 {
        let mut data = vec![0xa5u8; 65_535];
        data[0] = kind;
        data[1..4].fill(0);
        p.net.inject(Datagram {
            from: addr("198.51.100.3:3"),
            to,
            data,
        });
    }
    p.net.send_ip(0, &a_to_b(b"alive")).unwrap();
    p.net.run_for(ms(100));
    assert_eq!(p.net.nodes[1].delivered.last().unwrap().1, a_to_b(b"alive"));
}

#[test]
fn sec11_cookie_reply_always_sent_under_load() {
    let mut p = pair(31);
    p.net.nodes[1].device.set_under_load(true);
    for _ in 0..3 {
        p.net.send_ip(0, &a_to_b(b"x")).unwrap();
        p.net.run_for(ms(5100));
    }
    let cookies = of_type(&sent_by(&p.net, 1), 3).len();
    assert!(
        cookies >= 1,
        "every initiation without mac2 gets a cookie reply"
    );
    assert!(p.net.nodes[0]
        .events
        .iter()
        .any(|(_, e)| matches!(e, ferrotun_proto::device::Event::HandshakeComplete(_))));
}

#[test]
fn hs7_response_accepted_for_the_full_rekey_timeout() {
    let mut p = pair(32);
    p.net.latency = ms(2400); // 4.8 s round trip
    p.net.send_ip(0, &a_to_b(b"slow")).unwrap();
    p.net.run_for(secs(5));
    assert_eq!(
        of_type(&sent_by(&p.net, 0), 1).len(),
        1,
        "no retry before the response arrived"
    );
    assert!(p.net.nodes[0]
        .events
        .iter()
        .any(|(_, e)| matches!(e, ferrotun_proto::device::Event::HandshakeComplete(_))));
}

#[test]
fn hs5_no_second_initiation_while_one_is_in_flight() {
    let mut p = pair(33);
    p.net.latency = ms(1000);
    for i in 0..20u8 {
        p.net.send_ip(0, &a_to_b(&[i])).unwrap();
        p.net.run_for(ms(100));
    }
    assert_eq!(of_type(&sent_by(&p.net, 0), 1).len(), 1);
    p.net.run_for(secs(3));
    assert_eq!(
        p.net.nodes[1].delivered.len(),
        20,
        "all staged packets delivered in order"
    );
}

#[test]
fn hs7_clock_going_backwards_does_not_panic() {
    let mut p = pair(34);
    establish(&mut p);
    let (mut a, mut b) = (0usize, 1usize);
    for back in [
        Instant::ZERO,
        Instant::from_nanos(5),
        Instant::from_nanos(1_000),
    ] {
        let from = Endpoint::from(p.net.nodes[a].addr);
        let d = &mut p.net.nodes[a].device;
        d.handle_timeout(back);
        let mut out = vec![0u8; 200];
        let _ = d.encapsulate(back, &a_to_b(b"back in time"), &mut out);
        let mut outgoing = Vec::new();
        while let Some(t) = d.poll_transmit() {
            outgoing.push(t.data);
        }
        for mut data in outgoing {
            let _ = p.net.nodes[b].device.handle_datagram(back, from, &mut data);
        }
        std::mem::swap(&mut a, &mut b);
    }
    p.net.run_for(secs(200));
    p.net.send_ip(0, &a_to_b(b"recovered")).unwrap();
    p.net.run_for(secs(1));
    assert_eq!(
        p.net.nodes[1].delivered.last().unwrap().1,
        a_to_b(b"recovered")
    );
}

#[test]
fn hs4_persistent_keepalive_on_both_sides_does_not_fight() {
    let mut p = pair(35);
    let now = p.net.now();
    p.net.nodes[0]
        .device
        .set_persistent_keepalive(now, p.b_at_a, 25)
        .unwrap();
    p.net.nodes[1]
        .device
        .set_persistent_keepalive(now, p.a_at_b, 25)
        .unwrap();
    p.net.flush(0);
    p.net.flush(1);
    p.net.run_for(secs(3600));
    // Sessions are refreshed every ~2-3 minutes and never collide into a storm.
    let inits = of_type(&p.net.captured, 1).len();
    assert!(inits < 3600 / 100, "{inits} initiations in an hour");
    p.net.send_ip(0, &a_to_b(b"still up")).unwrap();
    p.net.run_for(ms(100));
    assert_eq!(
        p.net.nodes[1].delivered.last().unwrap().1,
        a_to_b(b"still up")
    );
    let _ = Inbound::Handled;
}
