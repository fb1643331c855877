//! ChaCha20-Poly1305 with WireGuard's 64-bit counter nonce, and XChaCha20-Poly1305 for
//! cookie replies (HChaCha20 subkey, then the same AEAD).

use super::CryptoError;
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
use chacha20::cipher::consts::U10;
use chacha20::cipher::generic_array::GenericArray;

/// Length of the Poly1305 tag appended to every ciphertext.
pub const AEAD_TAG_LEN: usize = 16;

/// A ChaCha20-Poly1305 key, expanded once and shareable across threads.
pub struct AeadKey(LessSafeKey);

impl AeadKey {
    /// Prepares `key` for sealing and opening.
    #[must_use]
    pub fn new(key: &[u8; 32]) -> Self {
        // Only a wrong key length is rejected, and the type fixes the length at 32.
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, key)
            .unwrap_or_else(|_| unreachable!("32-byte ChaCha20-Poly1305 key"));
        AeadKey(LessSafeKey::new(unbound))
    }

    /// Encrypts `buf[..len]` in place and writes the tag at `buf[len..len + 16]`.
    pub fn seal(
        &self,
        counter: u64,
        ad: &[u8],
        buf: &mut [u8],
        len: usize,
    ) -> Result<(), CryptoError> {
        let end = len
            .checked_add(AEAD_TAG_LEN)
            .ok_or(CryptoError::BufferTooSmall)?;
        if buf.len() < end {
            return Err(CryptoError::BufferTooSmall);
        }
        let (data, rest) = buf.split_at_mut(len);
        let tag = self
            .0
            .seal_in_place_separate_tag(nonce(counter), Aad::from(ad), data)
            .map_err(|_| CryptoError::BufferTooSmall)?;
        rest[..AEAD_TAG_LEN].copy_from_slice(tag.as_ref());
        Ok(())
    }

    /// Verifies and decrypts `buf` (ciphertext followed by the tag) in place; returns the
    /// plaintext length.
    pub fn open(&self, counter: u64, ad: &[u8], buf: &mut [u8]) -> Result<usize, CryptoError> {
        if buf.len() < AEAD_TAG_LEN {
            return Err(CryptoError::Decrypt);
        }
        let plain = self
            .0
            .open_in_place(nonce(counter), Aad::from(ad), buf)
            .map_err(|_| CryptoError::Decrypt)?;
        Ok(plain.len())
    }
}

fn nonce(counter: u64) -> Nonce {
    let mut n = [0u8; 12];
    n[4..].copy_from_slice(&counter.to_le_bytes());
    Nonce::assume_unique_for_key(n)
}

/// One-shot AEAD seal for handshake fields: `out` = ciphertext ‖ tag, `out.len() == pt.len() + 16`.
pub fn seal_in_place(
    key: &[u8; 32],
    counter: u64,
    pt: &[u8],
    ad: &[u8],
    out: &mut [u8],
) -> Result<(), CryptoError> {
    if out.len() != pt.len() + AEAD_TAG_LEN {
        return Err(CryptoError::BufferTooSmall);
    }
    out[..pt.len()].copy_from_slice(pt);
    AeadKey::new(key).seal(counter, ad, out, pt.len())
}

/// One-shot AEAD open for handshake fields: `out.len() == ct.len() - 16`.
pub fn open_in_place(
    key: &[u8; 32],
    counter: u64,
    ct: &[u8],
    ad: &[u8],
    out: &mut [u8],
) -> Result<(), CryptoError> {
    let mut buf = [0u8; 64];
    let work = buf.get_mut(..ct.len()).ok_or(CryptoError::BufferTooSmall)?;
    work.copy_from_slice(ct);
    let len = AeadKey::new(key).open(counter, ad, work)?;
    if out.len() != len {
        return Err(CryptoError::BufferTooSmall);
    }
    out.copy_from_slice(&work[..len]);
    Ok(())
}

pub(super) fn xchacha_subkey(key: &[u8; 32], nonce: &[u8; 24]) -> ([u8; 32], u64) {
    let sub = chacha20::hchacha::<U10>(
        GenericArray::from_slice(key),
        GenericArray::from_slice(&nonce[..16]),
    );
    let mut tail = [0u8; 8];
    tail.copy_from_slice(&nonce[16..]);
    (sub.into(), u64::from_le_bytes(tail))
}

/// XChaCha20-Poly1305 seal (cookie replies): `out.len() == pt.len() + 16`.
pub fn xseal(
    key: &[u8; 32],
    nonce: &[u8; 24],
    pt: &[u8],
    ad: &[u8],
    out: &mut [u8],
) -> Result<(), CryptoError> {
    let (sub, counter) = xchacha_subkey(key, nonce);
    seal_in_place(&sub, counter, pt, ad, out)
}

/// XChaCha20-Poly1305 open (cookie replies): `out.len() == ct.len() - 16`.
pub fn xopen(
    key: &[u8; 32],
    nonce: &[u8; 24],
    ct: &[u8],
    ad: &[u8],
    out: &mut [u8],
) -> Result<(), CryptoError> {
    let (sub, counter) = xchacha_subkey(key, nonce);
    open_in_place(&sub, counter, ct, ad, out)
}
