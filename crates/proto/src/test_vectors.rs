//! Access to `testdata/wg_vectors.json` for unit tests (origin and checks: docs/vectors.md).

use serde_json::Value;

pub(crate) struct Case(Value);

pub(crate) fn load(name: &str) -> Case {
    let text = include_str!("../testdata/wg_vectors.json");
    let all: Value = serde_json::from_str(text).expect("vector file is JSON");
    Case(all[name].clone())
}

impl Case {
    pub(crate) fn bytes(&self, key: &str) -> Vec<u8> {
        let text = self.0[key]
            .as_str()
            .unwrap_or_else(|| panic!("vector {key} missing"));
        hex::decode(text).expect("vector is hex")
    }

    pub(crate) fn b32(&self, key: &str) -> [u8; 32] {
        self.bytes(key).try_into().expect("32-byte vector")
    }

    pub(crate) fn u32(&self, key: &str) -> u32 {
        self.0[key]
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .expect("u32 vector")
    }

    pub(crate) fn u64(&self, key: &str) -> u64 {
        self.0[key].as_u64().expect("u64 vector")
    }
}

pub(crate) const CASES: [&str; 2] = ["handshake_zero_psk", "handshake_with_psk"];
