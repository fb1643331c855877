use super::*;

#[test]
fn round_trips() {
    let init = HandshakeInitiation {
        sender_index: 0x1122_3301,
        unencrypted_ephemeral: [1; 32],
        encrypted_static: [2; 48],
        encrypted_timestamp: [3; 28],
        mac1: [4; 16],
        mac2: [5; 16],
    };
    let bytes = init.to_bytes();
    assert_eq!(&bytes[..8], &[1, 0, 0, 0, 0x01, 0x33, 0x22, 0x11]);
    assert_eq!(parse(&bytes), Ok(Message::Initiation(init)));

    let resp = HandshakeResponse {
        sender_index: 7,
        receiver_index: 9,
        unencrypted_ephemeral: [1; 32],
        encrypted_nothing: [2; 16],
        mac1: [3; 16],
        mac2: [4; 16],
    };
    assert_eq!(parse(&resp.to_bytes()), Ok(Message::Response(resp)));

    let reply = CookieReply {
        receiver_index: 3,
        nonce: [1; 24],
        encrypted_cookie: [2; 32],
    };
    assert_eq!(parse(&reply.to_bytes()), Ok(Message::CookieReply(reply)));

    let mut data = [0u8; 40];
    let header = TransportHeader {
        receiver_index: 5,
        counter: u64::MAX - 1,
    };
    header.write((&mut data[..16]).try_into().unwrap());
    assert_eq!(parse(&data), Ok(Message::Transport(header, &[0u8; 24][..])));
}

#[test]
fn wrong_lengths_are_errors() {
    for (kind, len) in [(1u8, 148usize), (2, 92), (3, 64)] {
        for bad in [0, 4, len - 1, len + 1, 65_535] {
            let mut buf = vec![0u8; bad.max(4)];
            buf[0] = kind;
            if bad < 4 {
                buf.truncate(bad);
            }
            assert!(parse(&buf).is_err(), "type {kind} length {bad}");
        }
    }
    let mut short = [0u8; 31];
    short[0] = 4;
    assert_eq!(
        parse(&short),
        Err(WireError::WrongLength { kind: 4, len: 31 })
    );
    assert_eq!(parse(&[4, 0, 0]), Err(WireError::TooShort));
}

#[test]
fn reserved_bytes_must_be_zero() {
    let mut bytes = HandshakeInitiation {
        sender_index: 1,
        unencrypted_ephemeral: [0; 32],
        encrypted_static: [0; 48],
        encrypted_timestamp: [0; 28],
        mac1: [0; 16],
        mac2: [0; 16],
    }
    .to_bytes();
    bytes[1] = 1;
    assert_eq!(parse(&bytes), Err(WireError::UnknownType(0x0101)));
    for kind in [0u8, 5, 255] {
        assert!(matches!(
            parse(&[kind, 0, 0, 0, 0, 0]),
            Err(WireError::UnknownType(_))
        ));
    }
}

#[test]
fn every_prefix_of_random_bytes_parses_without_panic() {
    let mut x = 0x1234_5678_u32;
    let mut buf = vec![0u8; 200];
    for round in 0..2000 {
        for b in &mut buf {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *b = x as u8;
        }
        buf[0] = (round % 6) as u8;
        buf[1..4].fill(0);
        for len in [0, 3, 4, 31, 32, 64, 92, 148, 200] {
            let _ = parse(&buf[..len]);
        }
    }
}
