//! The wg(8) side of a wg-quick file: `strip`, the `addconf` request, and the `showconf`
//! text that `save` writes back.

use ferrotun_conf::{AllowedIpOp, Config};
use ferrotun_uapi::client::DeviceInfo;
use ferrotun_uapi::{AllowedIpChange, PeerChange, SetRequest};
use std::fmt::Write as _;

/// The keys wg-quick consumes from `[Interface]`.
const QUICK_KEYS: [&str; 9] = [
    "address",
    "dns",
    "mtu",
    "table",
    "preup",
    "postup",
    "predown",
    "postdown",
    "saveconfig",
];

/// `wg-quick strip`: the file without wg-quick's `[Interface]` keys, every other line
/// (comments included) kept verbatim.
#[must_use]
pub fn strip(text: &str) -> String {
    let mut out = String::new();
    let mut in_interface = false;
    for line in text.lines() {
        let code = line.split('#').next().unwrap_or("").trim();
        if code.starts_with('[') {
            in_interface = code.eq_ignore_ascii_case("[interface]");
        } else if in_interface {
            let key = code.split('=').next().unwrap_or("").trim();
            if QUICK_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k)) {
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The request `wg addconf` sends for the file: only what the file says, peers added to the
/// device's (a private key set by a `PreUp` hook survives; 0b7d982).
#[must_use]
pub fn addconf_request(config: &Config) -> SetRequest {
    let interface = &config.interface;
    SetRequest {
        private_key: interface.private_key.clone(),
        listen_port: interface.listen_port,
        fwmark: interface.fwmark,
        replace_peers: false,
        peers: config.peers.iter().map(peer_change).collect(),
    }
}

/// The UAPI change a `[Peer]` section asks for (shared with the `wg`-style commands).
#[must_use]
pub fn peer_change(peer: &ferrotun_conf::Peer) -> PeerChange {
    let mut change = PeerChange::new(peer.public_key);
    change.preshared_key.clone_from(&peer.preshared_key);
    change.endpoint = peer.endpoint.as_ref().map(|e| e.addr);
    change.persistent_keepalive = peer.persistent_keepalive;
    change.replace_allowed_ips = peer.replace_allowed_ips;
    change.allowed_ips = peer
        .allowed_ips
        .iter()
        .map(|a| {
            let op = match a.op {
                AllowedIpOp::Add => ferrotun_uapi::AllowedIpOp::Add,
                AllowedIpOp::Remove => ferrotun_uapi::AllowedIpOp::Remove,
            };
            AllowedIpChange::new(op, a.ip, a.cidr)
        })
        .collect();
    change
}

/// The `[Peer]` sections of `wg showconf`, for `save` (the `[Interface]` part is written by
/// the caller, which adds the wg-quick keys).
#[must_use]
pub fn showconf_interface_keys(info: &DeviceInfo) -> String {
    let mut text = String::new();
    if info.listen_port != 0 {
        let _ = writeln!(text, "ListenPort = {}", info.listen_port);
    }
    if info.fwmark != 0 {
        let _ = writeln!(text, "FwMark = 0x{:x}", info.fwmark);
    }
    if let Some(private) = &info.private_key {
        let _ = writeln!(text, "PrivateKey = {}", private.to_base64());
    }
    text
}

/// The `[Peer]` sections of `wg showconf`.
#[must_use]
pub fn showconf_peers(info: &DeviceInfo) -> String {
    let mut text = String::new();
    for peer in &info.peers {
        let _ = writeln!(
            text,
            "\n[Peer]\nPublicKey = {}",
            peer.public_key.to_base64()
        );
        if let Some(psk) = &peer.preshared_key {
            let _ = writeln!(text, "PresharedKey = {}", psk.to_base64());
        }
        if !peer.allowed_ips.is_empty() {
            let ips: Vec<String> = peer
                .allowed_ips
                .iter()
                .map(|(ip, cidr)| format!("{ip}/{cidr}"))
                .collect();
            let _ = writeln!(text, "AllowedIPs = {}", ips.join(", "));
        }
        if let Some(endpoint) = peer.endpoint {
            let _ = writeln!(text, "Endpoint = {endpoint}");
        }
        if peer.persistent_keepalive != 0 {
            let _ = writeln!(text, "PersistentKeepalive = {}", peer.persistent_keepalive);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::strip;

    #[test]
    fn strip_drops_only_quick_interface_keys() {
        let text = "[Interface]\nAddress = 10.0.0.1/24 # me\nPrivateKey = k\n DNS=1.1.1.1\n\
                    PostUp = echo %i\n[Peer]\nPublicKey = p\nAddress = kept\n";
        assert_eq!(
            strip(text),
            "[Interface]\nPrivateKey = k\n[Peer]\nPublicKey = p\nAddress = kept\n"
        );
    }
}
