//! The seeded generator for reproducible keys, packets and data sets: ChaCha8 from
//! `rand_chacha`, so every run (and both implementations) gets the same inputs.
//!
//! Only inputs are drawn from it; the handshakes' ephemeral keys come from `OsRng`, as in a
//! real daemon.

use rand_chacha::ChaCha8Rng;
pub use rand_core::{RngCore, SeedableRng};

/// The benchmarks' generator.
pub type BenchRng = ChaCha8Rng;

/// A generator starting from `seed`.
#[must_use]
pub fn seeded(seed: u64) -> BenchRng {
    BenchRng::seed_from_u64(seed)
}

/// A value in `0..n` (`n > 0`). The modulo bias (below 2^-40 for the small `n` used here) does
/// not matter for a data set's shape.
pub fn below(rng: &mut BenchRng, n: u64) -> u64 {
    rng.next_u64() % n
}

/// 32 random bytes (a key).
pub fn key(rng: &mut BenchRng) -> [u8; 32] {
    let mut k = [0u8; 32];
    rng.fill_bytes(&mut k);
    k
}
