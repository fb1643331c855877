//! The body of a `get=1` reply, exactly as wireguard-go writes it (`IpcGetOperation`):
//!
//! ```text
//! private_key=<hex>                  only if set
//! listen_port=<n>                    only if non-zero
//! fwmark=<n>                         only if non-zero
//! public_key=<hex>                   then, per peer:
//! preshared_key=<hex>                always (zeros: none)
//! protocol_version=1
//! endpoint=<a.b.c.d:p | [v6%zone]:p> only if known
//! last_handshake_time_sec=<n>        absolute Unix time, 0 if never
//! last_handshake_time_nsec=<n>
//! tx_bytes=<n>
//! rx_bytes=<n>
//! persistent_keepalive_interval=<n>
//! allowed_ip=<ip>/<cidr>             one per prefix, in insertion order
//! ```
//!
//! The caller ([`crate::server`]) appends `errno=0` and the blank line. Peers come in
//! creation order (the kernel's order; wireguard-go uses map order). The cost is linear in
//! peers plus prefixes.

use crate::apply::Interface;
use crate::text::{write_endpoint, write_hex};
use ferrotun_proto::device::Device;
use ferrotun_proto::peer::Peer;
use std::io::Write as _;

/// Appends the `get` reply lines for `device` to `out` (without `errno=`). `out` receives
/// the private key: the server wipes it after sending.
pub fn write_get<I: Interface + ?Sized>(device: &Device, iface: &I, out: &mut Vec<u8>) {
    // A peer takes about 330 bytes plus its prefixes; growing a large reply by doubling
    // would copy it several times over.
    out.reserve(device.peer_count().saturating_mul(360).saturating_add(200));
    if let Some(key) = device.private_key() {
        key_line(out, "private_key", key.as_bytes());
    }
    let port = iface.listen_port();
    if port != 0 {
        number_line(out, "listen_port", port.into());
    }
    let mark = iface.fwmark();
    if mark != 0 {
        number_line(out, "fwmark", mark.into());
    }
    for id in device.peer_ids() {
        let Some(peer) = device.peer_info(id) else {
            continue;
        };
        write_peer(out, peer, &|index| iface.zone_name(index));
        for (ip, cidr) in device.allowed_ips(id) {
            // Writing into a Vec cannot fail.
            let _ = writeln!(out, "allowed_ip={ip}/{cidr}");
        }
    }
}

/// The lines of one peer up to (not including) its `allowed_ip` lines.
fn write_peer(out: &mut Vec<u8>, peer: &Peer, zone_name: &dyn Fn(u32) -> Option<String>) {
    key_line(out, "public_key", peer.public_key().as_bytes());
    key_line(out, "preshared_key", peer.preshared_key().as_bytes());
    out.extend_from_slice(b"protocol_version=1\n");
    if let Some(endpoint) = peer.endpoint() {
        out.extend_from_slice(b"endpoint=");
        write_endpoint(out, &endpoint.addr, zone_name);
        out.push(b'\n');
    }
    let (secs, nanos) = peer
        .last_handshake()
        .map_or((0, 0), |t| (t.as_secs(), t.subsec_nanos()));
    number_line(out, "last_handshake_time_sec", secs);
    number_line(out, "last_handshake_time_nsec", nanos.into());
    number_line(out, "tx_bytes", peer.tx_bytes());
    number_line(out, "rx_bytes", peer.rx_bytes());
    number_line(
        out,
        "persistent_keepalive_interval",
        peer.persistent_keepalive().into(),
    );
}

fn key_line(out: &mut Vec<u8>, key: &str, bytes: &[u8; 32]) {
    out.extend_from_slice(key.as_bytes());
    out.push(b'=');
    write_hex(out, bytes);
    out.push(b'\n');
}

fn number_line(out: &mut Vec<u8>, key: &str, value: u64) {
    let _ = writeln!(out, "{key}={value}");
}

#[cfg(test)]
mod tests;
