//! The primitives WireGuard is built from, as thin wrappers: BLAKE2s (`blake2`), and
//! ChaCha20-Poly1305 and X25519 from `aws-lc-rs` (AWS-LC's assembly: the AEAD matches ring's
//! speed, and its X25519 is about twice as fast as x25519-dalek's, which sets the handshake
//! rate; it also wipes key material when keys are dropped). HChaCha20 for the XChaCha20
//! cookie AEAD comes from `chacha20`; the AEAD after it is the same ChaCha20-Poly1305.

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
    use aws_lc_rs::agreement::{agree, PrivateKey as AgreementKey, UnparsedPublicKey, X25519};
    let secret = AgreementKey::from_private_key(&X25519, private.as_bytes())
        .map_err(|_| CryptoError::InvalidPublicKey)?;
    let peer = UnparsedPublicKey::new(&X25519, public.as_bytes());
    let out = agree(&secret, peer, CryptoError::InvalidPublicKey, |shared| {
        <[u8; KEY_LEN]>::try_from(shared).map_err(|_| CryptoError::InvalidPublicKey)
    })?;
    // AWS-LC already refuses an all-zero result; checked again because the rule is ours.
    if bool::from(out.ct_eq(&[0u8; KEY_LEN])) {
        return Err(CryptoError::InvalidPublicKey);
    }
    Ok(out)
}

/// The X25519 public key of `private` (scalar multiplication of the base point).
#[must_use]
pub fn public_key(private: &[u8; KEY_LEN]) -> [u8; KEY_LEN] {
    use aws_lc_rs::agreement::{PrivateKey as AgreementKey, X25519};
    let public = AgreementKey::from_private_key(&X25519, private)
        .ok()
        .and_then(|k| k.compute_public_key().ok())
        .and_then(|p| <[u8; KEY_LEN]>::try_from(p.as_ref()).ok());
    // Any 32 bytes are a valid X25519 private key, so the fallback is unreachable.
    public.unwrap_or([0; KEY_LEN])
}

#[cfg(test)]
mod tests;
