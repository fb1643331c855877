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
/// For a key used more than once, prepare an [`X25519Secret`] instead.
pub fn dh(private: &PrivateKey, public: &PublicKey) -> Result<[u8; KEY_LEN], CryptoError> {
    X25519Secret::new(private)?.dh(public)
}

/// An X25519 private key parsed once for repeated key agreement. AWS-LC derives the public
/// key while parsing, a quarter of the cost of a key agreement, so a handshake parses each
/// of its keys only once. AWS-LC wipes the key when it is dropped.
pub struct X25519Secret {
    key: aws_lc_rs::agreement::PrivateKey,
    public: PublicKey,
}

impl X25519Secret {
    /// Parses `private` (any 32 bytes are a valid X25519 scalar; AWS-LC fails only on
    /// allocation failure).
    pub fn new(private: &PrivateKey) -> Result<Self, CryptoError> {
        use aws_lc_rs::agreement::{PrivateKey as AgreementKey, X25519};
        let key = AgreementKey::from_private_key(&X25519, private.as_bytes())
            .map_err(|_| CryptoError::InvalidPublicKey)?;
        let public = key
            .compute_public_key()
            .map_err(|_| CryptoError::InvalidPublicKey)?;
        let public = <[u8; KEY_LEN]>::try_from(public.as_ref())
            .map_err(|_| CryptoError::InvalidPublicKey)?;
        Ok(X25519Secret {
            key,
            public: PublicKey::from_bytes(public),
        })
    }

    /// The matching public key.
    #[must_use]
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// X25519(self, public); an all-zero result is an error.
    pub fn dh(&self, public: &PublicKey) -> Result<[u8; KEY_LEN], CryptoError> {
        use aws_lc_rs::agreement::{agree, UnparsedPublicKey, X25519};
        let peer = UnparsedPublicKey::new(&X25519, public.as_bytes());
        let out = agree(&self.key, peer, CryptoError::InvalidPublicKey, |shared| {
            <[u8; KEY_LEN]>::try_from(shared).map_err(|_| CryptoError::InvalidPublicKey)
        })?;
        // AWS-LC already refuses an all-zero result; checked again because the rule is ours.
        if bool::from(out.ct_eq(&[0u8; KEY_LEN])) {
            return Err(CryptoError::InvalidPublicKey);
        }
        Ok(out)
    }
}

impl core::fmt::Debug for X25519Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("X25519Secret")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
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
