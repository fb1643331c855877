use super::*;
use crate::handshake::{ours as ours_hs, theirs as theirs_hs, StaticKeys};

#[test]
fn ours_opens_what_it_sealed_across_batches() {
    let (initiator, responder) = ours_hs::Pair::new(&StaticKeys::from_seed(2)).handshake();
    let mut opener = ours::Opener::new(initiator, responder);
    // 2.5 batches: the replay window accepts every counter, in order.
    run_batched(&mut opener, (BATCH * 5 / 2) as u64);
    assert_eq!(opener.first_plaintext(), &ip_packet()[..]);
}

#[test]
fn ours_seals_repeatedly() {
    let (initiator, _) = ours_hs::Pair::new(&StaticKeys::from_seed(3)).handshake();
    let mut sealer = ours::Sealer::new(initiator);
    sealer.run(10);
}

#[test]
fn theirs_opens_what_it_sealed_across_batches() {
    let mut pair = theirs_hs::Pair::new(&StaticKeys::from_seed(2));
    pair.handshake();
    let (initiator, responder) = pair.into_tunnels();
    let mut opener = theirs::Opener::new(initiator, responder);
    run_batched(&mut opener, (BATCH * 5 / 2) as u64);
    assert_eq!(opener.last_plaintext(), &ip_packet()[..]);
}

#[test]
fn theirs_seals_repeatedly() {
    let mut pair = theirs_hs::Pair::new(&StaticKeys::from_seed(3));
    pair.handshake();
    let (initiator, _) = pair.into_tunnels();
    theirs::Sealer::new(initiator).run(10);
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
    floor::Sealer::default().run(3);
}
