//! Write side ("GRO"): merge a batch of decrypted packets into fewer, larger ones before writing
//! them to a TUN opened with `IFF_VNET_HDR`, so the kernel's stack runs once per super-packet.
//!
//! A merged packet carries a `virtio_net_hdr` with `F_NEEDS_CSUM`, the GSO type and size, and
//! the pseudo-header sum in its transport checksum field (the kernel finishes it as
//! `CHECKSUM_PARTIAL`). The rules follow the kernel's `tcp_gro_receive`/`udp_gro_receive` and
//! wireguard-go's `handleGRO`, with one difference: a packet is only ever appended to the newest
//! run of its own flow, so packets of one flow never change order.

use super::flow::{self, Class, FlowKey, Segment};
use super::ip::{self, Ip, PROTO_TCP};
use super::vnet::{Gso, VirtioNetHdr, F_NEEDS_CSUM, VNET_HDR_LEN};
use super::OffloadError;

/// The kernel's cap on segments in one UDP GSO packet (`UDP_MAX_SEGMENTS`, `UDP_GRO_CNT_MAX`).
const UDP_MAX_SEGMENTS: usize = 64;

/// Reusable state for [`Coalescer::coalesce`]; keep one per TUN writer to avoid allocation.
#[derive(Debug, Default)]
pub struct Coalescer {
    udp: bool,
    /// One entry per packet that will be written, in batch order.
    items: Vec<Item>,
    /// Runs that may still grow, at most one per flow.
    open: Vec<OpenRun>,
}

/// A packet to be written, possibly with others merged into it.
#[derive(Debug)]
struct Item {
    head: usize,
    /// `None` for packets written as they came.
    run: Option<Run>,
}

/// Bookkeeping for a packet other packets may be appended to.
#[derive(Debug)]
struct Run {
    ip: Ip,
    l4_len: usize,
    gso_size: usize,
    segments: usize,
    /// The head's checksum was verified (done lazily, on the first merge).
    verified: bool,
    /// A short or PSH segment ended the run.
    closed: bool,
}

#[derive(Debug)]
struct OpenRun {
    key: FlowKey,
    item: usize,
    next_seq: u32,
    ack: u32,
}

impl Coalescer {
    /// A coalescer; `udp_gro` allows merging UDP datagrams, which needs the TUN to have accepted
    /// `TUN_F_USO4 | TUN_F_USO6` (Linux ≥ 6.2).
    #[must_use]
    pub fn new(udp_gro: bool) -> Self {
        Coalescer { udp: udp_gro, ..Coalescer::default() }
    }

    /// Coalesces a batch in place.
    ///
    /// Packet `i` is `bufs[i][offset..]`, with at least [`VNET_HDR_LEN`] bytes of headroom before
    /// it. On return `to_write` (cleared first) holds, in ascending order, the indices of the
    /// buffers to write, each as `bufs[i][offset - VNET_HDR_LEN..]` (header + packet). Merging
    /// appends payload to the first buffer of a run only within its spare capacity, so give
    /// buffers 64 KiB of capacity and nothing is allocated. Errors only on a bad `offset`.
    pub fn coalesce(
        &mut self,
        bufs: &mut [Vec<u8>],
        offset: usize,
        to_write: &mut Vec<usize>,
    ) -> Result<(), OffloadError> {
        if offset < VNET_HDR_LEN || bufs.iter().any(|b| b.len() < offset) {
            return Err(OffloadError::BufferTooSmall);
        }
        self.items.clear();
        self.open.clear();
        to_write.clear();
        for i in 0..bufs.len() {
            self.admit(bufs, offset, i);
        }
        for item in &self.items {
            finish_item(&mut bufs[item.head], offset, item.run.as_ref());
            to_write.push(item.head);
        }
        Ok(())
    }

    /// Merges packet `i` into its flow's open run, or makes it a new item.
    fn admit(&mut self, bufs: &mut [Vec<u8>], offset: usize, i: usize) {
        match flow::classify(&bufs[i][offset..], self.udp) {
            Class::Barrier => self.open.clear(),
            Class::Other => {}
            Class::Alone(key) => self.open.retain(|run| run.key != key),
            Class::Segment(segment) => {
                let slot = self.open.iter().position(|run| run.key == segment.key);
                if let Some(slot) = slot {
                    if self.try_append(bufs, offset, slot, &segment, i) {
                        return;
                    }
                    self.open.swap_remove(slot);
                }
                self.start_run(i, &segment);
                return;
            }
        }
        self.items.push(Item { head: i, run: None });
    }

    fn start_run(&mut self, i: usize, segment: &Segment) {
        self.open.push(OpenRun {
            key: segment.key,
            item: self.items.len(),
            next_seq: segment.seq.wrapping_add(segment.payload as u32),
            ack: segment.ack,
        });
        let run = Run {
            ip: segment.ip,
            l4_len: segment.l4_len,
            gso_size: segment.payload,
            segments: 1,
            verified: false,
            // Nothing may follow PSH inside one super-packet.
            closed: segment.psh,
        };
        self.items.push(Item { head: i, run: Some(run) });
    }

    /// Appends packet `i` to the run in `self.open[slot]` if every GRO rule allows it.
    fn try_append(
        &mut self,
        bufs: &mut [Vec<u8>],
        offset: usize,
        slot: usize,
        segment: &Segment,
        i: usize,
    ) -> bool {
        let open = &mut self.open[slot];
        let item = &mut self.items[open.item];
        let Some(run) = item.run.as_mut() else {
            return false;
        };
        let tcp = segment.ip.protocol == PROTO_TCP;
        let fits = !run.closed
            && run.ip == segment.ip
            && run.l4_len == segment.l4_len
            && segment.payload <= run.gso_size
            && if tcp {
                segment.seq == open.next_seq && segment.ack == open.ack
            } else {
                run.segments < UDP_MAX_SEGMENTS
            };
        // Runs start at earlier indices, so `item.head < i`.
        let (before, after) = bufs.split_at_mut(i);
        let (head, pkt) = (&mut before[item.head], &after[0][offset..]);
        let grown = head.len() + segment.payload;
        if !fits
            || grown - offset > ip::MAX_IP_LEN
            || head.capacity() < grown
            || !headers_match(run, &head[offset..], pkt)
        {
            return false;
        }
        if !run.verified {
            run.verified = flow::checksum_ok(&head[offset..], &run.ip);
            // A corrupt head must not gain a fresh checksum from the kernel: keep it alone.
            run.closed = !run.verified;
        }
        if !run.verified || !flow::checksum_ok(pkt, &segment.ip) {
            return false;
        }
        head.extend_from_slice(&pkt[run.ip.header_len + run.l4_len..]);
        run.segments += 1;
        open.next_seq = open.next_seq.wrapping_add(segment.payload as u32);
        if segment.payload < run.gso_size {
            run.closed = true;
        }
        if segment.psh {
            head[offset + run.ip.header_len + ip::TCP_FLAGS_AT] |= ip::TCP_PSH;
            run.closed = true;
        }
        true
    }
}

/// Header checks between a run's head packet and a candidate: the IP treatment, and for TCP
/// identical options (timestamps included, as the kernel requires).
fn headers_match(run: &Run, head: &[u8], pkt: &[u8]) -> bool {
    let options = run.ip.header_len + ip::TCP_MIN_LEN..run.ip.header_len + run.l4_len;
    run.ip.same_treatment(head, pkt)
        && (run.ip.protocol != PROTO_TCP || head[options.clone()] == pkt[options])
}

/// Writes the vnet header in front of an item and, for merged items, fixes the IP and UDP
/// lengths and seeds the transport checksum with the pseudo-header sum.
fn finish_item(buf: &mut [u8], offset: usize, run: Option<&Run>) {
    let hdr = match run {
        Some(run) if run.segments > 1 => finish_run(&mut buf[offset..], run),
        _ => VirtioNetHdr::default(),
    };
    buf[offset - VNET_HDR_LEN..offset].copy_from_slice(&hdr.to_bytes());
}

fn finish_run(pkt: &mut [u8], run: &Run) -> VirtioNetHdr {
    let (v6, l4_at, total) = (run.ip.v6, run.ip.header_len, pkt.len());
    ip::set_ip_len(pkt, v6, l4_at, total);
    let (gso, csum_offset) = match (run.ip.protocol == PROTO_TCP, v6) {
        (true, false) => (Gso::TcpV4, ip::TCP_CSUM_OFFSET),
        (true, true) => (Gso::TcpV6, ip::TCP_CSUM_OFFSET),
        (false, _) => {
            // Bounded by MAX_IP_LEN when appending.
            ip::put_u16(pkt, l4_at + 4, (total - l4_at) as u16);
            (Gso::UdpL4, ip::UDP_CSUM_OFFSET)
        }
    };
    let pseudo = ip::pseudo_sum(pkt, v6, run.ip.protocol, total - l4_at);
    ip::put_u16(pkt, l4_at + usize::from(csum_offset), pseudo);
    // Header lengths are at most 100 bytes and payloads below 64 KiB: the casts are exact.
    VirtioNetHdr {
        flags: F_NEEDS_CSUM,
        gso,
        ecn: false,
        hdr_len: (l4_at + run.l4_len) as u16,
        gso_size: run.gso_size as u16,
        csum_start: l4_at as u16,
        csum_offset,
    }
}
