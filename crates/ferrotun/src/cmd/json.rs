//! `ferrotun show --json`: the data of `show` as JSON, a ferrotun extension whose format is
//! fixed by the JSON Schema `docs/show-json.v1.schema.json` (explained in `docs/json.md`).
//!
//! * `show --json` and `show all --json` print an array with one object per interface that
//!   could be read (the others are reported on standard error, as in `show all`);
//! * `show <interface> --json` prints that interface's object;
//! * `show interfaces --json` prints an array of names;
//! * a field form (`show <interface> latest-handshakes --json`, also with `all`) prints the
//!   same objects cut down to `interface` and the members that field covers, so that one
//!   schema describes every form; `dump --json` is the whole object, secrets included.
//!
//! Numbers are plain integers: a port or mark of 0 means none or off, a handshake time of 0
//! means never, a keepalive of 0 means off. Peers are in the daemon's order (as in `dump`).
//!
//! Secrets: in the whole object, `private_key` and each `preshared_key` are left out while
//! `WG_HIDE_KEYS` hides them (the default), `null` when there is no such key, and the key
//! with `WG_HIDE_KEYS=never`. The field forms that name a secret (`private-key`,
//! `preshared-keys`) and `dump` print it, as `wg` prints it in those forms. The output is
//! indented and ends with a newline.

use super::keys_shown;
use crate::format::{endpoint, ntop};
use ferrotun_uapi::client::{DeviceInfo, PeerInfo};
use serde_json::{json, Map, Value};
use std::ffi::{OsStr, OsString};

/// Whether the secrets are in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Secrets {
    /// Left out when set (`null` still says "none").
    Hidden,
    /// Printed.
    Shown,
}

/// The members a field form keeps: the interface's, and `Some` of the peers' (then `peers`
/// is kept) or `None` (no `peers`). `dump` keeps everything.
struct Cut {
    device: &'static [&'static str],
    peer: Option<&'static [&'static str]>,
}

/// The field forms of `show`, with the members each one keeps.
const FIELDS: &[(&str, Cut)] = &[
    (
        "public-key",
        Cut {
            device: &["public_key"],
            peer: None,
        },
    ),
    (
        "private-key",
        Cut {
            device: &["private_key"],
            peer: None,
        },
    ),
    (
        "listen-port",
        Cut {
            device: &["listen_port"],
            peer: None,
        },
    ),
    (
        "fwmark",
        Cut {
            device: &["fwmark"],
            peer: None,
        },
    ),
    (
        "peers",
        Cut {
            device: &[],
            peer: Some(&["public_key"]),
        },
    ),
    (
        "preshared-keys",
        Cut {
            device: &[],
            peer: Some(&["public_key", "preshared_key"]),
        },
    ),
    (
        "endpoints",
        Cut {
            device: &[],
            peer: Some(&["public_key", "endpoint"]),
        },
    ),
    (
        "allowed-ips",
        Cut {
            device: &[],
            peer: Some(&["public_key", "allowed_ips"]),
        },
    ),
    (
        "latest-handshakes",
        Cut {
            device: &[],
            peer: Some(&["public_key", "latest_handshake", "latest_handshake_nsec"]),
        },
    ),
    (
        "transfer",
        Cut {
            device: &[],
            peer: Some(&["public_key", "rx_bytes", "tx_bytes"]),
        },
    ),
    (
        "persistent-keepalive",
        Cut {
            device: &[],
            peer: Some(&["public_key", "persistent_keepalive"]),
        },
    ),
];

/// One interface as a JSON value: the whole object, secrets as `WG_HIDE_KEYS` says.
pub(super) fn device(name: &OsStr, device: &DeviceInfo) -> Value {
    let secrets = if keys_shown() {
        Secrets::Shown
    } else {
        Secrets::Hidden
    };
    whole(name, device, secrets)
}

/// One interface as a field form (or `dump`) shows it; `None` for an unknown field.
pub(super) fn field(name: &OsStr, device: &DeviceInfo, field: &OsStr) -> Option<Value> {
    let field = field.to_str()?;
    if field == "dump" {
        return Some(whole(name, device, Secrets::Shown));
    }
    let (_, cut) = FIELDS.iter().find(|(f, _)| *f == field)?;
    let mut value = whole(name, device, Secrets::Shown);
    let object = value.as_object_mut()?;
    object.retain(|key, _| key == "interface" || key == "peers" || cut.device.contains(&&**key));
    match cut.peer {
        None => {
            object.remove("peers");
        }
        Some(members) => {
            for peer in object.get_mut("peers")?.as_array_mut()? {
                if let Some(peer) = peer.as_object_mut() {
                    peer.retain(|key, _| members.contains(&&**key));
                }
            }
        }
    }
    Some(value)
}

fn whole(name: &OsStr, device: &DeviceInfo, secrets: Secrets) -> Value {
    let mut object = Map::new();
    object.insert("interface".into(), name.to_string_lossy().into());
    object.insert(
        "public_key".into(),
        device.public_key.map(|k| k.to_base64()).into(),
    );
    let private = device.private_key.as_ref().map(|k| k.to_base64());
    put_secret(&mut object, "private_key", private, secrets);
    object.insert("listen_port".into(), device.listen_port.into());
    object.insert("fwmark".into(), device.fwmark.into());
    let peers = device.peers.iter().map(|p| peer(p, secrets)).collect();
    object.insert("peers".into(), Value::Array(peers));
    Value::Object(object)
}

fn peer(peer: &PeerInfo, secrets: Secrets) -> Value {
    let mut object = Map::new();
    object.insert("public_key".into(), peer.public_key.to_base64().into());
    let preshared = peer.preshared_key.as_ref().map(|k| k.to_base64());
    put_secret(&mut object, "preshared_key", preshared, secrets);
    let rest = json!({
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
    });
    if let Value::Object(rest) = rest {
        object.extend(rest);
    }
    Value::Object(object)
}

/// A secret member: `null` when there is no key, left out while hidden, else the key.
fn put_secret(object: &mut Map<String, Value>, member: &str, key: Option<String>, how: Secrets) {
    match (key, how) {
        (None, _) => {
            object.insert(member.into(), Value::Null);
        }
        (Some(_), Secrets::Hidden) => {}
        (Some(key), Secrets::Shown) => {
            object.insert(member.into(), key.into());
        }
    }
}

/// The text for one value: indented, with a final newline.
fn text(value: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
    out.push(b'\n');
    out
}

/// `show <interface> --json` (and its field forms): `value` from [`device`] or [`field`].
pub(super) fn single(value: &Value) -> Vec<u8> {
    text(value)
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

#[cfg(test)]
mod tests;
