//! A fast non-cryptographic generator for attack traffic (sizes, garbage bytes, ports):
//! xoshiro256**, seeded from the OS. Keys come from the OS generator instead.

use rand_core::{OsRng, RngCore};

pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn from_os() -> Rng {
        let mut s = [0u64; 4];
        for word in &mut s {
            *word = OsRng.next_u64() | 1;
        }
        Rng { s }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform-enough in `0..n` (`n` > 0; the modulo bias is irrelevant here).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}
