//! `showconf <interface>` (`showconf.c`): the configuration in the file format `setconf`
//! reads, peers in the daemon's order.

use super::report;
use crate::console::out_bytes;
use crate::device;
use crate::format::{endpoint_text, ntop};
use crate::Invocation;
use ferrotun_uapi::client::{DeviceInfo, PeerInfo};
use std::fmt::Write as _;

/// `showconf`.
pub fn run(inv: &Invocation<'_>) -> u8 {
    if inv.args.len() != 2 {
        inv.usage("<interface>");
        return 1;
    }
    match device::get_device(&inv.args[1]) {
        Ok(info) => {
            out_bytes(render(&info).as_bytes());
            0
        }
        Err(e) => {
            report("Unable to access interface", &e);
            1
        }
    }
}

/// The whole text (it holds the private key; the caller prints it and drops it).
pub(crate) fn render(info: &DeviceInfo) -> String {
    let mut text = String::from("[Interface]\n");
    if info.listen_port != 0 {
        let _ = writeln!(text, "ListenPort = {}", info.listen_port);
    }
    if info.fwmark != 0 {
        let _ = writeln!(text, "FwMark = 0x{:x}", info.fwmark);
    }
    if let Some(private) = &info.private_key {
        let _ = writeln!(text, "PrivateKey = {}", private.to_base64());
    }
    text.push('\n');
    let count = info.peers.len();
    for (i, peer) in info.peers.iter().enumerate() {
        render_peer(&mut text, peer);
        if i + 1 < count {
            text.push('\n');
        }
    }
    text
}

fn render_peer(text: &mut String, peer: &PeerInfo) {
    let _ = writeln!(text, "[Peer]\nPublicKey = {}", peer.public_key.to_base64());
    if let Some(psk) = &peer.preshared_key {
        let _ = writeln!(text, "PresharedKey = {}", psk.to_base64());
    }
    if !peer.allowed_ips.is_empty() {
        let entries: Vec<String> = peer
            .allowed_ips
            .iter()
            .map(|(ip, cidr)| format!("{}/{cidr}", ntop(*ip)))
            .collect();
        let _ = writeln!(text, "AllowedIPs = {}", entries.join(", "));
    }
    // `wg` leaves the line out when `getnameinfo` fails.
    if let Some(Ok(shown)) = peer.endpoint.as_ref().map(endpoint_text) {
        let _ = writeln!(text, "Endpoint = {shown}");
    }
    if peer.persistent_keepalive != 0 {
        let _ = writeln!(text, "PersistentKeepalive = {}", peer.persistent_keepalive);
    }
}
