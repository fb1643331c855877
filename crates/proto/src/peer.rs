//! A peer: its handshake slot, cookie state, keypairs, timers, endpoint, staged packets and
//! counters. The device drives it; the read accessors are what `wg show` reports.

use crate::consts::MAX_STAGED_PACKETS;
use crate::cookie::CookieGenerator;
use crate::keypair::Keypairs;
use crate::keys::{PresharedKey, PublicKey};
use crate::noise::{Handshake, StaticIdentity};
use crate::time::{Duration, Instant};
use crate::timers::PeerTimers;
use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};

/// Where a peer is reached: its address, and the local address its packets arrived on (so
/// replies leave from the same address; `None` lets the OS choose).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// The peer's UDP address.
    pub addr: SocketAddr,
    /// Our address that the peer's last authenticated packet was sent to.
    pub local_ip: Option<IpAddr>,
}

impl From<SocketAddr> for Endpoint {
    fn from(addr: SocketAddr) -> Self {
        Endpoint {
            addr,
            local_ip: None,
        }
    }
}

/// One configured peer.
pub struct Peer {
    pub(crate) handshake: Handshake,
    pub(crate) cookies: CookieGenerator,
    pub(crate) keypairs: Keypairs,
    pub(crate) timers: PeerTimers,
    pub(crate) endpoint: Option<Endpoint>,
    pub(crate) staged: VecDeque<Vec<u8>>,
    /// When we last sent an initiation or a response (at most one initiation per REKEY_TIMEOUT).
    pub(crate) last_sent_handshake: Option<Instant>,
    pub(crate) last_handshake: Option<Duration>,
    pub(crate) rx_bytes: u64,
    pub(crate) tx_bytes: u64,
    /// The deadline this peer currently has in the device's timer queue.
    pub(crate) scheduled: Option<Instant>,
}

impl Peer {
    pub(crate) fn new(identity: Option<&StaticIdentity>, public: PublicKey) -> Self {
        Peer {
            handshake: Handshake::new(identity, public, PresharedKey::default()),
            cookies: CookieGenerator::new(&public),
            keypairs: Keypairs::default(),
            timers: PeerTimers::default(),
            endpoint: None,
            staged: VecDeque::new(),
            last_sent_handshake: None,
            last_handshake: None,
            rx_bytes: 0,
            tx_bytes: 0,
            scheduled: None,
        }
    }

    /// The peer's static public key.
    #[must_use]
    pub fn public_key(&self) -> &PublicKey {
        self.handshake.remote_static()
    }

    /// The configured preshared key (all zeros when none).
    #[must_use]
    pub fn preshared_key(&self) -> &PresharedKey {
        self.handshake.preshared_key()
    }

    /// The current endpoint: configured, or learned from the last authenticated packet.
    #[must_use]
    pub fn endpoint(&self) -> Option<Endpoint> {
        self.endpoint
    }

    /// Wall-clock time (since the Unix epoch) of the last completed handshake.
    #[must_use]
    pub fn last_handshake(&self) -> Option<Duration> {
        self.last_handshake
    }

    /// Bytes of UDP payload received from this peer.
    #[must_use]
    pub fn rx_bytes(&self) -> u64 {
        self.rx_bytes
    }

    /// Bytes of UDP payload sent to this peer.
    #[must_use]
    pub fn tx_bytes(&self) -> u64 {
        self.tx_bytes
    }

    /// Persistent keepalive interval in seconds (0 is off).
    #[must_use]
    pub fn persistent_keepalive(&self) -> u16 {
        u16::try_from(self.timers.persistent_keepalive.as_secs()).unwrap_or(u16::MAX)
    }

    /// Whether a session can currently send.
    #[must_use]
    pub fn has_session(&self, now: Instant) -> bool {
        self.keypairs
            .current
            .as_ref()
            .is_some_and(|k| k.can_send(now))
    }

    /// Packets waiting for a session.
    #[must_use]
    pub fn staged_packets(&self) -> usize {
        self.staged.len()
    }

    pub(crate) fn stage(&mut self, packet: Vec<u8>) {
        if self.staged.len() >= MAX_STAGED_PACKETS {
            self.staged.pop_front();
        }
        self.staged.push_back(packet);
    }

    /// Forgets the local source address so the route is chosen afresh.
    pub(crate) fn clear_endpoint_source(&mut self) {
        if let Some(ep) = &mut self.endpoint {
            ep.local_ip = None;
        }
    }
}

impl core::fmt::Debug for Peer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Peer")
            .field("public_key", self.public_key())
            .field("endpoint", &self.endpoint)
            .field("rx_bytes", &self.rx_bytes)
            .field("tx_bytes", &self.tx_bytes)
            .finish_non_exhaustive()
    }
}
