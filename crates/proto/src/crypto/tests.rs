use super::*;
use crate::time::Duration;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(char::is_whitespace, "")).unwrap()
}

fn h32(s: &str) -> [u8; 32] {
    h(s).try_into().unwrap()
}

#[test]
fn blake2s_known_answers() {
    assert_eq!(
        hash(&[]).to_vec(),
        h("69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9")
    );
    assert_eq!(
        hash(&[&[0]]).to_vec(),
        h("e34d74dbaf4ff4c6abd871cc220451d2ea2648846c7757fbaac82fe51ad64bea")
    );
    let key: Vec<u8> = (0..32).collect();
    let keyed = blake2::Blake2sMac256::new_with_salt_and_personal(&key, &[], &[]).unwrap();
    let keyed: [u8; 32] = blake2::digest::FixedOutput::finalize_fixed(keyed).into();
    assert_eq!(
        keyed.to_vec(),
        h("48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49")
    );
}

#[test]
fn construction_and_identifier_hashes() {
    let c0 = hash(&[b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"]);
    assert_eq!(
        c0,
        h32("60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36")
    );
    let h0 = hash(&[&c0, b"WireGuard v1 zx2c4 Jason@zx2c4.com"]);
    assert_eq!(
        h0,
        h32("2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3")
    );
}

#[test]
fn kdf_vectors_from_wireguard_go() {
    let cases = [
        (
            "746573742d6b6579",
            "746573742d696e707574",
            [
                "6f0e5ad38daba1bea8a0d213688736f19763239305e0f58aba697f9ffc41c633",
                "df1194df20802a4fe594cde27e92991c8cae66c366e8106aaa937a55fa371e8a",
                "fac6e2745a325f5dc5d11a5b165aad08b0ada28e7b4e666b7c077934a4d76c24",
            ],
        ),
        (
            "776972656775617264",
            "776972656775617264",
            [
                "491d43bbfdaa8750aaf535e334ecbfe5129967cd64635101c566d4caefda96e8",
                "1e71a379baefd8a79aa4662212fcafe19a23e2b609a3db7d6bcba8f560e3d25f",
                "31e1ae48bddfbe5de38f295e5452b1909a1b4e38e183926af3780b0c1e1f0160",
            ],
        ),
        (
            "",
            "",
            [
                "8387b46bf43eccfcf349552a095d8315c4055beb90208fb1be23b894bc2ed5d0",
                "58a0e5f6faefccf4807bff1f05fa8a9217945762040bcec2f4b4a62bdfe0e86e",
                "0ce6ea98ec548f8e281e93e32db65621c45eb18dc6f0a7ad94178610a2f7338e",
            ],
        ),
    ];
    for (key, input, expect) in cases {
        // wireguard-go's test keys are shorter than 32 bytes; HMAC zero-pads them, as we do.
        let mut k = [0u8; 32];
        let key = h(key);
        k[..key.len()].copy_from_slice(&key);
        let input = h(input);
        let (t1, t2, t3) = kdf3(&k, &input);
        assert_eq!([t1, t2, t3], expect.map(h32));
        assert_eq!(kdf2(&k, &input), (t1, t2));
        assert_eq!(kdf1(&k, &input), t1);
    }
}

#[test]
fn x25519_rfc7748_vectors() {
    let cases = [
        (
            "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
        ),
        (
            "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
            "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
            "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
        ),
    ];
    for (private, public, shared) in cases {
        let private = PrivateKey::from_bytes(h32(private));
        let public = PublicKey::from_bytes(h32(public));
        assert_eq!(dh(&private, &public).unwrap(), h32(shared));
    }
}

#[test]
fn x25519_low_order_points_fail() {
    let private = PrivateKey::from_bytes([7; 32]);
    let low_order = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ];
    for point in low_order {
        for top in [0u8, 0x80] {
            let mut bytes = h32(point);
            bytes[31] |= top;
            let result = dh(&private, &PublicKey::from_bytes(bytes));
            assert_eq!(
                result,
                Err(CryptoError::InvalidPublicKey),
                "{point} top={top}"
            );
        }
    }
}

#[test]
fn hchacha20_draft_vector() {
    let key: [u8; 32] = core::array::from_fn(|i| i as u8);
    let mut nonce = [0u8; 24];
    nonce[..16].copy_from_slice(&h("000000090000004a0000000031415927"));
    let (sub, _) = xchacha_subkey(&key, &nonce);
    assert_eq!(
        sub,
        h32("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc")
    );
}

#[test]
fn aead_round_trip_and_tamper_detection() {
    let key = AeadKey::new(&[9; 32]);
    let mut buf = [0u8; 64 + AEAD_TAG_LEN];
    buf[..64].copy_from_slice(&[0x42; 64]);
    key.seal(7, b"ad", &mut buf, 64).unwrap();
    let mut copy = buf;
    assert_eq!(key.open(7, b"ad", &mut copy).unwrap(), 64);
    assert_eq!(copy[..64], [0x42; 64]);
    for (counter, ad, flip) in [
        (8, &b"ad"[..], None),
        (7, &b"xx"[..], None),
        (7, &b"ad"[..], Some(3)),
    ] {
        let mut copy = buf;
        if let Some(i) = flip {
            copy[i] ^= 1;
        }
        assert_eq!(key.open(counter, ad, &mut copy), Err(CryptoError::Decrypt));
    }
    assert_eq!(key.open(0, b"", &mut [0u8; 15]), Err(CryptoError::Decrypt));
    assert_eq!(
        key.seal(0, b"", &mut [0u8; 20], 10),
        Err(CryptoError::BufferTooSmall)
    );
}

#[test]
fn xaead_round_trip() {
    let (key, nonce) = ([3u8; 32], [4u8; 24]);
    let mut ct = [0u8; 32];
    xseal(&key, &nonce, &[5; 16], b"mac1", &mut ct).unwrap();
    let mut pt = [0u8; 16];
    xopen(&key, &nonce, &ct, b"mac1", &mut pt).unwrap();
    assert_eq!(pt, [5; 16]);
    assert!(xopen(&key, &nonce, &ct, b"mac2", &mut pt).is_err());
}

#[test]
fn tai64n_encoding_and_whitening() {
    let t = Tai64n::from_unix(Duration::from_secs(1_700_000_000));
    assert_eq!(t.0.to_vec(), h("400000006553f10a00000000"));
    let t = Tai64n::from_unix(Duration::new(0, 123_456_789));
    assert_eq!(t.0.to_vec(), h("400000000000000a07000000"));
}

#[test]
fn tai64n_whitening_hides_small_steps() {
    // wireguard-go tai64n_test: +10 ns, +10 µs, +1 ms, +10 ms are not "after"; +20 ms is.
    let base = Duration::new(0, 123_456_789);
    let t0 = Tai64n::from_unix(base);
    for step in [10, 10_000, 1_000_000, 10_000_000] {
        assert!(
            Tai64n::from_unix(base + Duration::from_nanos(step)) <= t0,
            "{step}"
        );
    }
    assert!(Tai64n::from_unix(base + Duration::from_millis(20)) > t0);
}

#[test]
fn tai64n_is_strictly_increasing_even_if_the_clock_is_not() {
    let mut prev = None;
    let mut seen = Vec::new();
    for now in [100, 100, 99, 50, 100, 101].map(Duration::from_secs) {
        let t = Tai64n::monotonic(now, prev);
        if let Some(p) = prev {
            assert!(t > p);
        }
        seen.push(t);
        prev = Some(t);
    }
    let wraps = Tai64n::monotonic(Duration::new(5, 999_999_999), None).next_after();
    assert_eq!(wraps, Tai64n::from_unix(Duration::from_secs(6)));
}
