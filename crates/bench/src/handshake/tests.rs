use super::*;

#[test]
fn ours_completes_repeated_handshakes_with_matching_keys() {
    let mut pair = ours::Pair::new(&StaticKeys::from_seed(1));
    for _ in 0..3 {
        let (initiator, responder) = pair.handshake();
        assert_eq!(initiator.remote_index, responder.local_index);
        assert_eq!(responder.remote_index, initiator.local_index);
        let mut buf = [0u8; 64];
        buf[16..32].copy_from_slice(&[7; 16]);
        let len = initiator.seal(&mut buf, 16, 16).expect("seal");
        // The keepalive used counter 0; this message carries counter 1.
        assert_eq!(responder.open(1, &mut buf[16..len]), Ok(16));
        assert_eq!(buf[16..32], [7; 16]);
    }
}

#[test]
fn theirs_completes_repeated_handshakes() {
    let mut pair = theirs::Pair::new(&StaticKeys::from_seed(1));
    for _ in 0..3 {
        assert_eq!(pair.handshake(), 32);
    }
}
