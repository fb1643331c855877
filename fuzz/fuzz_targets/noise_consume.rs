//! Arbitrary datagrams consumed by the handshake, cookie and transport code with the fixed keys
//! of the reference vectors, so the genuine vector messages (the seed corpus) authenticate and
//! the fuzzer mutates outward from fully valid messages.
//!
//! Whatever `wire::parse` accepts goes to the consumer of that message type:
//! * initiation: responder `decrypt_initiator_static` + `consume_initiation` (both PSK cases),
//!   then `create_response`; and the cookie round trip over the message's bytes.
//! * response: `consume_response` on an initiator in `CreatedInitiation`; and the cookie round
//!   trip.
//! * cookie reply: `consume_reply` by a `CookieGenerator` that has sent the vector initiation's
//!   mac1, and by one that has sent nothing.
//! * transport: `Keypair::open` with each direction's vector keys; and the body as plaintext
//!   through `seal` / `open`.
//!
//! Besides "never panics", it asserts the robustness properties the API documents: a message
//! that fails to authenticate leaves the state as it was (the genuine message still works
//! afterwards), and a message that was accepted once is not accepted twice.
#![no_main]

use ferrotun_fuzz::{case, Case, CASES};
use ferrotun_proto::cookie::{CookieChecker, CookieError, CookieGenerator, MacVerdict};
use ferrotun_proto::keypair::{Keypair, OpenError};
use ferrotun_proto::keys::{PresharedKey, PrivateKey};
use ferrotun_proto::noise::{
    decrypt_initiator_static, Handshake, HandshakeState, NoiseError, SessionKeys, StaticIdentity,
};
use ferrotun_proto::time::{Duration, Instant};
use ferrotun_proto::wire::{self, CookieReply, HandshakeResponse, Message, TransportHeader};
use libfuzzer_sys::fuzz_target;
use rand_core::SeedableRng;
use std::net::SocketAddr;
use std::sync::OnceLock;

/// Everything derived from one vector case, computed once per process.
struct Fixture {
    v: Case,
    initiator: StaticIdentity,
    responder: StaticIdentity,
    psk: [u8; 32],
}

fn fixtures() -> &'static [Fixture; 2] {
    static F: OnceLock<[Fixture; 2]> = OnceLock::new();
    F.get_or_init(|| {
        CASES.map(|name| {
            let v = case(name);
            let initiator =
                StaticIdentity::new(PrivateKey::from_bytes(v.b32("initiator_static_private")));
            let responder =
                StaticIdentity::new(PrivateKey::from_bytes(v.b32("responder_static_private")));
            assert_eq!(
                initiator.public().as_bytes(),
                &v.b32("initiator_static_public")
            );
            assert_eq!(
                responder.public().as_bytes(),
                &v.b32("responder_static_public")
            );
            Fixture {
                v,
                initiator,
                responder,
                psk: v.b32("preshared_key"),
            }
        })
    })
}

fn now() -> Instant {
    Instant::from_nanos(1_000 * 1_000_000_000)
}

fn src(port: u16) -> SocketAddr {
    SocketAddr::from(([192, 0, 2, 1], port))
}

fuzz_target!(|data: &[u8]| {
    let Ok(msg) = wire::parse(data) else {
        return;
    };
    match msg {
        Message::Initiation(m) => {
            for f in fixtures() {
                responder_consumes(f, &m);
            }
            cookie_round_trip(data);
        }
        Message::Response(m) => {
            for f in fixtures() {
                initiator_consumes(f, &m);
            }
            cookie_round_trip(data);
        }
        Message::CookieReply(m) => generator_consumes(&m),
        Message::Transport(h, body) => {
            for f in fixtures() {
                keypairs_open(f, h, body);
            }
            seal_open_round_trip(body);
        }
    }
});

fn responder_consumes(f: &Fixture, msg: &wire::HandshakeInitiation) {
    let peer = *f.initiator.public();
    let mut hs = Handshake::new(Some(&f.responder), peer, PresharedKey::from_bytes(f.psk));
    // The vector initiation (whatever its macs and sender index) must be accepted: it anchors
    // the harness, so a mistake in the fixture cannot silently skip everything below.
    let mut genuine = f.v.bytes("initiation_message");
    genuine[..8].copy_from_slice(&msg.to_bytes()[..8]);
    genuine[wire::HandshakeInitiation::MAC1_OFFSET..]
        .copy_from_slice(&msg.to_bytes()[wire::HandshakeInitiation::MAC1_OFFSET..]);
    let is_genuine = msg.to_bytes()[..] == genuine[..];
    let Ok((initiator_static, scratch)) = decrypt_initiator_static(&f.responder, msg) else {
        assert!(!is_genuine, "the vector initiation did not decrypt");
        return;
    };
    if initiator_static != peer {
        // A static key we do not know: the device drops the message here.
        return;
    }
    match hs.consume_initiation(scratch, msg, now()) {
        Err(e) => {
            assert!(!is_genuine, "the vector initiation was refused: {e:?}");
            assert_eq!(hs.state(), HandshakeState::Zeroed);
            return;
        }
        Ok(()) => assert_eq!(hs.state(), HandshakeState::ConsumedInitiation),
    }

    // The same initiation again is a replay, however late it arrives.
    let (_, scratch) = decrypt_initiator_static(&f.responder, msg).expect("decrypted before");
    let later = now() + Duration::from_secs(10);
    assert_eq!(
        hs.consume_initiation(scratch, msg, later),
        Err(NoiseError::ReplayedTimestamp)
    );
    assert_eq!(hs.state(), HandshakeState::ConsumedInitiation);

    let local_index = f.v.u32("responder_sender_index");
    let ephemeral = PrivateKey::from_bytes(f.v.b32("responder_ephemeral_private"));
    let (response, keys) = hs
        .create_response(ephemeral, local_index)
        .expect("a consumed initiation can always be answered");
    assert_eq!(response.receiver_index, msg.sender_index);
    assert_eq!(response.sender_index, local_index);
    assert_eq!(keys.remote_index, msg.sender_index);
    assert_eq!(keys.local_index, local_index);
    assert!(!keys.is_initiator);
    assert_eq!(hs.state(), HandshakeState::Zeroed);
    // Sender indices are not authenticated by Noise, so only the genuine ephemeral and
    // ciphertexts reproduce the vector session.
    if msg.unencrypted_ephemeral == f.v.b32("initiator_ephemeral_public") {
        assert_eq!(keys.send, f.v.b32("responder_send_key"));
        assert_eq!(keys.receive, f.v.b32("responder_recv_key"));
    }
}

/// An initiator that sent the vector initiation and waits for the response.
fn waiting_initiator(f: &Fixture) -> Handshake {
    let mut hs = Handshake::new(
        Some(&f.initiator),
        *f.responder.public(),
        PresharedKey::from_bytes(f.psk),
    );
    let sent = hs
        .create_initiation(
            &f.initiator,
            PrivateKey::from_bytes(f.v.b32("initiator_ephemeral_private")),
            Duration::from_secs(f.v.u64("unix_time")),
            f.v.u32("initiator_sender_index"),
        )
        .expect("vector keys make an initiation");
    let mut expected = f.v.bytes("initiation_message");
    expected[wire::HandshakeInitiation::MAC1_OFFSET..].fill(0);
    assert_eq!(sent.to_bytes()[..], expected[..]);
    hs
}

fn genuine_response(f: &Fixture) -> HandshakeResponse {
    HandshakeResponse::parse(&f.v.bytes("response_message")).expect("vector response parses")
}

fn check_initiator_session(f: &Fixture, keys: &SessionKeys, msg: &HandshakeResponse) {
    assert!(keys.is_initiator);
    assert_eq!(keys.local_index, f.v.u32("initiator_sender_index"));
    assert_eq!(keys.remote_index, msg.sender_index);
    if msg.unencrypted_ephemeral == f.v.b32("responder_ephemeral_public") {
        assert_eq!(keys.send, f.v.b32("initiator_send_key"));
        assert_eq!(keys.receive, f.v.b32("initiator_recv_key"));
    }
}

fn initiator_consumes(f: &Fixture, msg: &HandshakeResponse) {
    let mut hs = waiting_initiator(f);
    match hs.consume_response(&f.initiator, msg) {
        Ok(keys) => {
            check_initiator_session(f, &keys, msg);
            assert_eq!(hs.state(), HandshakeState::Zeroed);
            // Nothing is outstanding any more: neither this nor the genuine response applies.
            assert_eq!(
                hs.consume_response(&f.initiator, msg).err(),
                Some(NoiseError::WrongState)
            );
            assert_eq!(
                hs.consume_response(&f.initiator, &genuine_response(f))
                    .err(),
                Some(NoiseError::WrongState)
            );
        }
        Err(_) => {
            // A forged response must not cancel the handshake: the genuine one still works.
            assert_eq!(hs.state(), HandshakeState::CreatedInitiation);
            let genuine = genuine_response(f);
            let keys = hs
                .consume_response(&f.initiator, &genuine)
                .expect("genuine response after a rejected one");
            check_initiator_session(f, &keys, &genuine);
        }
    }
}

/// mac1 → cookie reply → mac2 over arbitrary handshake-message bytes: a generator that sent
/// the message accepts the checker's reply, and its next mac2 is valid for the same source only.
fn cookie_round_trip(data: &[u8]) {
    let f = &fixtures()[0];
    let responder = f.responder.public();
    let mut checker = CookieChecker::new(Some(responder));
    let mut generator = CookieGenerator::new(responder);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(u64::from(data[4]));
    let here = src(51820);

    // The message as received: whatever its macs, checking it must not panic, and mac1 is
    // valid only if it is what the generator computes.
    let received = checker.check(now(), data, here);
    let mut msg = data.to_vec();
    generator.add_macs(now(), &mut msg);
    let mac1_genuine = msg[..msg.len() - 16] == data[..data.len() - 16];
    assert_eq!(received != MacVerdict::Invalid, mac1_genuine);
    // No cookie secret yet: mac2 cannot be valid.
    assert_ne!(received, MacVerdict::Mac1AndMac2);

    assert_eq!(checker.check(now(), &msg, here), MacVerdict::Mac1Only);
    let reply = checker
        .create_reply(now(), &mut rng, &msg, here)
        .expect("reply to a mac1-valid message");
    assert_eq!(reply.receiver_index.to_le_bytes(), msg[4..8]);
    let reply = CookieReply::parse(&reply.to_bytes()).expect("reply round trips");
    generator
        .consume_reply(now(), &reply)
        .expect("generator accepts the reply to its own message");
    assert_eq!(
        generator.consume_reply(now(), &reply),
        Err(CookieError::Unexpected)
    );

    let later = now() + Duration::from_secs(1);
    generator.add_macs(later, &mut msg);
    assert_eq!(checker.check(later, &msg, here), MacVerdict::Mac1AndMac2);
    assert_eq!(checker.check(later, &msg, src(51821)), MacVerdict::Mac1Only);
    // The cookie secret expires after two minutes.
    let stale = now() + Duration::from_secs(121);
    assert_eq!(checker.check(stale, &msg, here), MacVerdict::Mac1Only);
}

fn generator_consumes(reply: &CookieReply) {
    let f = &fixtures()[0];
    let cookie = case("cookie");
    let genuine = CookieReply::parse(&cookie.bytes("cookie_reply_message")).expect("vector");

    // Nothing sent: no reply is expected, genuine or not.
    let is_genuine =
        reply.nonce == genuine.nonce && reply.encrypted_cookie == genuine.encrypted_cookie;
    let mut idle = CookieGenerator::new(f.responder.public());
    assert_eq!(
        idle.consume_reply(now(), reply),
        Err(CookieError::Unexpected)
    );

    let mut generator = CookieGenerator::new(f.responder.public());
    let mut initiation = f.v.bytes("initiation_message");
    initiation[wire::HandshakeInitiation::MAC1_OFFSET..].fill(0);
    generator.add_macs(now(), &mut initiation);
    assert_eq!(initiation, f.v.bytes("initiation_message"));

    match generator.consume_reply(now(), reply) {
        Ok(()) => {
            // Only the genuine cookie decrypts with that mac1 (the index is not authenticated).
            assert_eq!(reply.nonce, genuine.nonce);
            assert_eq!(reply.encrypted_cookie, genuine.encrypted_cookie);
            assert_eq!(
                generator.consume_reply(now(), reply),
                Err(CookieError::Unexpected)
            );
            generator.add_macs(now(), &mut initiation);
            assert_eq!(initiation, cookie.bytes("initiation_with_mac2"));
        }
        Err(e) => {
            assert!(!is_genuine, "the vector cookie reply was refused");
            assert_eq!(e, CookieError::Decrypt);
            // A forged reply must not stop the genuine one from being accepted.
            generator
                .consume_reply(now(), &genuine)
                .expect("genuine cookie reply after a forged one");
        }
    }
}

fn session(f: &Fixture, initiator: bool) -> Keypair {
    let (i, r) = (
        f.v.u32("initiator_sender_index"),
        f.v.u32("responder_sender_index"),
    );
    let keys = if initiator {
        SessionKeys {
            send: f.v.b32("initiator_send_key"),
            receive: f.v.b32("initiator_recv_key"),
            local_index: i,
            remote_index: r,
            is_initiator: true,
        }
    } else {
        SessionKeys {
            send: f.v.b32("responder_send_key"),
            receive: f.v.b32("responder_recv_key"),
            local_index: r,
            remote_index: i,
            is_initiator: false,
        }
    };
    Keypair::new(&keys, now())
}

/// Opens a copy of a full transport message with `kp`.
fn open(kp: &Keypair, message: &[u8]) -> Result<Vec<u8>, OpenError> {
    let (h, body) = TransportHeader::parse(message).expect("transport message");
    let mut body = body.to_vec();
    let n = kp.open(h.counter, &mut body)?;
    body.truncate(n);
    Ok(body)
}

fn keypairs_open(f: &Fixture, h: TransportHeader, body: &[u8]) {
    for (initiator, genuine_keys) in [
        (false, &["keepalive_i2r_counter0", "data_i2r_counter1"][..]),
        (true, &["data_r2i_counter0"][..]),
    ] {
        let kp = session(f, initiator);
        let is_genuine = genuine_keys.iter().any(|key| {
            let g = f.v.bytes(key);
            g[8..]
                == *h
                    .counter
                    .to_le_bytes()
                    .iter()
                    .chain(body)
                    .copied()
                    .collect::<Vec<u8>>()
        });
        let mut buf = body.to_vec();
        let opened = kp.open(h.counter, &mut buf);
        assert!(
            opened.is_ok() || !is_genuine,
            "a vector packet did not open"
        );
        match opened {
            Ok(n) => {
                assert_eq!(n + 16, body.len());
                // Accepted once: the same counter is a replay now.
                let mut again = body.to_vec();
                assert_eq!(kp.open(h.counter, &mut again), Err(OpenError::Replay));
            }
            Err(_) => {
                // A rejected packet never moves the replay window: every genuine packet of
                // this direction still opens.
                for key in genuine_keys {
                    let genuine = f.v.bytes(key);
                    let plain = open(&kp, &genuine).expect("genuine packet after a forged one");
                    if *key != "keepalive_i2r_counter0" {
                        assert_eq!(plain, f.v.bytes("data_plaintext_padded"));
                    } else {
                        assert!(plain.is_empty());
                    }
                }
            }
        }
    }
}

/// The transport body as plaintext: sealed by one side, opened by the other, byte-identical
/// up to the zero padding.
fn seal_open_round_trip(plain: &[u8]) {
    let f = &fixtures()[1];
    let sender = session(f, true);
    let receiver = session(f, false);
    let padded = ferrotun_proto::keypair::padded_len(plain.len(), 0);
    let mut buf = vec![0u8; TransportHeader::LEN + padded + 16];
    buf[TransportHeader::LEN..TransportHeader::LEN + plain.len()].copy_from_slice(plain);
    let n = sender
        .seal(&mut buf, plain.len(), padded)
        .expect("buffer is large enough");
    assert_eq!(n, buf.len());
    let opened = open(&receiver, &buf).expect("our own packet opens");
    assert_eq!(&opened[..plain.len()], plain);
    assert!(opened[plain.len()..].iter().all(|&b| b == 0));
    assert_eq!(open(&receiver, &buf), Err(OpenError::Replay));
}
