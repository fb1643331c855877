//! boringtun's side: two `Tunn`s.
//!
//! Quirk handled: `Tunn::new` without a rate limiter installs one that allows 10 handshake
//! messages per second and then demands cookies (mac2), and only `update_timers` resets it. We
//! pass each `Tunn` its own `RateLimiter` with an unlimited budget instead, so every message is
//! checked for mac1 only, exactly like ferrotun's `CookieChecker` when not under load.
//! Timestamps need nothing: boringtun stamps initiations from its monotonic clock with
//! nanosecond resolution, so each one is strictly newer than the last, and it has no per-peer
//! 20 ms flood check.

use super::StaticKeys;
use boringtun::noise::rate_limiter::RateLimiter;
use boringtun::noise::{Tunn, TunnResult};
use boringtun::x25519::{PublicKey, StaticSecret};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

/// The source address handed to `decapsulate` (only used for cookies, which stay off).
pub const SOURCE: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));

/// Two boringtun tunnels that handshake with each other over and over.
pub struct Pair {
    initiator: Tunn,
    responder: Tunn,
    initiation: Vec<u8>,
    response: Vec<u8>,
    keepalive: Vec<u8>,
}

fn tunnel(own: [u8; 32], peer: &PublicKey, index: u32) -> Tunn {
    let secret = StaticSecret::from(own);
    let public = PublicKey::from(&secret);
    let limiter = Arc::new(RateLimiter::new(&public, u64::MAX));
    Tunn::new(secret, *peer, None, None, index, Some(limiter))
}

/// The datagram of a `WriteToNetwork` result.
///
/// # Panics
/// On any other result.
pub fn to_network<'a>(result: TunnResult<'a>) -> &'a mut [u8] {
    match result {
        TunnResult::WriteToNetwork(packet) => packet,
        other => panic!("boringtun: expected WriteToNetwork, got {other:?}"),
    }
}

impl Pair {
    /// Two tunnels with the given static keys and no preshared key.
    #[must_use]
    pub fn new(keys: &StaticKeys) -> Self {
        let initiator_public = PublicKey::from(&StaticSecret::from(keys.initiator));
        let responder_public = PublicKey::from(&StaticSecret::from(keys.responder));
        Pair {
            initiator: tunnel(keys.initiator, &responder_public, 1),
            responder: tunnel(keys.responder, &initiator_public, 2),
            initiation: vec![0; 256],
            response: vec![0; 256],
            keepalive: vec![0; 256],
        }
    }

    /// One complete handshake; returns the length of the initiator's keepalive.
    ///
    /// # Panics
    /// If any step does not produce the expected datagram.
    pub fn handshake(&mut self) -> usize {
        let init = to_network(
            self.initiator
                .format_handshake_initiation(&mut self.initiation, false),
        );
        let response = to_network(self.responder.decapsulate(
            Some(SOURCE),
            init,
            &mut self.response,
        ));
        let keepalive = to_network(self.initiator.decapsulate(
            Some(SOURCE),
            response,
            &mut self.keepalive,
        ));
        keepalive.len()
    }

    /// The two tunnels, to check a session works: (initiator, responder).
    pub fn tunnels_mut(&mut self) -> (&mut Tunn, &mut Tunn) {
        (&mut self.initiator, &mut self.responder)
    }

    /// The tunnels after at least one handshake: (initiator, responder).
    #[must_use]
    pub fn into_tunnels(self) -> (Tunn, Tunn) {
        (self.initiator, self.responder)
    }
}
