//! Shared helpers for the ferrotun fuzz targets: the reference vectors (the same
//! `testdata/wg_vectors.json` the proto crate's unit tests use) and a byte reader that turns
//! fuzzer input into operation sequences.

use serde_json::Value;
use std::sync::OnceLock;

/// The two handshake cases in the vector file (zero PSK, non-zero PSK).
pub const CASES: [&str; 2] = ["handshake_zero_psk", "handshake_with_psk"];

fn all_vectors() -> &'static Value {
    static VECTORS: OnceLock<Value> = OnceLock::new();
    VECTORS.get_or_init(|| {
        let text = include_str!("../../crates/proto/testdata/wg_vectors.json");
        serde_json::from_str(text).expect("wg_vectors.json is JSON")
    })
}

/// One named case of the vector file (`handshake_zero_psk`, `handshake_with_psk`, `cookie`).
#[derive(Clone, Copy)]
pub struct Case(&'static Value);

/// Looks up a case by name.
#[must_use]
pub fn case(name: &str) -> Case {
    let v = &all_vectors()[name];
    assert!(v.is_object(), "vector case {name} missing");
    Case(v)
}

impl Case {
    /// A hex field, decoded.
    #[must_use]
    pub fn bytes(&self, key: &str) -> Vec<u8> {
        let text = self.0[key]
            .as_str()
            .unwrap_or_else(|| panic!("vector field {key} missing"));
        hex::decode(text).expect("vector field is hex")
    }

    /// A 32-byte hex field.
    #[must_use]
    pub fn b32(&self, key: &str) -> [u8; 32] {
        self.bytes(key).try_into().expect("32-byte vector field")
    }

    /// An integer field.
    #[must_use]
    pub fn u64(&self, key: &str) -> u64 {
        self.0[key].as_u64().expect("integer vector field")
    }

    /// An integer field that fits a u32 (message indices).
    #[must_use]
    pub fn u32(&self, key: &str) -> u32 {
        u32::try_from(self.u64(key)).expect("u32 vector field")
    }
}

/// Reads fixed-size values off the front of fuzzer input; yields zeros once it runs dry, so a
/// target never has to handle "not enough input" in the middle of an operation.
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    /// Wraps the input.
    #[must_use]
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data }
    }

    /// Whether all input was consumed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next byte (0 when exhausted).
    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// The next little-endian u16.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    /// The next little-endian u32.
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.array())
    }

    /// The next little-endian u64.
    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.array())
    }

    /// The next `N` bytes, zero-filled past the end.
    pub fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        out
    }

    /// Up to `max` bytes: a little-endian u16 length (taken modulo `max + 1`), then that many
    /// bytes (fewer at the end of input).
    pub fn chunk(&mut self, max: usize) -> &'a [u8] {
        let want = usize::from(self.u16()) % (max + 1);
        let n = want.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }

    /// Everything not yet consumed.
    pub fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.data)
    }
}
