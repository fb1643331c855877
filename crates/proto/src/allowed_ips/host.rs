//! Exact-match table for full-length routes (`/32`, `/128`).
//!
//! Most WireGuard tables are dominated by one host route per peer. Such a
//! route is always the longest possible match, so a single hash probe
//! answers the lookup without walking the ~log2(n) trie levels that would
//! otherwise each cost a cache miss. Host routes therefore live here and
//! never in the trie.

use std::collections::hash_map::Entry;
use std::hash::Hash;

use super::trie::{Links, MAX_NODES};
use crate::hash::{HashSeed, KeyedMap};

/// Bookkeeping of one host route, addressed by a stable slot index.
#[derive(Clone, Copy, Debug)]
struct Slot<K> {
    key: K,
    links: Links,
}

/// Host routes of one family.
#[derive(Clone, Debug)]
pub(super) struct HostTable<K, T> {
    /// Address to (owner, slot). The owner sits in the map itself so that a
    /// lookup is one probe with no second dependent load.
    /// Keyed ([`crate::hash`]), so nobody can pick addresses that share a probe sequence.
    map: KeyedMap<K, (T, u32)>,
    seed: HashSeed,
    slots: Vec<Slot<K>>,
    free: Vec<u32>,
}

impl<K: Copy + Eq + Hash, T: Copy> HostTable<K, T> {
    pub(super) fn new(seed: HashSeed) -> Self {
        Self {
            map: seed.map(),
            seed,
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    #[cfg(test)]
    pub(super) fn hasher(&self) -> &crate::hash::Keyed {
        self.map.hasher()
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.map.len()
    }

    #[inline]
    pub(super) fn lookup(&self, key: K) -> Option<T> {
        self.map.get(&key).map(|&(value, _)| value)
    }

    /// Slot of the route for `key`, if present.
    pub(super) fn find(&self, key: K) -> Option<u32> {
        self.map.get(&key).map(|&(_, slot)| slot)
    }

    /// Sets the owner of `key`, creating the route if needed. Returns its
    /// slot and the previous owner; `None` only if the table is full.
    pub(super) fn insert(&mut self, key: K, value: T) -> Option<(u32, Option<T>)> {
        match self.map.entry(key) {
            Entry::Occupied(mut e) => {
                let (owner, slot) = e.get_mut();
                Some((*slot, Some(std::mem::replace(owner, value))))
            }
            Entry::Vacant(e) => {
                let slot = Slot {
                    key,
                    links: Links::NONE,
                };
                let idx = match self.free.pop() {
                    Some(idx) => {
                        self.slots[idx as usize] = slot;
                        idx
                    }
                    None if self.slots.len() < MAX_NODES => {
                        self.slots.push(slot);
                        // Bounded by MAX_NODES just above, so it fits.
                        (self.slots.len() - 1) as u32
                    }
                    None => return None,
                };
                e.insert((value, idx));
                Some((idx, None))
            }
        }
    }

    /// Deletes the route in `slot`; returns whether there was one.
    pub(super) fn remove(&mut self, slot: u32) -> bool {
        let Some(key) = self.key(slot) else {
            return false;
        };
        if self.map.remove(&key).is_none() {
            return false;
        }
        self.free.push(slot);
        if self.map.is_empty() {
            // Give the memory back rather than keep a peak-sized table.
            *self = Self::new(self.seed);
        }
        true
    }

    pub(super) fn key(&self, slot: u32) -> Option<K> {
        self.slots.get(slot as usize).map(|s| s.key)
    }

    pub(super) fn owner(&self, slot: u32) -> Option<T> {
        self.key(slot).and_then(|k| self.lookup(k))
    }

    pub(super) fn links_mut(&mut self, slot: u32) -> Option<&mut Links> {
        self.slots.get_mut(slot as usize).map(|s| &mut s.links)
    }

    pub(super) fn links(&self, slot: u32) -> Option<Links> {
        self.slots.get(slot as usize).map(|s| s.links)
    }

    /// Slots in use; must always equal the number of routes.
    #[cfg(test)]
    pub(super) fn live_slots(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}
