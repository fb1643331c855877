//! The device: everything of one WireGuard interface except I/O.
//!
//! The caller owns the sockets, the TUN device and the clock, and drives the device:
//! * an IP packet from the tunnel → [`Device::encapsulate`];
//! * a UDP datagram → [`Device::handle_datagram`];
//! * after either, and after [`Device::handle_timeout`], drain [`Device::poll_transmit`]
//!   (handshakes, cookie replies, keepalives, packets released from staging) and
//!   [`Device::poll_event`];
//! * sleep until [`Device::poll_timeout`] (the exact next deadline; there is no tick), then
//!   call [`Device::handle_timeout`].
//!
//! Randomness and the wall clock are injected at construction; the monotonic time is passed
//! into every call.
//!
//! A multi-threaded engine keeps the device behind a lock and gives each packet thread a
//! [`DataPath`] ([`Device::data_path`]), which handles established sessions holding only the
//! peer's own lock and tells the caller when it needs the device.

mod config;
mod datapath;
mod error;
mod inbound;
mod index;
mod jobs;
mod outbound;
mod schedule;

pub use datapath::DataPath;
pub use error::{ConfigError, DropReason, DropStats, SendError};
pub use jobs::{OpenJob, Prepared, Received, SealJob};
pub use outbound::TRANSPORT_OVERHEAD;

use crate::allowed_ips::AllowedIps;
use crate::consts::DEFAULT_MTU;
use crate::cookie::CookieChecker;
use crate::hash::{HashSeed, KeyedMap};
use crate::keys::{PrivateKey, PublicKey};
use crate::noise::StaticIdentity;
use crate::peer::{Endpoint, Peer, PeerState};
use crate::ratelimiter::RateLimiter;
use crate::time::{Duration, Instant, WallClock};
use crate::timers::Timing;
use error::DropCounters;
use index::IndexTable;
use rand_core::CryptoRngCore;
use std::collections::{BinaryHeap, VecDeque};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, MutexGuard};

/// A handle to a peer of one device. Handles are never reused after a peer is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerId {
    slot: u32,
    generation: u32,
}

/// A datagram the caller must send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The peer it is for (`None` for cookie replies, which answer an address, not a peer).
    /// Its transmit counter already includes the datagram: report a failed send with
    /// [`Device::on_send_failed`] so `tx_bytes` counts only what left, as the kernel does.
    pub peer: Option<PeerId>,
    /// Where to send it (and from which local address, if known).
    pub dst: Endpoint,
    /// The UDP payload.
    pub data: Vec<u8>,
}

/// Something the caller may want to log or react to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A new session with the peer is confirmed.
    HandshakeComplete(PeerId),
    /// Retries were exhausted; staged packets were dropped.
    HandshakeGaveUp(PeerId),
    /// All of the peer's keys were erased after 3 × REJECT_AFTER_TIME without a session.
    KeysZeroed(PeerId),
}

/// What [`Device::handle_datagram`] did with a datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// A decrypted IP packet, already checked against the peer's allowed IPs, sits at
    /// `range` of the buffer: write it to the tunnel.
    Tunnel {
        /// The sending peer.
        peer: PeerId,
        /// Location of the IP packet (padding removed) in the caller's buffer.
        range: Range<usize>,
    },
    /// Consumed (handshake, cookie reply or keepalive); check [`Device::poll_transmit`].
    Handled,
}

/// What [`Device::encapsulate`] did with an IP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outbound {
    /// `out[..len]` is a transport message for `dst`.
    Transmit {
        /// The peer the packet was routed to.
        peer: PeerId,
        /// Where to send it.
        dst: Endpoint,
        /// Length of the message in the caller's output buffer.
        len: usize,
    },
    /// The packet is staged until a session exists; drain [`Device::poll_transmit`] for the
    /// handshake (or for packets released from staging).
    Queued(PeerId),
}

/// A WireGuard interface's protocol state.
pub struct Device {
    identity: Option<StaticIdentity>,
    checker: CookieChecker,
    peers: Vec<Slot>,
    free_slots: Vec<u32>,
    /// Creation counter, so peers are listed in the order they were added (as the kernel
    /// does) even when removed peers' slots are reused.
    created: u64,
    by_key: KeyedMap<PublicKey, PeerId>,
    indices: IndexTable,
    allowed_ips: AllowedIps<PeerId>,
    rate_limiter: RateLimiter,
    cookie_limiter: RateLimiter,
    rng: Box<dyn CryptoRngCore + Send>,
    wall: Box<dyn WallClock>,
    under_load: bool,
    shared: Arc<Shared>,
    timing: Timing,
    queue: BinaryHeap<core::cmp::Reverse<(Instant, PeerId)>>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
}

/// What the device shares with its [`DataPath`]s, all atomics (and a seed that never
/// changes): nothing here is a lock.
struct Shared {
    /// Bumped whenever allowed IPs or peers change, so data paths drop cached routes.
    routes_generation: AtomicU64,
    mtu: AtomicUsize,
    drops: DropCounters,
    /// The device's hashing seed, from its RNG: every table's seed derives from it.
    hash_seed: HashSeed,
    /// Data paths made so far, so each one's tables get seeds of their own.
    data_paths: AtomicU64,
}

/// Which table a seed is derived for ([`HashSeed::derive`]).
#[derive(Clone, Copy)]
enum Table {
    ByKey = 1,
    Indices = 2,
    AllowedIps = 3,
    /// The first of two per data path.
    DataPaths = 16,
}

#[derive(Default)]
struct Slot {
    generation: u32,
    created: u64,
    peer: Option<Box<Peer>>,
}

impl Device {
    /// A device with no private key and no peers. `rng` supplies ephemeral keys, indices,
    /// cookie secrets, jitter and the secret seeds of the device's hash tables (it is the
    /// device's only source of randomness); `wall` supplies handshake timestamps.
    #[must_use]
    pub fn new(mut rng: Box<dyn CryptoRngCore + Send>, wall: Box<dyn WallClock>) -> Self {
        let hash_seed = HashSeed::from_rng(&mut *rng);
        let seed = |table: Table| hash_seed.derive(table as u64);
        Device {
            identity: None,
            checker: CookieChecker::new(None),
            peers: Vec::new(),
            free_slots: Vec::new(),
            created: 0,
            by_key: seed(Table::ByKey).map(),
            indices: IndexTable::new(seed(Table::Indices)),
            allowed_ips: AllowedIps::with_seed(seed(Table::AllowedIps)),
            rate_limiter: RateLimiter::new(),
            cookie_limiter: RateLimiter::new(),
            rng,
            wall,
            under_load: false,
            shared: Arc::new(Shared {
                routes_generation: AtomicU64::new(0),
                mtu: AtomicUsize::new(DEFAULT_MTU),
                drops: DropCounters::default(),
                hash_seed,
                data_paths: AtomicU64::new(0),
            }),
            timing: Timing::SPEC,
            queue: BinaryHeap::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// The interface's public key, if a private key is set.
    #[must_use]
    pub fn public_key(&self) -> Option<&PublicKey> {
        self.identity.as_ref().map(StaticIdentity::public)
    }

    /// The interface's private key, if set.
    #[must_use]
    pub fn private_key(&self) -> Option<&PrivateKey> {
        self.identity.as_ref().map(StaticIdentity::private)
    }

    /// Tells the device whether the caller's handshake queue is under load. While it is,
    /// handshake messages without a valid mac2 get a cookie reply instead of being processed,
    /// and those with one are rate-limited per source.
    pub fn set_under_load(&mut self, under_load: bool) {
        self.under_load = under_load;
    }

    /// Sets the tunnel MTU used to pad transport plaintexts (0: unknown).
    pub fn set_mtu(&mut self, mtu: usize) {
        self.shared.mtu.store(mtu, Ordering::Relaxed);
    }

    fn mtu(&self) -> usize {
        self.shared.mtu.load(Ordering::Relaxed)
    }

    /// The next datagram to send, if any.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Counters of dropped datagrams and packets, by reason (the device's and its data
    /// paths').
    #[must_use]
    pub fn drop_stats(&self) -> DropStats {
        self.shared.drops.snapshot()
    }

    /// Reports that sending `bytes` to `peer` failed, so they are not counted as sent.
    pub fn on_send_failed(&mut self, peer: PeerId, bytes: usize) {
        if let Some(mut state) = self.state(peer) {
            state.tx_bytes = state.tx_bytes.saturating_sub(bytes as u64);
        }
    }

    /// The keypair the peer currently sends with, for engines that seal on worker threads
    /// (reserve counters in order with `Keypair::next_counter`).
    #[must_use]
    pub fn current_keypair(&self, id: PeerId) -> Option<Arc<crate::keypair::Keypair>> {
        self.state(id)?.keypairs.current.clone()
    }

    fn peer(&self, id: PeerId) -> Option<&Peer> {
        let slot = self.peers.get(usize::try_from(id.slot).ok()?)?;
        if slot.generation != id.generation {
            return None;
        }
        slot.peer.as_deref()
    }

    fn peer_mut(&mut self, id: PeerId) -> Option<&mut Peer> {
        let slot = self.peers.get_mut(usize::try_from(id.slot).ok()?)?;
        if slot.generation != id.generation {
            return None;
        }
        slot.peer.as_deref_mut()
    }

    /// The peer's data-path state, locked. Never hold it across a call that locks it again.
    fn state(&self, id: PeerId) -> Option<MutexGuard<'_, PeerState>> {
        self.peer(id).map(Peer::state)
    }

    fn wall_now(&self) -> Duration {
        self.wall.now_since_unix_epoch()
    }
}

#[cfg(test)]
mod tests;
