//! ferrotun's side: `Handshake`, `CookieGenerator`/`CookieChecker` and `Keypair` driven by hand,
//! as the device layer will drive them.

use super::StaticKeys;
use ferrotun_proto::cookie::{CookieChecker, CookieGenerator, MacVerdict};
use ferrotun_proto::keypair::Keypair;
use ferrotun_proto::keys::{PresharedKey, PrivateKey, PublicKey};
use ferrotun_proto::noise::{decrypt_initiator_static, Handshake, StaticIdentity};
use ferrotun_proto::time::{Duration, Instant};
use ferrotun_proto::wire::{HandshakeInitiation, HandshakeResponse};
use rand_core::OsRng;
use std::net::SocketAddr;

/// Virtual time between two handshakes: more than the 20 ms initiation flood interval, so the
/// responder never rejects an initiation as a flood, and the wall clock moves with it so every
/// TAI64N timestamp is strictly newer than the last.
const STEP: Duration = Duration::from_millis(25);
/// A wall-clock start in 2024, as a real clock would give.
const WALL_START: Duration = Duration::from_secs(1_700_000_000);

fn source() -> SocketAddr {
    SocketAddr::from(([192, 0, 2, 1], 51820))
}

/// One peer's view: its identity, its handshake with the other peer, the mac state for messages
/// to the other peer and the checker for messages to itself.
struct Side {
    identity: StaticIdentity,
    handshake: Handshake,
    macs: CookieGenerator,
    checker: CookieChecker,
}

impl Side {
    fn new(own: [u8; 32], peer: PublicKey) -> Self {
        let identity = StaticIdentity::new(PrivateKey::from_bytes(own));
        Side {
            handshake: Handshake::new(Some(&identity), peer, PresharedKey::default()),
            macs: CookieGenerator::new(&peer),
            checker: CookieChecker::new(Some(identity.public())),
            identity,
        }
    }

    fn check_mac1(&self, now: Instant, msg: &[u8]) {
        let verdict = self.checker.check(now, msg, source());
        assert_ne!(verdict, MacVerdict::Invalid, "mac1 rejected");
    }
}

/// Two ferrotun peers that handshake with each other over and over.
pub struct Pair {
    initiator: Side,
    responder: Side,
    now: Instant,
    wall: Duration,
    next_index: u32,
    keepalive: [u8; 32],
}

impl Pair {
    /// Two peers with the given static keys and no preshared key.
    #[must_use]
    pub fn new(keys: &StaticKeys) -> Self {
        let initiator_public = PrivateKey::from_bytes(keys.initiator).public_key();
        let responder_public = PrivateKey::from_bytes(keys.responder).public_key();
        Pair {
            initiator: Side::new(keys.initiator, responder_public),
            responder: Side::new(keys.responder, initiator_public),
            now: Instant::ZERO,
            wall: WALL_START,
            next_index: 0,
            keepalive: [0; 32],
        }
    }

    /// One complete handshake; returns (initiator's keypair, responder's keypair).
    ///
    /// # Panics
    /// If any step fails, which would make the figure meaningless.
    pub fn handshake(&mut self) -> (Keypair, Keypair) {
        self.now = self.now + STEP;
        self.wall += STEP;
        let initiation = self.initiate();
        let (response, responder) = self.respond(&initiation);
        let initiator = self.finish(&response);
        (initiator, responder)
    }

    fn index(&mut self) -> u32 {
        self.next_index = self.next_index.wrapping_add(1);
        self.next_index
    }

    fn initiate(&mut self) -> [u8; HandshakeInitiation::LEN] {
        let index = self.index();
        let side = &mut self.initiator;
        let ephemeral = PrivateKey::generate(&mut OsRng);
        let msg = side
            .handshake
            .create_initiation(&side.identity, ephemeral, self.wall, index)
            .expect("create_initiation");
        let mut bytes = msg.to_bytes();
        side.macs.add_macs(self.now, &mut bytes);
        bytes
    }

    fn respond(&mut self, bytes: &[u8]) -> ([u8; HandshakeResponse::LEN], Keypair) {
        let index = self.index();
        let side = &mut self.responder;
        side.check_mac1(self.now, bytes);
        let msg = HandshakeInitiation::parse(bytes).expect("parse initiation");
        let (peer, scratch) = decrypt_initiator_static(&side.identity, &msg).expect("decrypt s");
        assert_eq!(&peer, side.handshake.remote_static(), "unknown initiator");
        side.handshake
            .consume_initiation(scratch, &msg, self.now)
            .expect("consume_initiation");
        let ephemeral = PrivateKey::generate(&mut OsRng);
        let (response, keys) = side
            .handshake
            .create_response(ephemeral, index)
            .expect("create_response");
        let mut out = response.to_bytes();
        side.macs.add_macs(self.now, &mut out);
        (out, Keypair::new(&keys, self.now))
    }

    fn finish(&mut self, bytes: &[u8]) -> Keypair {
        let side = &mut self.initiator;
        side.check_mac1(self.now, bytes);
        let msg = HandshakeResponse::parse(bytes).expect("parse response");
        let keys = side
            .handshake
            .consume_response(&side.identity, &msg)
            .expect("consume_response");
        let keypair = Keypair::new(&keys, self.now);
        // The initiator confirms the session with a keepalive, as boringtun's decapsulate does.
        keypair
            .seal(&mut self.keepalive, 0, 0)
            .expect("seal keepalive");
        keypair
    }
}
