use super::*;
use crate::test_vectors::load;
use crate::time::{Duration, Instant};
use crate::wire::{CookieReply, HandshakeInitiation};

fn keys() -> (PublicKey, PublicKey) {
    let v = load("handshake_zero_psk");
    (
        PublicKey::from_bytes(v.b32("initiator_static_public")),
        PublicKey::from_bytes(v.b32("responder_static_public")),
    )
}

fn src() -> SocketAddr {
    "192.0.2.1:51820".parse().unwrap()
}

fn at(secs: u64) -> Instant {
    Instant::from_nanos(secs * 1_000_000_000 + 1)
}

/// The vector initiation with its macs cleared, as the noise module produces it.
fn bare_initiation() -> Vec<u8> {
    let mut msg = load("handshake_zero_psk").bytes("initiation_message");
    msg[116..].fill(0);
    msg
}

#[test]
fn mac1_keys_and_macs_match_vectors() {
    for name in ["handshake_zero_psk", "handshake_with_psk"] {
        let v = load(name);
        let (init, resp) = keys();
        assert_eq!(mac1_key(&resp), v.b32("mac1_key_for_responder"));
        assert_eq!(mac1_key(&init), v.b32("mac1_key_for_initiator"));
        let mut msg = v.bytes("initiation_message");
        msg[116..].fill(0);
        CookieGenerator::new(&resp).add_macs(at(0), &mut msg);
        assert_eq!(msg, v.bytes("initiation_message"), "{name}");
        let mut msg = v.bytes("response_message");
        msg[60..].fill(0);
        CookieGenerator::new(&init).add_macs(at(0), &mut msg);
        assert_eq!(msg, v.bytes("response_message"), "{name}");
        assert_eq!(msg[60..76], v.bytes("response_mac1")[..]);
    }
}

#[test]
fn checker_verifies_mac1_with_own_key_only() {
    let (init, resp) = keys();
    let msg = load("handshake_zero_psk").bytes("initiation_message");
    assert_eq!(
        CookieChecker::new(Some(&resp)).check(at(0), &msg, src()),
        MacVerdict::Mac1Only
    );
    assert_eq!(
        CookieChecker::new(Some(&init)).check(at(0), &msg, src()),
        MacVerdict::Invalid
    );
    assert_eq!(
        CookieChecker::new(None).check(at(0), &msg, src()),
        MacVerdict::Invalid
    );
    let mut tampered = msg.clone();
    tampered[4] ^= 1; // mac1 covers the sender index too
    assert_eq!(
        CookieChecker::new(Some(&resp)).check(at(0), &tampered, src()),
        MacVerdict::Invalid
    );
}

#[test]
fn cookie_reply_and_retry_match_vectors() {
    let c = load("cookie");
    let (_, resp) = keys();
    assert_eq!(cookie_key(&resp), c.b32("cookie_encryption_key_responder"));
    let mut buf = [0u8; 18];
    assert_eq!(
        source_bytes(src(), &mut buf),
        c.bytes("source_bytes_kernel")
    );

    let mut checker = CookieChecker::new(Some(&resp));
    checker.set_secret(c.b32("cookie_secret"), at(0));
    let initiation = load("handshake_zero_psk").bytes("initiation_message");
    let nonce: [u8; 24] = c.bytes("cookie_nonce").try_into().unwrap();
    let reply = checker
        .create_reply_with_nonce(at(1), &initiation, src(), nonce)
        .unwrap();
    assert_eq!(reply.to_bytes().to_vec(), c.bytes("cookie_reply_message"));

    // The initiator sent that initiation, consumes the reply, and retries with mac2.
    let mut generator = CookieGenerator::new(&resp);
    let mut sent = bare_initiation();
    generator.add_macs(at(0), &mut sent);
    assert_eq!(
        generator.last_mac1().unwrap().to_vec(),
        c.bytes("ad_is_mac1_of_initiation")
    );
    let reply = CookieReply::parse(&c.bytes("cookie_reply_message")).unwrap();
    generator.consume_reply(at(2), &reply).unwrap();
    let mut retry = bare_initiation();
    retry[4..8].copy_from_slice(&0x1122_3302_u32.to_le_bytes());
    generator.add_macs(at(3), &mut retry);
    assert_eq!(
        retry,
        c.bytes("retry_initiation_sender_0x11223302_with_mac2")
    );
    assert_eq!(checker.check(at(3), &retry, src()), MacVerdict::Mac1AndMac2);

    let mut with_mac2 = initiation.clone();
    let cookie = crate::crypto::mac(
        &c.bytes("cookie_secret"),
        &[&c.bytes("source_bytes_kernel")],
    );
    assert_eq!(cookie.to_vec(), c.bytes("cookie"));
    with_mac2[132..].copy_from_slice(&crate::crypto::mac(&cookie, &[&initiation[..132]]));
    assert_eq!(with_mac2, c.bytes("initiation_with_mac2"));
    assert_eq!(
        with_mac2[132..],
        c.bytes("mac2_over_initiation_with_cookie")[..]
    );
}

fn cookie_round(
    checker: &mut CookieChecker,
    generator: &mut CookieGenerator,
    now: Instant,
    from: SocketAddr,
) {
    let mut msg = bare_initiation();
    generator.add_macs(now, &mut msg);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let reply = checker.create_reply(now, &mut rng, &msg, from).unwrap();
    generator.consume_reply(now, &reply).unwrap();
}

use rand_core::SeedableRng;

#[test]
fn sec1_cookie_covers_source_port() {
    let (_, resp) = keys();
    let mut checker = CookieChecker::new(Some(&resp));
    let mut generator = CookieGenerator::new(&resp);
    cookie_round(&mut checker, &mut generator, at(10), src());
    let mut msg = bare_initiation();
    generator.add_macs(at(11), &mut msg);
    assert_eq!(checker.check(at(11), &msg, src()), MacVerdict::Mac1AndMac2);
    let other_port: SocketAddr = "192.0.2.1:51821".parse().unwrap();
    assert_eq!(
        checker.check(at(11), &msg, other_port),
        MacVerdict::Mac1Only
    );
    let other_ip: SocketAddr = "192.0.2.2:51820".parse().unwrap();
    assert_eq!(checker.check(at(11), &msg, other_ip), MacVerdict::Mac1Only);
}

#[test]
fn cookie_age_limits() {
    let (_, resp) = keys();
    let mut checker = CookieChecker::new(Some(&resp));
    let mut generator = CookieGenerator::new(&resp);
    cookie_round(&mut checker, &mut generator, at(10), src());
    let mut msg = bare_initiation();
    generator.add_macs(at(10) + Duration::from_secs(114), &mut msg);
    assert_ne!(msg[132..], [0; 16], "cookie still fresh at 114 s");
    generator.add_macs(at(10) + Duration::from_secs(115), &mut msg);
    assert_eq!(msg[132..], [0; 16], "cookie too old at 115 s");
    // The responder's secret expires after 120 s: an old mac2 no longer counts.
    cookie_round(&mut checker, &mut generator, at(200), src());
    generator.add_macs(at(201), &mut msg);
    assert_eq!(checker.check(at(319), &msg, src()), MacVerdict::Mac1AndMac2);
    assert_eq!(checker.check(at(320), &msg, src()), MacVerdict::Mac1Only);
}

#[test]
fn cookie_reply_needs_a_sent_mac1_and_the_right_ad() {
    let (_, resp) = keys();
    let mut checker = CookieChecker::new(Some(&resp));
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let mut generator = CookieGenerator::new(&resp);
    let mut msg = bare_initiation();
    generator.add_macs(at(0), &mut msg);
    let reply = checker.create_reply(at(0), &mut rng, &msg, src()).unwrap();
    let mut forged = reply.clone();
    forged.encrypted_cookie[0] ^= 1;
    assert_eq!(
        generator.consume_reply(at(0), &forged),
        Err(CookieError::Decrypt)
    );
    generator.consume_reply(at(0), &reply).unwrap();
    assert_eq!(
        generator.consume_reply(at(0), &reply),
        Err(CookieError::Unexpected)
    );
    assert_eq!(
        CookieGenerator::new(&resp).consume_reply(at(0), &reply),
        Err(CookieError::Unexpected)
    );
}

#[test]
fn short_messages_never_panic() {
    let (_, resp) = keys();
    let mut checker = CookieChecker::new(Some(&resp));
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    for len in 0..40 {
        let buf = vec![0u8; len];
        assert_eq!(checker.check(at(0), &buf, src()), MacVerdict::Invalid);
        let _ = checker.create_reply(at(0), &mut rng, &buf, src());
        CookieGenerator::new(&resp).add_macs(at(0), &mut buf.clone());
    }
    let _ = HandshakeInitiation::LEN;
}
