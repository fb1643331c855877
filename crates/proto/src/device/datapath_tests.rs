use super::super::tests::{ping, session};
use super::*;
use crate::time::Instant;
use rand_core::SeedableRng;

/// Sends `packet` from `a` to `b` through their data paths; returns which calls were fast
/// (send, receive, finish) and what `b` made of it.
fn send(
    (a, dp_a): (&mut Device, &mut DataPath),
    (b, dp_b): (&mut Device, &mut DataPath),
    from: Endpoint,
    packet: &[u8],
) -> ([bool; 3], Result<Inbound, DropReason>) {
    let now = Instant::from_nanos(2);
    let mut fast = [false; 3];
    let prepared = match dp_a.prepare_send(now, packet) {
        Some(r) => {
            fast[0] = true;
            r.map(Prepared::Seal)
        }
        None => dp_a.prepare_send_with(a, now, packet),
    };
    let Ok(Prepared::Seal(job)) = prepared else {
        panic!("expected a seal job, got {prepared:?}");
    };
    let mut buf = vec![0u8; job.sealed_len()];
    buf[16..16 + packet.len()].copy_from_slice(packet);
    job.seal(&mut buf).unwrap();
    let received = match dp_b.prepare_receive(now, &buf) {
        Some(r) => {
            fast[1] = true;
            r.map(Received::Open)
        }
        None => dp_b.prepare_receive_with(b, now, from, &mut buf),
    };
    let Ok(Received::Open(job)) = received else {
        return (fast, received.map(|_| Inbound::Handled));
    };
    let opened = job.open(&mut buf);
    let inbound = match dp_b.finish_receive(now, from, &job, opened, &buf) {
        Some(r) => {
            fast[2] = true;
            r
        }
        None => dp_b.finish_receive_with(b, now, from, &job, opened, &buf),
    };
    (fast, inbound)
}

/// A ping from `src` (10.0.0.x) to 10.0.0.2.
fn ping_from(src: u8) -> [u8; 20] {
    let mut p = ping(1);
    p[15] = src;
    p
}

#[test]
fn an_established_flow_needs_the_device_only_to_learn() {
    let (mut a, mut b, at_a, _) = session();
    let (mut dp_a, mut dp_b) = (a.data_path(), b.data_path());
    let tx_before = a.peer_info(a.peer_ids()[0]).unwrap().tx_bytes();
    let (fast, first) = send((&mut a, &mut dp_a), (&mut b, &mut dp_b), at_a, &ping(1));
    assert_eq!(fast, [false; 3], "nothing cached yet");
    assert!(matches!(first, Ok(Inbound::Tunnel { .. })), "{first:?}");
    for id in 2..5 {
        let (fast, next) = send((&mut a, &mut dp_a), (&mut b, &mut dp_b), at_a, &ping(id));
        assert_eq!(fast, [true; 3]);
        let Ok(Inbound::Tunnel { range, .. }) = next else {
            panic!("{next:?}");
        };
        assert_eq!(range.len(), 20);
    }
    let tx = a.peer_info(a.peer_ids()[0]).unwrap().tx_bytes() - tx_before;
    assert_eq!(tx, 4 * 64, "fast sends are counted like the device's");
}

#[test]
fn changed_routes_reach_the_data_path() {
    let (mut a, mut b, at_a, _) = session();
    let (mut dp_a, mut dp_b) = (a.data_path(), b.data_path());
    let _ = send((&mut a, &mut dp_a), (&mut b, &mut dp_b), at_a, &ping(1));
    let now = Instant::from_nanos(3);
    let b_at_a = a.peer_ids()[0];
    assert!(a.remove_allowed_ip(b_at_a, "10.0.0.2".parse().unwrap(), 32));
    assert!(dp_a.prepare_send(now, &ping(2)).is_none(), "cache dropped");
    assert!(matches!(
        dp_a.prepare_send_with(&mut a, now, &ping(2)),
        Err(SendError::NoRoute)
    ));
    assert!(matches!(
        dp_a.prepare_send(now, &ping(3)),
        Some(Err(SendError::NoRoute))
    ));
}

#[test]
fn a_spoofed_source_is_dropped_and_counted_on_the_fast_path() {
    let (mut a, mut b, at_a, _) = session();
    let (mut dp_a, mut dp_b) = (a.data_path(), b.data_path());
    let before = b.drop_stats().source_not_allowed;
    for round in 0..2 {
        let (fast, result) = send(
            (&mut a, &mut dp_a),
            (&mut b, &mut dp_b),
            at_a,
            &ping_from(9),
        );
        assert_eq!(result, Err(DropReason::SourceNotAllowed));
        assert_eq!(
            fast[2],
            round == 1,
            "the owner of 10.0.0.9 is cached after one miss"
        );
    }
    assert_eq!(b.drop_stats().source_not_allowed - before, 2);
}

#[test]
fn a_removed_peer_is_gone_from_the_data_path() {
    let (mut a, mut b, at_a, _) = session();
    let (mut dp_a, mut dp_b) = (a.data_path(), b.data_path());
    let _ = send((&mut a, &mut dp_a), (&mut b, &mut dp_b), at_a, &ping(1));
    let a_at_b = b.peer_ids()[0];
    b.remove_peer(a_at_b);
    let (fast, result) = send((&mut a, &mut dp_a), (&mut b, &mut dp_b), at_a, &ping(2));
    assert!(!fast[1], "the retired session is not used");
    assert_eq!(result, Err(DropReason::UnknownIndex));
}

#[test]
fn caches_do_not_keep_a_removed_peer_or_its_keys_alive() {
    let (mut a, mut b, at_a, _) = session();
    let (mut dp_a, mut dp_b) = (a.data_path(), b.data_path());
    let _ = send((&mut a, &mut dp_a), (&mut b, &mut dp_b), at_a, &ping(1));
    assert!(!dp_b.sessions.is_empty() && !dp_b.routes.is_empty());
    b.remove_peer(b.peer_ids()[0]);
    // No further packet reaches dp_b: the keys and the peer must be freed all the same.
    for (cell, keypair) in dp_b.sessions.values() {
        assert!(cell.upgrade().is_none() && keypair.upgrade().is_none());
    }
    assert!(dp_b
        .routes
        .values()
        .flatten()
        .all(|c| c.upgrade().is_none()));
}

/// What every hash table of a device and of one of its data paths makes of one key.
fn hash_fingerprint(dev: &Device, dp: &DataPath) -> Vec<u64> {
    let mut all = vec![
        dev.by_key.hasher().hash_one(1u32),
        dev.indices.hasher().hash_one(1u32),
        dp.routes.hasher().hash_one(1u32),
        dp.sessions.hasher().hash_one(1u32),
    ];
    all.extend(dev.allowed_ips.hash_fingerprint());
    all
}

#[test]
fn every_hash_seed_comes_from_the_injected_rng() {
    let device = |seed| {
        let rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        let wall = crate::time::FixedWallClock(crate::time::Duration::ZERO);
        Device::new(Box::new(rng), Box::new(wall))
    };
    let (a, b, c) = (device(1), device(1), device(2));
    let (dp_a, dp_b, dp_c) = (a.data_path(), b.data_path(), c.data_path());
    let seen = hash_fingerprint(&a, &dp_a);
    // With a seed from the OS (std's RandomState, or foldhash's), two devices on equal RNGs
    // would hash differently and their runs could differ.
    assert_eq!(seen, hash_fingerprint(&b, &dp_b), "same RNG, same tables");
    let other = hash_fingerprint(&c, &dp_c);
    assert!(
        seen.iter().zip(&other).all(|(x, y)| x != y),
        "secret per device"
    );
    let mut distinct = seen.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        seen.len(),
        "every table has a seed of its own"
    );
    let second = hash_fingerprint(&a, &a.data_path());
    assert_ne!(seen[2..4], second[2..4], "so does every data path");
}
