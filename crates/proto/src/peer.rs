//! A peer: its handshake slot and cookie state, owned by the device, and its data-path state
//! (keypairs, timers, endpoint, staged packets, counters) behind a lock of its own, so the
//! data path can run for one peer without holding anything shared by all peers
//! ([`DataPath`](crate::device::DataPath)). The read accessors are what `wg show` reports.

mod cell;
mod traffic;

pub(crate) use cell::{PeerCell, PeerState};

use crate::cookie::CookieGenerator;
use crate::keys::{PresharedKey, PublicKey};
use crate::noise::{Handshake, StaticIdentity};
use crate::time::{Duration, Instant};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, MutexGuard};

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
    pub(crate) cell: Arc<PeerCell>,
}

impl Peer {
    pub(crate) fn new(
        identity: Option<&StaticIdentity>,
        public: PublicKey,
        cell: Arc<PeerCell>,
    ) -> Self {
        Peer {
            handshake: Handshake::new(identity, public, PresharedKey::default()),
            cookies: CookieGenerator::new(&public),
            cell,
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, PeerState> {
        self.cell.lock()
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
        self.state().endpoint
    }

    /// Wall-clock time (since the Unix epoch) of the last completed handshake.
    #[must_use]
    pub fn last_handshake(&self) -> Option<Duration> {
        self.state().last_handshake
    }

    /// Bytes of UDP payload received from this peer.
    #[must_use]
    pub fn rx_bytes(&self) -> u64 {
        self.state().rx_bytes
    }

    /// Bytes of UDP payload sent to this peer.
    #[must_use]
    pub fn tx_bytes(&self) -> u64 {
        self.state().tx_bytes
    }

    /// Persistent keepalive interval in seconds (0 is off).
    #[must_use]
    pub fn persistent_keepalive(&self) -> u16 {
        let interval = self.state().timers.persistent_keepalive;
        u16::try_from(interval.as_secs()).unwrap_or(u16::MAX)
    }

    /// Whether a session can currently send.
    #[must_use]
    pub fn has_session(&self, now: Instant) -> bool {
        self.state().has_session(now)
    }

    /// Packets waiting for a session.
    #[must_use]
    pub fn staged_packets(&self) -> usize {
        self.state().staged.len()
    }
}

impl core::fmt::Debug for Peer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = self.state();
        f.debug_struct("Peer")
            .field("public_key", self.public_key())
            .field("endpoint", &state.endpoint)
            .field("rx_bytes", &state.rx_bytes)
            .field("tx_bytes", &state.tx_bytes)
            .finish_non_exhaustive()
    }
}
