//! The human-readable `show` output (`show.c` `pretty_print`).
//!
//! Each `piece` call below corresponds to one `terminal_printf` call in `wg`, because colour
//! filtering works piece by piece. Peers are sorted by latest handshake, newest first, with
//! peers that never completed one last (a stable sort, as glibc's `qsort` is here).

use super::keys_shown;
use crate::format::{bytes, endpoint, ntop, pretty_time};
use crate::terminal::{Terminal, BOLD, CYAN, GREEN, RED, RESET, YELLOW};
use ferrotun_uapi::client::{DeviceInfo, PeerInfo};
use std::cmp::Ordering;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;

/// Prints one device.
pub(super) fn print(t: &mut Terminal<'_>, name: &OsStr, mut device: DeviceInfo) {
    t.piece(RESET);
    let mut header = format!("{GREEN}{BOLD}interface{RESET}: {GREEN}").into_bytes();
    header.extend_from_slice(name.as_bytes());
    header.extend_from_slice(format!("{RESET}\n").as_bytes());
    t.piece_bytes(&header);
    if let Some(public) = &device.public_key {
        t.piece(&format!(
            "  {BOLD}public key{RESET}: {}\n",
            public.to_base64()
        ));
    }
    if let Some(private) = &device.private_key {
        let shown = masked(|| private.to_base64());
        t.piece(&format!("  {BOLD}private key{RESET}: {shown}\n"));
    }
    if device.listen_port != 0 {
        t.piece(&format!(
            "  {BOLD}listening port{RESET}: {}\n",
            device.listen_port
        ));
    }
    if device.fwmark != 0 {
        t.piece(&format!("  {BOLD}fwmark{RESET}: 0x{:x}\n", device.fwmark));
    }
    if !device.peers.is_empty() {
        device.peers.sort_by(newest_handshake_first);
        t.piece("\n");
    }
    let count = device.peers.len();
    for (i, peer) in device.peers.iter().enumerate() {
        print_peer(t, peer);
        if i + 1 < count {
            t.piece("\n");
        }
    }
}

/// A secret, or `(hidden)` unless `WG_HIDE_KEYS=never`.
fn masked(key: impl FnOnce() -> String) -> String {
    if keys_shown() {
        key()
    } else {
        "(hidden)".to_string()
    }
}

/// `peer_cmp`: newest handshake first; never (0 s and 0 ns) last.
fn newest_handshake_first(a: &PeerInfo, b: &PeerInfo) -> Ordering {
    let time = |p: &PeerInfo| (p.last_handshake_sec, p.last_handshake_nsec);
    match (time(a) == (0, 0), time(b) == (0, 0)) {
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => time(b).cmp(&time(a)),
    }
}

fn print_peer(t: &mut Terminal<'_>, peer: &PeerInfo) {
    let key = peer.public_key.to_base64();
    t.piece(&format!(
        "{YELLOW}{BOLD}peer{RESET}: {YELLOW}{key}{RESET}\n"
    ));
    if let Some(psk) = &peer.preshared_key {
        let shown = masked(|| psk.to_base64());
        t.piece(&format!("  {BOLD}preshared key{RESET}: {shown}\n"));
    }
    if let Some(addr) = &peer.endpoint {
        t.piece(&format!("  {BOLD}endpoint{RESET}: {}\n", endpoint(addr)));
    }
    t.piece(&format!("  {BOLD}allowed ips{RESET}: "));
    if peer.allowed_ips.is_empty() {
        t.piece("(none)\n");
    }
    let count = peer.allowed_ips.len();
    for (i, (ip, cidr)) in peer.allowed_ips.iter().enumerate() {
        let end = if i + 1 < count { ", " } else { "\n" };
        t.piece(&format!("{}{CYAN}/{RESET}{cidr}{end}", ntop(*ip)));
    }
    if peer.last_handshake_sec != 0 {
        let ago = ago(peer.last_handshake_sec);
        t.piece(&format!("  {BOLD}latest handshake{RESET}: {ago}\n"));
    }
    if peer.rx_bytes != 0 || peer.tx_bytes != 0 {
        t.piece(&format!("  {BOLD}transfer{RESET}: "));
        t.piece(&format!("{} received, ", bytes(peer.rx_bytes)));
        t.piece(&format!("{} sent\n", bytes(peer.tx_bytes)));
    }
    if peer.persistent_keepalive != 0 {
        let every = pretty_time(u64::from(peer.persistent_keepalive));
        t.piece(&format!(
            "  {BOLD}persistent keepalive{RESET}: every {every}\n"
        ));
    }
}

/// `ago`: "Now" in the same second, a warning if the time is in the future, otherwise the
/// time since.
fn ago(seconds: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    match now.cmp(&seconds) {
        Ordering::Equal => "Now".to_string(),
        Ordering::Less => {
            format!("({RED}System clock wound backward; connection problems may ensue.{RESET})")
        }
        Ordering::Greater => format!("{} ago", pretty_time(now - seconds)),
    }
}
