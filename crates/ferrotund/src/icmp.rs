//! ICMP "destination unreachable" for packets no peer will take, as the kernel's WireGuard
//! interface answers (no allowed IP covers the destination, or the peer has no endpoint).
//! The reply appears to come from the unreachable destination, since a TUN interface that
//! may have been moved to another namespace cannot reliably learn its own address.

use ferrotun_io::offload::checksum;

const IPV4_HEADER: usize = 20;
const IPV6_HEADER: usize = 40;
/// RFC 1812: quote as much of the original as fits in a 576-byte reply.
const V4_QUOTE_MAX: usize = 576 - IPV4_HEADER - 8;
/// RFC 4443: the reply must not exceed the IPv6 minimum MTU.
const V6_QUOTE_MAX: usize = 1280 - IPV6_HEADER - 8;

/// The reply to write back into the tunnel for `packet`, or `None` when none is due (not IP,
/// truncated, itself an ICMP error, or from an unspecified/multicast source).
#[must_use]
pub fn host_unreachable(packet: &[u8]) -> Option<Vec<u8>> {
    match packet.first()? >> 4 {
        4 => v4(packet),
        6 => v6(packet),
        _ => None,
    }
}

fn v4(packet: &[u8]) -> Option<Vec<u8>> {
    let header_len = usize::from(packet.first()? & 0x0f) * 4;
    if packet.len() < header_len.max(IPV4_HEADER) {
        return None;
    }
    let (src, dst) = (&packet[12..16], &packet[16..20]);
    let is_icmp_error =
        packet[9] == 1 && matches!(packet.get(header_len), Some(3 | 4 | 5 | 11 | 12));
    if is_icmp_error || src == [0, 0, 0, 0] || src[0] >= 224 {
        return None;
    }
    let quote = &packet[..packet.len().min(V4_QUOTE_MAX)];
    let total = IPV4_HEADER + 8 + quote.len();
    let mut out = vec![0u8; total];
    out[0] = 0x45;
    out[2..4].copy_from_slice(&(total as u16).to_be_bytes());
    out[8] = 64;
    out[9] = 1;
    out[12..16].copy_from_slice(dst);
    out[16..20].copy_from_slice(src);
    let sum = checksum::finish(checksum::sum(&out[..IPV4_HEADER]));
    out[10..12].copy_from_slice(&sum.to_be_bytes());
    out[20] = 3; // destination unreachable
    out[21] = 1; // host unreachable
    out[28..].copy_from_slice(quote);
    let sum = checksum::finish(checksum::sum(&out[20..]));
    out[22..24].copy_from_slice(&sum.to_be_bytes());
    Some(out)
}

fn v6(packet: &[u8]) -> Option<Vec<u8>> {
    if packet.len() < IPV6_HEADER {
        return None;
    }
    let (src, dst) = (&packet[8..24], &packet[24..40]);
    let is_icmp_error = packet[6] == 58 && packet.get(IPV6_HEADER).is_some_and(|t| *t < 128);
    if is_icmp_error || src == [0u8; 16] || src[0] == 0xff {
        return None;
    }
    let quote = &packet[..packet.len().min(V6_QUOTE_MAX)];
    let payload_len = 8 + quote.len();
    let mut out = vec![0u8; IPV6_HEADER + payload_len];
    out[0] = 0x60;
    out[4..6].copy_from_slice(&(payload_len as u16).to_be_bytes());
    out[6] = 58;
    out[7] = 64;
    out[8..24].copy_from_slice(dst);
    out[24..40].copy_from_slice(src);
    out[40] = 1; // destination unreachable
    out[41] = 3; // address unreachable
    out[48..].copy_from_slice(quote);
    // ICMPv6 covers the same pseudo-header as TCP and UDP over IPv6 (RFC 4443 §2.3).
    let pseudo = checksum::pseudo_header(&out[8..24], &out[24..40], 58, payload_len as u32);
    let sum = checksum::finish(checksum::add(pseudo, checksum::sum(&out[40..])));
    out[42..44].copy_from_slice(&sum.to_be_bytes());
    Some(out)
}

#[cfg(test)]
mod tests;
