use super::symmetric::{SymmetricState, INITIAL_CHAINING_KEY, INITIAL_HASH};
use super::*;
use crate::crypto::{dh, hash};
use crate::test_vectors::{load, Case, CASES};
use crate::time::{Duration, Instant};
use crate::wire::HandshakeInitiation;

fn private(v: &Case, key: &str) -> PrivateKey {
    PrivateKey::from_bytes(v.b32(key))
}

fn setup(v: &Case) -> (StaticIdentity, StaticIdentity, PresharedKey) {
    let init = StaticIdentity::new(private(v, "initiator_static_private"));
    let resp = StaticIdentity::new(private(v, "responder_static_private"));
    assert_eq!(init.public().as_bytes(), &v.b32("initiator_static_public"));
    assert_eq!(resp.public().as_bytes(), &v.b32("responder_static_public"));
    (init, resp, PresharedKey::from_bytes(v.b32("preshared_key")))
}

#[test]
fn initial_constants() {
    let v = load("handshake_zero_psk");
    assert_eq!(INITIAL_CHAINING_KEY, v.b32("initial_chaining_key"));
    assert_eq!(INITIAL_HASH, v.b32("initial_hash"));
    assert_eq!(
        INITIAL_CHAINING_KEY,
        hash(&[b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"])
    );
}

/// Replays message 1 token by token, comparing every intermediate value.
fn replay_initiation_tokens(name: &str, v: &Case) -> SymmetricState {
    let (init, resp, _) = setup(v);
    let e_i = private(v, "initiator_ephemeral_private");
    let mut s = SymmetricState::new(resp.public());
    assert_eq!(s.hash, v.b32("H_after_responder_static"), "{name}");
    s.mix_ephemeral(&v.b32("initiator_ephemeral_public"));
    assert_eq!(
        (s.chaining_key, s.hash),
        (v.b32("C_after_e"), v.b32("H_after_e"))
    );
    let es = dh(&e_i, resp.public()).unwrap();
    assert_eq!(es, v.b32("dh_es"));
    let k = s.mix_key(&es);
    assert_eq!(
        (s.chaining_key, k),
        (v.b32("C_after_es"), v.b32("k_static"))
    );
    let mut enc_static = [0u8; 48];
    s.encrypt_and_hash(&k, init.public().as_bytes(), &mut enc_static)
        .unwrap();
    assert_eq!(
        (enc_static.to_vec(), s.hash),
        (v.bytes("encrypted_static"), v.b32("H_after_static"))
    );
    let ss = dh(init.private(), resp.public()).unwrap();
    assert_eq!(ss, v.b32("dh_ss"));
    let k = s.mix_key(&ss);
    assert_eq!(
        (s.chaining_key, k),
        (v.b32("C_after_ss"), v.b32("k_timestamp"))
    );
    let mut enc_ts = [0u8; 28];
    s.encrypt_and_hash(&k, &v.bytes("timestamp_tai64n"), &mut enc_ts)
        .unwrap();
    assert_eq!(enc_ts.to_vec(), v.bytes("encrypted_timestamp"));
    assert_eq!(s.hash, v.b32("H_after_timestamp"));
    s
}

/// Replays both messages token by token and compares every intermediate value.
#[test]
fn intermediate_values_match_vectors() {
    for name in CASES {
        let v = load(name);
        let (init, _, psk) = setup(&v);
        let mut s = replay_initiation_tokens(name, &v);
        let e_r = private(&v, "responder_ephemeral_private");
        let e_i_pub = PublicKey::from_bytes(v.b32("initiator_ephemeral_public"));
        s.mix_ephemeral(&v.b32("responder_ephemeral_public"));
        assert_eq!(
            (s.chaining_key, s.hash),
            (v.b32("C_after_resp_e"), v.b32("H_after_resp_e"))
        );
        assert_eq!(dh(&e_r, &e_i_pub).unwrap(), v.b32("dh_ee"));
        let e_r_secret = crate::crypto::X25519Secret::new(&e_r).unwrap();
        s.mix_dh(&e_r_secret, &e_i_pub).unwrap();
        assert_eq!(s.chaining_key, v.b32("C_after_ee"));
        assert_eq!(dh(&e_r, init.public()).unwrap(), v.b32("dh_se"));
        s.mix_dh(&e_r_secret, init.public()).unwrap();
        assert_eq!(s.chaining_key, v.b32("C_after_se"));
        let k = s.mix_psk(&psk);
        assert_eq!(
            (s.chaining_key, k, s.hash),
            (v.b32("C_after_psk"), v.b32("k_empty"), v.b32("H_after_psk"))
        );
        let mut nothing = [0u8; 16];
        s.encrypt_and_hash(&k, &[], &mut nothing).unwrap();
        assert_eq!(
            (nothing.to_vec(), s.hash),
            (v.bytes("encrypted_nothing"), v.b32("H_final"))
        );
        let (t1, t2) = s.split();
        assert_eq!(
            (t1, t2),
            (v.b32("initiator_send_key"), v.b32("initiator_recv_key")),
            "{name}"
        );
    }
}

fn wall(v: &Case) -> Duration {
    Duration::from_secs(v.u64("unix_time"))
}

/// Both roles through the public API produce the vector messages and keys.
#[test]
fn full_handshake_matches_vectors() {
    for name in CASES {
        let v = load(name);
        let (init, resp, psk) = setup(&v);
        let mut hs_i = Handshake::new(Some(&init), *resp.public(), psk.clone());
        let msg1 = hs_i
            .create_initiation(
                &init,
                private(&v, "initiator_ephemeral_private"),
                wall(&v),
                v.u32("initiator_sender_index"),
            )
            .unwrap();
        assert_eq!(hs_i.state(), HandshakeState::CreatedInitiation);
        assert_eq!(hs_i.symmetric().hash, v.b32("H_after_timestamp"));
        let expected1 = v.bytes("initiation_message");
        assert_eq!(
            msg1.to_bytes()[..HandshakeInitiation::MAC1_OFFSET],
            expected1[..116],
            "{name}"
        );

        let parsed = HandshakeInitiation::parse(&expected1).unwrap();
        let (who, scratch) = decrypt_initiator_static(&resp, &parsed).unwrap();
        assert_eq!(&who, init.public());
        let mut hs_r = Handshake::new(Some(&resp), who, psk.clone());
        hs_r.consume_initiation(scratch, &parsed, Instant::from_nanos(1))
            .unwrap();
        let (msg2, keys_r) = hs_r
            .create_response(
                private(&v, "responder_ephemeral_private"),
                v.u32("responder_sender_index"),
            )
            .unwrap();
        assert_eq!(
            msg2.to_bytes()[..60],
            v.bytes("response_message")[..60],
            "{name}"
        );
        assert_eq!(hs_r.state(), HandshakeState::Zeroed);

        let keys_i = hs_i.consume_response(&init, &msg2).unwrap();
        assert_eq!(keys_i.send, v.b32("initiator_send_key"));
        assert_eq!(keys_i.receive, v.b32("initiator_recv_key"));
        assert_eq!(keys_r.send, v.b32("responder_send_key"));
        assert_eq!(keys_r.receive, v.b32("responder_recv_key"));
        assert_eq!(
            (keys_i.local_index, keys_i.remote_index),
            (keys_r.remote_index, keys_r.local_index)
        );
        assert!(keys_i.is_initiator && !keys_r.is_initiator);
    }
}

fn initiation_pair() -> (StaticIdentity, StaticIdentity, Handshake, Handshake) {
    let v = load("handshake_zero_psk");
    let (init, resp, psk) = setup(&v);
    let hs_i = Handshake::new(Some(&init), *resp.public(), psk.clone());
    let hs_r = Handshake::new(Some(&resp), *init.public(), psk);
    (init, resp, hs_i, hs_r)
}

fn send_initiation(
    hs: &mut Handshake,
    me: &StaticIdentity,
    secs: u64,
    index: u32,
) -> HandshakeInitiation {
    hs.create_initiation(
        me,
        PrivateKey::from_bytes([index as u8; 32]),
        Duration::from_secs(secs),
        index,
    )
    .unwrap()
}

fn consume(
    hs: &mut Handshake,
    me: &StaticIdentity,
    msg: &HandshakeInitiation,
    now_ms: u64,
) -> Result<(), NoiseError> {
    let (_, scratch) = decrypt_initiator_static(me, msg)?;
    hs.consume_initiation(scratch, msg, Instant::from_nanos(now_ms * 1_000_000))
}

#[test]
fn replayed_initiation_is_rejected() {
    let (init, resp, mut hs_i, mut hs_r) = initiation_pair();
    let first = send_initiation(&mut hs_i, &init, 1000, 1);
    consume(&mut hs_r, &resp, &first, 0).unwrap();
    assert_eq!(
        consume(&mut hs_r, &resp, &first, 1000),
        Err(NoiseError::ReplayedTimestamp)
    );
    // Our own wall clock stepping back still yields a newer timestamp.
    let second = send_initiation(&mut hs_i, &init, 999, 2);
    consume(&mut hs_r, &resp, &second, 2000).unwrap();
}

#[test]
fn initiation_flood_is_limited_to_one_per_20ms() {
    let (init, resp, mut hs_i, mut hs_r) = initiation_pair();
    let a = send_initiation(&mut hs_i, &init, 1000, 1);
    let b = send_initiation(&mut hs_i, &init, 1001, 2);
    let c = send_initiation(&mut hs_i, &init, 1002, 3);
    consume(&mut hs_r, &resp, &a, 100).unwrap();
    assert_eq!(consume(&mut hs_r, &resp, &b, 119), Err(NoiseError::Flood));
    consume(&mut hs_r, &resp, &c, 120).unwrap();
}

#[test]
fn tampered_messages_fail_cleanly() {
    let (init, resp, mut hs_i, mut hs_r) = initiation_pair();
    let mut msg = send_initiation(&mut hs_i, &init, 1000, 1);
    msg.encrypted_timestamp[0] ^= 1;
    assert_eq!(consume(&mut hs_r, &resp, &msg, 0), Err(NoiseError::Decrypt));
    msg.encrypted_static[0] ^= 1;
    assert!(decrypt_initiator_static(&resp, &msg).is_err());
    msg.unencrypted_ephemeral = [0; 32];
    assert_eq!(
        decrypt_initiator_static(&resp, &msg).err(),
        Some(NoiseError::InvalidPublicKey)
    );
    // A response without a pending initiation is a state error, not a panic.
    assert_eq!(hs_r.state(), HandshakeState::Zeroed);
    assert!(hs_r
        .create_response(PrivateKey::from_bytes([1; 32]), 5)
        .is_err());
}

#[test]
fn forged_response_does_not_cancel_pending_initiation() {
    let (init, resp, mut hs_i, mut hs_r) = initiation_pair();
    let msg = send_initiation(&mut hs_i, &init, 1000, 7);
    consume(&mut hs_r, &resp, &msg, 0).unwrap();
    let (mut reply, _) = hs_r
        .create_response(PrivateKey::from_bytes([9; 32]), 8)
        .unwrap();
    let genuine = reply.clone();
    reply.encrypted_nothing[3] ^= 0x80;
    assert_eq!(
        hs_i.consume_response(&init, &reply).err(),
        Some(NoiseError::Decrypt)
    );
    let mut wrong_index = genuine.clone();
    wrong_index.receiver_index ^= 1;
    assert_eq!(
        hs_i.consume_response(&init, &wrong_index).err(),
        Some(NoiseError::WrongState)
    );
    assert!(hs_i.consume_response(&init, &genuine).is_ok());
}

#[test]
fn sec8_psk_change_applies_to_next_handshake() {
    let (init, resp, mut hs_i, mut hs_r) = initiation_pair();
    hs_i.set_preshared_key(PresharedKey::from_bytes([1; 32]));
    let msg = send_initiation(&mut hs_i, &init, 1000, 1);
    consume(&mut hs_r, &resp, &msg, 0).unwrap();
    let (reply, _) = hs_r
        .create_response(PrivateKey::from_bytes([9; 32]), 8)
        .unwrap();
    // Responder still has the old (zero) psk: the response must not authenticate.
    assert_eq!(
        hs_i.consume_response(&init, &reply).err(),
        Some(NoiseError::Decrypt)
    );
    hs_r.set_preshared_key(PresharedKey::from_bytes([1; 32]));
    let msg = send_initiation(&mut hs_i, &init, 1001, 2);
    consume(&mut hs_r, &resp, &msg, 100).unwrap();
    let (reply, keys_r) = hs_r
        .create_response(PrivateKey::from_bytes([9; 32]), 8)
        .unwrap();
    let keys_i = hs_i.consume_response(&init, &reply).unwrap();
    assert_eq!(keys_i.send, keys_r.receive);
}

#[test]
fn no_handshake_without_private_key_or_with_low_order_peer() {
    let v = load("handshake_zero_psk");
    let (init, resp, psk) = setup(&v);
    let mut hs = Handshake::new(None, *resp.public(), psk.clone());
    let e = PrivateKey::from_bytes([3; 32]);
    assert_eq!(
        hs.create_initiation(&init, e.clone(), wall(&v), 1).err(),
        Some(NoiseError::NoStaticKeys)
    );
    let mut hs = Handshake::new(Some(&init), PublicKey::from_bytes([0; 32]), psk);
    assert_eq!(
        hs.create_initiation(&init, e, wall(&v), 1).err(),
        Some(NoiseError::NoStaticKeys)
    );
    assert!(
        !hs.has_static_keys(),
        "known to be invalid after the first attempt"
    );
}
