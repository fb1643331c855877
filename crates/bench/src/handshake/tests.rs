use super::*;
use boringtun::noise::{Tunn, TunnResult};

#[test]
fn ours_completes_repeated_handshakes_with_matching_keys() {
    let mut pair = ours::Pair::new(&StaticKeys::from_seed(1));
    for _ in 0..3 {
        let (initiator, responder) = pair.handshake();
        assert_eq!(initiator.remote_index, responder.local_index);
        assert_eq!(responder.remote_index, initiator.local_index);
        // The initiator's keepalive used its counter 0; the responder has sent nothing yet.
        for (from, to, counter) in [(&initiator, &responder, 1), (&responder, &initiator, 0)] {
            let mut buf = [0u8; 64];
            buf[16..32].copy_from_slice(&[7; 16]);
            let len = from.seal(&mut buf, 16, 16).expect("seal");
            assert_eq!(to.open(counter, &mut buf[16..len]), Ok(16));
            assert_eq!(buf[16..32], [7; 16]);
        }
    }
}

/// `from` encapsulates an IPv4 packet, `to` decapsulates it; the packet must come out.
fn exchange(from: &mut Tunn, to: &mut Tunn) {
    let packet = crate::transport::ip_packet();
    let (mut sealed, mut opened) = (vec![0u8; 2048], vec![0u8; 2048]);
    let datagram = theirs::to_network(from.encapsulate(&packet, &mut sealed));
    match to.decapsulate(Some(theirs::SOURCE), datagram, &mut opened) {
        TunnResult::WriteToTunnelV4(plain, _) => assert_eq!(plain, &packet[..]),
        other => panic!("boringtun: expected WriteToTunnelV4, got {other:?}"),
    }
}

#[test]
fn theirs_completes_repeated_handshakes_with_working_sessions() {
    let mut pair = theirs::Pair::new(&StaticKeys::from_seed(1));
    for _ in 0..3 {
        assert_eq!(pair.handshake(), 32);
        let (initiator, responder) = pair.tunnels_mut();
        // The responder may send once the initiator's first packet confirmed the session.
        exchange(initiator, responder);
        exchange(responder, initiator);
    }
}
