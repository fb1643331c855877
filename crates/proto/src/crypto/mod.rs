//! The primitives WireGuard is built from, as thin wrappers over one backend each:
//! BLAKE2s (`blake2`), ChaCha20-Poly1305 (`ring`, whose assembly is the fastest well-kept
//! implementation we measured), HChaCha20 for the XChaCha20 cookie AEAD (`chacha20`), and
//! X25519 (`x25519-dalek`).

mod aead;
mod kdf;
mod tai64n;

#[cfg(test)]
use aead::xchacha_subkey;
pub use aead::{open_in_place, seal_in_place, xopen, xseal, AeadKey, AEAD_TAG_LEN};
pub use kdf::{hash, hmac, kdf1, kdf2, kdf3, mac};
pub use tai64n::Tai64n;

use crate::keys::{PrivateKey, PublicKey, KEY_LEN};
use subtle::ConstantTimeEq;

/// A cryptographic operation failed; deliberately carries no detail an attacker could use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// Authentication tag mismatch (wrong key, corrupted or forged message).
    #[error("decryption failed")]
    Decrypt,
    /// The Diffie-Hellman result was all zeros (a low-order public key).
    #[error("invalid public key")]
    InvalidPublicKey,
    /// The output buffer is too small.
    #[error("buffer too small")]
    BufferTooSmall,
}

/// X25519(private, public); an all-zero result is an error, as in the kernel and wireguard-go.
pub fn dh(private: &PrivateKey, public: &PublicKey) -> Result<[u8; KEY_LEN], CryptoError> {
    let secret = x25519_dalek::StaticSecret::from(*private.as_bytes());
    let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(*public.as_bytes()));
    let out = shared.to_bytes();
    if bool::from(out.ct_eq(&[0u8; KEY_LEN])) {
        return Err(CryptoError::InvalidPublicKey);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
