//! Cryptokey routing: the allowed-IPs table (docs/protocol.md §10).
//!
//! [`AllowedIps`] maps IP prefixes to a peer id and answers longest-prefix
//! matches. Outbound packets go to the peer owning their destination;
//! inbound packets are accepted only if their inner source maps back to the
//! peer that sent them.
//!
//! Semantics follow the Linux kernel's `allowedips.c`:
//!
//! * IPv4 and IPv6 are separate tables; an IPv4-mapped IPv6 address is an
//!   IPv6 key. `/0` entries are ordinary entries.
//! * Prefixes are masked to their length on insert, so `192.95.5.65/27` and
//!   `192.95.5.64/27` are the same entry, and readback reports the network
//!   address.
//! * A prefix has at most one owner. Inserting an existing prefix moves it to
//!   the new owner and to the end of that owner's insertion-ordered list.
//!
//! # Layout
//!
//! Each family keeps full-length host routes (`/32`, `/128`; typically one
//! per peer) in an exact-match hash table (`host.rs`), since such a route
//! always wins the longest-prefix match and one probe beats walking ~log2(n)
//! trie levels. All shorter prefixes live in a path-compressed binary trie
//! in an index-linked arena (`trie.rs`). A lookup probes the host table and
//! falls back to the trie.
//!
//! Every route is also threaded onto a doubly linked list per owner, which
//! gives insertion-ordered readback and lets [`AllowedIps::remove_all`] touch
//! only that owner's routes. List links are `u32` route ids: the top bit
//! picks the family, the next bit the host table, the rest is an index.

mod family;
mod host;
mod trie;

#[cfg(test)]
mod naive;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::hash::{HashSeed, KeyedMap};
use family::Family;
use trie::{Links, NIL};

/// Errors from [`AllowedIps::insert`].
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone, Copy)]
pub enum AllowedIpsError {
    /// The prefix length exceeds the address width (32 for IPv4, 128 for IPv6).
    #[error("invalid CIDR /{0}")]
    InvalidCidr(u8),
}

/// Set in a route id for IPv6 routes. Family-local ids never reach this bit.
const V6_TAG: u32 = 1 << 31;

/// A route id split into (is IPv6, family-local id).
type Route = (bool, u32);

fn encode((v6, id): Route) -> u32 {
    if v6 {
        id | V6_TAG
    } else {
        id
    }
}

fn decode(raw: u32) -> Option<Route> {
    (raw != NIL).then_some((raw & V6_TAG != 0, raw & !V6_TAG))
}

/// First and last route of one owner, as encoded route ids.
#[derive(Clone, Copy, Debug)]
struct Ends {
    head: u32,
    tail: u32,
}

/// A longest-prefix-match table from IP prefixes to peer ids of type `T`.
///
/// Not internally synchronised; wrap it in a lock (or rebuild and swap) to
/// share it between threads.
#[derive(Clone, Debug)]
pub struct AllowedIps<T> {
    v4: Family<u32, T>,
    v6: Family<u128, T>,
    /// Per owner: its routes in insertion order. Owners without routes have
    /// no entry, so departed peers leave nothing behind.
    owners: KeyedMap<T, Ends>,
    len: usize,
    seed: HashSeed,
}

impl<T: Copy + Eq + Hash> Default for AllowedIps<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy + Eq + Hash> AllowedIps<T> {
    /// An empty table whose hash tables use a fixed, public seed: for tables no outsider
    /// fills. Anything fed from the network takes [`with_hash_seed`](Self::with_hash_seed).
    #[must_use]
    pub fn new() -> Self {
        Self::with_seed(HashSeed::PUBLIC)
    }

    /// An empty table whose hash tables are keyed by `seed`, which should be secret and
    /// random (from a CSPRNG) so that nobody can pick addresses that collide.
    #[must_use]
    pub fn with_hash_seed(seed: [u8; 32]) -> Self {
        Self::with_seed(HashSeed::from_bytes(seed))
    }

    pub(crate) fn with_seed(seed: HashSeed) -> Self {
        Self {
            v4: Family::new(seed.derive(4)),
            v6: Family::new(seed.derive(6)),
            owners: seed.derive(0).map(),
            len: 0,
            seed,
        }
    }

    /// Inserts `addr/cidr` for `value`, masking host bits off `addr` first.
    ///
    /// If the masked prefix already exists it now belongs to `value` (even if
    /// another owner had it) and moves to the end of `value`'s list.
    ///
    /// # Errors
    ///
    /// [`AllowedIpsError::InvalidCidr`] if `cidr` exceeds 32 (IPv4) or 128
    /// (IPv6). The same error is returned, and nothing changes, in the
    /// practically unreachable case of one family's storage reaching 2^30
    /// nodes (hundreds of millions of prefixes).
    pub fn insert(&mut self, addr: IpAddr, cidr: u8, value: T) -> Result<(), AllowedIpsError> {
        let (v6, inserted) = match addr {
            IpAddr::V4(a) => (false, self.v4.insert(u32::from(a), cidr, value)),
            IpAddr::V6(a) => (true, self.v6.insert(u128::from(a), cidr, value)),
        };
        let (id, old_owner) = inserted.ok_or(AllowedIpsError::InvalidCidr(cidr))?;
        let route = (v6, id);
        match old_owner {
            Some(old) => self.unlink(route, old),
            None => self.len += 1,
        }
        self.push_back(route, value);
        Ok(())
    }

    /// Removes the exact masked prefix `addr/cidr`, but only if it currently
    /// belongs to `value`. Returns whether anything was removed.
    pub fn remove(&mut self, addr: IpAddr, cidr: u8, value: T) -> bool {
        let found = match addr {
            IpAddr::V4(a) => self.v4.find(u32::from(a), cidr).map(|id| (false, id)),
            IpAddr::V6(a) => self.v6.find(u128::from(a), cidr).map(|id| (true, id)),
        };
        let Some(route) = found else {
            return false;
        };
        if self.owner(route) != Some(value) {
            return false;
        }
        self.unlink(route, value);
        self.delete(route);
        true
    }

    /// Removes every prefix of `value`.
    ///
    /// Costs O(prefixes of `value` × trie depth), independent of the size of
    /// the rest of the table.
    pub fn remove_all(&mut self, value: T) {
        let Some(ends) = self.owners.remove(&value) else {
            return;
        };
        let mut cur = decode(ends.head);
        while let Some(route) = cur {
            // Read the successor first: deleting the route frees its links.
            cur = self.links(route).and_then(|l| decode(l.next));
            self.delete(route);
        }
    }

    /// Longest-prefix match for `addr`.
    #[must_use]
    pub fn lookup(&self, addr: IpAddr) -> Option<T> {
        match addr {
            IpAddr::V4(a) => self.lookup_v4(a.octets()),
            IpAddr::V6(a) => self.lookup_v6(a.octets()),
        }
    }

    /// Longest-prefix match for an IPv4 address in network byte order, as
    /// found in a packet header.
    #[inline]
    #[must_use]
    pub fn lookup_v4(&self, addr: [u8; 4]) -> Option<T> {
        self.v4.lookup(u32::from_be_bytes(addr))
    }

    /// Longest-prefix match for an IPv6 address in network byte order, as
    /// found in a packet header.
    #[inline]
    #[must_use]
    pub fn lookup_v6(&self, addr: [u8; 16]) -> Option<T> {
        self.v6.lookup(u128::from_be_bytes(addr))
    }

    /// The prefixes of `value` in insertion order, as masked network
    /// addresses (`192.95.5.93/27` reads back as `192.95.5.64/27`).
    pub fn iter_for(&self, value: T) -> impl Iterator<Item = (IpAddr, u8)> + '_ {
        let head = self.owners.get(&value).map_or(NIL, |e| e.head);
        let mut cur = decode(head);
        std::iter::from_fn(move || {
            let route = cur?;
            cur = self.links(route).and_then(|l| decode(l.next));
            self.prefix(route)
        })
    }

    /// Number of prefixes in both families.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table holds no prefixes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Removes every prefix and releases the memory.
    pub fn clear(&mut self) {
        *self = Self::with_seed(self.seed);
    }

    /// What each of the table's hash tables makes of one key, to check where their seeds
    /// come from.
    #[cfg(test)]
    pub(crate) fn hash_fingerprint(&self) -> [u64; 3] {
        [
            self.owners.hasher().hash_one(1u32),
            self.v4.hosts_hasher().hash_one(1u32),
            self.v6.hosts_hasher().hash_one(1u32),
        ]
    }

    /// Storage slots in use across both families.
    #[cfg(test)]
    fn live_nodes(&self) -> usize {
        self.v4.live_nodes() + self.v6.live_nodes()
    }

    fn prefix(&self, (v6, id): Route) -> Option<(IpAddr, u8)> {
        if v6 {
            let (key, cidr) = self.v6.prefix(id)?;
            Some((IpAddr::V6(Ipv6Addr::from(key)), cidr))
        } else {
            let (key, cidr) = self.v4.prefix(id)?;
            Some((IpAddr::V4(Ipv4Addr::from(key)), cidr))
        }
    }

    fn owner(&self, (v6, id): Route) -> Option<T> {
        if v6 {
            self.v6.owner(id)
        } else {
            self.v4.owner(id)
        }
    }

    fn links(&self, (v6, id): Route) -> Option<Links> {
        if v6 {
            self.v6.links(id)
        } else {
            self.v4.links(id)
        }
    }

    fn links_mut(&mut self, (v6, id): Route) -> Option<&mut Links> {
        if v6 {
            self.v6.links_mut(id)
        } else {
            self.v4.links_mut(id)
        }
    }

    /// Deletes a route whose list links have already been dealt with.
    fn delete(&mut self, (v6, id): Route) {
        let removed = if v6 {
            self.v6.remove(id)
        } else {
            self.v4.remove(id)
        };
        if removed {
            self.len -= 1;
        }
    }

    /// Appends a route to `owner`'s list.
    fn push_back(&mut self, route: Route, owner: T) {
        let raw = encode(route);
        let ends = self.owners.entry(owner).or_insert(Ends {
            head: NIL,
            tail: NIL,
        });
        let old_tail = std::mem::replace(&mut ends.tail, raw);
        if old_tail == NIL {
            ends.head = raw;
        }
        if let Some(links) = self.links_mut(route) {
            *links = Links {
                prev: old_tail,
                next: NIL,
            };
        }
        if let Some(links) = decode(old_tail).and_then(|t| self.links_mut(t)) {
            links.next = raw;
        }
    }

    /// Takes a route off `owner`'s list, dropping the owner's entry when its
    /// list becomes empty.
    fn unlink(&mut self, route: Route, owner: T) {
        let Some(Links { prev, next }) = self.links(route) else {
            return;
        };
        if let Some(links) = decode(prev).and_then(|p| self.links_mut(p)) {
            links.next = next;
        }
        if let Some(links) = decode(next).and_then(|n| self.links_mut(n)) {
            links.prev = prev;
        }
        if let Some(ends) = self.owners.get_mut(&owner) {
            if prev == NIL {
                ends.head = next;
            }
            if next == NIL {
                ends.tail = prev;
            }
            if ends.head == NIL {
                self.owners.remove(&owner);
            }
        }
    }
}
