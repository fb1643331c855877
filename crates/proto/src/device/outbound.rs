//! The send side: routing tunnel packets to peers, sealing them, staging them until a
//! session exists, initiations and keepalives, and the key-freshness rule after sending.

use super::index::IndexEntry;
use super::jobs::Prepared;
use super::{Device, Outbound, PeerId, SendError, Transmit};
use crate::consts::REKEY_AFTER_MESSAGES;
use crate::crypto::AEAD_TAG_LEN;
use crate::keypair::{padded_len, Keypair};
use crate::keys::PrivateKey;
use crate::noise::HandshakeState;
use crate::time::Instant;
use crate::timers::Timer;
use crate::wire::{HandshakeInitiation, TransportHeader};
use std::sync::Arc;

/// Bytes a transport message adds to its (padded) plaintext.
pub const TRANSPORT_OVERHEAD: usize = TransportHeader::LEN + AEAD_TAG_LEN;

impl Device {
    /// Routes an IP packet read from the tunnel by its destination address and seals it into
    /// `out` (which needs `packet.len() + 32` bytes plus up to 15 of padding). Without a
    /// session the packet is staged and a handshake starts.
    pub fn encapsulate(
        &mut self,
        now: Instant,
        packet: &[u8],
        out: &mut [u8],
    ) -> Result<Outbound, SendError> {
        let job = match self.prepare_send(now, packet)? {
            Prepared::Seal(job) => job,
            Prepared::Queued(id) => return Ok(Outbound::Queued(id)),
        };
        let body = out
            .get_mut(TransportHeader::LEN..TransportHeader::LEN + packet.len())
            .ok_or(SendError::BufferTooSmall)?;
        body.copy_from_slice(packet);
        let len = job.seal(out)?;
        Ok(Outbound::Transmit {
            peer: job.peer,
            dst: job.dst,
            len,
        })
    }

    /// The peer whose allowed IPs cover the packet's destination.
    pub(super) fn route(&self, packet: &[u8]) -> Result<PeerId, SendError> {
        let found = match packet.first().map(|b| b >> 4) {
            Some(4) => packet
                .get(16..20)
                .and_then(|d| d.try_into().ok())
                .map(|d| self.allowed_ips.lookup_v4(d)),
            Some(6) => packet
                .get(24..40)
                .and_then(|d| d.try_into().ok())
                .map(|d| self.allowed_ips.lookup_v6(d)),
            _ => None,
        };
        found.ok_or(SendError::NotIp)?.ok_or(SendError::NoRoute)
    }

    /// Hooks and counters after transport messages went out.
    pub(super) fn after_transport_sent(
        &mut self,
        now: Instant,
        id: PeerId,
        bytes: usize,
        had_data: bool,
    ) {
        // Drawing jitter costs an RNG call; only the first data packet after a reply needs it.
        let arms_timer = had_data
            && self
                .peer(id)
                .is_some_and(|p| !p.timers.is_pending(Timer::NewHandshake));
        let jitter = if arms_timer {
            self.jitter()
        } else {
            core::time::Duration::ZERO
        };
        let timing = self.timing;
        let Some(peer) = self.peer_mut(id) else {
            return;
        };
        peer.tx_bytes += bytes as u64;
        peer.timers.on_authenticated_packet_traversal(now);
        peer.timers.on_authenticated_packet_sent();
        if had_data {
            peer.timers.on_data_sent(&timing, now, jitter);
        }
        self.rekey_if_stale_on_send(now, id);
    }

    /// Encrypts and queues every staged packet if a session can send; otherwise keeps them
    /// staged and starts a handshake.
    pub(super) fn send_staged(&mut self, now: Instant, id: PeerId) {
        let mtu = self.mtu;
        let Some(peer) = self.peer_mut(id) else {
            return;
        };
        let keypair = peer
            .keypairs
            .current
            .as_ref()
            .filter(|k| k.can_send(now))
            .cloned();
        let (Some(keypair), Some(dst)) = (keypair, peer.endpoint) else {
            self.send_initiation(now, id, false);
            return;
        };
        let mut staged = core::mem::take(&mut peer.staged);
        let (mut bytes, mut had_data, mut exhausted) = (0, false, false);
        while let Some(packet) = staged.pop_front() {
            let Some(counter) = keypair.next_counter() else {
                staged.push_front(packet);
                exhausted = true;
                break;
            };
            let data = seal_owned(&keypair, counter, &packet, mtu);
            bytes += data.len();
            had_data |= !packet.is_empty();
            self.transmits.push_back(Transmit {
                peer: Some(id),
                dst,
                data,
            });
        }
        if let Some(peer) = self.peer_mut(id) {
            // Anything staged meanwhile stays behind what could not be sent.
            staged.append(&mut peer.staged);
            peer.staged = staged;
        }
        if bytes > 0 {
            self.after_transport_sent(now, id, bytes, had_data);
        }
        if exhausted {
            self.send_initiation(now, id, false);
        }
    }

    /// Sends a keepalive (an empty transport message), through staging so that without a
    /// session it starts a handshake instead.
    pub(super) fn send_keepalive(&mut self, now: Instant, id: PeerId) {
        let Some(peer) = self.peer_mut(id) else {
            return;
        };
        if peer.staged.is_empty() {
            peer.stage(Vec::new());
        }
        self.send_staged(now, id);
    }

    /// Starts a handshake: at most one initiation per REKEY_TIMEOUT, each with a fresh
    /// ephemeral key, timestamp and index. A retry keeps the attempt counter.
    pub(super) fn send_initiation(&mut self, now: Instant, id: PeerId, is_retry: bool) {
        let Some(identity) = self.identity.clone() else {
            return;
        };
        let rekey_timeout = self.timing.rekey_timeout();
        let Some(peer) = self.peer_mut(id) else {
            return;
        };
        if !is_retry {
            peer.timers.handshake_attempts = 0;
        }
        let recent = peer
            .last_sent_handshake
            .is_some_and(|t| now.saturating_duration_since(t) < rekey_timeout && now >= t);
        if recent || !peer.handshake.has_static_keys() {
            return;
        }
        self.forget_handshake(id);
        let index = self
            .indices
            .insert_random(&mut *self.rng, IndexEntry::Handshake(id));
        let ephemeral = PrivateKey::generate(&mut *self.rng);
        let (wall, jitter, timing) = (self.wall_now(), self.jitter(), self.timing);
        let Some(peer) = self.peer_mut(id) else {
            return;
        };
        let Ok(msg) = peer
            .handshake
            .create_initiation(&identity, ephemeral, wall, index)
        else {
            self.indices.remove_handshake(index, id);
            return;
        };
        peer.last_sent_handshake = Some(now);
        let mut data = msg.to_bytes();
        peer.cookies.add_macs(now, &mut data);
        peer.timers.on_authenticated_packet_traversal(now);
        peer.timers.on_authenticated_packet_sent();
        let transmit = peer.endpoint.map(|dst| Transmit {
            peer: Some(id),
            dst,
            data: data.to_vec(),
        });
        if transmit.is_some() {
            peer.tx_bytes += HandshakeInitiation::LEN as u64;
        }
        peer.timers.on_handshake_initiated(&timing, now, jitter);
        self.transmits.extend(transmit);
    }

    /// Forgets the index of an initiation of ours that is still awaiting its response.
    pub(super) fn forget_handshake(&mut self, id: PeerId) {
        let Some(peer) = self.peer(id) else { return };
        if peer.handshake.state() == HandshakeState::CreatedInitiation {
            let index = peer.handshake.local_index();
            self.indices.remove_handshake(index, id);
        }
    }

    /// After sending: rekey when the current session has sent REKEY_AFTER_MESSAGES, or when
    /// we initiated it and it is REKEY_AFTER_TIME old. Only the initiator rekeys on time, so
    /// both ends do not race to replace the same session.
    fn rekey_if_stale_on_send(&mut self, now: Instant, id: PeerId) {
        let rekey_after_time = self.timing.rekey_after_time();
        let Some(peer) = self.peer(id) else { return };
        let Some(current) = peer.keypairs.current.as_ref() else {
            return;
        };
        let stale = current.can_send(now)
            && (current.sent_messages() > REKEY_AFTER_MESSAGES
                || (current.is_initiator
                    && now.saturating_duration_since(current.birth) >= rekey_after_time));
        if stale {
            self.send_initiation(now, id, false);
        }
    }
}

/// Seals a staged packet into a new buffer (the slow path; the fast path seals in place).
fn seal_owned(keypair: &Arc<Keypair>, counter: u64, packet: &[u8], mtu: usize) -> Vec<u8> {
    let padded = padded_len(packet.len(), mtu);
    let mut data = vec![0u8; TRANSPORT_OVERHEAD + padded];
    data[TransportHeader::LEN..TransportHeader::LEN + packet.len()].copy_from_slice(packet);
    match keypair.seal_with_counter(counter, &mut data, packet.len(), padded) {
        Ok(len) => data.truncate(len),
        Err(_) => data.clear(),
    }
    data
}
