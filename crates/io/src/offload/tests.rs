//! Tests for the offload module: header codec and checksums here, splitting, coalescing and
//! properties in `tests/`. Packets are built by hand with a naive reference checksum, so the
//! code under test is never its own oracle.

mod coalesce;
mod prop;
mod split;

use super::checksum;
use super::*;

/// Headroom used in the tests, as the engine would leave for the WireGuard data header.
const OFFSET: usize = 16;

/// RFC 1071 the slow way: 16-bit big-endian words, one at a time.
fn naive_sum(data: &[u8]) -> u16 {
    let mut acc: u32 = 0;
    for pair in data.chunks(2) {
        let word = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
        acc += u32::from(word);
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// A TCP or UDP packet description for the builders.
#[derive(Clone, Debug)]
struct Spec {
    v6: bool,
    udp: bool,
    ports: (u16, u16),
    seq: u32,
    ack: u32,
    flags: u8,
    options: Vec<u8>,
    id: u16,
    ttl: u8,
    payload: Vec<u8>,
}

impl Spec {
    fn tcp(v6: bool, seq: u32, payload_len: usize) -> Spec {
        Spec {
            v6,
            udp: false,
            ports: (40000, 5201),
            seq,
            ack: 0x1234_5678,
            flags: 0x10,
            options: Vec::new(),
            id: 0xfff0,
            ttl: 64,
            payload: (0..payload_len)
                .map(|i| (i * 7 + seq as usize) as u8)
                .collect(),
        }
    }

    fn udp(v6: bool, payload_len: usize) -> Spec {
        Spec {
            udp: true,
            ..Spec::tcp(v6, 0, payload_len)
        }
    }

    fn l4_header_len(&self) -> usize {
        if self.udp {
            8
        } else {
            20 + self.options.len()
        }
    }

    fn ip_len(&self) -> usize {
        if self.v6 {
            40
        } else {
            20
        }
    }

    /// The packet with a complete transport checksum.
    fn build(&self) -> Vec<u8> {
        let mut pkt = self.build_partial();
        let l4_at = self.ip_len();
        let field = l4_at + if self.udp { 6 } else { 16 };
        pkt[field..field + 2].copy_from_slice(&[0, 0]);
        let pseudo = naive_pseudo(&pkt, self.v6, l4_at);
        let sum = naive_sum(&[&pseudo[..], &pkt[l4_at..]].concat());
        let value = if !sum == 0 { 0xffff } else { !sum };
        pkt[field..field + 2].copy_from_slice(&value.to_be_bytes());
        pkt
    }

    /// The packet with only the pseudo-header sum in its checksum field (`CHECKSUM_PARTIAL`).
    fn build_partial(&self) -> Vec<u8> {
        let total = self.ip_len() + self.l4_header_len() + self.payload.len();
        let mut pkt = if self.v6 {
            self.ipv6(total)
        } else {
            self.ipv4(total)
        };
        let l4_at = pkt.len();
        pkt.extend_from_slice(&self.ports.0.to_be_bytes());
        pkt.extend_from_slice(&self.ports.1.to_be_bytes());
        if self.udp {
            pkt.extend_from_slice(&((total - l4_at) as u16).to_be_bytes());
            pkt.extend_from_slice(&[0, 0]);
        } else {
            pkt.extend_from_slice(&self.seq.to_be_bytes());
            pkt.extend_from_slice(&self.ack.to_be_bytes());
            pkt.push((((20 + self.options.len()) / 4) << 4) as u8);
            pkt.push(self.flags);
            pkt.extend_from_slice(&[0xff, 0xff, 0, 0, 0, 0]);
            pkt.extend_from_slice(&self.options);
        }
        pkt.extend_from_slice(&self.payload);
        let field = l4_at + if self.udp { 6 } else { 16 };
        let pseudo = naive_sum(&naive_pseudo(&pkt, self.v6, l4_at));
        pkt[field..field + 2].copy_from_slice(&pseudo.to_be_bytes());
        pkt
    }

    fn ipv4(&self, total: usize) -> Vec<u8> {
        let mut h = vec![
            0x45,
            0,
            0,
            0,
            0,
            0,
            0x40,
            0,
            self.ttl,
            if self.udp { 17 } else { 6 },
            0,
            0,
        ];
        h[2..4].copy_from_slice(&(total as u16).to_be_bytes());
        h[4..6].copy_from_slice(&self.id.to_be_bytes());
        h.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
        let sum = naive_sum(&h);
        h[10..12].copy_from_slice(&(!sum).to_be_bytes());
        h
    }

    fn ipv6(&self, total: usize) -> Vec<u8> {
        let mut h = vec![0x60, 0, 0, 0];
        h.extend_from_slice(&((total - 40) as u16).to_be_bytes());
        h.extend_from_slice(&[if self.udp { 17 } else { 6 }, self.ttl]);
        h.extend_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        h.extend_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        h
    }
}

/// The pseudo-header bytes for the transport header at `l4_at`.
fn naive_pseudo(pkt: &[u8], v6: bool, l4_at: usize) -> Vec<u8> {
    let (at, n) = if v6 { (8, 16) } else { (12, 4) };
    let protocol = if v6 { pkt[6] } else { pkt[9] };
    let mut p = pkt[at..at + 2 * n].to_vec();
    p.extend_from_slice(&[0, protocol]);
    p.extend_from_slice(&((pkt.len() - l4_at) as u16).to_be_bytes());
    p
}

/// Whether the IP header checksum (IPv4) and the transport checksum of `pkt` verify.
fn checksums_verify(pkt: &[u8]) -> bool {
    let v6 = pkt[0] >> 4 == 6;
    let l4_at = if v6 {
        40
    } else {
        usize::from(pkt[0] & 0x0f) * 4
    };
    let ip_ok = v6 || naive_sum(&pkt[..l4_at]) == 0xffff;
    let pseudo = naive_pseudo(pkt, v6, l4_at);
    ip_ok && naive_sum(&[&pseudo[..], &pkt[l4_at..]].concat()) == 0xffff
}

/// A buffer holding `pkt` after `OFFSET` bytes of headroom, with 64 KiB of spare capacity.
fn in_buffer(pkt: &[u8]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(OFFSET + 65536);
    buf.resize(OFFSET, 0);
    buf.extend_from_slice(pkt);
    buf
}

#[test]
fn vnet_header_round_trips() {
    let hdr = VirtioNetHdr {
        flags: F_NEEDS_CSUM,
        gso: Gso::TcpV6,
        ecn: true,
        hdr_len: 72,
        gso_size: 1380,
        csum_start: 40,
        csum_offset: 16,
    };
    let bytes = hdr.to_bytes();
    assert_eq!(bytes[..2], [1, 0x84]);
    assert_eq!(VirtioNetHdr::decode(&bytes), Ok(hdr));
    let mut out = [0u8; 12];
    hdr.encode(&mut out).unwrap();
    assert_eq!(out[..VNET_HDR_LEN], bytes);
    assert_eq!(hdr.encode(&mut [0u8; 9]), Err(OffloadError::BufferTooSmall));
}

#[test]
fn vnet_header_is_native_endian() {
    let hdr = VirtioNetHdr {
        gso_size: 0x0102,
        ..VirtioNetHdr::default()
    };
    assert_eq!(hdr.to_bytes()[4..6], 0x0102u16.to_ne_bytes());
}

#[test]
fn vnet_header_rejects_bad_input() {
    assert_eq!(
        VirtioNetHdr::decode(&[0; 9]),
        Err(OffloadError::ShortHeader)
    );
    // 3 is the legacy UDP fragmentation offload, never requested.
    let legacy = [0, 3, 0, 0, 0, 0, 0, 0, 0, 0];
    assert_eq!(
        VirtioNetHdr::decode(&legacy),
        Err(OffloadError::UnknownGsoType(3))
    );
    assert!(VirtioNetHdr::decode(&[0, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
}

#[test]
fn checksum_matches_rfc1071_example() {
    // RFC 1071 §3: the sum of 00 01 f2 03 f4 f5 f6 f7 is 0xddf2.
    assert_eq!(
        checksum::sum(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]),
        0xddf2
    );
    assert_eq!(checksum::sum(&[]), 0);
    assert_eq!(checksum::sum(&[0xab]), 0xab00);
    assert_eq!(checksum::finish(0xffff), 0xffff);
    assert_eq!(checksum::add(0xffff, 1), 1);
}

#[test]
fn checksum_matches_naive_on_every_short_length_and_alignment() {
    let data: Vec<u8> = (0..200u32).map(|i| (i * 151 + 17) as u8).collect();
    for start in 0..4 {
        for end in start..data.len() {
            assert_eq!(
                checksum::sum(&data[start..end]),
                naive_sum(&data[start..end])
            );
        }
    }
    let ones = vec![0xffu8; 65535];
    assert_eq!(checksum::sum(&ones), naive_sum(&ones));
}

#[test]
fn pseudo_header_matches_naive() {
    let pkt = Spec::udp(true, 33).build();
    let ours = checksum::pseudo_header(&pkt[8..24], &pkt[24..40], 17, (pkt.len() - 40) as u32);
    assert_eq!(ours, naive_sum(&naive_pseudo(&pkt, true, 40)));
    assert!(checksum::verifies(ours, &pkt[40..]));
}
