//! Receiver indices: random 32-bit names for handshakes and sessions, so a datagram finds its
//! peer in one lookup and the index values reveal nothing about how many peers exist (SEC-9).

use super::PeerId;
use crate::hash::{HashSeed, KeyedMap};
use crate::keypair::Keypair;
use rand_core::RngCore;
use std::sync::Arc;

/// What an index names.
#[derive(Clone)]
pub(super) enum IndexEntry {
    /// A handshake we initiated, awaiting its response.
    Handshake(PeerId),
    /// A session (any of a peer's three slots).
    Keypair(PeerId, Arc<Keypair>),
}

impl IndexEntry {
    pub(super) fn peer(&self) -> PeerId {
        match self {
            IndexEntry::Handshake(p) | IndexEntry::Keypair(p, _) => *p,
        }
    }
}

pub(super) struct IndexTable {
    /// Only our own random indices go in, so a keyed fast hash cannot be flooded.
    entries: KeyedMap<u32, IndexEntry>,
}

impl IndexTable {
    pub(super) fn new(seed: HashSeed) -> Self {
        IndexTable {
            entries: seed.map(),
        }
    }

    /// Reserves a fresh random index for `entry`.
    pub(super) fn insert_random(&mut self, rng: &mut dyn RngCore, entry: IndexEntry) -> u32 {
        loop {
            let index = rng.next_u32();
            if let std::collections::hash_map::Entry::Vacant(slot) = self.entries.entry(index) {
                slot.insert(entry);
                return index;
            }
        }
    }

    pub(super) fn get(&self, index: u32) -> Option<&IndexEntry> {
        self.entries.get(&index)
    }

    /// Replaces whatever `index` names (the handshake becomes its session).
    pub(super) fn replace(&mut self, index: u32, entry: IndexEntry) {
        self.entries.insert(index, entry);
    }

    /// Forgets `index` if it still names a handshake of `peer`.
    pub(super) fn remove_handshake(&mut self, index: u32, peer: PeerId) {
        if matches!(self.entries.get(&index), Some(IndexEntry::Handshake(p)) if *p == peer) {
            self.entries.remove(&index);
        }
    }

    /// Forgets `keypair`'s index if it still names that keypair.
    pub(super) fn remove_keypair(&mut self, keypair: &Arc<Keypair>) {
        keypair.retire();
        let index = keypair.local_index;
        if matches!(self.entries.get(&index), Some(IndexEntry::Keypair(_, k)) if Arc::ptr_eq(k, keypair))
        {
            self.entries.remove(&index);
        }
    }

    #[cfg(test)]
    pub(super) fn hasher(&self) -> &crate::hash::Keyed {
        self.entries.hasher()
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }
}
