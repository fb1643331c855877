//! The one hasher of the crate's hash tables, keyed by seeds drawn from the device's RNG.
//!
//! Tables hash addresses, receiver indices and public keys, some of which arrive from the
//! network, so every table is keyed by a secret seed: without it nobody can predict which
//! keys share a probe sequence. The seeds come from the RNG injected into
//! [`Device::new`](crate::device::Device::new), never from the operating system, so a
//! device given a seeded RNG (the simulator) behaves the same on every run, while a
//! production device, given an OS-seeded CSPRNG, gets secret seeds.
//!
//! The hasher is aHash: every packet costs a lookup or three, and SipHash showed in
//! profiles. Each table gets 256 secret bits of its own, all mixed into the input (a hash
//! keyed by a secret per-table value alone, with public mixing constants, lets anyone who
//! can pick the input zero a multiplicand and collide every key). The one table an outsider
//! fills in bulk with keys of their choosing, the handshake rate limiter's, is a B-tree and
//! needs no seed.

use crate::crypto::hmac;
use std::collections::HashMap;

/// How one table hashes its keys: aHash's state, made only by [`HashSeed::keyed`] from our
/// seed (never by `RandomState::new`, which would take the OS's or a fixed one).
pub(crate) type Keyed = ahash::RandomState;

/// A hash map keyed by a [`HashSeed`].
pub(crate) type KeyedMap<K, V> = HashMap<K, V, Keyed>;

/// A secret hashing seed, from which each table derives its own.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct HashSeed([u8; 32]);

impl HashSeed {
    /// A fixed, public seed, for tables no outsider fills (benchmarks, tests).
    pub(crate) const PUBLIC: HashSeed = HashSeed([0; 32]);

    /// A seed drawn from `rng`.
    pub(crate) fn from_rng(rng: &mut dyn rand_core::RngCore) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        HashSeed(seed)
    }

    /// A seed the caller chose.
    pub(crate) fn from_bytes(seed: [u8; 32]) -> Self {
        HashSeed(seed)
    }

    /// The seed of table `label`: HMAC-BLAKE2s of the label, so tables get independent
    /// seeds and one table's behaviour tells nothing about another's.
    pub(crate) fn derive(self, label: u64) -> HashSeed {
        HashSeed(hmac(
            &self.0,
            &[b"ferrotun hash table", &label.to_le_bytes()],
        ))
    }

    /// The hasher of a table with this seed.
    pub(crate) fn keyed(self) -> Keyed {
        let word = |i: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&self.0[i * 8..i * 8 + 8]);
            u64::from_le_bytes(bytes)
        };
        ahash::RandomState::with_seeds(word(0), word(1), word(2), word(3))
    }

    /// An empty map hashed with this seed.
    pub(crate) fn map<K, V>(self) -> KeyedMap<K, V> {
        HashMap::with_hasher(self.keyed())
    }
}

impl core::fmt::Debug for HashSeed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The seed is what keeps hash collisions unpredictable.
        f.write_str("HashSeed(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;

    fn hash_of(seed: HashSeed, key: u32) -> u64 {
        seed.keyed().hash_one(key)
    }

    #[test]
    fn seeds_are_the_rngs_and_differ_per_table() {
        let rng = |s| rand_chacha::ChaCha20Rng::seed_from_u64(s);
        let a = HashSeed::from_rng(&mut rng(1));
        assert_eq!(a, HashSeed::from_rng(&mut rng(1)), "same RNG, same seed");
        assert_ne!(a, HashSeed::from_rng(&mut rng(2)));
        assert_ne!(hash_of(a, 7), hash_of(HashSeed::from_rng(&mut rng(2)), 7));
        assert_ne!(a.derive(1), a.derive(2));
        assert_ne!(hash_of(a.derive(1), 7), hash_of(a.derive(2), 7));
        assert_eq!(hash_of(a.derive(1), 7), hash_of(a.derive(1), 7));
        assert_eq!(format!("{a:?}"), "HashSeed(..)");
    }

    /// Every seed word changes the hash: none is a constant the input could cancel.
    #[test]
    fn every_seed_word_counts() {
        let key: std::net::IpAddr = "2001:db8::1".parse().unwrap();
        let base = HashSeed::from_bytes([9; 32]);
        for word in 0..4 {
            let mut other = base;
            other.0[word * 8] ^= 1;
            assert_ne!(base.keyed().hash_one(key), other.keyed().hash_one(key));
        }
    }
}
