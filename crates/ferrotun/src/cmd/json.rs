//! `ferrotun show --json`: the data of `show` as JSON, a ferrotun extension.
//!
//! * `show --json` and `show all --json` print an array with one object per interface that
//!   could be read (the others are reported on standard error, as in `show all`);
//! * `show <interface> --json` prints that interface's object;
//! * `show interfaces --json` prints an array of names.
//!
//! An interface object:
//!
//! ```json
//! {
//!   "interface": "wg0",
//!   "public_key": "base64 or null",
//!   "private_key": "(hidden), base64 with WG_HIDE_KEYS=never, or null",
//!   "listen_port": 51820,
//!   "fwmark": 0,
//!   "peers": [
//!     {
//!       "public_key": "base64",
//!       "preshared_key": "(hidden), base64 with WG_HIDE_KEYS=never, or null",
//!       "endpoint": "192.0.2.1:51820 (as wg prints it) or null",
//!       "allowed_ips": ["10.0.0.2/32", "fd00::2/128"],
//!       "latest_handshake": 1700000000,
//!       "latest_handshake_nsec": 0,
//!       "rx_bytes": 0,
//!       "tx_bytes": 0,
//!       "persistent_keepalive": 25
//!     }
//!   ]
//! }
//! ```
//!
//! Numbers are plain integers: a port or mark of 0 means none or off, a handshake time of 0
//! means never, a keepalive of 0 means off. Peers are in the daemon's order (as in `dump`).
//! Secrets follow `WG_HIDE_KEYS` exactly as the pretty output does. The output is indented
//! and ends with a newline.

use super::keys_shown;
use crate::format::{endpoint, ntop};
use ferrotun_uapi::client::{DeviceInfo, PeerInfo};
use serde_json::{json, Value};
use std::ffi::{OsStr, OsString};

/// One interface as a JSON value.
pub(super) fn device(name: &OsStr, device: &DeviceInfo) -> Value {
    json!({
        "interface": name.to_string_lossy(),
        "public_key": device.public_key.map(|k| k.to_base64()),
        "private_key": device.private_key.as_ref().map(|k| secret(k.to_base64())),
        "listen_port": device.listen_port,
        "fwmark": device.fwmark,
        "peers": device.peers.iter().map(peer).collect::<Vec<_>>(),
    })
}

fn peer(peer: &PeerInfo) -> Value {
    json!({
        "public_key": peer.public_key.to_base64(),
        "preshared_key": peer.preshared_key.as_ref().map(|k| secret(k.to_base64())),
        "endpoint": peer.endpoint.as_ref().map(endpoint),
        "allowed_ips": peer
            .allowed_ips
            .iter()
            .map(|(ip, cidr)| format!("{}/{cidr}", ntop(*ip)))
            .collect::<Vec<_>>(),
        "latest_handshake": peer.last_handshake_sec,
        "latest_handshake_nsec": peer.last_handshake_nsec,
        "rx_bytes": peer.rx_bytes,
        "tx_bytes": peer.tx_bytes,
        "persistent_keepalive": peer.persistent_keepalive,
    })
}

fn secret(key: String) -> String {
    if keys_shown() {
        key
    } else {
        "(hidden)".to_string()
    }
}

/// The text for one value: indented, with a final newline.
fn text(value: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
    out.push(b'\n');
    out
}

/// `show <interface> --json`.
pub(super) fn single(name: &OsStr, info: &DeviceInfo) -> Vec<u8> {
    text(&device(name, info))
}

/// `show all --json`.
pub(super) fn document_list(devices: Vec<Value>) -> Vec<u8> {
    text(&Value::Array(devices))
}

/// `show interfaces --json`.
pub(super) fn interface_names(names: &[OsString]) -> Vec<u8> {
    let names: Vec<Value> = names
        .iter()
        .map(|n| Value::String(n.to_string_lossy().into_owned()))
        .collect();
    text(&Value::Array(names))
}
