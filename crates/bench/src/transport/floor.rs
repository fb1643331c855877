//! The floor: aws-lc-rs's ChaCha20-Poly1305 `LessSafeKey` alone on 1420-byte buffers, printed next
//! to the seal and open rows. It is exactly what ferrotun calls underneath, so the gap to it is
//! ferrotun's wrapper overhead. boringtun 0.7 calls ring's `LessSafeKey` instead (same API; both
//! libraries carry BoringSSL's ChaCha20-Poly1305 assembly), so its gap to this floor is its
//! wrapper overhead plus whatever differs between the two libraries' AEAD code.

use super::{Batch, BATCH, PACKET_LEN};
use crate::harness::time_each;
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
use std::time::Duration;

const TAG: usize = 16;
const STRIDE: usize = PACKET_LEN + TAG;

fn key() -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &[7; 32]).expect("32-byte key"))
}

fn nonce(counter: u64) -> Nonce {
    let mut n = [0u8; 12];
    n[4..].copy_from_slice(&counter.to_le_bytes());
    Nonce::assume_unique_for_key(n)
}

/// Bare aws-lc-rs seal of one buffer in place; the tag is kept aside (the next seal encrypts
/// the ciphertext again).
pub struct Sealer {
    key: LessSafeKey,
    counter: u64,
    buf: Vec<u8>,
    tag: [u8; TAG],
}

impl Default for Sealer {
    fn default() -> Self {
        Sealer {
            key: key(),
            counter: 0,
            buf: super::ip_packet(),
            tag: [0; TAG],
        }
    }
}

impl Sealer {
    /// Times `iters` seals.
    ///
    /// # Panics
    /// If aws-lc-rs refuses to seal.
    pub fn run(&mut self, iters: u64) -> Duration {
        time_each(iters, || {
            self.counter += 1;
            let aad = Aad::empty();
            let tag = self
                .key
                .seal_in_place_separate_tag(nonce(self.counter), aad, &mut self.buf);
            self.tag.copy_from_slice(tag.expect("seal").as_ref());
        })
    }

    /// What the last seal encrypted, recovered by opening its output with the same key and
    /// nonce; `None` if it does not authenticate.
    #[must_use]
    pub fn open_last(&self) -> Option<Vec<u8>> {
        let mut sealed = [&self.buf[..], &self.tag].concat();
        let plain = self
            .key
            .open_in_place(nonce(self.counter), Aad::empty(), &mut sealed)
            .ok()?;
        Some(plain.to_vec())
    }

    /// The buffer the next seal encrypts (the last seal's ciphertext, or the packet at first).
    #[must_use]
    pub fn input(&self) -> &[u8] {
        &self.buf
    }
}

/// Bare aws-lc-rs open of a batch sealed beforehand (no header, no replay window).
pub struct Opener {
    key: LessSafeKey,
    counter: u64,
    batch: Vec<u8>,
}

impl Default for Opener {
    fn default() -> Self {
        Opener {
            key: key(),
            counter: 0,
            batch: vec![0; BATCH * STRIDE],
        }
    }
}

impl Opener {
    /// Slot `i` of the last consumed batch, decrypted in place.
    #[must_use]
    pub fn plaintext(&self, i: usize) -> &[u8] {
        &self.batch[i * STRIDE..][..PACKET_LEN]
    }
}

impl Batch for Opener {
    fn prepare(&mut self, n: usize) {
        let packet = super::ip_packet();
        for (i, slot) in self.batch.chunks_exact_mut(STRIDE).take(n).enumerate() {
            let (data, tag) = slot.split_at_mut(PACKET_LEN);
            data.copy_from_slice(&packet);
            let counter = self.counter + i as u64;
            let sealed = self
                .key
                .seal_in_place_separate_tag(nonce(counter), Aad::empty(), data);
            tag.copy_from_slice(sealed.expect("seal").as_ref());
        }
    }

    fn consume(&mut self, n: usize) {
        for slot in self.batch.chunks_exact_mut(STRIDE).take(n) {
            let plain = self
                .key
                .open_in_place(nonce(self.counter), Aad::empty(), slot);
            std::hint::black_box(plain.expect("open").len());
            self.counter += 1;
        }
    }
}
