//! Configuration: the private key, peers, their keys, endpoints, keepalives and allowed IPs.
//! Every method either applies fully or returns an error and changes nothing.

use super::{ConfigError, Device, PeerId, Slot};
use crate::consts::MAX_PEERS;
use crate::cookie::CookieChecker;
use crate::keys::{PresharedKey, PrivateKey, PublicKey};
use crate::noise::StaticIdentity;
use crate::peer::{Endpoint, Peer, PeerCell};
use crate::time::{Duration, Instant};
use crate::timers::Timing;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

impl Device {
    /// Sets or removes the interface's private key. As in wireguard-go, setting the key a
    /// peer has as its public key removes that peer, and every session made with the old key
    /// stops sending (new handshakes follow).
    pub fn set_private_key(&mut self, key: Option<PrivateKey>) {
        if self.private_key() == key.as_ref() {
            return;
        }
        self.identity = key.map(StaticIdentity::new);
        self.checker = CookieChecker::new(self.public_key());
        if let Some(own) = self.public_key().copied() {
            if let Some(id) = self.by_key.get(&own).copied() {
                self.remove_peer(id);
            }
        }
        for id in self.peer_ids() {
            self.forget_handshake(id);
            let identity = self.identity.clone();
            if let Some(peer) = self.peer_mut(id) {
                peer.handshake.set_identity(identity.as_ref());
                let mut state = peer.state();
                state.keypairs.expire_current();
                state.last_sent_handshake = None;
            }
        }
    }

    /// Replaces the protocol timer durations (the whitepaper's by default). Only tests shorten
    /// them ([`Timing::scaled_down`]); sessions that exist keep the lifetime they were made with.
    pub fn set_timing(&mut self, timing: Timing) {
        self.timing = timing;
        for slot in &self.peers {
            if let Some(peer) = &slot.peer {
                peer.state().timing = timing;
            }
        }
    }

    /// The protocol timer durations in use.
    #[must_use]
    pub fn timing(&self) -> &Timing {
        &self.timing
    }

    /// Adds a peer. Refused if the key is the interface's own or the device is full.
    /// An existing peer with the same key is returned unchanged.
    pub fn add_peer(&mut self, public: PublicKey) -> Result<PeerId, ConfigError> {
        if let Some(id) = self.by_key.get(&public) {
            return Ok(*id);
        }
        if self.public_key() == Some(&public) {
            return Err(ConfigError::PeerIsSelf);
        }
        if self.by_key.len() >= MAX_PEERS {
            return Err(ConfigError::TooManyPeers);
        }
        let slot = match self.free_slots.pop() {
            Some(slot) => slot,
            None => {
                self.peers.push(Slot::default());
                u32::try_from(self.peers.len() - 1).map_err(|_| ConfigError::TooManyPeers)?
            }
        };
        let id = PeerId {
            slot,
            generation: self.peers[slot as usize].generation,
        };
        let cell = Arc::new(PeerCell::new(id, self.timing, self.rng.next_u64()));
        let peer = Box::new(Peer::new(self.identity.as_ref(), public, cell));
        self.created += 1;
        let entry = &mut self.peers[slot as usize];
        entry.peer = Some(peer);
        entry.created = self.created;
        self.by_key.insert(public, id);
        Ok(id)
    }

    /// Removes a peer with all its sessions, staged packets and allowed IPs.
    pub fn remove_peer(&mut self, id: PeerId) {
        self.forget_handshake(id);
        let Some(slot) = self.peers.get_mut(id.slot as usize) else {
            return;
        };
        if slot.generation != id.generation {
            return;
        }
        let Some(peer) = slot.peer.take() else {
            return;
        };
        slot.generation = slot.generation.wrapping_add(1);
        self.free_slots.push(id.slot);
        peer.cell.mark_removed();
        let mut state = peer.state();
        state.staged.clear();
        let keypairs = state.keypairs.clear();
        drop(state);
        self.forget_keypairs(keypairs);
        self.by_key.remove(peer.public_key());
        self.allowed_ips.remove_all(id);
        self.routes_changed();
    }

    /// The peer with this public key.
    #[must_use]
    pub fn peer_id(&self, public: &PublicKey) -> Option<PeerId> {
        self.by_key.get(public).copied()
    }

    /// Read access to a peer's state and counters.
    #[must_use]
    pub fn peer_info(&self, id: PeerId) -> Option<&Peer> {
        self.peer(id)
    }

    /// Every peer, in the order they were added.
    #[must_use]
    pub fn peer_ids(&self) -> Vec<PeerId> {
        let mut live: Vec<(u64, PeerId)> = self
            .peers
            .iter()
            .enumerate()
            .filter(|(_, s)| s.peer.is_some())
            .map(|(i, s)| {
                (
                    s.created,
                    PeerId {
                        slot: i as u32,
                        generation: s.generation,
                    },
                )
            })
            .collect();
        live.sort_unstable_by_key(|(created, _)| *created);
        live.into_iter().map(|(_, id)| id).collect()
    }

    /// Number of peers.
    #[must_use]
    pub fn peer_count(&self) -> usize {
        self.by_key.len()
    }

    /// Sets the preshared key (all zeros: none); the next handshake uses it.
    pub fn set_preshared_key(&mut self, id: PeerId, psk: PresharedKey) -> Result<(), ConfigError> {
        let peer = self.peer_mut(id).ok_or(ConfigError::NoSuchPeer)?;
        peer.handshake.set_preshared_key(psk);
        Ok(())
    }

    /// Sets the endpoint; authenticated packets from elsewhere replace it later (roaming).
    pub fn set_endpoint(&mut self, id: PeerId, addr: SocketAddr) -> Result<(), ConfigError> {
        let mut state = self.state(id).ok_or(ConfigError::NoSuchPeer)?;
        state.endpoint = Some(Endpoint::from(addr));
        Ok(())
    }

    /// Sets the persistent keepalive interval in seconds (0: off). Turning it on sends a
    /// keepalive at once, as the kernel and wireguard-go do.
    pub fn set_persistent_keepalive(
        &mut self,
        now: Instant,
        id: PeerId,
        secs: u16,
    ) -> Result<(), ConfigError> {
        let mut state = self.state(id).ok_or(ConfigError::NoSuchPeer)?;
        let was_off = state.timers.persistent_keepalive.is_zero();
        state.timers.persistent_keepalive = Duration::from_secs(u64::from(secs));
        if secs == 0 {
            state.timers.stop(crate::timers::Timer::PersistentKeepalive);
        }
        drop(state);
        if secs != 0 && was_off {
            self.send_keepalive(now, id);
        }
        self.reschedule(id);
        Ok(())
    }

    /// Routes `ip/cidr` to the peer, taking it from any other peer that had it.
    pub fn add_allowed_ip(&mut self, id: PeerId, ip: IpAddr, cidr: u8) -> Result<(), ConfigError> {
        self.peer(id).ok_or(ConfigError::NoSuchPeer)?;
        self.allowed_ips
            .insert(ip, cidr, id)
            .map_err(|_| ConfigError::InvalidCidr(cidr))?;
        self.routes_changed();
        Ok(())
    }

    /// Removes exactly `ip/cidr` if the peer has it; returns whether it did.
    pub fn remove_allowed_ip(&mut self, id: PeerId, ip: IpAddr, cidr: u8) -> bool {
        let removed = self.allowed_ips.remove(ip, cidr, id);
        self.routes_changed();
        removed
    }

    /// Removes all of a peer's allowed IPs.
    pub fn clear_allowed_ips(&mut self, id: PeerId) {
        self.allowed_ips.remove_all(id);
        self.routes_changed();
    }

    /// Makes every [`DataPath`](super::DataPath) drop the routes it cached.
    fn routes_changed(&self) {
        self.shared
            .routes_generation
            .fetch_add(1, std::sync::atomic::Ordering::Release);
    }

    /// A peer's allowed IPs in insertion order, as masked prefixes.
    #[must_use]
    pub fn allowed_ips(&self, id: PeerId) -> Vec<(IpAddr, u8)> {
        self.allowed_ips.iter_for(id).collect()
    }

    /// The peer whose allowed IPs cover `addr` (longest-prefix match).
    #[must_use]
    pub fn lookup_allowed_ip(&self, addr: IpAddr) -> Option<PeerId> {
        self.allowed_ips.lookup(addr)
    }
}
