//! Just enough IPv4/IPv6/TCP/UDP header access for splitting and coalescing.
//!
//! Accessors index directly: callers check lengths first (see `Ip::parse`, `split::Plan::new`).

use super::checksum;

/// IP protocol number of TCP.
pub(super) const PROTO_TCP: u8 = 6;
/// IP protocol number of UDP.
pub(super) const PROTO_UDP: u8 = 17;

pub(super) const TCP_FIN: u8 = 0x01;
pub(super) const TCP_PSH: u8 = 0x08;
pub(super) const TCP_ACK: u8 = 0x10;
pub(super) const TCP_CWR: u8 = 0x80;
/// Offset of the flags byte inside the TCP header.
pub(super) const TCP_FLAGS_AT: usize = 13;
pub(super) const TCP_MIN_LEN: usize = 20;
pub(super) const TCP_MAX_LEN: usize = 60;
pub(super) const TCP_CSUM_OFFSET: u16 = 16;
pub(super) const UDP_LEN: usize = 8;
pub(super) const UDP_CSUM_OFFSET: u16 = 6;
pub(super) const IPV4_MIN_LEN: usize = 20;
pub(super) const IPV6_LEN: usize = 40;
/// The largest IPv4 total length (and the largest IPv6 packet without jumbograms we build).
pub(super) const MAX_IP_LEN: usize = 0xffff;

pub(super) fn get_u16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

pub(super) fn put_u16(b: &mut [u8], at: usize, value: u16) {
    b[at..at + 2].copy_from_slice(&value.to_be_bytes());
}

pub(super) fn get_u32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

pub(super) fn put_u32(b: &mut [u8], at: usize, value: u32) {
    b[at..at + 4].copy_from_slice(&value.to_be_bytes());
}

/// Offset and length of the source address; the destination follows it directly.
pub(super) fn addr_span(v6: bool) -> (usize, usize) {
    if v6 {
        (8, 16)
    } else {
        (12, 4)
    }
}

/// Sum of the pseudo-header of `pkt` for an upper-layer length of `l4_len`.
pub(super) fn pseudo_sum(pkt: &[u8], v6: bool, protocol: u8, l4_len: usize) -> u16 {
    let (at, n) = addr_span(v6);
    // l4_len is bounded by the packet length, far below u32::MAX.
    let len = u32::try_from(l4_len).unwrap_or(u32::MAX);
    checksum::pseudo_header(&pkt[at..at + n], &pkt[at + n..at + 2 * n], protocol, len)
}

/// Rewrites the length field of the IP header for a packet that is now `total` bytes long, and
/// the IPv4 header checksum.
pub(super) fn set_ip_len(pkt: &mut [u8], v6: bool, ihl: usize, total: usize) {
    // Callers cap `total` at MAX_IP_LEN, so the casts are exact.
    if v6 {
        put_u16(pkt, 4, (total - IPV6_LEN) as u16);
    } else {
        put_u16(pkt, 2, total as u16);
        put_u16(pkt, 10, 0);
        let sum = checksum::sum(&pkt[..ihl]);
        put_u16(pkt, 10, !sum);
    }
}

/// Computes the full transport checksum of `pkt` (header at `l4_at`, checksum field at
/// `l4_at + csum_offset`) and stores it.
pub(super) fn set_l4_checksum(
    pkt: &mut [u8],
    v6: bool,
    protocol: u8,
    l4_at: usize,
    csum_offset: u16,
) {
    let field = l4_at + usize::from(csum_offset);
    put_u16(pkt, field, 0);
    let pseudo = pseudo_sum(pkt, v6, protocol, pkt.len() - l4_at);
    let sum = checksum::add(pseudo, checksum::sum(&pkt[l4_at..]));
    put_u16(pkt, field, checksum::finish(sum));
}

/// The fixed part of a packet that GRO can work with: a whole (unfragmented) IPv4 or IPv6 packet
/// whose length fields match the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Ip {
    pub(super) v6: bool,
    /// IPv4 header length with options; 40 for IPv6 (extension headers are not walked).
    pub(super) header_len: usize,
    /// IPv4 protocol or IPv6 next header.
    pub(super) protocol: u8,
}

impl Ip {
    /// Parses `pkt`; `None` for anything malformed, fragmented or of an unknown version.
    pub(super) fn parse(pkt: &[u8]) -> Option<Ip> {
        match pkt.first()? >> 4 {
            4 if pkt.len() >= IPV4_MIN_LEN => {
                let header_len = usize::from(pkt[0] & 0x0f) * 4;
                let fragmented = get_u16(pkt, 6) & 0x3fff != 0;
                let whole = usize::from(get_u16(pkt, 2)) == pkt.len();
                (header_len >= IPV4_MIN_LEN && header_len <= pkt.len() && whole && !fragmented)
                    .then_some(Ip {
                        v6: false,
                        header_len,
                        protocol: pkt[9],
                    })
            }
            6 if pkt.len() >= IPV6_LEN => {
                let whole = usize::from(get_u16(pkt, 4)) + IPV6_LEN == pkt.len();
                whole.then_some(Ip {
                    v6: true,
                    header_len: IPV6_LEN,
                    protocol: pkt[6],
                })
            }
            _ => None,
        }
    }

    /// Whether the IP headers of two packets of one flow agree on everything GRO must keep
    /// (the rules of the kernel's `inet_gro_receive` / `ipv6_gro_receive`): IPv4 TOS, TTL and
    /// the DF bit; the IPv6 version/class/flow-label word and hop limit.
    pub(super) fn same_treatment(&self, a: &[u8], b: &[u8]) -> bool {
        if self.v6 {
            a[..4] == b[..4] && a[7] == b[7]
        } else {
            a[1] == b[1] && a[6] >> 5 == b[6] >> 5 && a[8] == b[8]
        }
    }
}
