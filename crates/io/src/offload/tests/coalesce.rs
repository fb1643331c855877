//! `Coalescer`.

use super::*;

const ACK: u8 = 0x10;
const PSH: u8 = 0x08;

/// Runs the coalescer over `packets` (each placed in a 64 KiB buffer), and checks that
/// `coalesce_into` over the same packets in one flat buffer produces the same frames.
fn run(packets: &[Vec<u8>], udp: bool) -> (Vec<Vec<u8>>, Vec<usize>) {
    let mut bufs: Vec<Vec<u8>> = packets.iter().map(|p| in_buffer(p)).collect();
    let mut to_write = vec![99];
    let mut coalescer = Coalescer::new(udp);
    coalescer
        .coalesce(&mut bufs, OFFSET, &mut to_write)
        .unwrap();
    let frames = flat_frames(&mut coalescer, packets);
    let in_place: Vec<&[u8]> = to_write
        .iter()
        .map(|&i| &bufs[i][OFFSET - VNET_HDR_LEN..])
        .collect();
    assert_eq!(
        frames.iter().map(Vec::as_slice).collect::<Vec<_>>(),
        in_place
    );
    (bufs, to_write)
}

/// The frames `coalesce_into` makes of `packets` laid out back to back (with a gap).
pub(super) fn flat_frames(coalescer: &mut Coalescer, packets: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut src = vec![0xee; 3];
    let mut ranges = Vec::new();
    for p in packets {
        ranges.push(src.len()..src.len() + p.len());
        src.extend_from_slice(p);
        src.push(0xee);
    }
    let (mut out, mut frames) = (vec![1, 2, 3], Vec::new());
    frames.push(0..1);
    coalescer
        .coalesce_into(&src, &ranges, &mut out, &mut frames)
        .unwrap();
    let flat: Vec<Vec<u8>> = frames.iter().map(|f| out[f.clone()].to_vec()).collect();
    // The same packets spread over buffers (two per buffer, after a gap) merge alike.
    let mut srcs: Vec<Vec<u8>> = Vec::new();
    let mut parts = Vec::new();
    for (i, p) in packets.iter().enumerate() {
        if i % 2 == 0 {
            srcs.push(vec![0xee; 5]);
        }
        let index = srcs.len() - 1;
        let buf = &mut srcs[index];
        parts.push((index, buf.len()..buf.len() + p.len()));
        buf.extend_from_slice(p);
    }
    coalescer
        .coalesce_parts(&srcs, &parts, &mut out, &mut frames)
        .unwrap();
    let spread: Vec<Vec<u8>> = frames.iter().map(|f| out[f.clone()].to_vec()).collect();
    assert_eq!(spread, flat);
    flat
}

#[test]
fn coalesces_across_buffers_and_rejects_outside_ranges() {
    let packets = build(&tcp_run(false, &[100, 100, 100]));
    let frames = flat_frames(&mut Coalescer::new(false), &packets);
    assert_eq!(frames.len(), 1);
    let srcs = [packets[0].clone()];
    let (mut out, mut frames) = (Vec::new(), Vec::new());
    let outside = [(0, 0..packets[0].len() + 1)];
    let missing = [(1, 0..1)];
    for bad in [&outside[..], &missing[..]] {
        let result = Coalescer::new(false).coalesce_parts(&srcs, bad, &mut out, &mut frames);
        assert!(matches!(result, Err(OffloadError::Malformed(_))));
    }
}

fn header(buf: &[u8]) -> VirtioNetHdr {
    VirtioNetHdr::decode(&buf[OFFSET - VNET_HDR_LEN..]).unwrap()
}

fn packet(buf: &[u8]) -> &[u8] {
    &buf[OFFSET..]
}

/// Consecutive segments of one TCP flow, `len` payload bytes each.
fn tcp_run(v6: bool, lens: &[usize]) -> Vec<Spec> {
    let mut seq = 1000;
    lens.iter()
        .map(|&len| {
            let spec = Spec::tcp(v6, seq, len);
            seq += len as u32;
            spec
        })
        .collect()
}

fn build(specs: &[Spec]) -> Vec<Vec<u8>> {
    specs.iter().map(Spec::build).collect()
}

/// Asserts that exactly `expect` is written, each packet unchanged with a zero vnet header.
fn assert_untouched(packets: &[Vec<u8>], udp: bool) {
    let (bufs, to_write) = run(packets, udp);
    assert_eq!(to_write, (0..packets.len()).collect::<Vec<_>>());
    for (buf, original) in bufs.iter().zip(packets) {
        assert_eq!(header(buf), VirtioNetHdr::default());
        assert_eq!(packet(buf), &original[..]);
    }
}

/// Splits a super-packet, coalesces the segments, and expects the super-packet back.
fn round_trip(mut spec: Spec, mss: usize, udp: bool) {
    spec.flags = ACK | PSH;
    let super_packet = spec.build_partial();
    let mut segments = vec![vec![0u8; 2048]; 64];
    let mut sizes = [0; 64];
    let hdr = split::gso_header(&spec, mss as u16);
    let n = super::split(&hdr, &super_packet, &mut segments, &mut sizes, 0).unwrap();
    let packets: Vec<Vec<u8>> = (0..n).map(|i| segments[i][..sizes[i]].to_vec()).collect();
    let (bufs, to_write) = run(&packets, udp);
    assert_eq!(to_write, [0]);
    assert_eq!(header(&bufs[0]), hdr);
    assert_eq!(packet(&bufs[0]), &super_packet[..]);
}

#[test]
fn round_trips_tcp4_and_tcp6() {
    round_trip(Spec::tcp(false, 0xffff_ff00, 40000), 1448, false);
    let mut spec = Spec::tcp(true, 5, 60000);
    spec.options = vec![1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2];
    round_trip(spec, 1380, false);
}

#[test]
fn round_trips_udp_when_enabled() {
    round_trip(Spec::udp(false, 30 * 1200 + 5), 1200, true);
    round_trip(Spec::udp(true, 30 * 1200), 1200, true);
    assert_untouched(
        &build(&[Spec::udp(false, 100), Spec::udp(false, 100)]),
        false,
    );
}

#[test]
fn never_merges_across_a_gap_in_sequence_numbers() {
    let mut specs = tcp_run(false, &[100, 100]);
    specs[1].seq += 1;
    assert_untouched(&build(&specs), false);
}

#[test]
fn merges_interleaved_flows_separately() {
    let a = tcp_run(false, &[100, 100, 100]);
    let mut b = tcp_run(false, &[200, 200]);
    b.iter_mut().for_each(|s| s.ports = (1, 2));
    let packets = build(&[
        a[0].clone(),
        b[0].clone(),
        a[1].clone(),
        b[1].clone(),
        a[2].clone(),
    ]);
    let (bufs, to_write) = run(&packets, false);
    assert_eq!(to_write, [0, 1]);
    assert_eq!(
        (header(&bufs[0]).gso_size, packet(&bufs[0]).len()),
        (100, 340)
    );
    assert_eq!(
        (header(&bufs[1]).gso_size, packet(&bufs[1]).len()),
        (200, 440)
    );
}

#[test]
fn never_merges_control_segments_or_across_them() {
    for flags in [
        0x02 | ACK,
        0x01 | ACK,
        0x04 | ACK,
        0x20 | ACK,
        0x40 | ACK,
        0x80 | ACK,
        0,
    ] {
        let mut specs = tcp_run(false, &[100, 100, 100]);
        specs[1].flags = flags;
        assert_untouched(&build(&specs), false);
        // A pure FIN/RST in the middle: the next data must not jump ahead of it.
        specs[1].payload.clear();
        specs[2].seq = specs[1].seq;
        assert_untouched(&build(&specs), false);
    }
}

#[test]
fn passes_through_empty_and_unusual_packets() {
    let acks = tcp_run(true, &[0, 0]);
    assert_untouched(&build(&acks), false);
    let mut with_options = Spec::tcp(false, 1000, 100).build();
    with_options.splice(20..20, [1, 1, 1, 0]);
    with_options[0] = 0x46;
    let total = with_options.len() as u16;
    with_options[2..4].copy_from_slice(&total.to_be_bytes());
    let second = Spec::tcp(false, 1100, 100).build();
    assert_untouched(&[with_options, second], false);
}

#[test]
fn ipv6_extension_headers_are_a_barrier() {
    let specs = tcp_run(true, &[100, 100]);
    let mut ext = Spec::tcp(true, 1, 10).build();
    ext[6] = 0; // hop-by-hop options: the TCP header is no longer where we would look
    let packets = [specs[0].build(), ext, specs[1].build()];
    assert_untouched(&packets, false);
}

#[test]
fn requires_equal_ack_options_and_ip_treatment() {
    let mut specs = tcp_run(false, &[100, 100]);
    specs[1].ack += 1;
    assert_untouched(&build(&specs), false);
    let mut specs = tcp_run(false, &[100, 100]);
    specs[0].options = vec![1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2];
    specs[1].options = vec![1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 2];
    assert_untouched(&build(&specs), false);
    let mut specs = tcp_run(true, &[100, 100]);
    specs[1].ttl = 63;
    assert_untouched(&build(&specs), false);
    let mut packets = build(&tcp_run(false, &[100, 100]));
    packets[1][34] = 0x7f; // a window update must reach the receiver
    let l4 = &mut packets[1][20..];
    l4[16..18].copy_from_slice(&[0, 0]);
    let sum = naive_sum(&[&naive_pseudo(&packets[1], false, 20)[..], &packets[1][20..]].concat());
    packets[1][36..38].copy_from_slice(&(!sum).to_be_bytes());
    assert!(checksums_verify(&packets[1]));
    assert_untouched(&packets, false);
}

#[test]
fn skips_bad_checksums() {
    let mut packets = build(&tcp_run(false, &[100, 100, 100]));
    packets[1][60] ^= 1;
    let (bufs, to_write) = run(&packets, false);
    assert_eq!(to_write, [0, 1, 2]);
    assert_eq!(packet(&bufs[1]), &packets[1][..]);
    let mut packets = build(&tcp_run(false, &[100, 100, 100]));
    packets[0][60] ^= 1;
    let (bufs, to_write) = run(&packets, false);
    assert_eq!(to_write, [0, 1]);
    assert_eq!(packet(&bufs[0]), &packets[0][..]);
    assert_eq!(header(&bufs[1]).gso, Gso::TcpV4);
    let mut packets = build(&tcp_run(false, &[100, 100]));
    // Both TTLs change alike, so only the IPv4 header checksums are wrong.
    packets[1][8] ^= 1;
    packets[0][8] ^= 1;
    assert_untouched(&packets, false);
}

#[test]
fn trusting_merges_bad_transport_checksums_but_not_bad_ip_headers() {
    let mut trusting = Coalescer::new(false);
    trusting.trust_transport_checksums();
    let mut packets = build(&tcp_run(false, &[100, 100, 100]));
    packets[1][60] ^= 1;
    packets[0][60] ^= 1;
    let frames = flat_frames(&mut trusting, &packets);
    assert_eq!(frames.len(), 1);
    assert_eq!(VirtioNetHdr::decode(&frames[0]).unwrap().gso, Gso::TcpV4);
    let mut packets = build(&tcp_run(false, &[100, 100]));
    packets[1][8] ^= 1;
    packets[0][8] ^= 1;
    assert_eq!(flat_frames(&mut trusting, &packets).len(), 2);
}

#[test]
fn only_the_last_segment_may_be_short_or_pushed() {
    let (bufs, to_write) = run(&build(&tcp_run(false, &[100, 50, 100])), false);
    assert_eq!(to_write, [0, 2]);
    assert_eq!(packet(&bufs[0]).len(), 40 + 150);
    assert_untouched(&build(&tcp_run(false, &[50, 100])), false);
    let mut specs = tcp_run(false, &[100, 100, 100]);
    specs[1].flags = ACK | PSH;
    let (bufs, to_write) = run(&build(&specs), false);
    assert_eq!(to_write, [0, 2]);
    assert_eq!(packet(&bufs[0])[33], ACK | PSH);
    specs[0].flags = ACK | PSH;
    assert_untouched(&build(&specs[..2]), false);
}

#[test]
fn respects_size_segment_and_capacity_limits() {
    let packets = build(&tcp_run(false, &[1400; 50]));
    let (bufs, to_write) = run(&packets, false);
    assert_eq!(to_write, [0, 46]);
    assert!(bufs.iter().all(|b| b.len() - OFFSET <= 65535));
    assert_eq!(packet(&bufs[46]).len(), 40 + 4 * 1400);
    let datagrams = build(&vec![Spec::udp(false, 100); 70]);
    assert_eq!(run(&datagrams, true).1, [0, 64]);
    let mut tight: Vec<Vec<u8>> = build(&tcp_run(false, &[100, 100]))
        .iter()
        .map(|p| [&[0u8; OFFSET][..], p].concat())
        .collect();
    tight.iter_mut().for_each(|b| b.shrink_to_fit());
    let mut to_write = Vec::new();
    Coalescer::new(false)
        .coalesce(&mut tight, OFFSET, &mut to_write)
        .unwrap();
    assert_eq!(to_write, [0, 1]);
}

#[test]
fn garbage_passes_through() {
    let packets = vec![vec![], vec![0x45], vec![0x60; 39], vec![0xff; 100], {
        let mut p = Spec::tcp(false, 1, 100).build();
        p.truncate(50);
        p
    }];
    assert_untouched(&packets, true);
}

#[test]
fn flat_output_is_not_limited_by_buffer_capacity() {
    let packets = build(&tcp_run(false, &[100, 100]));
    let frames = flat_frames(&mut Coalescer::new(false), &packets);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].len(), VNET_HDR_LEN + 240);
    let (mut out, mut frames) = (Vec::new(), Vec::new());
    let bad =
        Coalescer::new(false).coalesce_into(&packets[0], &[0..1000, 0..1], &mut out, &mut frames);
    assert!(matches!(bad, Err(OffloadError::Malformed(_))));
}

#[test]
fn rejects_missing_headroom() {
    let mut bufs = vec![in_buffer(&Spec::tcp(false, 1, 10).build())];
    let mut to_write = Vec::new();
    let mut coalescer = Coalescer::new(true);
    assert_eq!(
        coalescer.coalesce(&mut bufs, 9, &mut to_write),
        Err(OffloadError::BufferTooSmall)
    );
    bufs.push(vec![0; 3]);
    assert_eq!(
        coalescer.coalesce(&mut bufs, 10, &mut to_write),
        Err(OffloadError::BufferTooSmall)
    );
}
