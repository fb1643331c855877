//! The wg(8) side of a wg-quick file: `strip`, the `addconf` request of `up`, and the
//! `syncconf`-style request of `reload`.

mod sync;

pub use sync::{sync_peers, syncconf};

use ferrotun_conf::{AllowedIpOp, Config};
use ferrotun_uapi::client::DeviceInfo;
use ferrotun_uapi::{AllowedIpChange, PeerChange, SetRequest};

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

/// The request `wg setconf` sends for the file: [`addconf_request`] with what the file
/// leaves out reset (no private key, port 0, fwmark off) and the peer list replaced.
#[must_use]
pub fn setconf_request(config: &Config) -> SetRequest {
    let interface = &config.interface;
    SetRequest {
        private_key: Some(interface.private_key.clone().flatten()),
        listen_port: Some(interface.listen_port.unwrap_or(0)),
        fwmark: Some(interface.fwmark.unwrap_or(0)),
        replace_peers: true,
        ..addconf_request(config)
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

/// The `reload` request: `wg syncconf`'s difference between the file and the `running`
/// device, so kept peers are changed in place and their sessions survive. Peers the file
/// no longer lists are removed, and a preshared key or keepalive it no longer gives is
/// cleared (780182e, 0a81a17). Unlike `syncconf`, an interface key the file leaves out is
/// left alone rather than reset: the random port of a file without `ListenPort` (reset,
/// the daemon would rebind and every peer would have to roam), a private key set by a
/// `PreUp` hook, the mark of the default-route scheme (the planner decides the mark).
#[must_use]
pub fn sync_request(config: &Config, running: &DeviceInfo) -> SetRequest {
    let mut request = addconf_request(config);
    sync_peers(&mut request, running);
    request
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
