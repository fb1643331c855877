//! Property tests: the fast checksum against the naive one, split/coalesce round trips, order
//! within flows, and arbitrary bytes never panicking.

use super::*;
use proptest::prelude::*;

/// What a receiver sees of one TCP segment: flow, sequence, ack, flags and data.
type Seen = ((u16, u16), u32, u32, u8, Vec<u8>);

fn seen(pkt: &[u8]) -> Seen {
    let l4 = if pkt[0] >> 4 == 6 { 40 } else { 20 };
    let data_at = l4 + usize::from(pkt[l4 + 12] >> 4) * 4;
    let ports = (be16(pkt, l4), be16(pkt, l4 + 2));
    (
        ports,
        be32(pkt, l4 + 4),
        be32(pkt, l4 + 8),
        pkt[l4 + 13],
        pkt[data_at..].to_vec(),
    )
}

/// Re-splits every written packet and returns the segments in write order; all must verify.
fn written_segments(bufs: &[Vec<u8>], to_write: &[usize]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut segs = vec![vec![0u8; 2048]; 64];
    let mut sizes = [0; 64];
    for &i in to_write {
        let hdr = VirtioNetHdr::decode(&bufs[i][OFFSET - VNET_HDR_LEN..]).unwrap();
        let n = split(&hdr, &bufs[i][OFFSET..], &mut segs, &mut sizes, 0).unwrap();
        for j in 0..n {
            let seg = segs[j][..sizes[j]].to_vec();
            assert!(checksums_verify(&seg));
            out.push(seg);
        }
    }
    out
}

/// `split_packed` (16-byte headroom, slots rounded up to 16 plus a tag) gives what `split`
/// gives into `n` buffers of `each` bytes, or fails alike.
fn packed_split_agrees(hdr: &VirtioNetHdr, packet: &[u8], n: usize, each: usize) {
    let mut out = vec![vec![0u8; each]; n];
    let mut sizes = vec![0; n];
    let split = split(hdr, packet, &mut out, &mut sizes, 16);
    let layout = Layout {
        offset: 16,
        slot_len: |len: usize| 32 + len.div_ceil(16) * 16,
        max_segments: n,
    };
    let mut flat = vec![0u8; n * (each + 32)];
    let mut placed = Vec::new();
    let packed = split_packed(hdr, packet, &mut flat, 0, &layout, &mut placed);
    match split {
        Ok(count) => {
            assert!(packed.is_ok(), "{packed:?}");
            assert_eq!(placed.len(), count);
            for (i, p) in placed.iter().enumerate() {
                assert_eq!(&flat[p.start + 16..][..p.len], &out[i][16..16 + sizes[i]]);
            }
        }
        // The flat buffer has room for every slot, so only the per-buffer limit differs.
        Err(OffloadError::BufferTooSmall) => {}
        Err(e) => {
            assert_eq!(packed, Err(e));
            assert!(placed.is_empty());
        }
    }
}

/// One packet of a random batch: flow 0..3, payload length, and a tweak.
fn batch_entry() -> impl Strategy<Value = (usize, usize, u8)> {
    (0..3usize, 0..1500usize, 0..20u8)
}

/// Builds a batch of interleaved TCP flows; tweaks add PSH, FIN, sequence gaps and ack changes.
fn build_batch(entries: &[(usize, usize, u8)], v6: bool) -> Vec<Vec<u8>> {
    let mut next_seq = [1u32 << 31, 7, u32::MAX - 3000];
    let mut acks = [1u32, 2, 3];
    entries
        .iter()
        .map(|&(flow, len, tweak)| {
            let mut spec = Spec::tcp(v6, next_seq[flow], len);
            spec.ports = (1000 + flow as u16, 443);
            match tweak {
                0 => spec.flags |= 0x08,
                1 => spec.flags |= 0x01,
                2 => spec.seq = spec.seq.wrapping_add(1),
                3 => acks[flow] += 1,
                _ => {}
            }
            spec.ack = acks[flow];
            next_seq[flow] = spec.seq.wrapping_add(len as u32);
            spec.build()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn checksum_matches_naive(
        data in proptest::collection::vec(any::<u8>(), 0..3000), skip in 0..8usize,
    ) {
        let data = &data[skip.min(data.len())..];
        prop_assert_eq!(checksum::sum(data), naive_sum(data));
    }

    #[test]
    fn split_then_coalesce_is_identity(
        v6 in any::<bool>(), udp in any::<bool>(), seq in any::<u32>(), id in any::<u16>(),
        mss in 536..9000usize, segments in 1..64usize, tail in 0..9000usize,
    ) {
        let spec = if udp { Spec::udp(v6, 0) } else { Spec::tcp(v6, seq, 0) };
        let headers = spec.ip_len() + spec.l4_header_len();
        let len = (mss * (segments - 1) + tail % mss + 1).min(65535 - headers);
        let mut spec = Spec { id, payload: Spec::tcp(v6, seq, len).payload, ..spec };
        spec.flags = 0x18;
        let original = spec.build_partial();
        let hdr = split::gso_header(&spec, mss as u16);
        let mut bufs = vec![vec![0u8; OFFSET + 9100]; 128];
        let mut sizes = [0; 128];
        let n = split(&hdr, &original, &mut bufs, &mut sizes, OFFSET).unwrap();
        let packets: Vec<Vec<u8>> =
            (0..n).map(|i| bufs[i][OFFSET..OFFSET + sizes[i]].to_vec()).collect();
        let mut merged: Vec<Vec<u8>> = packets.iter().map(|p| in_buffer(p)).collect();
        let mut to_write = Vec::new();
        Coalescer::new(true).coalesce(&mut merged, OFFSET, &mut to_write).unwrap();
        prop_assert_eq!(&to_write, &[0]);
        let expect_hdr = if n == 1 { VirtioNetHdr::default() } else { hdr };
        let got_hdr = VirtioNetHdr::decode(&merged[0][OFFSET - VNET_HDR_LEN..]).unwrap();
        prop_assert_eq!(got_hdr, expect_hdr);
        let expect = if n == 1 { &packets[0] } else { &original };
        prop_assert_eq!(&merged[0][OFFSET..], &expect[..]);
    }

    #[test]
    fn coalescing_keeps_every_flow_in_order(
        entries in proptest::collection::vec(batch_entry(), 1..128), v6 in any::<bool>(),
    ) {
        let packets = build_batch(&entries, v6);
        let mut bufs: Vec<Vec<u8>> = packets.iter().map(|p| in_buffer(p)).collect();
        let mut to_write = Vec::new();
        let mut coalescer = Coalescer::new(false);
        coalescer.coalesce(&mut bufs, OFFSET, &mut to_write).unwrap();
        prop_assert!(to_write.windows(2).all(|w| w[0] < w[1]));
        let flat = super::coalesce::flat_frames(&mut coalescer, &packets);
        prop_assert_eq!(flat.len(), to_write.len());
        for (frame, &i) in flat.iter().zip(&to_write) {
            prop_assert_eq!(&frame[..], &bufs[i][OFFSET - VNET_HDR_LEN..]);
        }
        let after: Vec<Seen> = written_segments(&bufs, &to_write).iter().map(|p| seen(p)).collect();
        for flow in 0..3u16 {
            let of_flow = |s: &&Seen| s.0 .0 == 1000 + flow;
            let before: Vec<Seen> = packets.iter().map(|p| seen(p)).collect();
            let want: Vec<&Seen> = before.iter().filter(of_flow).collect();
            let got: Vec<&Seen> = after.iter().filter(of_flow).collect();
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        packets in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..16),
        raw_hdr in proptest::collection::vec(any::<u8>(), 10),
    ) {
        let mut bufs: Vec<Vec<u8>> = packets.iter().map(|p| in_buffer(p)).collect();
        let mut to_write = Vec::new();
        let mut coalescer = Coalescer::new(true);
        coalescer.coalesce(&mut bufs, OFFSET, &mut to_write).unwrap();
        let flat = super::coalesce::flat_frames(&mut coalescer, &packets);
        prop_assert_eq!(flat.len(), to_write.len());
        let mut trusting = Coalescer::new(true);
        trusting.trust_transport_checksums();
        let _ = super::coalesce::flat_frames(&mut trusting, &packets);
        if let Ok(hdr) = VirtioNetHdr::decode(&raw_hdr) {
            for p in &packets {
                packed_split_agrees(&hdr, p, 4, 300);
            }
        }
    }

    #[test]
    fn mutated_tcp_headers_never_panic(
        spec_len in 1..3000usize, at in 0..60usize, value in any::<u8>(), raw in any::<[u8; 10]>(),
    ) {
        let mut packet = Spec::tcp(false, 1, spec_len).build_partial();
        let at = at % packet.len();
        packet[at] = value;
        let mut hdr = VirtioNetHdr::decode(&raw).unwrap_or_default();
        hdr.gso = Gso::TcpV4;
        hdr.csum_start = 20;
        packed_split_agrees(&hdr, &packet, 64, 3100);
        let mut bufs = vec![in_buffer(&packet), in_buffer(&packet)];
        Coalescer::new(true).coalesce(&mut bufs, OFFSET, &mut Vec::new()).unwrap();
    }
}
