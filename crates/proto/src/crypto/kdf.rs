//! HASH, MAC, HMAC and the HKDF-style KDF1..3, all over BLAKE2s.

use blake2::digest::consts::U16;
use blake2::digest::{FixedOutput, Mac as _, Update};
use blake2::{Blake2s256, Blake2sMac, Digest};
use zeroize::Zeroize;

const BLOCK_LEN: usize = 64;

/// HASH(parts concatenated): unkeyed BLAKE2s-256.
#[must_use]
pub fn hash(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Blake2s256::new();
    for part in parts {
        Digest::update(&mut h, part);
    }
    h.finalize().into()
}

/// MAC(key, parts): BLAKE2s in keyed mode with a 16-byte output (not HMAC).
/// `key` is 32 bytes for mac1 and cookies, 16 bytes (a cookie) for mac2.
#[must_use]
pub fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 16] {
    // Keys here are 16 or 32 bytes, both valid for BLAKE2s; an empty key is the only
    // rejected length and never occurs.
    let Ok(mut m) = Blake2sMac::<U16>::new_from_slice(key) else {
        return [0u8; 16];
    };
    for part in parts {
        Update::update(&mut m, part);
    }
    m.finalize_fixed().into()
}

/// HMAC-BLAKE2s (RFC 2104 with a 64-byte block).
#[must_use]
pub fn hmac(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut pad = [0u8; BLOCK_LEN];
    pad[..32].copy_from_slice(key);
    for b in &mut pad {
        *b ^= 0x36;
    }
    let mut inner = Blake2s256::new();
    Digest::update(&mut inner, pad);
    for part in parts {
        Digest::update(&mut inner, part);
    }
    let mut inner_hash: [u8; 32] = inner.finalize().into();
    for b in &mut pad {
        *b ^= 0x36 ^ 0x5c;
    }
    let out = hash(&[&pad, &inner_hash]);
    pad.zeroize();
    inner_hash.zeroize();
    out
}

fn kdf<const N: usize>(key: &[u8; 32], input: &[u8]) -> [[u8; 32]; N] {
    let mut prk = hmac(key, &[input]);
    let mut out = [[0u8; 32]; N];
    let mut prev: &[u8] = &[];
    let mut tmp = [0u8; 32];
    for (i, slot) in out.iter_mut().enumerate() {
        // i < 3, so the counter byte cannot overflow.
        let counter = [i as u8 + 1];
        tmp = hmac(&prk, &[prev, &counter]);
        *slot = tmp;
        prev = slot;
    }
    prk.zeroize();
    tmp.zeroize();
    out
}

/// KDF1(C, input).
#[must_use]
pub fn kdf1(key: &[u8; 32], input: &[u8]) -> [u8; 32] {
    let [t1] = kdf::<1>(key, input);
    t1
}

/// KDF2(C, input) = (T1, T2).
#[must_use]
pub fn kdf2(key: &[u8; 32], input: &[u8]) -> ([u8; 32], [u8; 32]) {
    let [t1, t2] = kdf::<2>(key, input);
    (t1, t2)
}

/// KDF3(C, input) = (T1, T2, T3).
#[must_use]
pub fn kdf3(key: &[u8; 32], input: &[u8]) -> ([u8; 32], [u8; 32], [u8; 32]) {
    let [t1, t2, t3] = kdf::<3>(key, input);
    (t1, t2, t3)
}
