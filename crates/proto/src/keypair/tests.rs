use super::*;
use crate::consts::REJECT_AFTER_MESSAGES;
use crate::test_vectors::{load, Case, CASES};
use crate::time::{Duration, Instant};
use crate::wire::TransportHeader;

fn keys(v: &Case, initiator: bool) -> SessionKeys {
    let (i_idx, r_idx) = (
        v.u32("initiator_sender_index"),
        v.u32("responder_sender_index"),
    );
    if initiator {
        SessionKeys {
            send: v.b32("initiator_send_key"),
            receive: v.b32("initiator_recv_key"),
            local_index: i_idx,
            remote_index: r_idx,
            is_initiator: true,
        }
    } else {
        SessionKeys {
            send: v.b32("responder_send_key"),
            receive: v.b32("responder_recv_key"),
            local_index: r_idx,
            remote_index: i_idx,
            is_initiator: false,
        }
    }
}

fn seal_vec(kp: &Keypair, plaintext: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 16 + 64 + 16];
    buf[16..16 + plaintext.len()].copy_from_slice(plaintext);
    let n = kp
        .seal(&mut buf, plaintext.len(), padded_len(plaintext.len(), 1420))
        .unwrap();
    buf.truncate(n);
    buf
}

fn open_vec(kp: &Keypair, msg: &[u8]) -> Result<Vec<u8>, OpenError> {
    let (header, _) = TransportHeader::parse(msg).unwrap();
    assert_eq!(header.receiver_index, kp.local_index);
    let mut body = msg[16..].to_vec();
    let n = kp.open(header.counter, &mut body)?;
    body.truncate(n);
    Ok(body)
}

#[test]
fn transport_packets_match_vectors() {
    for name in CASES {
        let v = load(name);
        let (init, resp) = (
            Keypair::new(&keys(&v, true), Instant::ZERO),
            Keypair::new(&keys(&v, false), Instant::ZERO),
        );
        let keepalive = seal_vec(&init, &[]);
        assert_eq!(keepalive, v.bytes("keepalive_i2r_counter0"), "{name}");
        assert_eq!(open_vec(&resp, &keepalive).unwrap(), Vec::<u8>::new());
        let data = v.bytes("data_plaintext_unpadded");
        let r2i = seal_vec(&resp, &data);
        assert_eq!(r2i, v.bytes("data_r2i_counter0"), "{name}");
        assert_eq!(
            open_vec(&init, &r2i).unwrap(),
            v.bytes("data_plaintext_padded")
        );
        let i2r = seal_vec(&init, &data);
        assert_eq!(i2r, v.bytes("data_i2r_counter1"), "{name}");
        assert_eq!(
            open_vec(&resp, &i2r).unwrap(),
            v.bytes("data_plaintext_padded")
        );
        assert_eq!(
            open_vec(&resp, &i2r),
            Err(OpenError::Replay),
            "replayed data is dropped"
        );
    }
}

#[test]
fn sec10_padding_to_16_never_past_mtu() {
    assert_eq!(padded_len(0, 1420), 0);
    assert_eq!(padded_len(1, 1420), 16);
    assert_eq!(padded_len(20, 1420), 32);
    assert_eq!(padded_len(1409, 1420), 1420);
    assert_eq!(padded_len(1419, 1420), 1420);
    assert_eq!(padded_len(1420, 1420), 1420);
    assert_eq!(padded_len(1421, 1420), 1421 + 15);
    assert_eq!(padded_len(17, 0), 32);
    for len in 0..3000 {
        let p = padded_len(len, 1420);
        assert!(p >= len && p - len < 16);
        assert!(len > 1420 || p <= 1420);
        assert!(p % 16 == 0 || p == 1420 || len > 1420);
    }
}

#[test]
fn forged_packets_do_not_move_the_replay_window() {
    let v = load("handshake_zero_psk");
    let resp = Keypair::new(&keys(&v, false), Instant::ZERO);
    let mut forged = v.bytes("data_i2r_counter1");
    forged[20] ^= 1;
    assert_eq!(open_vec(&resp, &forged), Err(OpenError::Decrypt));
    assert!(open_vec(&resp, &v.bytes("data_i2r_counter1")).is_ok());
}

#[test]
fn sec3_sec5_counter_never_repeats_or_passes_reject_after_messages() {
    let v = load("handshake_zero_psk");
    let kp = Keypair::new(&keys(&v, true), Instant::ZERO);
    kp.force_send_counter(REJECT_AFTER_MESSAGES - 1);
    assert_eq!(kp.next_counter(), Some(REJECT_AFTER_MESSAGES - 1));
    for _ in 0..10_000 {
        assert_eq!(kp.next_counter(), None);
    }
    assert!(!kp.can_send(Instant::ZERO));
    let mut buf = [0u8; 64];
    assert_eq!(kp.seal(&mut buf, 0, 0), Err(SealError::Exhausted));
    assert_eq!(
        kp.open(REJECT_AFTER_MESSAGES, &mut [0u8; 16]),
        Err(OpenError::Replay)
    );
}

#[test]
fn keypair_shared_across_threads_uses_each_counter_once() {
    let v = load("handshake_zero_psk");
    let sender = Arc::new(Keypair::new(&keys(&v, true), Instant::ZERO));
    let receiver = Arc::new(Keypair::new(&keys(&v, false), Instant::ZERO));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (s, r) = (Arc::clone(&sender), Arc::clone(&receiver));
            std::thread::spawn(move || {
                let mut counters = Vec::new();
                for _ in 0..500 {
                    let msg = seal_vec(&s, &[0x45; 20]);
                    counters.push(TransportHeader::parse(&msg).unwrap().0.counter);
                    assert!(open_vec(&r, &msg).is_ok());
                }
                counters
            })
        })
        .collect();
    let mut all: Vec<u64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 2000);
}

#[test]
fn keypair_expires_after_reject_after_time() {
    let v = load("handshake_zero_psk");
    let kp = Keypair::new(&keys(&v, true), Instant::from_nanos(5));
    let later = Instant::from_nanos(5) + Duration::from_secs(180);
    assert!(kp.can_send(later.saturating_sub(Duration::from_nanos(1))));
    assert!(!kp.can_send(later) && !kp.can_receive(later));
}

fn kp(local: u32, initiator: bool) -> Arc<Keypair> {
    let keys = SessionKeys {
        send: [1; 32],
        receive: [2; 32],
        local_index: local,
        remote_index: 0,
        is_initiator: initiator,
    };
    Arc::new(Keypair::new(&keys, Instant::ZERO))
}

fn idx(slot: &Option<Arc<Keypair>>) -> Option<u32> {
    slot.as_ref().map(|k| k.local_index)
}

#[test]
fn slot_rules_follow_the_kernel() {
    let mut slots = Keypairs::default();
    assert!(slots.insert(kp(1, true)).is_empty());
    assert_eq!(
        (idx(&slots.previous), idx(&slots.current), idx(&slots.next)),
        (None, Some(1), None)
    );
    assert!(slots.insert(kp(2, true)).is_empty());
    assert_eq!(
        (idx(&slots.previous), idx(&slots.current)),
        (Some(1), Some(2))
    );
    // Responder: parked in next, previous freed, current untouched.
    let dropped = slots.insert(kp(3, false));
    assert_eq!(
        dropped.iter().map(|k| k.local_index).collect::<Vec<_>>(),
        vec![1]
    );
    assert_eq!(
        (idx(&slots.previous), idx(&slots.current), idx(&slots.next)),
        (None, Some(2), Some(3))
    );
    // Unconfirmed next is replaced by an initiator session: next becomes previous.
    let dropped = slots.insert(kp(4, true));
    assert_eq!(
        dropped.iter().map(|k| k.local_index).collect::<Vec<_>>(),
        vec![2]
    );
    assert_eq!(
        (idx(&slots.previous), idx(&slots.current), idx(&slots.next)),
        (Some(3), Some(4), None)
    );
    let five = kp(5, false);
    slots.insert(Arc::clone(&five));
    assert!(slots.confirm(&kp(6, false)).is_none());
    let dropped = slots.confirm(&five).unwrap();
    assert_eq!(dropped.map(|k| k.local_index), None);
    assert_eq!(
        (idx(&slots.previous), idx(&slots.current), idx(&slots.next)),
        (Some(4), Some(5), None)
    );
    assert_eq!(slots.clear().len(), 2);
}
