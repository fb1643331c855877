//! The receive side: demultiplexing datagrams by type and receiver index, the under-load
//! cookie path, handshake consumption, transport decryption, roaming and the allowed-IPs
//! source check.

use super::datapath::{packet_address, Direction};
use super::index::IndexEntry;
use super::jobs::OpenJob;
use super::{Device, DropReason, Event, Inbound, PeerId, Transmit};
use crate::cookie::MacVerdict;
use crate::keypair::Keypair;
use crate::keys::PrivateKey;
use crate::noise::{decrypt_initiator_static, HandshakeState};
use crate::peer::Endpoint;
use crate::time::Instant;
use crate::wire::{self, CookieReply, HandshakeInitiation, HandshakeResponse, TransportHeader};
use std::ops::Range;
use std::sync::Arc;

impl Device {
    /// Processes one UDP datagram received from `from`. A decrypted tunnel packet is left in
    /// `buf` at the returned range; anything to send in reply is queued for
    /// [`poll_transmit`](Device::poll_transmit). Every drop is counted in
    /// [`drop_stats`](Device::drop_stats).
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        from: Endpoint,
        buf: &mut [u8],
    ) -> Result<Inbound, DropReason> {
        let result = self.demux(now, from, buf);
        if let Err(reason) = result {
            self.shared.drops.count(reason);
        }
        result
    }

    pub(super) fn demux(
        &mut self,
        now: Instant,
        from: Endpoint,
        buf: &mut [u8],
    ) -> Result<Inbound, DropReason> {
        match wire::message_type(buf)? {
            wire::MESSAGE_INITIATION => self.handle_initiation(now, from, buf),
            wire::MESSAGE_RESPONSE => self.handle_response(now, from, buf),
            wire::MESSAGE_COOKIE_REPLY => self.handle_cookie_reply(now, buf),
            wire::MESSAGE_TRANSPORT => self.handle_transport(now, from, buf),
            other => Err(wire::WireError::UnknownType(other).into()),
        }
    }

    /// mac1 always; under load, mac2 or a cookie reply, then the per-source rate limit.
    /// `Ok(false)` means a cookie reply was queued instead of processing the message.
    fn check_macs(&mut self, now: Instant, from: Endpoint, buf: &[u8]) -> Result<bool, DropReason> {
        if !self.under_load {
            return match self.checker.check_mac1(buf) {
                true => Ok(true),
                false => Err(DropReason::InvalidMac1),
            };
        }
        let ip = from.addr.ip();
        // Cookie replies are rate-limited per source like handshakes: a flood from one address
        // gets 20 a second, not one per message (less work, nothing to reflect). A message
        // without a cookie can earn nothing but a cookie reply, so once its source is over
        // that budget it is dropped before any MAC is computed. Sources a full table cannot
        // track still get theirs, so spoofed floods cannot lock out new peers.
        let has_cookie = crate::cookie::has_mac2(buf);
        if !has_cookie && !self.cookie_limiter.allow_untracked(now, ip) {
            return Err(DropReason::RateLimited);
        }
        match self.checker.check(now, buf, from.addr) {
            MacVerdict::Invalid => Err(DropReason::InvalidMac1),
            MacVerdict::Mac1Only if has_cookie && !self.cookie_limiter.allow_untracked(now, ip) => {
                Err(DropReason::RateLimited)
            }
            MacVerdict::Mac1Only => {
                let reply = self
                    .checker
                    .create_reply(now, &mut *self.rng, buf, from.addr);
                let data = reply.map(|r| r.to_bytes().to_vec());
                self.transmits.extend(data.map(|data| Transmit {
                    peer: None,
                    dst: from,
                    data,
                }));
                Ok(false)
            }
            MacVerdict::Mac1AndMac2 if self.rate_limiter.allow(now, ip) => Ok(true),
            MacVerdict::Mac1AndMac2 => Err(DropReason::RateLimited),
        }
    }

    fn handle_initiation(
        &mut self,
        now: Instant,
        from: Endpoint,
        buf: &[u8],
    ) -> Result<Inbound, DropReason> {
        let msg = HandshakeInitiation::parse(buf)?;
        if !self.check_macs(now, from, buf)? {
            return Ok(Inbound::Handled);
        }
        let identity = self.identity.clone().ok_or(DropReason::InvalidMac1)?;
        let (initiator, scratch) = decrypt_initiator_static(&identity, &msg)?;
        let id = self.peer_id(&initiator).ok_or(DropReason::UnknownPeer)?;
        let peer = self.peer_mut(id).ok_or(DropReason::UnknownPeer)?;
        // Our own pending initiation is forgotten only once the peer's one is accepted, so a
        // replayed initiation cannot cancel a handshake in flight.
        let pending = (peer.handshake.state() == HandshakeState::CreatedInitiation)
            .then(|| peer.handshake.local_index());
        peer.handshake.consume_initiation(scratch, &msg, now)?;
        if let Some(index) = pending {
            self.indices.remove_handshake(index, id);
        }
        let mut state = self.state(id).ok_or(DropReason::UnknownPeer)?;
        state.on_transport_received(from, buf.len());
        drop(state);
        self.send_response(now, id);
        let mut state = self.state(id).ok_or(DropReason::UnknownPeer)?;
        state.timers.on_authenticated_packet_received();
        state.timers.on_authenticated_packet_traversal(now);
        drop(state);
        self.reschedule(id);
        Ok(Inbound::Handled)
    }

    /// Answers a consumed initiation; the new session waits in `next` until the initiator's
    /// first transport message confirms it.
    fn send_response(&mut self, now: Instant, id: PeerId) {
        let index = self
            .indices
            .insert_random(&mut *self.rng, IndexEntry::Handshake(id));
        let ephemeral = PrivateKey::generate(&mut *self.rng);
        let timing = self.timing;
        let Some(peer) = self.peer_mut(id) else {
            return;
        };
        let Ok((msg, keys)) = peer.handshake.create_response(ephemeral, index) else {
            self.indices.remove_handshake(index, id);
            return;
        };
        let keypair = Arc::new(Keypair::new(&keys, now).with_lifetime(timing.reject_after_time()));
        let mut data = msg.to_bytes();
        peer.cookies.add_macs(now, &mut data);
        let mut state = peer.cell.lock();
        let dropped = state.keypairs.insert(Arc::clone(&keypair));
        state.timers.on_session_derived(&timing, now);
        state.last_sent_handshake = Some(now);
        state.timers.on_authenticated_packet_traversal(now);
        state.timers.on_authenticated_packet_sent();
        state.tx_bytes += data.len() as u64;
        let dst = state.endpoint;
        drop(state);
        self.indices
            .replace(index, IndexEntry::Keypair(id, keypair));
        self.forget_keypairs(dropped);
        self.transmits.extend(dst.map(|dst| Transmit {
            peer: Some(id),
            dst,
            data: data.to_vec(),
        }));
    }

    fn handle_response(
        &mut self,
        now: Instant,
        from: Endpoint,
        buf: &[u8],
    ) -> Result<Inbound, DropReason> {
        let msg = HandshakeResponse::parse(buf)?;
        if !self.check_macs(now, from, buf)? {
            return Ok(Inbound::Handled);
        }
        let identity = self.identity.clone().ok_or(DropReason::InvalidMac1)?;
        let Some(IndexEntry::Handshake(id)) = self.indices.get(msg.receiver_index).cloned() else {
            return Err(DropReason::UnknownIndex);
        };
        let (wall, timing) = (self.wall_now(), self.timing);
        let peer = self.peer_mut(id).ok_or(DropReason::UnknownIndex)?;
        let keys = peer.handshake.consume_response(&identity, &msg)?;
        let keypair = Arc::new(Keypair::new(&keys, now).with_lifetime(timing.reject_after_time()));
        let mut state = peer.cell.lock();
        state.on_transport_received(from, buf.len());
        let dropped = state.keypairs.insert(Arc::clone(&keypair));
        state.timers.on_session_derived(&timing, now);
        state.timers.on_handshake_complete();
        state.last_handshake = Some(wall);
        drop(state);
        self.indices
            .replace(keys.local_index, IndexEntry::Keypair(id, keypair));
        self.forget_keypairs(dropped);
        self.events.push_back(Event::HandshakeComplete(id));
        // Confirms the session to the responder: staged data if any, else a keepalive.
        self.send_keepalive(now, id);
        if let Some(mut state) = self.state(id) {
            state.timers.on_authenticated_packet_received();
            state.timers.on_authenticated_packet_traversal(now);
        }
        self.reschedule(id);
        Ok(Inbound::Handled)
    }

    /// Stores the cookie for the next handshake message. Never roams, never sends, never
    /// touches timers (SEC-12).
    fn handle_cookie_reply(&mut self, now: Instant, buf: &[u8]) -> Result<Inbound, DropReason> {
        let msg = CookieReply::parse(buf)?;
        let id = self
            .indices
            .get(msg.receiver_index)
            .map(IndexEntry::peer)
            .ok_or(DropReason::UnknownIndex)?;
        let peer = self.peer_mut(id).ok_or(DropReason::UnknownIndex)?;
        peer.cookies.consume_reply(now, &msg)?;
        Ok(Inbound::Handled)
    }

    fn handle_transport(
        &mut self,
        now: Instant,
        from: Endpoint,
        buf: &mut [u8],
    ) -> Result<Inbound, DropReason> {
        let job = self.transport_job(now, buf)?;
        let len = job.open(buf)?;
        self.after_open(now, from, &job, len, buf)
    }

    /// Everything an authenticated transport message means; its padded plaintext is at
    /// `buf[16..16 + len]`.
    pub(super) fn after_open(
        &mut self,
        now: Instant,
        from: Endpoint,
        job: &OpenJob,
        len: usize,
        buf: &[u8],
    ) -> Result<Inbound, DropReason> {
        let id = job.peer;
        self.after_transport_received(now, from, job, buf.len(), len > 0);
        if len == 0 {
            return Ok(Inbound::Handled);
        }
        let range = tunnel_packet(buf, len)?;
        if self.source_owner(&buf[range.clone()]) != Some(id) {
            return Err(DropReason::SourceNotAllowed);
        }
        Ok(Inbound::Tunnel { peer: id, range })
    }

    /// Roaming, key confirmation, key freshness and timers after an authenticated transport
    /// message (keepalives included).
    fn after_transport_received(
        &mut self,
        now: Instant,
        from: Endpoint,
        job: &OpenJob,
        bytes: usize,
        had_data: bool,
    ) {
        let id = job.peer;
        let Some(mut state) = self.state(id) else {
            return;
        };
        state.on_transport_received(from, bytes);
        let confirmed = state.keypairs.confirm(&job.keypair);
        if confirmed.is_some() {
            state.timers.on_handshake_complete();
        }
        drop(state);
        if let Some(dropped) = confirmed {
            // Only a confirming packet needs the wall clock; reading it per packet shows in profiles.
            let wall = self.wall_now();
            let Some(mut state) = self.state(id) else {
                return;
            };
            state.last_handshake = Some(wall);
            let staged = !state.staged.is_empty();
            drop(state);
            self.forget_keypairs(dropped);
            self.events.push_back(Event::HandshakeComplete(id));
            if staged {
                self.send_staged(now, id);
            }
        }
        let Some(mut state) = self.state(id) else {
            return;
        };
        let rekey = state.wants_rekey_on_receive(now);
        if rekey {
            state.timers.sent_lastminute_handshake = true;
            drop(state);
            self.send_initiation(now, id, false);
        } else {
            drop(state);
        }
        if let Some(mut state) = self.state(id) {
            state.after_transport_received(now, had_data);
        }
        self.reschedule(id);
    }

    pub(super) fn forget_keypairs(&mut self, keypairs: impl IntoIterator<Item = Arc<Keypair>>) {
        for keypair in keypairs {
            self.indices.remove_keypair(&keypair);
        }
    }

    /// The peer owning the packet's source address.
    fn source_owner(&self, packet: &[u8]) -> Option<PeerId> {
        self.allowed_ips
            .lookup(packet_address(packet, Direction::Source)?)
    }

    /// Erases a peer's sessions (used by the zero-key-material timer).
    pub(super) fn zero_key_material(&mut self, id: PeerId) {
        self.forget_handshake(id);
        let Some(peer) = self.peer_mut(id) else {
            return;
        };
        peer.handshake.clear();
        let mut state = peer.cell.lock();
        let keypairs = state.keypairs.clear();
        state.staged.clear();
        drop(state);
        self.forget_keypairs(keypairs);
    }
}

/// Where the IP packet sits in a datagram whose padded plaintext of `len` bytes starts after
/// the transport header.
pub(super) fn tunnel_packet(buf: &[u8], len: usize) -> Result<Range<usize>, DropReason> {
    let start = TransportHeader::LEN;
    let payload = buf
        .get(start..start + len)
        .ok_or(DropReason::InvalidPacket)?;
    let packet_len = inner_packet_len(payload).ok_or(DropReason::InvalidPacket)?;
    Ok(start..start + packet_len)
}

/// The length of the IP packet at the start of a decrypted payload (padding excluded), if the
/// header is well formed and fits.
fn inner_packet_len(payload: &[u8]) -> Option<usize> {
    let len = match payload.first()? >> 4 {
        4 => usize::from(u16::from_be_bytes([*payload.get(2)?, *payload.get(3)?])),
        6 => 40 + usize::from(u16::from_be_bytes([*payload.get(4)?, *payload.get(5)?])),
        _ => return None,
    };
    let min = if payload[0] >> 4 == 4 { 20 } else { 40 };
    (len >= min && len <= payload.len()).then_some(len)
}
