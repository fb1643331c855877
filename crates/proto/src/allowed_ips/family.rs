//! One address family: host routes in a hash table, shorter prefixes in the
//! trie. Routes are named by a family-local id: a trie node index, or a host
//! slot index tagged with [`HOST_TAG`].

use std::hash::Hash;

use super::host::HostTable;
use super::trie::{Key, Links, Trie};
use crate::hash::HashSeed;

/// Marks a family-local id as a host-table slot rather than a trie node.
pub(super) const HOST_TAG: u32 = 1 << 30;

/// Splits an id into (is host route, index).
fn split(id: u32) -> (bool, u32) {
    (id & HOST_TAG != 0, id & !HOST_TAG)
}

/// The routes of one address family.
#[derive(Clone, Debug)]
pub(super) struct Family<K, T> {
    trie: Trie<K, T>,
    hosts: HostTable<K, T>,
}

impl<K: Key + Hash, T: Copy + Eq> Family<K, T> {
    pub(super) fn new(seed: HashSeed) -> Self {
        Self {
            trie: Trie::new(),
            hosts: HostTable::new(seed),
        }
    }

    /// Longest-prefix match.
    #[inline]
    pub(super) fn lookup(&self, addr: K) -> Option<T> {
        // A host route is the longest possible match, so it wins outright.
        match self.hosts.lookup(addr) {
            Some(value) => Some(value),
            None => self.trie.lookup(addr),
        }
    }

    /// Gives `addr/cidr` (host bits ignored) to `value`, creating the route
    /// if needed. Returns its id and previous owner, or `None` if `cidr` is
    /// too long (or, unreachably, the family is full).
    pub(super) fn insert(&mut self, addr: K, cidr: u8, value: T) -> Option<(u32, Option<T>)> {
        if cidr == K::BITS {
            let (slot, old) = self.hosts.insert(addr, value)?;
            return Some((slot | HOST_TAG, old));
        }
        if cidr > K::BITS {
            return None;
        }
        let idx = self.trie.insert(addr.mask(cidr), cidr)?;
        let meta = self.trie.meta_mut(idx)?;
        Some((idx, meta.value.replace(value)))
    }

    /// Id of the route for exactly `addr/cidr` (host bits ignored).
    pub(super) fn find(&self, addr: K, cidr: u8) -> Option<u32> {
        if cidr == K::BITS {
            return self.hosts.find(addr).map(|slot| slot | HOST_TAG);
        }
        (cidr < K::BITS).then_some(())?;
        self.trie.find_route(addr.mask(cidr), cidr)
    }

    /// Deletes a route; its list links must already be dealt with.
    pub(super) fn remove(&mut self, id: u32) -> bool {
        match split(id) {
            (true, slot) => self.hosts.remove(slot),
            (false, idx) => match self.trie.prefix(idx) {
                Some((key, cidr)) => self.trie.remove(key, cidr),
                None => false,
            },
        }
    }

    /// The masked prefix of a route.
    pub(super) fn prefix(&self, id: u32) -> Option<(K, u8)> {
        match split(id) {
            (true, slot) => self.hosts.key(slot).map(|key| (key, K::BITS)),
            (false, idx) => self.trie.prefix(idx),
        }
    }

    pub(super) fn owner(&self, id: u32) -> Option<T> {
        match split(id) {
            (true, slot) => self.hosts.owner(slot),
            (false, idx) => self.trie.meta(idx).and_then(|m| m.value),
        }
    }

    pub(super) fn links(&self, id: u32) -> Option<Links> {
        match split(id) {
            (true, slot) => self.hosts.links(slot),
            (false, idx) => self.trie.meta(idx).map(|m| m.links),
        }
    }

    pub(super) fn links_mut(&mut self, id: u32) -> Option<&mut Links> {
        match split(id) {
            (true, slot) => self.hosts.links_mut(slot),
            (false, idx) => self.trie.meta_mut(idx).map(|m| &mut m.links),
        }
    }

    /// Storage slots in use: trie nodes (routes and glue) plus host routes.
    #[cfg(test)]
    pub(super) fn live_nodes(&self) -> usize {
        self.trie.live_nodes() + self.hosts.live_slots()
    }

    #[cfg(test)]
    pub(super) fn hosts_hasher(&self) -> &crate::hash::Keyed {
        self.hosts.hasher()
    }

    /// Number of host routes, which the trie never holds.
    #[cfg(test)]
    pub(super) fn host_routes(&self) -> usize {
        self.hosts.len()
    }
}
