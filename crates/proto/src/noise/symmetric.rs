//! The Noise symmetric state (chaining key C and hash H) and the small steps every handshake
//! message is built from.

use crate::crypto::{self, hash, kdf1, kdf2, kdf3, CryptoError, X25519Secret};
use crate::keys::{PresharedKey, PublicKey};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// C0 = HASH("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s").
pub(crate) const INITIAL_CHAINING_KEY: [u8; 32] = [
    0x60, 0xe2, 0x6d, 0xae, 0xf3, 0x27, 0xef, 0xc0, 0x2e, 0xc3, 0x35, 0xe2, 0xa0, 0x25, 0xd2, 0xd0,
    0x16, 0xeb, 0x42, 0x06, 0xf8, 0x72, 0x77, 0xf5, 0x2d, 0x38, 0xd1, 0x98, 0x8b, 0x78, 0xcd, 0x36,
];
/// H0 = HASH(C0 ‖ "WireGuard v1 zx2c4 Jason@zx2c4.com").
pub(crate) const INITIAL_HASH: [u8; 32] = [
    0x22, 0x11, 0xb3, 0x61, 0x08, 0x1a, 0xc5, 0x66, 0x69, 0x12, 0x43, 0xdb, 0x45, 0x8a, 0xd5, 0x32,
    0x2d, 0x9c, 0x6c, 0x66, 0x22, 0x93, 0xe8, 0xb7, 0x0e, 0xe1, 0x9c, 0x65, 0xba, 0x07, 0x9e, 0xf3,
];

/// Chaining key and hash of one handshake in progress.
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
pub(crate) struct SymmetricState {
    pub(crate) chaining_key: [u8; 32],
    pub(crate) hash: [u8; 32],
}

impl SymmetricState {
    /// The state both sides start from: C0, and H0 mixed with the responder's static key.
    pub(crate) fn new(responder_static: &PublicKey) -> Self {
        SymmetricState {
            chaining_key: INITIAL_CHAINING_KEY,
            hash: hash(&[&INITIAL_HASH, responder_static.as_bytes()]),
        }
    }

    pub(crate) fn mix_hash(&mut self, data: &[u8]) {
        self.hash = hash(&[&self.hash, data]);
    }

    /// Absorbs an ephemeral public key into both H and C (token `e`).
    pub(crate) fn mix_ephemeral(&mut self, ephemeral: &[u8; 32]) {
        self.mix_hash(ephemeral);
        self.chaining_key = kdf1(&self.chaining_key, ephemeral);
    }

    /// C = KDF1(C, DH(private, public)) (tokens `ee`, `se` of the response).
    pub(crate) fn mix_dh(
        &mut self,
        private: &X25519Secret,
        public: &PublicKey,
    ) -> Result<(), CryptoError> {
        self.mix_key_dh(private.dh(public)?);
        Ok(())
    }

    /// C = KDF1(C, shared) for a DH result computed elsewhere; wipes it.
    pub(crate) fn mix_key_dh(&mut self, mut shared: [u8; 32]) {
        self.chaining_key = kdf1(&self.chaining_key, &shared);
        shared.zeroize();
    }

    /// (C, k) = KDF2(C, shared) for a precomputed or fresh DH result (tokens `es`, `ss`).
    pub(crate) fn mix_key(&mut self, shared: &[u8; 32]) -> [u8; 32] {
        let (ck, key) = kdf2(&self.chaining_key, shared);
        self.chaining_key = ck;
        key
    }

    /// (C, τ, k) = KDF3(C, psk); H = HASH(H ‖ τ) (token `psk`).
    pub(crate) fn mix_psk(&mut self, psk: &PresharedKey) -> [u8; 32] {
        let (ck, mut tau, key) = kdf3(&self.chaining_key, psk.as_bytes());
        self.chaining_key = ck;
        self.mix_hash(&tau);
        tau.zeroize();
        key
    }

    /// AEAD(key, 0, plaintext, H) into `out`, then H = HASH(H ‖ ciphertext).
    pub(crate) fn encrypt_and_hash(
        &mut self,
        key: &[u8; 32],
        plaintext: &[u8],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        crypto::seal_in_place(key, 0, plaintext, &self.hash, out)?;
        self.mix_hash(out);
        Ok(())
    }

    /// Verifies and decrypts `ciphertext` with AD = H into `out`, then H = HASH(H ‖ ciphertext).
    pub(crate) fn decrypt_and_hash(
        &mut self,
        key: &[u8; 32],
        ciphertext: &[u8],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        crypto::open_in_place(key, 0, ciphertext, &self.hash, out)?;
        self.mix_hash(ciphertext);
        Ok(())
    }

    /// The two transport keys (T1, T2) = KDF2(C, ε).
    pub(crate) fn split(&self) -> ([u8; 32], [u8; 32]) {
        kdf2(&self.chaining_key, &[])
    }
}
