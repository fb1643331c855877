use super::*;

const PRIV_HEX: &str = "0002030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f60";
const PUB_HEX: &str = "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c";

#[test]
fn public_key_from_private_matches_vector() {
    let private = PrivateKey::from_hex(PRIV_HEX).unwrap();
    assert_eq!(private.public_key().to_hex(), PUB_HEX);
}

#[test]
fn base64_and_hex_round_trip() {
    let private = PrivateKey::from_hex(PRIV_HEX).unwrap();
    let b64 = private.to_base64();
    assert_eq!(b64.len(), 44);
    assert_eq!(PrivateKey::from_base64(&b64).unwrap(), private);
    let public = PublicKey::from_hex(PUB_HEX).unwrap();
    assert_eq!(PublicKey::from_base64(&public.to_base64()).unwrap(), public);
    assert_eq!(
        PublicKey::from_hex(&PUB_HEX.to_uppercase()).unwrap(),
        public
    );
}

#[test]
fn private_key_is_clamped() {
    let key = PrivateKey::from_bytes([0xff; 32]);
    assert_eq!(key.as_bytes()[0], 0xf8);
    assert_eq!(key.as_bytes()[31], 0x7f);
}

#[test]
fn bad_encodings_are_errors() {
    for bad in [
        "",
        "abc",
        &"A".repeat(44),
        &"A".repeat(43),
        &format!("{}==", "A".repeat(42)),
    ] {
        assert_eq!(
            PublicKey::from_base64(bad),
            Err(KeyError::InvalidBase64),
            "{bad:?}"
        );
    }
    // 44 characters ending in '=' but with an invalid character.
    let bad = format!("{}*=", "A".repeat(42));
    assert_eq!(PublicKey::from_base64(&bad), Err(KeyError::InvalidBase64));
    for bad in [
        "",
        &"0".repeat(63),
        &"0".repeat(65),
        &"g".repeat(64),
        &"é".repeat(32),
    ] {
        assert_eq!(
            PublicKey::from_hex(bad),
            Err(KeyError::InvalidHex),
            "{bad:?}"
        );
    }
}

#[test]
fn debug_never_shows_secrets() {
    let private = PrivateKey::from_hex(PRIV_HEX).unwrap();
    let psk = PresharedKey::from_bytes([0xab; 32]);
    for shown in [format!("{private:?}"), format!("{psk:?}")] {
        assert!(!shown.contains(&private.to_base64()[..8]));
        assert!(!shown.contains("ab"), "{shown}");
        assert!(shown.contains("redacted"));
    }
    assert_eq!(
        format!("{:?}", PresharedKey::default()),
        "PresharedKey(none)"
    );
}
