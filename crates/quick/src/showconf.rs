//! `wg showconf` text, byte for byte as wireguard-tools' `showconf.c` writes it. Shared by
//! the `showconf` command and by `save`, which takes its new lines and new `[Peer]` sections
//! from here so that a saved file reads exactly like `wg showconf` output.

use ferrotun_uapi::client::{DeviceInfo, PeerInfo};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// The whole text (it holds the private key; the caller prints it and drops it).
#[must_use]
pub fn render(info: &DeviceInfo) -> String {
    let mut text = String::from("[Interface]\n");
    if info.listen_port != 0 {
        let _ = writeln!(text, "ListenPort = {}", info.listen_port);
    }
    if info.fwmark != 0 {
        let _ = writeln!(text, "FwMark = {}", fwmark_text(info.fwmark));
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

/// One `[Peer]` section, header included, no blank line around it.
pub fn render_peer(text: &mut String, peer: &PeerInfo) {
    let _ = writeln!(text, "[Peer]\nPublicKey = {}", peer.public_key.to_base64());
    if let Some(psk) = &peer.preshared_key {
        let _ = writeln!(text, "PresharedKey = {}", psk.to_base64());
    }
    if !peer.allowed_ips.is_empty() {
        let _ = writeln!(text, "AllowedIPs = {}", allowed_ips_text(&peer.allowed_ips));
    }
    // `wg` leaves the line out when `getnameinfo` fails.
    if let Some(Ok(shown)) = peer.endpoint.as_ref().map(endpoint_text) {
        let _ = writeln!(text, "Endpoint = {shown}");
    }
    if peer.persistent_keepalive != 0 {
        let _ = writeln!(text, "PersistentKeepalive = {}", peer.persistent_keepalive);
    }
}

/// `FwMark`'s value: `0x` and lowercase hex.
#[must_use]
pub fn fwmark_text(mark: u32) -> String {
    format!("0x{mark:x}")
}

/// One allowed IP as `ip/cidr`, the address as `inet_ntop` writes it.
#[must_use]
pub fn prefix_text(ip: IpAddr, cidr: u8) -> String {
    format!("{}/{cidr}", ntop(ip))
}

/// The `AllowedIPs` value: the prefixes joined by `, `.
#[must_use]
pub fn allowed_ips_text(ips: &[(IpAddr, u8)]) -> String {
    let entries: Vec<String> = ips
        .iter()
        .map(|(ip, cidr)| prefix_text(*ip, *cidr))
        .collect();
    entries.join(", ")
}

/// An address as glibc's `inet_ntop` writes it. This differs from Rust's `Display` for
/// IPv4-compatible IPv6 addresses (`::1.2.3.4`), which glibc prints in dotted form.
#[must_use]
pub fn ntop(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => ntop6(a),
    }
}

/// The longest run of at least two zero words, the first of equal ones: (start, length).
fn longest_zero_run(words: &[u16; 8]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < 8 {
        if words[i] != 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < 8 && words[i] == 0 {
            i += 1;
        }
        let len = i - start;
        if len >= 2 && best.is_none_or(|(_, best_len)| len > best_len) {
            best = Some((start, len));
        }
    }
    best
}

fn ntop6(addr: Ipv6Addr) -> String {
    let words = addr.segments();
    let best = longest_zero_run(&words);
    let mut out = String::with_capacity(46);
    for (i, word) in words.iter().enumerate() {
        if let Some((start, len)) = best {
            if (start..start + len).contains(&i) {
                if i == start {
                    out.push(':');
                }
                continue;
            }
        }
        if i != 0 {
            out.push(':');
        }
        // An IPv4-compatible or IPv4-mapped address ends in dotted form.
        let embeds_v4 = best.is_some_and(|(start, len)| {
            start == 0 && (len == 6 || (len == 5 && words[5] == 0xffff))
        });
        if i == 6 && embeds_v4 {
            let o = addr.octets();
            let _ = write!(out, "{}.{}.{}.{}", o[12], o[13], o[14], o[15]);
            return out;
        }
        let _ = write!(out, "{word:x}");
    }
    if best.is_some_and(|(start, len)| start + len == 8) {
        out.push(':');
    }
    out
}

/// An endpoint as `wg` prints it: `getnameinfo` with numeric host and service (so a
/// link-local IPv6 scope shows as the interface name), `[host]:port` for IPv6; the error is
/// `getnameinfo`'s text.
pub fn endpoint_text(addr: &SocketAddr) -> Result<String, String> {
    let flags = libc::NI_DGRAM | libc::NI_NUMERICSERV | libc::NI_NUMERICHOST;
    match dns_lookup::getnameinfo(addr, flags) {
        Ok((host, service)) if addr.is_ipv6() && host.contains(':') => {
            Ok(format!("[{host}]:{service}"))
        }
        Ok((host, service)) => Ok(format!("{host}:{service}")),
        Err(e) => {
            let text = e.to_string();
            Err(text
                .strip_prefix("failed to lookup address information: ")
                .unwrap_or(&text)
                .to_string())
        }
    }
}

#[cfg(test)]
mod tests;
