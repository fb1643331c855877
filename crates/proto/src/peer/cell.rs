//! The part of a peer the data path needs, behind the peer's own lock: sending, receiving,
//! roaming and the per-packet timer hooks touch only this, never the device.

use super::Endpoint;
use crate::consts::MAX_STAGED_PACKETS;
use crate::device::PeerId;
use crate::keypair::Keypairs;
use crate::time::{Duration, Instant};
use crate::timers::{PeerTimers, Timing};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A peer's data-path state and lock, shared by the device and every data-path thread.
pub(crate) struct PeerCell {
    pub(crate) id: PeerId,
    removed: AtomicBool,
    state: Mutex<PeerState>,
}

impl PeerCell {
    pub(crate) fn new(id: PeerId, timing: Timing, jitter_seed: u64) -> Self {
        PeerCell {
            id,
            removed: AtomicBool::new(false),
            state: Mutex::new(PeerState {
                keypairs: Keypairs::default(),
                timers: PeerTimers::default(),
                endpoint: None,
                staged: VecDeque::new(),
                last_sent_handshake: None,
                last_handshake: None,
                rx_bytes: 0,
                tx_bytes: 0,
                scheduled: None,
                timing,
                jitter: jitter_seed,
            }),
        }
    }

    /// Locks the state. A panic elsewhere cannot leave it inconsistent in a way that matters
    /// more than losing the peer, so a poisoned lock is used as is.
    pub(crate) fn lock(&self) -> MutexGuard<'_, PeerState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn mark_removed(&self) {
        self.removed.store(true, Ordering::Release);
    }

    pub(crate) fn is_removed(&self) -> bool {
        self.removed.load(Ordering::Acquire)
    }
}

impl core::fmt::Debug for PeerCell {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PeerCell")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Keypairs, timers, endpoint, staged packets and counters of one peer.
pub(crate) struct PeerState {
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
    /// The device's timer durations, copied so the data path reads no shared state.
    pub(crate) timing: Timing,
    /// State of the peer's jitter sequence, seeded from the device's RNG.
    jitter: u64,
}

impl PeerState {
    pub(crate) fn has_session(&self, now: Instant) -> bool {
        self.keypairs
            .current
            .as_ref()
            .is_some_and(|k| k.can_send(now))
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

    /// Timer jitter below the timing's maximum. It only spreads rekeys over time, so a
    /// SplitMix64 sequence seeded from the device's RNG is enough and needs no shared RNG
    /// on the data path.
    pub(crate) fn jitter(&mut self) -> Duration {
        self.jitter = self.jitter.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.jitter;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Duration::from_millis(z % self.timing.jitter_max_ms())
    }

    /// Whether the peer's next timer deadline is earlier than what the device has queued,
    /// so the device must be told ([`Device::reschedule`](crate::device::Device)).
    pub(crate) fn needs_reschedule(&self) -> bool {
        self.timers
            .next_deadline()
            .is_some_and(|next| self.scheduled.is_none_or(|s| next < s))
    }
}
