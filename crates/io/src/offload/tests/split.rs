//! `split` and `complete_checksum`.

use super::*;

/// The vnet header the kernel attaches to a TSO/USO super-packet built from `spec`.
pub(super) fn gso_header(spec: &Spec, gso_size: u16) -> VirtioNetHdr {
    let l4_at = spec.ip_len() as u16;
    VirtioNetHdr {
        flags: F_NEEDS_CSUM,
        gso: match (spec.udp, spec.v6) {
            (true, _) => Gso::UdpL4,
            (false, false) => Gso::TcpV4,
            (false, true) => Gso::TcpV6,
        },
        ecn: false,
        hdr_len: l4_at + spec.l4_header_len() as u16,
        gso_size,
        csum_start: l4_at,
        csum_offset: if spec.udp { 6 } else { 16 },
    }
}

fn pool(n: usize) -> (Vec<Vec<u8>>, Vec<usize>) {
    (vec![vec![0u8; OFFSET + 2048]; n], vec![0; n])
}

/// Splits, then checks every segment against the super-packet; returns the segments.
fn split_and_check(spec: &Spec, mss: usize) -> Vec<Vec<u8>> {
    let packet = spec.build_partial();
    let hdr = gso_header(spec, mss as u16);
    let (mut bufs, mut sizes) = pool(128);
    let n = split(&hdr, &packet, &mut bufs, &mut sizes, OFFSET).unwrap();
    assert_eq!(n, spec.payload.len().div_ceil(mss));
    let headers = usize::from(hdr.hdr_len);
    let l4 = spec.ip_len();
    let mut payload = Vec::new();
    for i in 0..n {
        let seg = &bufs[i][OFFSET..OFFSET + sizes[i]];
        assert!(checksums_verify(seg), "segment {i}");
        assert!(seg.len() <= headers + mss);
        if spec.v6 {
            assert_eq!(usize::from(be16(seg, 4)), seg.len() - 40);
        } else {
            assert_eq!(usize::from(be16(seg, 2)), seg.len());
            assert_eq!(be16(seg, 4), spec.id.wrapping_add(i as u16));
        }
        if spec.udp {
            assert_eq!(usize::from(be16(seg, l4 + 4)), seg.len() - l4);
        } else {
            assert_eq!(be32(seg, l4 + 4), spec.seq.wrapping_add((i * mss) as u32));
            assert_eq!(be32(seg, l4 + 8), spec.ack);
            assert_eq!(seg[l4 + 20..headers], spec.options[..]);
            check_tcp_flags(seg[l4 + 13], spec.flags, i, n);
        }
        payload.extend_from_slice(&seg[headers..]);
    }
    assert_eq!(payload, spec.payload);
    (0..n)
        .map(|i| bufs[i][OFFSET..OFFSET + sizes[i]].to_vec())
        .collect()
}

/// FIN and PSH only on the last segment, CWR only on the first, the rest unchanged.
fn check_tcp_flags(got: u8, original: u8, i: usize, n: usize) {
    let mut want = original;
    if i + 1 < n {
        want &= !(0x01 | 0x08);
    }
    if i > 0 {
        want &= !0x80;
    }
    assert_eq!(got, want, "flags of segment {i} of {n}");
}

#[test]
fn splits_64k_tcp4_super_packet() {
    let mut spec = Spec::tcp(false, 0xffff_f000, 65535 - 40);
    spec.flags = 0x10 | 0x08 | 0x01 | 0x80;
    split_and_check(&spec, 1448);
}

#[test]
fn splits_64k_tcp6_super_packet_with_timestamps() {
    let mut spec = Spec::tcp(true, 7, 65535 - 32);
    spec.options = vec![1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2];
    spec.flags = 0x18;
    split_and_check(&spec, 1380);
}

#[test]
fn splits_udp_super_packets() {
    split_and_check(&Spec::udp(false, 40 * 1200 + 17), 1200);
    split_and_check(&Spec::udp(true, 40 * 1200), 1200);
}

#[test]
fn splits_payload_smaller_than_mss_into_one_segment() {
    let segments = split_and_check(&Spec::tcp(false, 1, 10), 1400);
    assert_eq!(segments.len(), 1);
}

#[test]
fn ignores_untrusted_hdr_len() {
    let spec = Spec::tcp(false, 1, 5000);
    let mut hdr = gso_header(&spec, 1000);
    hdr.hdr_len = 1040;
    let (mut bufs, mut sizes) = pool(8);
    assert_eq!(
        split(&hdr, &spec.build_partial(), &mut bufs, &mut sizes, 0),
        Ok(5)
    );
    assert_eq!(sizes[..5], [1040; 5]);
}

#[test]
fn completes_partial_checksum_without_gso() {
    for spec in [Spec::tcp(false, 9, 300), Spec::udp(true, 301)] {
        let packet = spec.build_partial();
        let hdr = VirtioNetHdr {
            gso: Gso::None,
            ..gso_header(&spec, 0)
        };
        let (mut bufs, mut sizes) = pool(1);
        assert_eq!(split(&hdr, &packet, &mut bufs, &mut sizes, OFFSET), Ok(1));
        let out = &bufs[0][OFFSET..OFFSET + sizes[0]];
        assert!(checksums_verify(out));
        assert_eq!(out, &spec.build()[..]);
    }
}

#[test]
fn copies_plain_packets_untouched() {
    let packet = Spec::tcp(false, 9, 300).build();
    let (mut bufs, mut sizes) = pool(1);
    assert_eq!(
        split(&VirtioNetHdr::default(), &packet, &mut bufs, &mut sizes, 3),
        Ok(1)
    );
    assert_eq!(bufs[0][3..3 + sizes[0]], packet[..]);
}

#[test]
fn reports_short_output() {
    let spec = Spec::tcp(false, 1, 5000);
    let hdr = gso_header(&spec, 1000);
    let packet = spec.build_partial();
    let (mut bufs, mut sizes) = pool(4);
    assert_eq!(
        split(&hdr, &packet, &mut bufs, &mut sizes, 0),
        Err(OffloadError::TooManySegments)
    );
    let mut small = vec![vec![0u8; 1000]; 8];
    assert_eq!(
        split(&hdr, &packet, &mut small, &mut [0; 8], 0),
        Err(OffloadError::BufferTooSmall)
    );
    let (mut one, mut size) = pool(1);
    assert_eq!(
        split(&VirtioNetHdr::default(), &packet, &mut one, &mut size, 0),
        Err(OffloadError::BufferTooSmall)
    );
    let mut none: [Vec<u8>; 0] = [];
    assert_eq!(
        split(&VirtioNetHdr::default(), &packet, &mut none, &mut [], 0),
        Err(OffloadError::TooManySegments)
    );
}

#[test]
fn rejects_inconsistent_super_packets() {
    let spec = Spec::tcp(false, 1, 3000);
    let packet = spec.build_partial();
    let good = gso_header(&spec, 1000);
    let (mut bufs, mut sizes) = pool(8);
    let cases = [
        VirtioNetHdr {
            gso: Gso::TcpV6,
            ..good
        },
        VirtioNetHdr {
            gso_size: 0,
            ..good
        },
        VirtioNetHdr {
            csum_start: 24,
            ..good
        },
        VirtioNetHdr {
            csum_start: 4000,
            ..good
        },
        VirtioNetHdr {
            csum_start: 10,
            ..good
        },
    ];
    for hdr in cases {
        let result = split(&hdr, &packet, &mut bufs, &mut sizes, 0);
        assert!(matches!(result, Err(OffloadError::Malformed(_))), "{hdr:?}");
    }
    for cut in [0, 1, 20, 30, 40] {
        assert!(
            split(&good, &packet[..cut], &mut bufs, &mut sizes, 0).is_err(),
            "cut {cut}"
        );
    }
    let mut bad_offset = packet.clone();
    bad_offset[32] = 0x20;
    assert!(split(&good, &bad_offset, &mut bufs, &mut sizes, 0).is_err());
    let far = VirtioNetHdr {
        gso: Gso::None,
        csum_offset: 9000,
        ..good
    };
    assert!(split(&far, &packet, &mut bufs, &mut sizes, 0).is_err());
}

#[test]
fn splits_behind_ipv4_options() {
    let spec = Spec::tcp(false, 1, 3000);
    let mut packet = spec.build_partial();
    packet.splice(20..20, [1, 1, 1, 0]);
    packet[0] = 0x46;
    let hdr = VirtioNetHdr {
        csum_start: 24,
        ..gso_header(&spec, 1000)
    };
    let (mut bufs, mut sizes) = pool(4);
    assert_eq!(split(&hdr, &packet, &mut bufs, &mut sizes, 0), Ok(3));
    for (buf, &size) in bufs.iter().zip(&sizes).take(3) {
        assert_eq!(buf[20..24], [1, 1, 1, 0]);
        assert_eq!(usize::from(be16(buf, 2)), size);
        assert!(checksums_verify(&buf[..size]));
    }
}

#[test]
fn splits_behind_ipv6_extension_headers() {
    let spec = Spec::udp(true, 2500);
    let mut packet = spec.build_partial();
    // An 8-byte destination options header (next header 60) in front of UDP.
    packet.splice(40..40, [17, 0, 1, 4, 0, 0, 0, 0]);
    packet[6] = 60;
    let hdr = VirtioNetHdr {
        csum_start: 48,
        ..gso_header(&spec, 1000)
    };
    let (mut bufs, mut sizes) = pool(4);
    assert_eq!(split(&hdr, &packet, &mut bufs, &mut sizes, 0), Ok(3));
    for (buf, &size) in bufs.iter().zip(&sizes).take(3) {
        let seg = &buf[..size];
        assert_eq!(
            usize::from(be16(seg, 4)),
            size - 40,
            "payload length counts the extension"
        );
        assert_eq!(usize::from(be16(seg, 52)), size - 48);
        let mut pseudo = seg[8..40].to_vec();
        pseudo.extend_from_slice(&[0, 17]);
        pseudo.extend_from_slice(&((size - 48) as u16).to_be_bytes());
        assert_eq!(naive_sum(&[&pseudo[..], &seg[48..]].concat()), 0xffff);
    }
}

/// Slots as the sealing path lays them out: header, segment padded to 16, tag.
fn sealed(max_segments: usize) -> Layout<fn(usize) -> usize> {
    Layout {
        offset: OFFSET,
        slot_len: |len| OFFSET + len.div_ceil(16) * 16 + 16,
        max_segments,
    }
}

#[test]
fn packed_split_matches_split_and_lays_out_slots() {
    let mut spec = Spec::tcp(false, 0xffff_f000, 20_000);
    spec.flags = 0x18;
    let (hdr, packet) = (gso_header(&spec, 1367), spec.build_partial());
    let (mut bufs, mut sizes) = pool(32);
    let n = split(&hdr, &packet, &mut bufs, &mut sizes, OFFSET).unwrap();
    let mut out = vec![0u8; 64 * 1024];
    let mut placed = Vec::new();
    let layout = sealed(n);
    // A plain packet first, so the super-packet's slots start after it.
    let first = Spec::udp(false, 10).build();
    let plain = VirtioNetHdr::default();
    let at = split_packed(&plain, &first, &mut out, 0, &layout, &mut placed).unwrap();
    assert_eq!(at, (layout.slot_len)(first.len()));
    let end = split_packed(&hdr, &packet, &mut out, at, &layout, &mut placed);
    assert_eq!(placed.len(), n + 1);
    let mut next = 0;
    for (i, p) in placed.iter().enumerate() {
        assert_eq!(p.start, next, "slot {i} follows the previous one");
        next += (layout.slot_len)(p.len);
        let got = &out[p.start + OFFSET..][..p.len];
        let want = if i == 0 {
            &first[..]
        } else {
            &bufs[i - 1][OFFSET..OFFSET + sizes[i - 1]]
        };
        assert_eq!(got, want, "segment {i}");
    }
    assert_eq!(end, Ok(next));
}

#[test]
fn packed_split_appends_nothing_on_error() {
    let spec = Spec::tcp(false, 1, 5000);
    let (hdr, packet) = (gso_header(&spec, 1000), spec.build_partial());
    let mut placed = vec![Placed { start: 0, len: 7 }];
    let mut out = vec![0u8; 3000];
    let short = split_packed(&hdr, &packet, &mut out, 40, &sealed(8), &mut placed);
    assert_eq!(short, Err(OffloadError::BufferTooSmall));
    let mut out = vec![0u8; 64 * 1024];
    let many = split_packed(&hdr, &packet, &mut out, 40, &sealed(4), &mut placed);
    assert_eq!(many, Err(OffloadError::TooManySegments));
    let tight: Layout<fn(usize) -> usize> = Layout {
        slot_len: |len| len,
        ..sealed(8)
    };
    let tight = split_packed(&hdr, &packet, &mut out, 0, &tight, &mut placed);
    assert_eq!(tight, Err(OffloadError::BufferTooSmall));
    assert_eq!(placed, [Placed { start: 0, len: 7 }]);
}
