//! Exact-match table for full-length routes (`/32`, `/128`).
//!
//! Most WireGuard tables are dominated by one host route per peer. Such a
//! route is always the longest possible match, so a single hash probe
//! answers the lookup without walking the ~log2(n) trie levels that would
//! otherwise each cost a cache miss. Host routes therefore live here and
//! never in the trie.

use std::collections::hash_map::{Entry, RandomState};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

use super::trie::{Links, MAX_NODES};

/// Multiplier of the folded-multiply mix (the 64-bit golden ratio).
const MIX: u64 = 0x9E37_79B9_7F4A_7C15;

/// A fast keyed hasher for address keys. SipHash would cost more than the
/// rest of the lookup; the per-table random seed still keeps an outsider
/// from predicting which addresses share a probe sequence.
#[derive(Clone, Copy, Debug)]
pub(super) struct KeyedState {
    seed: u64,
}

impl KeyedState {
    fn new() -> Self {
        Self {
            seed: RandomState::new().hash_one(0x5EED_u64),
        }
    }
}

impl BuildHasher for KeyedState {
    type Hasher = KeyedHasher;

    fn build_hasher(&self) -> KeyedHasher {
        KeyedHasher(self.seed)
    }
}

/// State of [`KeyedState`]'s hasher.
#[derive(Clone, Copy, Debug)]
pub(super) struct KeyedHasher(u64);

impl KeyedHasher {
    #[inline(always)]
    fn mix(&mut self, word: u64) {
        // Folding the 128-bit product spreads every input bit over both the
        // low bits (bucket index) and the top bits (hashbrown's tag byte).
        let p = u128::from(self.0 ^ word) * u128::from(MIX);
        self.0 = (p as u64) ^ ((p >> 64) as u64);
    }
}

impl Hasher for KeyedHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
    }

    #[inline(always)]
    fn write_u32(&mut self, x: u32) {
        self.mix(u64::from(x));
    }

    #[inline(always)]
    fn write_u128(&mut self, x: u128) {
        self.mix(x as u64);
        self.mix((x >> 64) as u64);
    }
}

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
    map: HashMap<K, (T, u32), KeyedState>,
    slots: Vec<Slot<K>>,
    free: Vec<u32>,
}

impl<K: Copy + Eq + Hash, T: Copy> HostTable<K, T> {
    pub(super) fn new() -> Self {
        Self {
            map: HashMap::with_hasher(KeyedState::new()),
            slots: Vec::new(),
            free: Vec::new(),
        }
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
            *self = Self::new();
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

    pub(super) fn clear(&mut self) {
        *self = Self::new();
    }

    /// Slots in use; must always equal the number of routes.
    #[cfg(test)]
    pub(super) fn live_slots(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}
