//! Curve25519 static keys and preshared keys, with the two text encodings WireGuard uses:
//! base64 (44 characters, as in `wg` and config files) and hex (64 characters, as in UAPI).
//!
//! Secrets are zeroized on drop and never printed by `Debug`; a public key's `Debug` shows an
//! abbreviated base64 form.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use rand_core::CryptoRngCore;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Length in bytes of every WireGuard key.
pub const KEY_LEN: usize = 32;
const BASE64_LEN: usize = 44;
const HEX_LEN: usize = 64;

/// Why a key could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not 44 characters of base64 ending in `=`.
    #[error("key is not the correct length or format")]
    InvalidBase64,
    /// Not 64 hexadecimal characters.
    #[error("key is not 64 hexadecimal characters")]
    InvalidHex,
}

fn decode_base64(text: &str) -> Result<[u8; KEY_LEN], KeyError> {
    let text = text.as_bytes();
    if text.len() != BASE64_LEN || text[BASE64_LEN - 1] != b'=' {
        return Err(KeyError::InvalidBase64);
    }
    let mut out = [0u8; KEY_LEN];
    match BASE64.decode_slice(text, &mut out) {
        Ok(KEY_LEN) => Ok(out),
        _ => {
            out.zeroize();
            Err(KeyError::InvalidBase64)
        }
    }
}

fn decode_hex(text: &str) -> Result<[u8; KEY_LEN], KeyError> {
    let text = text.as_bytes();
    if text.len() != HEX_LEN {
        return Err(KeyError::InvalidHex);
    }
    let mut out = [0u8; KEY_LEN];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        match (hex_digit(pair[0]), hex_digit(pair[1])) {
            (Some(hi), Some(lo)) => *byte = hi << 4 | lo,
            _ => {
                out.zeroize();
                return Err(KeyError::InvalidHex);
            }
        }
    }
    Ok(out)
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn encode_hex(bytes: &[u8; KEY_LEN]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(HEX_LEN);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Clears and sets the bits X25519 requires of a private scalar (RFC 7748).
#[must_use]
pub fn clamp(mut bytes: [u8; KEY_LEN]) -> [u8; KEY_LEN] {
    bytes[0] &= 248;
    bytes[31] = (bytes[31] & 127) | 64;
    bytes
}

/// A Curve25519 private key, always stored clamped (as `wg` and wireguard-go report it).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct PrivateKey([u8; KEY_LEN]);

impl PrivateKey {
    /// Wraps raw bytes, clamping them.
    #[must_use]
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        PrivateKey(clamp(bytes))
    }

    /// A fresh random key from the caller's RNG.
    #[must_use]
    pub fn generate(rng: &mut dyn CryptoRngCore) -> Self {
        let mut bytes = [0u8; KEY_LEN];
        rng.fill_bytes(&mut bytes);
        let key = Self::from_bytes(bytes);
        bytes.zeroize();
        key
    }

    /// Parses the base64 form used by `wg` and configuration files.
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        decode_base64(text).map(Self::from_bytes)
    }

    /// Parses the hex form used by the UAPI.
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        decode_hex(text).map(Self::from_bytes)
    }

    /// The corresponding public key.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        PublicKey(crate::crypto::public_key(&self.0))
    }

    /// The clamped key bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Base64, as `wg genkey` prints it.
    #[must_use]
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0)
    }

    /// Lowercase hex, as the UAPI `get` reports it.
    #[must_use]
    pub fn to_hex(&self) -> String {
        encode_hex(&self.0)
    }
}

impl core::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PrivateKey(<redacted>)")
    }
}

impl PartialEq for PrivateKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}
impl Eq for PrivateKey {}

/// A Curve25519 public key; identifies a peer.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey([u8; KEY_LEN]);

impl PublicKey {
    /// Wraps raw bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        PublicKey(bytes)
    }

    /// Parses the base64 form used by `wg` and configuration files.
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        decode_base64(text).map(PublicKey)
    }

    /// Parses the hex form used by the UAPI.
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        decode_hex(text).map(PublicKey)
    }

    /// The raw bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Base64, as `wg` prints it.
    #[must_use]
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0)
    }

    /// Lowercase hex, as the UAPI uses it.
    #[must_use]
    pub fn to_hex(&self) -> String {
        encode_hex(&self.0)
    }
}

impl core::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let b64 = self.to_base64();
        write!(f, "PublicKey({}…)", &b64[..8])
    }
}

impl core::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.to_base64())
    }
}

/// A 32-byte preshared key mixed into the handshake; all zeros means "none".
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
pub struct PresharedKey([u8; KEY_LEN]);

impl PresharedKey {
    /// Wraps raw bytes.
    #[must_use]
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        PresharedKey(bytes)
    }

    /// A fresh random key, as `wg genpsk` makes.
    #[must_use]
    pub fn generate(rng: &mut dyn CryptoRngCore) -> Self {
        let mut key = PresharedKey::default();
        rng.fill_bytes(&mut key.0);
        key
    }

    /// Parses the base64 form.
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        decode_base64(text).map(PresharedKey)
    }

    /// Parses the hex form.
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        decode_hex(text).map(PresharedKey)
    }

    /// The raw bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// True when no preshared key is configured (all zeros).
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.0.ct_eq(&[0u8; KEY_LEN]).into()
    }

    /// Base64 form.
    #[must_use]
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0)
    }

    /// Lowercase hex form.
    #[must_use]
    pub fn to_hex(&self) -> String {
        encode_hex(&self.0)
    }
}

impl core::fmt::Debug for PresharedKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(if self.is_zero() {
            "PresharedKey(none)"
        } else {
            "PresharedKey(<redacted>)"
        })
    }
}

impl PartialEq for PresharedKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}
impl Eq for PresharedKey {}

#[cfg(test)]
mod tests;
