//! Write side ("GRO"): merge a batch of decrypted packets into fewer, larger ones before writing
//! them to a TUN opened with `IFF_VNET_HDR`, so the kernel's stack runs once per super-packet.
//!
//! A merged packet carries a `virtio_net_hdr` with `F_NEEDS_CSUM`, the GSO type and size, and
//! the pseudo-header sum in its transport checksum field (the kernel finishes it as
//! `CHECKSUM_PARTIAL`). Which packets merge is decided in [`super::plan`].

use super::ip::{self, PROTO_TCP};
use super::plan::{Batch, Plan, Run, NONE};
use super::vnet::{Gso, VirtioNetHdr, F_NEEDS_CSUM, VNET_HDR_LEN};
use super::OffloadError;
use std::ops::Range;

/// Reusable state for coalescing; keep one per TUN writer so nothing is allocated per batch.
#[derive(Debug, Default)]
pub struct Coalescer {
    plan: Plan,
}

/// Packets in their own buffers after `offset` bytes of headroom.
struct InPlace<'a> {
    bufs: &'a [Vec<u8>],
    offset: usize,
}

impl Batch for InPlace<'_> {
    fn count(&self) -> usize {
        self.bufs.len()
    }
    fn packet(&self, i: usize) -> &[u8] {
        &self.bufs[i][self.offset..]
    }
    fn room(&self, i: usize) -> usize {
        self.bufs[i].capacity() - self.offset
    }
}

/// Packets as ranges of one buffer.
struct Flat<'a> {
    src: &'a [u8],
    packets: &'a [Range<usize>],
}

impl Batch for Flat<'_> {
    fn count(&self) -> usize {
        self.packets.len()
    }
    fn packet(&self, i: usize) -> &[u8] {
        &self.src[self.packets[i].clone()]
    }
    fn room(&self, _: usize) -> usize {
        ip::MAX_IP_LEN
    }
}

/// Packets as ranges of several buffers: `(buffer index, range)`.
struct Parts<'a, S> {
    srcs: &'a [S],
    packets: &'a [(usize, Range<usize>)],
}

impl<S: AsRef<[u8]>> Batch for Parts<'_, S> {
    fn count(&self) -> usize {
        self.packets.len()
    }
    fn packet(&self, i: usize) -> &[u8] {
        let (src, range) = &self.packets[i];
        &self.srcs[*src].as_ref()[range.clone()]
    }
    fn room(&self, _: usize) -> usize {
        ip::MAX_IP_LEN
    }
}

impl Coalescer {
    /// A coalescer; `udp_gro` allows merging UDP datagrams, which needs the TUN to have accepted
    /// `TUN_F_USO4 | TUN_F_USO6` (Linux ≥ 6.2).
    #[must_use]
    pub fn new(udp_gro: bool) -> Self {
        let mut coalescer = Coalescer::default();
        coalescer.plan.udp = udp_gro;
        coalescer
    }

    /// Merges packets without verifying their TCP/UDP checksums first (the IPv4 header
    /// checksum is still checked, as the kernel's `ip_rcv` would). For packets whose
    /// integrity is already proven, such as those a WireGuard AEAD tag just authenticated:
    /// the kernel driver marks those `CHECKSUM_UNNECESSARY` at every level for the same
    /// reason. A merged packet's transport checksum is then computed afresh by the kernel, so
    /// a sender's wrong checksum is not carried along, where the kernel driver would deliver
    /// it unchecked.
    pub fn trust_transport_checksums(&mut self) {
        self.plan.trust_l4 = true;
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
        self.plan.build(&InPlace { bufs, offset });
        to_write.clear();
        for item in &self.plan.items {
            if let Some(run) = item.run.as_ref().filter(|run| run.segments > 1) {
                let mut member = self.plan.next[item.head];
                while member != NONE {
                    // Members come after their head in the batch.
                    let (before, after) = bufs.split_at_mut(member);
                    let payload = &after[0][offset + run.ip.header_len + run.l4_len..];
                    before[item.head].extend_from_slice(payload);
                    member = self.plan.next[member];
                }
            }
            finish_item(&mut bufs[item.head], offset, item.run.as_ref());
            to_write.push(item.head);
        }
        Ok(())
    }

    /// Coalesces packets stored as `src[packets[i]]` into `out`, copying each byte once.
    ///
    /// On return `out` (cleared first) holds the frames to write back to back, each a vnet
    /// header followed by its packet, and `frames` (cleared first) their ranges in `out`, in
    /// batch order. Errors if a range lies outside `src`.
    pub fn coalesce_into(
        &mut self,
        src: &[u8],
        packets: &[Range<usize>],
        out: &mut Vec<u8>,
        frames: &mut Vec<Range<usize>>,
    ) -> Result<(), OffloadError> {
        if packets.iter().any(|p| src.get(p.clone()).is_none()) {
            return Err(OffloadError::Malformed("packet range outside the buffer"));
        }
        self.write_frames(&Flat { src, packets }, out, frames);
        Ok(())
    }

    /// [`coalesce_into`](Self::coalesce_into) for packets spread over several buffers:
    /// packet `i` is `srcs[packets[i].0][packets[i].1]`, so packets received into different
    /// buffers (several `recvmmsg` messages) can still merge. Errors if a packet lies outside
    /// its buffer.
    pub fn coalesce_parts<S: AsRef<[u8]>>(
        &mut self,
        srcs: &[S],
        packets: &[(usize, Range<usize>)],
        out: &mut Vec<u8>,
        frames: &mut Vec<Range<usize>>,
    ) -> Result<(), OffloadError> {
        let outside = |(src, range): &(usize, Range<usize>)| {
            srcs.get(*src)
                .and_then(|s| s.as_ref().get(range.clone()))
                .is_none()
        };
        if packets.iter().any(outside) {
            return Err(OffloadError::Malformed("packet range outside the buffer"));
        }
        self.write_frames(&Parts { srcs, packets }, out, frames);
        Ok(())
    }

    /// Plans `batch` and writes its frames into `out` (see `coalesce_into`).
    fn write_frames(
        &mut self,
        batch: &impl Batch,
        out: &mut Vec<u8>,
        frames: &mut Vec<Range<usize>>,
    ) {
        self.plan.build(batch);
        out.clear();
        frames.clear();
        for item in &self.plan.items {
            let start = out.len();
            out.extend_from_slice(&[0; VNET_HDR_LEN]);
            out.extend_from_slice(batch.packet(item.head));
            if let Some(run) = &item.run {
                let mut member = self.plan.next[item.head];
                while member != NONE {
                    out.extend_from_slice(&batch.packet(member)[run.ip.header_len + run.l4_len..]);
                    member = self.plan.next[member];
                }
            }
            finish_item(&mut out[start..], VNET_HDR_LEN, item.run.as_ref());
            frames.push(start..out.len());
        }
    }
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
            // Bounded by MAX_IP_LEN when planning.
            ip::put_u16(pkt, l4_at + 4, (total - l4_at) as u16);
            (Gso::UdpL4, ip::UDP_CSUM_OFFSET)
        }
    };
    if run.push {
        // PSH belongs to the end of the data, which is now the end of this packet.
        pkt[l4_at + ip::TCP_FLAGS_AT] |= ip::TCP_PSH;
    }
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
