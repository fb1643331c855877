//! The send side: routing tunnel packets to peers, sealing them, staging them until a
//! session exists, initiations and keepalives, and the key-freshness rule after sending.

use super::datapath::{packet_address, Direction};
use super::index::IndexEntry;
use super::{Device, Outbound, PeerId, SendError, Transmit};
use crate::crypto::AEAD_TAG_LEN;
use crate::keypair::{padded_len, Keypair};
use crate::keys::PrivateKey;
use crate::noise::HandshakeState;
use crate::time::Instant;
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
        self.prepare_send(now, packet)?.seal_into(packet, out)
    }

    /// The peer whose allowed IPs cover the packet's destination.
    pub(super) fn route(&self, packet: &[u8]) -> Result<PeerId, SendError> {
        let dst = packet_address(packet, Direction::Destination).ok_or(SendError::NotIp)?;
        self.allowed_ips.lookup(dst).ok_or(SendError::NoRoute)
    }

    /// Hooks and counters after transport messages went out, and a rekey if the session
    /// is stale.
    pub(super) fn after_transport_sent(
        &mut self,
        now: Instant,
        id: PeerId,
        bytes: usize,
        had_data: bool,
    ) {
        let Some(mut state) = self.state(id) else {
            return;
        };
        state.on_transport_sent(now, bytes, had_data);
        let rekey = state.keep_key_fresh_on_send(now);
        drop(state);
        if rekey {
            self.send_initiation(now, id, false);
        }
    }

    /// Encrypts and queues every staged packet if a session can send; otherwise keeps them
    /// staged and starts a handshake.
    pub(super) fn send_staged(&mut self, now: Instant, id: PeerId) {
        let mtu = self.mtu();
        let Some(mut state) = self.state(id) else {
            return;
        };
        let keypair = state
            .keypairs
            .current
            .as_ref()
            .filter(|k| k.can_send(now))
            .cloned();
        let (Some(keypair), Some(dst)) = (keypair, state.endpoint) else {
            drop(state);
            self.send_initiation(now, id, false);
            return;
        };
        let (mut bytes, mut had_data, mut exhausted) = (0, false, false);
        let mut sealed = Vec::new();
        // Numbered under the peer's lock, so staged packets take their counters before any
        // later data-path packet (they still leave when the caller drains the transmits).
        while let Some(packet) = state.staged.pop_front() {
            let Some(counter) = keypair.next_counter() else {
                state.staged.push_front(packet);
                exhausted = true;
                break;
            };
            let data = seal_owned(&keypair, counter, &packet, mtu);
            bytes += data.len();
            had_data |= !packet.is_empty();
            sealed.push(Transmit {
                peer: Some(id),
                dst,
                data,
            });
        }
        drop(state);
        self.transmits.extend(sealed);
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
        let Some(mut state) = self.state(id) else {
            return;
        };
        if state.staged.is_empty() {
            state.stage(Vec::new());
        }
        drop(state);
        self.send_staged(now, id);
    }

    /// Starts a handshake: at most one initiation per REKEY_TIMEOUT, each with a fresh
    /// ephemeral key, timestamp and index. A retry keeps the attempt counter.
    pub(super) fn send_initiation(&mut self, now: Instant, id: PeerId, is_retry: bool) {
        let Some(identity) = self.identity.clone() else {
            return;
        };
        let Some(peer) = self.peer(id) else {
            return;
        };
        let mut state = peer.state();
        if !is_retry {
            state.timers.handshake_attempts = 0;
        }
        if state.sent_handshake_recently(now) || !peer.handshake.has_static_keys() {
            return;
        }
        drop(state);
        self.forget_handshake(id);
        let index = self
            .indices
            .insert_random(&mut *self.rng, IndexEntry::Handshake(id));
        let ephemeral = PrivateKey::generate(&mut *self.rng);
        let wall = self.wall_now();
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
        let mut data = msg.to_bytes();
        peer.cookies.add_macs(now, &mut data);
        let mut state = peer.cell.lock();
        state.last_sent_handshake = Some(now);
        state.timers.on_authenticated_packet_traversal(now);
        state.timers.on_authenticated_packet_sent();
        let transmit = state.endpoint.map(|dst| Transmit {
            peer: Some(id),
            dst,
            data: data.to_vec(),
        });
        if transmit.is_some() {
            state.tx_bytes += HandshakeInitiation::LEN as u64;
        }
        let (timing, jitter) = (state.timing, state.jitter());
        state.timers.on_handshake_initiated(&timing, now, jitter);
        drop(state);
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
