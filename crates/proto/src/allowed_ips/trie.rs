//! Path-compressed binary trie over one address family.
//!
//! Nodes live in an arena (`Vec`) and refer to each other by `u32` index, so
//! a lookup touches one small, densely packed record per level instead of
//! chasing heap pointers. Each node stores its prefix already masked to its
//! own length; a node is either a *route* (it carries a value) or a *glue*
//! node that only exists to join two subtrees. Glue nodes always have exactly
//! two children, which bounds the arena to `2 * prefixes - 1` live nodes.
//!
//! The data a lookup needs ([`Node`]) is kept apart from the data only
//! mutation and readback need ([`Meta`]), so that four IPv4 nodes share a
//! cache line during the descent.

/// Arena index meaning "no node".
pub(super) const NIL: u32 = u32::MAX;

/// Highest node count. Indices stay below `2^30 - 1`, which leaves the top two
/// bits of a `u32` free to tag the family and the table kind (see `mod.rs`).
pub(super) const MAX_NODES: usize = (1 << 30) - 2;

/// An address used as a trie key: `u32` for IPv4, `u128` for IPv6.
pub(super) trait Key: Copy + Eq {
    /// Address width in bits.
    const BITS: u8;

    /// Keeps the `cidr` most significant bits; `cidr` must be `<= BITS`.
    fn mask(self, cidr: u8) -> Self;

    /// Bit `i` counted from the most significant end (0 or 1); `i < BITS`.
    fn bit(self, i: u8) -> usize;

    /// Number of leading bits that `self` and `other` have in common.
    fn common_bits(self, other: Self) -> u8;
}

macro_rules! impl_key {
    ($t:ty) => {
        impl Key for $t {
            const BITS: u8 = <$t>::BITS as u8;

            #[inline(always)]
            fn mask(self, cidr: u8) -> Self {
                // A shift by the full width is not defined, and /0 keeps no bits.
                let m = <$t>::MAX
                    .checked_shl(u32::from(<Self as Key>::BITS.saturating_sub(cidr)))
                    .unwrap_or(0);
                self & m
            }

            #[inline(always)]
            fn bit(self, i: u8) -> usize {
                let shift = u32::from(<Self as Key>::BITS - 1 - i);
                ((self >> shift) & 1) as usize
            }

            #[inline(always)]
            fn common_bits(self, other: Self) -> u8 {
                // leading_zeros() <= BITS <= 128, so this never truncates.
                (self ^ other).leading_zeros() as u8
            }
        }
    };
}

impl_key!(u32);
impl_key!(u128);

/// The part of a node the lookup descent reads.
#[derive(Clone, Copy, Debug)]
pub(super) struct Node<K> {
    /// Prefix, masked to `cidr`.
    pub(super) key: K,
    /// Child arena indices for next bit 0 and 1, or [`NIL`].
    children: [u32; 2],
    /// Prefix length.
    pub(super) cidr: u8,
    /// Whether this is a route (as opposed to glue).
    has_value: bool,
}

/// A route's neighbours in its owner's insertion-ordered list, as encoded
/// route ids (see `mod.rs`), or [`NIL`] at either end.
#[derive(Clone, Copy, Debug)]
pub(super) struct Links {
    pub(super) prev: u32,
    pub(super) next: u32,
}

impl Links {
    pub(super) const NONE: Self = Self {
        prev: NIL,
        next: NIL,
    };
}

/// The part of a node used only by mutation and readback.
#[derive(Clone, Copy, Debug)]
pub(super) struct Meta<T> {
    /// Owner of the route; `None` for glue and for freed slots.
    pub(super) value: Option<T>,
    pub(super) links: Links,
}

impl<T> Meta<T> {
    const EMPTY: Self = Self {
        value: None,
        links: Links::NONE,
    };
}

/// Parent link of a node on the path from the root: `NIL` means the root slot.
#[derive(Clone, Copy)]
struct Slot {
    parent: u32,
    side: usize,
}

const ROOT: Slot = Slot {
    parent: NIL,
    side: 0,
};

/// One address family's trie.
#[derive(Clone, Debug)]
pub(super) struct Trie<K, T> {
    nodes: Vec<Node<K>>,
    metas: Vec<Meta<T>>,
    /// Freed arena slots, reused before the arena grows.
    free: Vec<u32>,
    root: u32,
}

impl<K: Key, T: Copy + Eq> Trie<K, T> {
    /// An empty trie.
    pub(super) const fn new() -> Self {
        Self {
            nodes: Vec::new(),
            metas: Vec::new(),
            free: Vec::new(),
            root: NIL,
        }
    }

    /// Drops every node and releases the arena.
    pub(super) fn clear(&mut self) {
        *self = Self::new();
    }

    /// Number of arena slots in use (routes plus glue).
    #[cfg(test)]
    pub(super) fn live_nodes(&self) -> usize {
        self.nodes.len() - self.free.len()
    }

    /// Longest-prefix match.
    #[inline]
    pub(super) fn lookup(&self, addr: K) -> Option<T> {
        let mut best = NIL;
        let mut idx = self.root;
        // `NIL` is never a valid index, so `get` doubles as the end-of-path test.
        while let Some(n) = self.nodes.get(idx as usize) {
            if addr.common_bits(n.key) < n.cidr {
                break;
            }
            if n.has_value {
                best = idx;
            }
            if n.cidr >= K::BITS {
                break;
            }
            idx = n.children[addr.bit(n.cidr)];
        }
        self.metas.get(best as usize).and_then(|m| m.value)
    }

    /// The masked prefix stored at `idx`.
    pub(super) fn prefix(&self, idx: u32) -> Option<(K, u8)> {
        self.nodes.get(idx as usize).map(|n| (n.key, n.cidr))
    }

    /// Bookkeeping of the node at `idx`.
    pub(super) fn meta(&self, idx: u32) -> Option<&Meta<T>> {
        self.metas.get(idx as usize)
    }

    /// Mutable bookkeeping of the node at `idx`.
    pub(super) fn meta_mut(&mut self, idx: u32) -> Option<&mut Meta<T>> {
        self.metas.get_mut(idx as usize)
    }

    /// Finds the route node for the exact masked prefix, with its parent slot
    /// and the parent's own slot (both needed to unlink it).
    fn find(&self, key: K, cidr: u8) -> Option<(u32, Slot, Slot)> {
        let (mut slot, mut parent_slot) = (ROOT, ROOT);
        let mut idx = self.root;
        loop {
            let n = self.nodes.get(idx as usize)?;
            if n.cidr > cidr || key.common_bits(n.key) < n.cidr {
                return None;
            }
            if n.cidr == cidr {
                return n.has_value.then_some((idx, slot, parent_slot));
            }
            parent_slot = slot;
            slot = Slot {
                parent: idx,
                side: key.bit(n.cidr),
            };
            idx = n.children[slot.side];
        }
    }

    /// Arena index of the route for the exact masked prefix, if present.
    pub(super) fn find_route(&self, key: K, cidr: u8) -> Option<u32> {
        self.find(key, cidr).map(|(idx, _, _)| idx)
    }

    /// Returns the route node for `key/cidr` (`key` already masked), creating
    /// it and any glue it needs. `None` only if the arena is full.
    pub(super) fn insert(&mut self, key: K, cidr: u8) -> Option<u32> {
        // Reserve up front: an insert needs at most a route and a glue node.
        if self.free.len() < 2 && self.nodes.len() + 2 > MAX_NODES {
            return None;
        }
        let mut slot = ROOT;
        let mut idx = self.root;
        loop {
            let Some(&n) = self.nodes.get(idx as usize) else {
                let new = self.alloc(key, cidr, true);
                self.set_slot(slot, new);
                return Some(new);
            };
            let common = key.common_bits(n.key).min(cidr).min(n.cidr);
            if common == n.cidr {
                if cidr == n.cidr {
                    self.nodes[idx as usize].has_value = true;
                    return Some(idx);
                }
                // `n` covers the new prefix: keep descending.
                slot = Slot {
                    parent: idx,
                    side: key.bit(n.cidr),
                };
                idx = n.children[slot.side];
                continue;
            }
            let new = self.alloc(key, cidr, true);
            if common == cidr {
                // The new prefix covers `n`: it takes `n`'s place above it.
                self.nodes[new as usize].children[n.key.bit(cidr)] = idx;
                self.set_slot(slot, new);
            } else {
                // The prefixes diverge at bit `common`: join them under glue.
                let glue = self.alloc(key.mask(common), common, false);
                let g = &mut self.nodes[glue as usize];
                g.children[key.bit(common)] = new;
                g.children[n.key.bit(common)] = idx;
                self.set_slot(slot, glue);
            }
            return Some(new);
        }
    }

    /// Deletes the route for `key/cidr` and any glue left with one child.
    /// Returns whether a route was found.
    pub(super) fn remove(&mut self, key: K, cidr: u8) -> bool {
        let Some((idx, slot, parent_slot)) = self.find(key, cidr) else {
            return false;
        };
        let children = self.nodes[idx as usize].children;
        match children {
            [NIL, NIL] => {
                self.set_slot(slot, NIL);
                self.release(idx);
                self.collapse_glue(slot, parent_slot);
            }
            [only, NIL] | [NIL, only] => {
                self.set_slot(slot, only);
                self.release(idx);
            }
            _ => {
                // Two subtrees still hang here; keep the node as glue.
                self.nodes[idx as usize].has_value = false;
                self.metas[idx as usize] = Meta::EMPTY;
            }
        }
        true
    }

    /// After a leaf under `slot.parent` was removed, splices that parent out
    /// if it is glue, since glue with a single child serves no purpose.
    fn collapse_glue(&mut self, slot: Slot, parent_slot: Slot) {
        let Some(parent) = self.nodes.get(slot.parent as usize) else {
            return;
        };
        if parent.has_value {
            return;
        }
        let sibling = parent.children[1 - slot.side];
        self.set_slot(parent_slot, sibling);
        self.release(slot.parent);
    }

    fn set_slot(&mut self, slot: Slot, child: u32) {
        match self.nodes.get_mut(slot.parent as usize) {
            Some(p) => p.children[slot.side] = child,
            None => self.root = child,
        }
    }

    fn alloc(&mut self, key: K, cidr: u8, has_value: bool) -> u32 {
        let node = Node {
            key,
            children: [NIL; 2],
            cidr,
            has_value,
        };
        match self.free.pop() {
            Some(idx) => {
                self.nodes[idx as usize] = node;
                self.metas[idx as usize] = Meta::EMPTY;
                idx
            }
            None => {
                self.nodes.push(node);
                self.metas.push(Meta::EMPTY);
                // `insert` keeps the length below MAX_NODES, so this fits.
                (self.nodes.len() - 1) as u32
            }
        }
    }

    fn release(&mut self, idx: u32) {
        self.metas[idx as usize] = Meta::EMPTY;
        self.free.push(idx);
        if self.free.len() == self.nodes.len() {
            // Everything is free: give the memory back instead of hoarding it.
            self.clear();
        }
    }
}
