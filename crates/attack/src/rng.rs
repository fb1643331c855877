//! The generator for attack traffic (sizes, kinds, garbage bytes): ChaCha8 seeded from the
//! OS, fast enough to fill every datagram at full rate. Keys come from the OS generator.

use rand_chacha::ChaCha8Rng;
use rand_core::{OsRng, RngCore, SeedableRng};

pub struct Rng(ChaCha8Rng);

impl Rng {
    pub fn from_os() -> Rng {
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        Rng(ChaCha8Rng::from_seed(seed))
    }

    /// Uniform-enough in `0..n` (`n` > 0; the modulo bias of a 64-bit draw is irrelevant
    /// here).
    pub fn below(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n.max(1) as u64) as usize
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        self.0.fill_bytes(buf);
    }
}
