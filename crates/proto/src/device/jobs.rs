//! The data path split in three, so an engine can hold the device only for bookkeeping and
//! run the AEAD on any thread: [`Device::prepare_send`] routes a packet and reserves its
//! counter, [`SealJob::seal`] encrypts it; [`Device::prepare_receive`] finds a transport
//! message's session, [`OpenJob::open`] authenticates and decrypts it, and
//! [`Device::finish_receive`] applies what an authenticated packet means (roaming, timers,
//! key confirmation, the allowed-IPs source check).
//!
//! Counters are reserved in call order, so an engine that seals a batch on several threads
//! and sends it in the order it prepared it keeps each peer's packets in order.
//! [`Device::encapsulate`] and [`Device::handle_datagram`] are these steps run back to back.

use super::{Device, DropReason, Inbound, Outbound, PeerId, SendError};
use crate::keypair::{padded_len, Keypair, SealError};
use crate::peer::{Endpoint, PeerState};
use crate::time::Instant;
use crate::wire::{self, TransportHeader};
use std::sync::Arc;

/// A packet routed and numbered under the device, to be sealed anywhere.
#[derive(Debug)]
pub struct SealJob {
    /// The peer the packet was routed to.
    pub peer: PeerId,
    /// Where the sealed message goes.
    pub dst: Endpoint,
    pub(super) keypair: Arc<Keypair>,
    pub(super) counter: u64,
    pub(super) len: usize,
    pub(super) padded: usize,
}

impl SealJob {
    /// Length of the transport message once sealed (header, padded plaintext, tag).
    #[must_use]
    pub fn sealed_len(&self) -> usize {
        super::TRANSPORT_OVERHEAD + self.padded
    }

    /// Seals the plaintext the caller placed at `buf[16..16 + len]` into a transport message
    /// filling `buf[..sealed_len()]`; returns its length.
    pub fn seal(&self, buf: &mut [u8]) -> Result<usize, SendError> {
        self.keypair
            .seal_with_counter(self.counter, buf, self.len, self.padded)
            .map_err(|e| match e {
                SealError::BufferTooSmall | SealError::Exhausted => SendError::BufferTooSmall,
            })
    }
}

/// What [`Device::prepare_send`] decided for a packet.
#[derive(Debug)]
pub enum Prepared {
    /// Seal it with the job, then send it.
    Seal(SealJob),
    /// Staged until a session exists (drain [`Device::poll_transmit`]).
    Queued(PeerId),
}

impl Prepared {
    /// Copies `packet` (the one this was prepared for) behind the header in `out` and seals
    /// it there: what [`Device::encapsulate`] returns.
    pub fn seal_into(self, packet: &[u8], out: &mut [u8]) -> Result<Outbound, SendError> {
        let job = match self {
            Prepared::Seal(job) => job,
            Prepared::Queued(id) => return Ok(Outbound::Queued(id)),
        };
        let body = TransportHeader::LEN..TransportHeader::LEN + packet.len();
        out.get_mut(body)
            .ok_or(SendError::BufferTooSmall)?
            .copy_from_slice(packet);
        let len = job.seal(out)?;
        Ok(Outbound::Transmit {
            peer: job.peer,
            dst: job.dst,
            len,
        })
    }
}

/// A transport message whose session is known, to be opened anywhere.
#[derive(Debug)]
pub struct OpenJob {
    /// The peer whose session the message names.
    pub peer: PeerId,
    pub(super) keypair: Arc<Keypair>,
    pub(super) counter: u64,
}

impl OpenJob {
    /// Authenticates and decrypts the whole datagram `buf` in place (replay-checked after
    /// authentication); returns the padded plaintext length at `buf[16..]`.
    pub fn open(&self, buf: &mut [u8]) -> Result<usize, DropReason> {
        let body = buf
            .get_mut(TransportHeader::LEN..)
            .ok_or(DropReason::InvalidPacket)?;
        self.keypair
            .open(self.counter, body)
            .map_err(DropReason::from)
    }
}

/// What [`Device::prepare_receive`] decided for a datagram.
#[derive(Debug)]
pub enum Received {
    /// A transport message: open it with the job, then call [`Device::finish_receive`].
    Open(OpenJob),
    /// Fully handled here (handshake messages, cookie replies).
    Done(Inbound),
}

impl Device {
    /// Routes an IP packet read from the tunnel and reserves its counter; the caller seals
    /// it with the returned job. Without a session the packet is staged and a handshake
    /// starts. Timers and counters already account for the packet as sent.
    pub fn prepare_send(&mut self, now: Instant, packet: &[u8]) -> Result<Prepared, SendError> {
        let id = self.route(packet)?;
        let mtu = self.mtu();
        let mut state = self.state(id).ok_or(SendError::NoRoute)?;
        match reserve(&mut state, id, now, packet, mtu)? {
            Some(job) => {
                let rekey = state.keep_key_fresh_on_send(now);
                drop(state);
                if rekey {
                    self.send_initiation(now, id, false);
                }
                self.reschedule(id);
                Ok(Prepared::Seal(job))
            }
            None => {
                // No session, or lost the race for the last counter: stage and (re)key.
                state.stage(packet.to_vec());
                drop(state);
                self.send_staged(now, id);
                self.reschedule(id);
                Ok(Prepared::Queued(id))
            }
        }
    }

    /// First half of [`handle_datagram`](Device::handle_datagram): handshake messages and
    /// cookie replies are handled completely; a transport message is matched to its session
    /// and returned as a job. Drops are counted.
    pub fn prepare_receive(
        &mut self,
        now: Instant,
        from: Endpoint,
        buf: &mut [u8],
    ) -> Result<Received, DropReason> {
        let result = match wire::message_type(buf) {
            Ok(wire::MESSAGE_TRANSPORT) => self.transport_job(now, buf).map(Received::Open),
            _ => self.demux(now, from, buf).map(Received::Done),
        };
        if let Err(reason) = result {
            self.shared.drops.count(reason);
        }
        result
    }

    pub(super) fn transport_job(
        &mut self,
        now: Instant,
        buf: &[u8],
    ) -> Result<OpenJob, DropReason> {
        let (header, _) = TransportHeader::parse(buf)?;
        let Some(super::index::IndexEntry::Keypair(peer, keypair)) =
            self.indices.get(header.receiver_index)
        else {
            return Err(DropReason::UnknownIndex);
        };
        if !keypair.can_receive(now) {
            return Err(DropReason::ExpiredSession);
        }
        Ok(OpenJob {
            peer: *peer,
            keypair: Arc::clone(keypair),
            counter: header.counter,
        })
    }

    /// Last half of [`handle_datagram`](Device::handle_datagram) for a transport message:
    /// `opened` is what [`OpenJob::open`] returned for the datagram `buf` from `from`.
    /// Drops are counted.
    pub fn finish_receive(
        &mut self,
        now: Instant,
        from: Endpoint,
        job: &OpenJob,
        opened: Result<usize, DropReason>,
        buf: &[u8],
    ) -> Result<Inbound, DropReason> {
        let result = opened.and_then(|len| self.after_open(now, from, job, len, buf));
        if let Err(reason) = result {
            self.shared.drops.count(reason);
        }
        result
    }
}

/// Numbers a packet on the peer's current session and runs the send hooks; `None` when the
/// packet must be staged instead (no session, staged packets ahead of it, or no counter
/// left).
pub(super) fn reserve(
    state: &mut PeerState,
    id: PeerId,
    now: Instant,
    packet: &[u8],
    mtu: usize,
) -> Result<Option<SealJob>, SendError> {
    let dst = state.endpoint.ok_or(SendError::NoEndpoint(id))?;
    let keypair = state
        .keypairs
        .current
        .as_ref()
        .filter(|k| k.can_send(now) && state.staged.is_empty());
    let Some((keypair, counter)) = keypair.and_then(|k| k.next_counter().map(|c| (k, c))) else {
        return Ok(None);
    };
    let job = SealJob {
        peer: id,
        dst,
        keypair: Arc::clone(keypair),
        counter,
        len: packet.len(),
        padded: padded_len_at(packet.len(), mtu),
    };
    state.on_transport_sent(now, job.sealed_len(), !packet.is_empty());
    Ok(Some(job))
}

/// The plaintext length of a packet of `len` bytes once padded for `mtu` (never shorter).
pub(super) fn padded_len_at(len: usize, mtu: usize) -> usize {
    padded_len(len, mtu).max(len)
}
