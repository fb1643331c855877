//! The data path without the device lock: a [`DataPath`] belongs to one thread and sends and
//! receives transport messages for established sessions while holding only the peer's own
//! lock, never anything shared by all peers.
//!
//! It caches what it learned under the device: routes (address → peer, checked against a
//! generation counter the device bumps on every allowed-IPs or peer change) and sessions
//! (receiver index → peer and keypair, dropped once the device retires the keypair). Both
//! hold weak references, so a removed peer or an erased key is freed when the device lets go
//! of it, whether or not this thread sees another packet. The fast calls return `None`
//! whenever the device is needed — a cache miss, no session yet, packets staged, a session
//! to confirm, a rekey due on receipt — and nothing has been changed then; the caller locks
//! the device and makes the `_with` call instead, which also fills the caches.
//!
//! A fast call does what the device's call does, through the same functions (`reserve`,
//! `PeerState`'s hooks); a property test drives both and compares every output
//! (`tests/data_path_equivalence.rs`). What needs the device waits for [`DataPath::flush`]:
//! timers moved earlier than the device has them queued, and an initiation a send found due
//! (which the device's own `prepare_send` sends at once, and a batch after its last packet).

use super::inbound::tunnel_packet;
use super::jobs::reserve;
use super::{Device, DropReason, Inbound, OpenJob, PeerId, Prepared, Received, SealJob};
use super::{Outbound, SendError, Shared, Table};
use crate::hash::KeyedMap;
use crate::keypair::Keypair;
use crate::peer::{Endpoint, PeerCell};
use crate::time::Instant;
use crate::wire::{self, TransportHeader};
use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};

/// Cached routes and sessions are dropped wholesale beyond this many, so an attacker
/// cannot grow them (a miss only costs one trip through the device).
const MAX_CACHED: usize = 4096;

/// One thread's lock-free view of a device's data path (see the module docs).
pub struct DataPath {
    shared: Arc<Shared>,
    generation: u64,
    /// Both maps are bounded and keyed ([`crate::hash`]) by seeds of this data path's own.
    routes: KeyedMap<IpAddr, Option<Weak<PeerCell>>>,
    sessions: KeyedMap<u32, (Weak<PeerCell>, Weak<Keypair>)>,
    reschedule: Vec<PeerId>,
    /// Peers a send found due for a rekey, and when.
    rekeys: Vec<(PeerId, Instant)>,
    device_calls: u64,
}

impl Device {
    /// A data path for one thread of the caller's engine.
    #[must_use]
    pub fn data_path(&self) -> DataPath {
        let n = self.shared.data_paths.fetch_add(1, Ordering::Relaxed);
        let first = (Table::DataPaths as u64).wrapping_add(n.wrapping_mul(2));
        let seed = self.shared.hash_seed;
        DataPath {
            shared: Arc::clone(&self.shared),
            generation: self.shared.routes_generation.load(Ordering::Acquire),
            routes: seed.derive(first).map(),
            sessions: seed.derive(first.wrapping_add(1)).map(),
            reschedule: Vec::new(),
            rekeys: Vec::new(),
            device_calls: 0,
        }
    }
}

impl DataPath {
    /// [`Device::prepare_send`] for a packet whose peer has a session: `None` means the
    /// device is needed ([`prepare_send_with`](Self::prepare_send_with)).
    pub fn prepare_send(
        &mut self,
        now: Instant,
        packet: &[u8],
    ) -> Option<Result<SealJob, SendError>> {
        self.refresh();
        let Some(dst) = packet_address(packet, Direction::Destination) else {
            return Some(Err(SendError::NotIp));
        };
        let Some(cell) = self.routes.get(&dst)? else {
            return Some(Err(SendError::NoRoute));
        };
        let cell = cell.upgrade()?;
        let mtu = self.shared.mtu.load(Ordering::Relaxed);
        let mut state = cell.lock();
        if cell.is_removed() {
            return None;
        }
        let job = match reserve(&mut state, cell.id, now, packet, mtu) {
            Ok(Some(job)) => job,
            Ok(None) => return None,
            Err(e) => return Some(Err(e)),
        };
        // What `Device::prepare_send` does next, but the initiation needs the device.
        if state.keep_key_fresh_on_send(now) && self.rekeys.last().map(|r| r.0) != Some(cell.id) {
            self.rekeys.push((cell.id, now));
        }
        if state.needs_reschedule() {
            self.note_reschedule(cell.id);
        }
        Some(Ok(job))
    }

    /// [`Device::prepare_send`], learning the packet's route.
    pub fn prepare_send_with(
        &mut self,
        dev: &mut Device,
        now: Instant,
        packet: &[u8],
    ) -> Result<Prepared, SendError> {
        self.device_calls += 1;
        self.refresh();
        if let Some(dst) = packet_address(packet, Direction::Destination) {
            self.learn_route(dev, dst);
        }
        dev.prepare_send(now, packet)
    }

    /// [`Device::prepare_receive`] for a transport message of a known session: `None`
    /// means the device is needed ([`prepare_receive_with`](Self::prepare_receive_with)).
    pub fn prepare_receive(
        &mut self,
        now: Instant,
        buf: &[u8],
    ) -> Option<Result<OpenJob, DropReason>> {
        if wire::message_type(buf) != Ok(wire::MESSAGE_TRANSPORT) {
            return None;
        }
        let (header, _) = TransportHeader::parse(buf).ok()?;
        let (cell, keypair) = self.sessions.get(&header.receiver_index)?;
        let live = cell.upgrade().zip(keypair.upgrade());
        let Some((cell, keypair)) = live.filter(|(_, k)| !k.is_retired()) else {
            self.sessions.remove(&header.receiver_index);
            return None;
        };
        if !keypair.can_receive(now) {
            return Some(Err(self.count(DropReason::ExpiredSession)));
        }
        Some(Ok(OpenJob {
            peer: cell.id,
            keypair,
            counter: header.counter,
        }))
    }

    /// [`Device::prepare_receive`], learning the session of a transport message.
    pub fn prepare_receive_with(
        &mut self,
        dev: &mut Device,
        now: Instant,
        from: Endpoint,
        buf: &mut [u8],
    ) -> Result<Received, DropReason> {
        self.device_calls += 1;
        let received = dev.prepare_receive(now, from, buf)?;
        if let Received::Open(job) = &received {
            if let Some(peer) = dev.peer(job.peer) {
                if self.sessions.len() >= MAX_CACHED {
                    self.sessions
                        .retain(|_, (_, k)| k.upgrade().is_some_and(|k| !k.is_retired()));
                    if self.sessions.len() >= MAX_CACHED {
                        self.sessions.clear();
                    }
                }
                let entry = (Arc::downgrade(&peer.cell), Arc::downgrade(&job.keypair));
                self.sessions.insert(job.keypair.local_index, entry);
            }
        }
        Ok(received)
    }

    /// [`Device::finish_receive`] when the message needs nothing from the device (no session
    /// to confirm, no rekey due, its source address cached): `None` means the device is
    /// needed ([`finish_receive_with`](Self::finish_receive_with)).
    pub fn finish_receive(
        &mut self,
        now: Instant,
        from: Endpoint,
        job: &OpenJob,
        opened: Result<usize, DropReason>,
        buf: &[u8],
    ) -> Option<Result<Inbound, DropReason>> {
        let len = match opened {
            Ok(len) => len,
            Err(reason) => return Some(Err(self.count(reason))),
        };
        self.refresh();
        // Everything that could miss is looked up before the peer is touched.
        let verdict = match (len, tunnel_packet(buf, len)) {
            (0, _) => Ok(None),
            (_, Err(reason)) => Err(reason),
            (_, Ok(range)) => {
                let src = packet_address(&buf[range.clone()], Direction::Source)?;
                let owner = match self.routes.get(&src)? {
                    Some(cell) => Some(cell.upgrade()?.id),
                    None => None,
                };
                Ok(Some((range, owner)))
            }
        };
        let (cell, _) = self
            .sessions
            .get(&job.keypair.local_index)
            .filter(|(_, k)| core::ptr::eq(k.as_ptr(), Arc::as_ptr(&job.keypair)))?;
        let cell = cell.upgrade()?;
        let mut state = cell.lock();
        let confirms = state
            .keypairs
            .next
            .as_ref()
            .is_some_and(|n| Arc::ptr_eq(n, &job.keypair));
        if cell.is_removed() || confirms || state.wants_rekey_on_receive(now) {
            return None;
        }
        state.on_transport_received(from, buf.len());
        state.after_transport_received(now, len > 0);
        if state.needs_reschedule() {
            self.note_reschedule(cell.id);
        }
        drop(state);
        Some(match verdict {
            Ok(None) => Ok(Inbound::Handled),
            Ok(Some((range, owner))) if owner == Some(cell.id) => Ok(Inbound::Tunnel {
                peer: cell.id,
                range,
            }),
            Ok(Some(_)) => Err(self.count(DropReason::SourceNotAllowed)),
            Err(reason) => Err(self.count(reason)),
        })
    }

    /// [`Device::finish_receive`], learning the source address's route.
    // The arguments are `Device::finish_receive`'s and the device.
    #[allow(clippy::too_many_arguments)]
    pub fn finish_receive_with(
        &mut self,
        dev: &mut Device,
        now: Instant,
        from: Endpoint,
        job: &OpenJob,
        opened: Result<usize, DropReason>,
        buf: &[u8],
    ) -> Result<Inbound, DropReason> {
        self.device_calls += 1;
        self.refresh();
        let packet = opened.and_then(|len| tunnel_packet(buf, len)).ok();
        if let Some(src) = packet.and_then(|r| packet_address(&buf[r], Direction::Source)) {
            self.learn_route(dev, src);
        }
        dev.finish_receive(now, from, job, opened, buf)
    }

    /// [`Device::encapsulate`] through the data path, going to `dev` only when needed (for
    /// single-threaded callers and tests; an engine holds `dev` behind a lock and makes the
    /// calls itself).
    pub fn encapsulate(
        &mut self,
        dev: &mut Device,
        now: Instant,
        packet: &[u8],
        out: &mut [u8],
    ) -> Result<Outbound, SendError> {
        let prepared = match self.prepare_send(now, packet) {
            Some(fast) => fast.map(Prepared::Seal),
            None => self.prepare_send_with(dev, now, packet),
        };
        self.flush(dev);
        prepared?.seal_into(packet, out)
    }

    /// [`Device::handle_datagram`] through the data path, going to `dev` only when needed
    /// (see [`encapsulate`](Self::encapsulate)).
    pub fn handle_datagram(
        &mut self,
        dev: &mut Device,
        now: Instant,
        from: Endpoint,
        buf: &mut [u8],
    ) -> Result<Inbound, DropReason> {
        let received = match self.prepare_receive(now, buf) {
            Some(fast) => fast.map(Received::Open),
            None => self.prepare_receive_with(dev, now, from, buf),
        };
        let job = match received? {
            Received::Open(job) => job,
            Received::Done(inbound) => return Ok(inbound),
        };
        let opened = job.open(buf);
        let inbound = match self.finish_receive(now, from, &job, opened, buf) {
            Some(fast) => fast,
            None => self.finish_receive_with(dev, now, from, &job, opened, buf),
        };
        self.flush(dev);
        inbound
    }

    /// Whether [`flush`](Self::flush) has work: some peer's timers moved earlier, or a
    /// rekey is due.
    #[must_use]
    pub fn needs_flush(&self) -> bool {
        !self.reschedule.is_empty() || !self.rekeys.is_empty()
    }

    /// Hands the device what the fast calls left for it: the initiations sends found due,
    /// and the peers whose timers moved earlier. Call it under the device after a batch
    /// when [`needs_flush`](Self::needs_flush) says so (for an established flow, about once
    /// per KEEPALIVE_TIMEOUT), then drain [`Device::poll_transmit`].
    pub fn flush(&mut self, dev: &mut Device) {
        if self.needs_flush() {
            self.device_calls += 1;
        }
        for (id, now) in self.rekeys.drain(..) {
            dev.send_initiation(now, id, false);
            dev.reschedule(id);
        }
        for id in self.reschedule.drain(..) {
            dev.reschedule(id);
        }
    }

    /// The length a packet of `len` bytes will have once sealed at the device's current MTU
    /// (what [`SealJob::sealed_len`] will say unless the MTU changes first), so callers can
    /// lay packets out where they will be sealed.
    #[must_use]
    pub fn sealed_len(&self, len: usize) -> usize {
        let mtu = self.shared.mtu.load(Ordering::Relaxed);
        super::TRANSPORT_OVERHEAD + super::jobs::padded_len_at(len, mtu)
    }

    /// How many calls needed the device so far (`_with` calls, and flushes with work).
    #[must_use]
    pub fn device_calls(&self) -> u64 {
        self.device_calls
    }

    /// Drops the cached routes if the device's routes changed since they were learned.
    fn refresh(&mut self) {
        let generation = self.shared.routes_generation.load(Ordering::Acquire);
        if generation != self.generation {
            self.routes.clear();
            self.generation = generation;
        }
    }

    fn learn_route(&mut self, dev: &Device, addr: IpAddr) {
        if self.routes.len() >= MAX_CACHED {
            self.routes.clear();
        }
        let owner = dev.lookup_allowed_ip(addr).and_then(|id| dev.peer(id));
        self.routes
            .insert(addr, owner.map(|p| Arc::downgrade(&p.cell)));
    }

    /// A batch may move the same peer's timers many times; the device needs it once.
    fn note_reschedule(&mut self, id: PeerId) {
        if self.reschedule.last() != Some(&id) {
            self.reschedule.push(id);
        }
    }

    fn count(&self, reason: DropReason) -> DropReason {
        self.shared.drops.count(reason);
        reason
    }
}

impl core::fmt::Debug for DataPath {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DataPath")
            .field("routes", &self.routes.len())
            .field("sessions", &self.sessions.len())
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Copy)]
pub(super) enum Direction {
    Source,
    Destination,
}

/// The source or destination address of an IPv4 or IPv6 packet.
pub(super) fn packet_address(packet: &[u8], which: Direction) -> Option<IpAddr> {
    let (v4, v6) = match which {
        Direction::Source => (12..16, 8..24),
        Direction::Destination => (16..20, 24..40),
    };
    match packet.first()? >> 4 {
        4 => <[u8; 4]>::try_from(packet.get(v4)?).ok().map(IpAddr::from),
        6 => <[u8; 16]>::try_from(packet.get(v6)?).ok().map(IpAddr::from),
        _ => None,
    }
}

#[cfg(test)]
#[path = "datapath_tests.rs"]
mod tests;
