//! The machine-readable `show` outputs (`show.c` `ugly_print` and `dump_print`): one field,
//! or everything tab-separated. Peers are in the daemon's order. With `all`, every line
//! starts with the interface name and a tab.

use crate::format::{endpoint, ntop};
use ferrotun_uapi::client::{DeviceInfo, PeerInfo};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;

/// Writes `field` of `device` into `out`; `false` if the field name is unknown.
pub(super) fn print(
    out: &mut Vec<u8>,
    name: &OsStr,
    device: &DeviceInfo,
    field: &OsStr,
    with_interface: bool,
) -> bool {
    let mut lines = Lines {
        out,
        prefix: with_interface.then(|| name.as_bytes()),
    };
    let Some(field) = field.to_str() else {
        return false;
    };
    match field {
        "public-key" => lines.line(&maybe(device.public_key.map(|k| k.to_base64()))),
        "private-key" => lines.line(&maybe(device.private_key.as_ref().map(|k| k.to_base64()))),
        "listen-port" => lines.line(&device.listen_port.to_string()),
        "fwmark" => lines.line(&fwmark(device.fwmark)),
        "dump" => dump(&mut lines, device),
        _ => return per_peer(&mut lines, device, field),
    }
    true
}

/// Lines with an optional interface-name prefix.
struct Lines<'o> {
    out: &'o mut Vec<u8>,
    prefix: Option<&'o [u8]>,
}

impl Lines<'_> {
    fn line(&mut self, text: &str) {
        if let Some(prefix) = self.prefix {
            self.out.extend_from_slice(prefix);
            self.out.push(b'\t');
        }
        self.out.extend_from_slice(text.as_bytes());
        self.out.push(b'\n');
    }
}

/// The fields that print one line per peer: `KEY\tVALUE`.
fn per_peer(lines: &mut Lines<'_>, device: &DeviceInfo, field: &str) -> bool {
    let value: fn(&PeerInfo) -> String = match field {
        "endpoints" => |p| endpoint_or_none(p),
        "allowed-ips" => |p| allowed_ips(p, " "),
        "latest-handshakes" => |p| p.last_handshake_sec.to_string(),
        "transfer" => |p| format!("{}\t{}", p.rx_bytes, p.tx_bytes),
        "persistent-keepalive" => |p| keepalive(p.persistent_keepalive),
        "preshared-keys" => |p| maybe(p.preshared_key.as_ref().map(|k| k.to_base64())),
        "peers" => {
            for peer in &device.peers {
                lines.line(&peer.public_key.to_base64());
            }
            return true;
        }
        _ => return false,
    };
    for peer in &device.peers {
        lines.line(&format!("{}\t{}", peer.public_key.to_base64(), value(peer)));
    }
    true
}

fn dump(lines: &mut Lines<'_>, device: &DeviceInfo) {
    lines.line(&format!(
        "{}\t{}\t{}\t{}",
        maybe(device.private_key.as_ref().map(|k| k.to_base64())),
        maybe(device.public_key.map(|k| k.to_base64())),
        device.listen_port,
        fwmark(device.fwmark)
    ));
    for peer in &device.peers {
        lines.line(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            peer.public_key.to_base64(),
            maybe(peer.preshared_key.as_ref().map(|k| k.to_base64())),
            endpoint_or_none(peer),
            allowed_ips(peer, ","),
            peer.last_handshake_sec,
            peer.rx_bytes,
            peer.tx_bytes,
            keepalive(peer.persistent_keepalive)
        ));
    }
}

/// A key, or `(none)`.
fn maybe(key: Option<String>) -> String {
    key.unwrap_or_else(|| "(none)".to_string())
}

fn fwmark(mark: u32) -> String {
    if mark == 0 {
        "off".to_string()
    } else {
        format!("0x{mark:x}")
    }
}

fn keepalive(seconds: u16) -> String {
    if seconds == 0 {
        "off".to_string()
    } else {
        seconds.to_string()
    }
}

fn endpoint_or_none(peer: &PeerInfo) -> String {
    peer.endpoint
        .as_ref()
        .map_or_else(|| "(none)".to_string(), endpoint)
}

fn allowed_ips(peer: &PeerInfo, separator: &str) -> String {
    if peer.allowed_ips.is_empty() {
        return "(none)".to_string();
    }
    let entries: Vec<String> = peer
        .allowed_ips
        .iter()
        .map(|(ip, cidr)| format!("{}/{cidr}", ntop(*ip)))
        .collect();
    entries.join(separator)
}
