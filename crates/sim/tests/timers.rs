//! Timer scenarios on the virtual clock: rekey, retry and give-up, keepalives, key zeroing.

mod common;
use common::*;
use ferrotun_proto::device::Event;
use ferrotun_proto::time::Instant;

fn handshakes_completed(p: &Pair, node: usize) -> Vec<Instant> {
    let events = &p.net.nodes[node].events;
    events
        .iter()
        .filter(|(_, e)| matches!(e, Event::HandshakeComplete(_)))
        .map(|(t, _)| *t)
        .collect()
}

#[test]
fn rekey_at_120s_loses_no_packet() {
    let mut p = pair(10);
    let mut sent = (0u32, 0u32);
    for second in 0..400u32 {
        p.net.send_ip(0, &a_to_b(&second.to_be_bytes())).unwrap();
        sent.0 += 1;
        p.net.run_for(ms(500));
        p.net.send_ip(1, &b_to_a(&second.to_be_bytes())).unwrap();
        sent.1 += 1;
        p.net.run_for(ms(500));
    }
    p.net.run_for(secs(1));
    assert_eq!(
        p.net.nodes[1].delivered.len() as u32,
        sent.0,
        "A to B lost packets"
    );
    assert_eq!(
        p.net.nodes[0].delivered.len() as u32,
        sent.1,
        "B to A lost packets"
    );
    let rekeys = handshakes_completed(&p, 0);
    assert!(
        rekeys.len() >= 4,
        "a new session about every 120 s: {rekeys:?}"
    );
    for pair in rekeys.windows(2) {
        let gap = pair[1].saturating_duration_since(pair[0]);
        assert!(gap >= secs(120) && gap < secs(125), "rekey gap {gap:?}");
    }
    assert!(p.net.nodes.iter().all(|n| n.drops.is_empty()));
}

#[test]
fn retry_every_5s_with_jitter_then_give_up() {
    let mut p = pair(11);
    let b = p.net.nodes[1].addr;
    p.net.filter = Some(Box::new(move |_, d| d.to != b));
    p.net.send_ip(0, &a_to_b(b"lost")).unwrap();
    p.net.run_for(secs(300));
    let inits = of_type(&sent_by(&p.net, 0), 1);
    assert_eq!(
        inits.len(),
        20,
        "first attempt plus MAX_TIMER_HANDSHAKES + 1 retries"
    );
    let mut jitters = Vec::new();
    for pair in inits.windows(2) {
        let gap = pair[1].0.saturating_duration_since(pair[0].0);
        assert!(
            gap >= secs(5) && gap < secs(5) + ms(334),
            "retry gap {gap:?}"
        );
        jitters.push(gap - secs(5));
        assert_ne!(
            pair[0].1.data[4..8],
            pair[1].1.data[4..8],
            "every retry has a fresh index"
        );
        assert_ne!(
            pair[0].1.data[8..40],
            pair[1].1.data[8..40],
            "and a fresh ephemeral key"
        );
    }
    jitters.dedup();
    assert!(jitters.len() > 5, "jitter varies: {jitters:?}");
    let gave_up = p.net.nodes[0]
        .events
        .iter()
        .find(|(_, e)| matches!(e, Event::HandshakeGaveUp(_)));
    let (at, _) = gave_up.expect("gave up");
    let span = at.saturating_duration_since(inits[0].0);
    assert!(
        span >= secs(100) && span < secs(107),
        "gave up after {span:?}"
    );
    assert_eq!(
        p.net.nodes[0]
            .device
            .peer_info(p.b_at_a)
            .unwrap()
            .staged_packets(),
        0
    );
}

#[test]
fn passive_keepalive_after_10s_and_no_ping_pong() {
    let mut p = pair(12);
    establish(&mut p);
    let start = p.net.now();
    p.net.send_ip(0, &a_to_b(b"one-way")).unwrap();
    p.net.run_for(secs(100));
    let from_b: Vec<_> = sent_by(&p.net, 1)
        .into_iter()
        .filter(|(t, _)| *t > start)
        .collect();
    assert_eq!(
        from_b.len(),
        1,
        "B answers the data with exactly one keepalive: {from_b:?}"
    );
    let (t, d) = &from_b[0];
    assert!(is_keepalive(d));
    let delay = t.saturating_duration_since(start);
    assert!(delay >= secs(10) && delay < secs(10) + ms(50), "{delay:?}");
    let from_a: Vec<_> = sent_by(&p.net, 0)
        .into_iter()
        .filter(|(t, _)| *t > start + ms(1))
        .collect();
    assert!(from_a.is_empty(), "a keepalive is not answered: {from_a:?}");
}

#[test]
fn persistent_keepalive_every_interval_when_idle_only() {
    let mut p = pair(13);
    establish(&mut p);
    let now = p.net.now();
    p.net.nodes[0]
        .device
        .set_persistent_keepalive(now, p.b_at_a, 25)
        .unwrap();
    p.net.flush(0);
    // Turning it on sends one at once.
    let first = sent_by(&p.net, 0)
        .into_iter()
        .filter(|(t, d)| *t >= now && is_keepalive(d))
        .count();
    assert_eq!(first, 1);
    p.net.run_for(secs(100));
    let keepalives: Vec<_> = sent_by(&p.net, 0)
        .into_iter()
        .filter(|(t, d)| *t >= now && is_keepalive(d))
        .map(|(t, _)| t)
        .collect();
    assert_eq!(keepalives.len(), 5, "{keepalives:?}");
    for w in keepalives.windows(2) {
        assert_eq!(w[1].saturating_duration_since(w[0]), secs(25));
    }
    // While data flows there are no persistent keepalives.
    let busy = p.net.now();
    // (15 s, so the 120 s rekey and its confirming keepalive stay out of the window.)
    for i in 0..15u8 {
        p.net.send_ip(0, &a_to_b(&[i])).unwrap();
        p.net.run_for(secs(1));
    }
    let during = sent_by(&p.net, 0)
        .into_iter()
        .filter(|(t, d)| *t > busy && is_keepalive(d))
        .count();
    assert_eq!(during, 0);
}

#[test]
fn keys_zeroed_after_540s() {
    let mut p = pair(14);
    establish(&mut p);
    // Sessions derive at 10 ms (B, on responding) and 20 ms (A, on the response).
    let derived = handshakes_completed(&p, 0)[0].saturating_sub(ms(10));
    p.net.run_for(secs(600));
    for node in 0..2 {
        let zeroed = p.net.nodes[node]
            .events
            .iter()
            .find(|(_, e)| matches!(e, Event::KeysZeroed(_)));
        let (at, _) = zeroed.expect("keys zeroed");
        let after = at.saturating_duration_since(derived);
        assert!(
            after >= secs(540) - ms(10) && after < secs(541),
            "{after:?}"
        );
    }
    let now = p.net.now();
    assert!(!p.net.nodes[0]
        .device
        .peer_info(p.b_at_a)
        .unwrap()
        .has_session(now));
    assert!(p.net.nodes[0].device.current_keypair(p.b_at_a).is_none());
    // Idle after that: no timer left at all.
    assert_eq!(p.net.nodes[0].device.poll_timeout(), None);
    // And traffic brings the tunnel back.
    p.net.send_ip(0, &a_to_b(b"again")).unwrap();
    p.net.run_for(ms(100));
    assert_eq!(p.net.nodes[1].delivered.last().unwrap().1, a_to_b(b"again"));
}

#[test]
fn new_handshake_when_peer_stops_answering() {
    let mut p = pair(15);
    // Only A sends data, so only A's new-handshake timer can fire; B's passive keepalive
    // answers it at 10 s. Then the network partitions.
    p.net.send_ip(0, &a_to_b(b"hello")).unwrap();
    p.net.run_for(secs(30));
    p.net.filter = Some(Box::new(|_, _| false));
    let start = p.net.now();
    p.net.send_ip(0, &a_to_b(b"into the void")).unwrap();
    p.net.run_for(secs(16));
    let inits = of_type(&sent_by(&p.net, 0), 1);
    let (t, _) = inits.last().unwrap();
    let after = t.saturating_duration_since(start);
    assert!(after >= secs(15) && after < secs(15) + ms(334), "{after:?}");
}

#[test]
fn reject_after_messages_stops_sending() {
    use ferrotun_proto::consts::REJECT_AFTER_MESSAGES;
    let mut p = pair(16);
    establish(&mut p);
    // Past the 5 s initiation rate limit, so exhaustion can start a handshake at once.
    p.net.run_for(secs(6));
    let keypair = p.net.nodes[0].device.current_keypair(p.b_at_a).unwrap();
    keypair.force_send_counter(REJECT_AFTER_MESSAGES - 1);
    let before = of_type(&sent_by(&p.net, 0), 1).len();
    p.net.send_ip(0, &a_to_b(b"last")).unwrap();
    p.net.send_ip(0, &a_to_b(b"after")).unwrap();
    p.net.run_for(ms(200));
    assert_eq!(
        of_type(&sent_by(&p.net, 0), 1).len(),
        before + 1,
        "exhaustion starts a handshake"
    );
    for (_, d) in of_type(&sent_by(&p.net, 0), 4) {
        let counter = u64::from_le_bytes(d.data[8..16].try_into().unwrap());
        assert!(counter < REJECT_AFTER_MESSAGES);
    }
    let got: Vec<_> = p.net.nodes[1]
        .delivered
        .iter()
        .map(|(_, d)| d.clone())
        .collect();
    assert_eq!(&got[got.len() - 2..], &[a_to_b(b"last"), a_to_b(b"after")]);
    assert!(!std::sync::Arc::ptr_eq(
        &keypair,
        &p.net.nodes[0].device.current_keypair(p.b_at_a).unwrap()
    ));
}

#[test]
fn idle_device_has_no_periodic_wakeups() {
    let mut p = pair(17);
    establish(&mut p);
    p.net.run_for(secs(700));
    assert_eq!(p.net.nodes[0].device.poll_timeout(), None);
    assert_eq!(p.net.nodes[1].device.poll_timeout(), None);
}
