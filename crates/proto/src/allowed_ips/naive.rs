//! A deliberately naive reference model of the allowed-IPs table, in the
//! spirit of the kernel's `horrible_allowedips` and wireguard-go's
//! `SlowRouter`: a flat list searched linearly. It is obviously correct,
//! which is the point; the property tests compare the trie against it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// One entry: family, masked prefix widened to 128 bits, length, owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    v6: bool,
    key: u128,
    cidr: u8,
    value: u32,
}

/// Entries kept in global insertion order; filtering by owner therefore
/// yields each owner's insertion order.
#[derive(Default, Debug)]
pub(super) struct Naive {
    entries: Vec<Entry>,
}

/// Splits an address into (is_v6, key as u128, width in bits).
fn parts(addr: IpAddr) -> (bool, u128, u8) {
    match addr {
        IpAddr::V4(a) => (false, u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (true, u128::from(a), 128),
    }
}

/// Keeps the top `cidr` bits of a `bits`-wide key by shifting the host bits
/// out and back in (the trie masks differently, with a precomputed mask).
fn mask(key: u128, cidr: u8, bits: u8) -> u128 {
    let host_bits = u32::from(bits - cidr);
    key.checked_shr(host_bits)
        .unwrap_or(0)
        .checked_shl(host_bits)
        .unwrap_or(0)
}

impl Naive {
    pub(super) fn insert(&mut self, addr: IpAddr, cidr: u8, value: u32) -> bool {
        let (v6, key, bits) = parts(addr);
        if cidr > bits {
            return false;
        }
        let entry = Entry {
            v6,
            key: mask(key, cidr, bits),
            cidr,
            value,
        };
        self.entries
            .retain(|e| (e.v6, e.key, e.cidr) != (v6, entry.key, cidr));
        self.entries.push(entry);
        true
    }

    pub(super) fn remove(&mut self, addr: IpAddr, cidr: u8, value: u32) -> bool {
        let (v6, key, bits) = parts(addr);
        if cidr > bits {
            return false;
        }
        let probe = Entry {
            v6,
            key: mask(key, cidr, bits),
            cidr,
            value,
        };
        let before = self.entries.len();
        self.entries.retain(|e| *e != probe);
        self.entries.len() != before
    }

    pub(super) fn remove_all(&mut self, value: u32) {
        self.entries.retain(|e| e.value != value);
    }

    pub(super) fn lookup(&self, addr: IpAddr) -> Option<u32> {
        let (v6, key, bits) = parts(addr);
        self.entries
            .iter()
            .filter(|e| e.v6 == v6 && mask(key, e.cidr, bits) == e.key)
            .max_by_key(|e| e.cidr)
            .map(|e| e.value)
    }

    pub(super) fn iter_for(&self, value: u32) -> Vec<(IpAddr, u8)> {
        self.entries
            .iter()
            .filter(|e| e.value == value)
            .map(Self::readback)
            .collect()
    }

    fn readback(e: &Entry) -> (IpAddr, u8) {
        let addr = match e.v6 {
            // The key was built from a u32, so it fits.
            false => IpAddr::V4(Ipv4Addr::from(e.key as u32)),
            true => IpAddr::V6(Ipv6Addr::from(e.key)),
        };
        (addr, e.cidr)
    }

    /// The entry picked by `index`, as (address, cidr, owner).
    pub(super) fn nth(&self, index: proptest::sample::Index) -> Option<(IpAddr, u8, u32)> {
        if self.entries.is_empty() {
            return None;
        }
        let e = *index.get(&self.entries);
        let (addr, cidr) = Self::readback(&e);
        Some((addr, cidr, e.value))
    }

    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }
}
