//! Each workload does what its row claims: whatever it seals opens to what it was given, and
//! whatever it opens comes out as the packet that was sealed.

use super::*;
use crate::handshake::theirs::SOURCE;
use crate::handshake::{ours as ours_hs, theirs as theirs_hs, StaticKeys};
use boringtun::noise::{Tunn, TunnResult};
use ferrotun_proto::wire::TransportHeader;

/// Seals timed at a time in the sealer tests: a few, each opened on its own.
const SEALS: usize = 5;

fn boringtun_session(seed: u64) -> (Tunn, Tunn) {
    let mut pair = theirs_hs::Pair::new(&StaticKeys::from_seed(seed));
    pair.handshake();
    pair.into_tunnels()
}

/// boringtun opens `datagram` with `receiver`; the IPv4 packet inside.
fn decapsulate(receiver: &mut Tunn, datagram: &[u8]) -> Vec<u8> {
    let mut out = vec![0; SLOT];
    match receiver.decapsulate(Some(SOURCE), datagram, &mut out) {
        TunnResult::WriteToTunnelV4(plain, _) => plain.to_vec(),
        other => panic!("boringtun: expected WriteToTunnelV4, got {other:?}"),
    }
}

#[test]
fn ours_opens_what_it_sealed_across_batches() {
    let (initiator, responder) = ours_hs::Pair::new(&StaticKeys::from_seed(2)).handshake();
    let mut opener = ours::Opener::new(initiator, responder);
    // 2.5 batches: the replay window accepts every counter, in order. The last batch is half
    // full; every slot of it must hold the packet again.
    run_batched(&mut opener, (BATCH * 5 / 2) as u64);
    for i in 0..BATCH / 2 {
        assert_eq!(opener.plaintext(i), &ip_packet()[..], "slot {i}");
    }
}

#[test]
fn what_ours_seals_opens_to_its_input() {
    let (initiator, responder) = ours_hs::Pair::new(&StaticKeys::from_seed(3)).handshake();
    let mut sealer = ours::Sealer::new(initiator);
    // The first seal encrypts the packet; each later one the ciphertext before it.
    let mut input = ip_packet();
    for _ in 0..SEALS {
        sealer.run(1);
        let mut datagram = sealer.datagram().to_vec();
        let (header, _) = TransportHeader::parse(&datagram).expect("a transport datagram");
        assert_eq!(header.receiver_index, responder.local_index);
        let body = &mut datagram[TransportHeader::LEN..];
        let len = responder.open(header.counter, body).expect("opens");
        assert_eq!(&body[..len], &input[..]);
        input = sealer.datagram()[TransportHeader::LEN..][..PACKET_LEN].to_vec();
    }
}

#[test]
fn theirs_opens_what_it_sealed_across_batches() {
    let (initiator, responder) = boringtun_session(2);
    let mut opener = theirs::Opener::new(initiator, responder);
    run_batched(&mut opener, (BATCH * 5 / 2) as u64);
    assert_eq!(opener.last_plaintext(), &ip_packet()[..]);
}

#[test]
fn what_theirs_seals_opens_to_the_packet() {
    let (initiator, mut responder) = boringtun_session(3);
    let mut sealer = theirs::Sealer::new(initiator);
    for _ in 0..SEALS {
        sealer.run(1);
        assert_eq!(decapsulate(&mut responder, sealer.datagram()), ip_packet());
    }
}

#[test]
fn the_packet_is_a_well_formed_ipv4_header() {
    let p = ip_packet();
    assert_eq!(p.len(), PACKET_LEN);
    assert_eq!(p[0] >> 4, 4);
    assert_eq!(usize::from(u16::from_be_bytes([p[2], p[3]])), PACKET_LEN);
}

#[test]
fn the_floor_opens_what_it_sealed() {
    let mut opener = floor::Opener::default();
    run_batched(&mut opener, (BATCH + 3) as u64);
    for i in 0..3 {
        assert_eq!(opener.plaintext(i), &ip_packet()[..], "slot {i}");
    }
}

#[test]
fn what_the_floor_seals_opens_to_its_input() {
    let mut sealer = floor::Sealer::default();
    assert_eq!(sealer.input(), &ip_packet()[..]);
    for _ in 0..SEALS {
        let input = sealer.input().to_vec();
        sealer.run(1);
        assert_ne!(
            sealer.input(),
            &input[..],
            "sealing left the buffer as it was"
        );
        assert_eq!(sealer.open_last(), Some(input));
    }
}
