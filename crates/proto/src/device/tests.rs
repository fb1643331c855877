use super::*;
use crate::keys::PrivateKey;
use crate::time::FixedWallClock;
use rand_core::SeedableRng;

fn device(seed: u64, key: u8) -> Device {
    let rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let mut d = Device::new(
        Box::new(rng),
        Box::new(FixedWallClock(Duration::from_secs(1_700_000_000))),
    );
    d.set_private_key(Some(PrivateKey::from_bytes([key; 32])));
    d
}

fn public(key: u8) -> PublicKey {
    PrivateKey::from_bytes([key; 32]).public_key()
}

#[test]
fn own_key_cannot_be_a_peer_and_setting_it_removes_such_a_peer() {
    let mut d = device(1, 1);
    assert_eq!(d.add_peer(public(1)), Err(ConfigError::PeerIsSelf));
    let id = d.add_peer(public(2)).unwrap();
    assert_eq!(
        d.add_peer(public(2)),
        Ok(id),
        "adding an existing key returns the same peer"
    );
    d.set_private_key(Some(PrivateKey::from_bytes([2; 32])));
    assert_eq!(d.peer_count(), 0);
    assert!(d.peer_info(id).is_none());
}

#[test]
fn removed_peer_handles_are_never_reused() {
    let mut d = device(2, 1);
    let a = d.add_peer(public(2)).unwrap();
    d.add_allowed_ip(a, "10.0.0.2".parse().unwrap(), 32)
        .unwrap();
    d.remove_peer(a);
    let b = d.add_peer(public(3)).unwrap();
    assert_ne!(a, b);
    assert!(d.peer_info(a).is_none());
    assert_eq!(
        d.set_endpoint(a, "192.0.2.1:1".parse().unwrap()),
        Err(ConfigError::NoSuchPeer)
    );
    assert_eq!(
        d.lookup_allowed_ip("10.0.0.2".parse().unwrap()),
        None,
        "allowed IPs go with the peer"
    );
    assert_eq!(d.peer_ids(), vec![b]);
}

#[test]
fn removing_a_peer_forgets_its_indices() {
    let (mut a, mut b) = (device(3, 1), device(4, 2));
    let b_at_a = a.add_peer(public(2)).unwrap();
    let a_at_b = b.add_peer(public(1)).unwrap();
    a.add_allowed_ip(b_at_a, "10.0.0.2".parse().unwrap(), 32)
        .unwrap();
    b.add_allowed_ip(a_at_b, "10.0.0.1".parse().unwrap(), 32)
        .unwrap();
    a.set_endpoint(b_at_a, "192.0.2.2:1".parse().unwrap())
        .unwrap();
    let now = Instant::from_nanos(1);
    let packet = [
        0x45u8, 0, 0, 20, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    assert_eq!(
        a.encapsulate(now, &packet, &mut [0u8; 128]),
        Ok(Outbound::Queued(b_at_a))
    );
    let mut init = a.poll_transmit().unwrap().data;
    let from = Endpoint::from("192.0.2.1:1".parse::<std::net::SocketAddr>().unwrap());
    assert_eq!(
        b.handle_datagram(now, from, &mut init),
        Ok(Inbound::Handled)
    );
    assert_eq!((a.indices.len(), b.indices.len()), (1, 1));
    a.remove_peer(b_at_a);
    b.remove_peer(a_at_b);
    assert_eq!((a.indices.len(), b.indices.len()), (0, 0));
}

#[test]
fn sec9_receiver_indices_are_random() {
    let mut d = device(5, 1);
    let id = d.add_peer(public(2)).unwrap();
    d.set_endpoint(id, "192.0.2.2:1".parse().unwrap()).unwrap();
    let mut indices = Vec::new();
    for i in 0..50u64 {
        d.send_initiation(Instant::from_nanos(i * 6_000_000_000 + 1), id, false);
        let t = d.poll_transmit().unwrap();
        indices.push(u32::from_le_bytes(t.data[4..8].try_into().unwrap()));
    }
    let sequential = indices
        .windows(2)
        .filter(|w| w[1].wrapping_sub(w[0]) < 1000)
        .count();
    assert_eq!(sequential, 0, "{indices:?}");
    assert_eq!(
        d.indices.len(),
        1,
        "only the latest initiation keeps an index"
    );
}

#[test]
fn without_private_key_nothing_is_sent_or_accepted() {
    let mut d = Device::new(
        Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(6)),
        Box::new(FixedWallClock(Duration::ZERO)),
    );
    let id = d.add_peer(public(2)).unwrap();
    d.set_endpoint(id, "192.0.2.2:1".parse().unwrap()).unwrap();
    d.add_allowed_ip(id, "10.0.0.2".parse().unwrap(), 32)
        .unwrap();
    let packet = [
        0x45u8, 0, 0, 20, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    assert_eq!(
        d.encapsulate(Instant::ZERO, &packet, &mut [0u8; 128]),
        Ok(Outbound::Queued(id))
    );
    assert!(d.poll_transmit().is_none());
    let mut junk = [1u8; 148];
    junk[1..4].fill(0);
    let from = Endpoint::from("192.0.2.2:1".parse::<std::net::SocketAddr>().unwrap());
    assert_eq!(
        d.handle_datagram(Instant::ZERO, from, &mut junk),
        Err(DropReason::InvalidMac1)
    );
}

#[test]
fn timer_queue_stays_small_under_traffic() {
    let mut d = device(7, 1);
    let id = d.add_peer(public(2)).unwrap();
    let now = Instant::from_nanos(1);
    d.set_persistent_keepalive(now, id, 25).unwrap();
    for i in 0..10_000u64 {
        let t = now + Duration::from_millis(i);
        d.state(id)
            .unwrap()
            .timers
            .on_authenticated_packet_traversal(t);
        d.reschedule(id);
    }
    assert!(d.queue.len() < 5, "heap grew to {}", d.queue.len());
}

#[test]
fn peers_are_listed_in_creation_order_even_when_slots_are_reused() {
    let mut d = device(8, 1);
    let ids: Vec<_> = (2..6).map(|k| d.add_peer(public(k)).unwrap()).collect();
    d.remove_peer(ids[0]);
    d.remove_peer(ids[2]);
    let later: Vec<_> = (6..9).map(|k| d.add_peer(public(k)).unwrap()).collect();
    let mut expected = vec![ids[1], ids[3]];
    expected.extend(later);
    assert_eq!(d.peer_ids(), expected);
}

/// Two devices with a confirmed session: A (key 1, tunnel 10.0.0.1) and B (key 2, 10.0.0.2).
pub(super) fn session() -> (Device, Device, Endpoint, Endpoint) {
    let (mut a, mut b) = (device(9, 1), device(10, 2));
    let b_at_a = a.add_peer(public(2)).unwrap();
    let a_at_b = b.add_peer(public(1)).unwrap();
    a.add_allowed_ip(b_at_a, "10.0.0.2".parse().unwrap(), 32)
        .unwrap();
    b.add_allowed_ip(a_at_b, "10.0.0.1".parse().unwrap(), 32)
        .unwrap();
    let (at_a, at_b) = (
        Endpoint::from("192.0.2.1:1".parse::<std::net::SocketAddr>().unwrap()),
        Endpoint::from("192.0.2.2:1".parse::<std::net::SocketAddr>().unwrap()),
    );
    a.set_endpoint(b_at_a, at_b.addr).unwrap();
    let now = Instant::from_nanos(1);
    let _ = a.encapsulate(now, &ping(1), &mut [0u8; 128]);
    let mut init = a.poll_transmit().unwrap().data;
    b.handle_datagram(now, at_a, &mut init).unwrap();
    let mut resp = b.poll_transmit().unwrap().data;
    a.handle_datagram(now, at_b, &mut resp).unwrap();
    // A sends the staged packet, which confirms the session at B.
    let mut staged = a.poll_transmit().unwrap().data;
    b.handle_datagram(now, at_a, &mut staged).unwrap();
    (a, b, at_a, at_b)
}

/// A 20-byte IPv4 header from 10.0.0.1 to 10.0.0.2 with identification `id`.
pub(super) fn ping(id: u8) -> [u8; 20] {
    [
        0x45, 0, 0, 20, 0, id, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ]
}

#[test]
fn jobs_sealed_and_opened_out_of_order_all_arrive_once() {
    let (mut a, mut b, at_a, _) = session();
    let now = Instant::from_nanos(2);
    let jobs: Vec<_> = (10..14)
        .map(|id| match a.prepare_send(now, &ping(id)) {
            Ok(Prepared::Seal(job)) => (id, job),
            other => panic!("expected a seal job, got {other:?}"),
        })
        .collect();
    // Sealed in reverse, as parallel workers may finish them.
    let mut sealed: Vec<(u8, Vec<u8>)> = jobs
        .iter()
        .rev()
        .map(|(id, job)| {
            let mut buf = vec![0u8; job.sealed_len()];
            buf[16..36].copy_from_slice(&ping(*id));
            assert_eq!(job.seal(&mut buf), Ok(job.sealed_len()));
            (*id, buf)
        })
        .collect();
    let mut copy = sealed[0].1.clone();
    // Opened in that reverse order too: the replay window takes reordering.
    for (id, buf) in &mut sealed {
        let Ok(Received::Open(job)) = b.prepare_receive(now, at_a, buf) else {
            panic!("expected an open job");
        };
        let opened = job.open(buf);
        let result = b.finish_receive(now, at_a, &job, opened, buf);
        let Ok(Inbound::Tunnel { range, .. }) = result else {
            panic!("packet {id}: {result:?}");
        };
        assert_eq!(buf[range][5], *id);
    }
    // A second copy of any of them is a replay.
    let Ok(Received::Open(job)) = b.prepare_receive(now, at_a, &mut copy) else {
        panic!("expected an open job");
    };
    let opened = job.open(&mut copy);
    let replay = DropReason::Transport(crate::keypair::OpenError::Replay);
    assert_eq!(opened, Err(replay));
    assert_eq!(
        b.finish_receive(now, at_a, &job, opened, &copy),
        Err(replay)
    );
}

#[test]
fn a_failed_open_is_counted_and_changes_nothing() {
    let (mut a, mut b, at_a, _) = session();
    let now = Instant::from_nanos(2);
    let mut out = [0u8; 128];
    let Ok(Outbound::Transmit { len, .. }) = a.encapsulate(now, &ping(7), &mut out) else {
        panic!("expected a transmit");
    };
    let forged = &mut out[..len];
    forged[20] ^= 1;
    let before = b.drop_stats();
    let Ok(Received::Open(job)) = b.prepare_receive(now, at_a, forged) else {
        panic!("expected an open job");
    };
    let opened = job.open(forged);
    assert!(opened.is_err());
    assert!(b.finish_receive(now, at_a, &job, opened, forged).is_err());
    assert_ne!(b.drop_stats(), before, "the drop is counted");
}
