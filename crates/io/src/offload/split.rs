//! Read side: turn what a TUN with `IFF_VNET_HDR` hands us into ordinary IP packets.
//!
//! With `TUNSETOFFLOAD(TUN_F_TSO*/TUN_F_USO*)` the kernel may give us one TCP or UDP
//! "super-packet" of up to 64 KiB plus a header saying how to cut it (GSO). [`split`] performs the
//! segmentation a NIC would: each segment gets a copy of the headers with its own lengths,
//! IPv4 ID, TCP sequence number, flags and a full transport checksum. With `TUN_F_CSUM` even a
//! single packet may carry only a partial checksum, which [`complete_checksum`] finishes.

use super::ip::{self, PROTO_TCP, PROTO_UDP};
use super::vnet::{Gso, VirtioNetHdr};
use super::OffloadError;

/// Completes the partial checksum of a `Gso::None` packet marked `F_NEEDS_CSUM`, in place.
///
/// The field at `csum_start + csum_offset` holds the pseudo-header sum; the rest of the sum
/// runs from `csum_start` to the end of the packet. Does nothing without `F_NEEDS_CSUM`.
pub fn complete_checksum(hdr: &VirtioNetHdr, pkt: &mut [u8]) -> Result<(), OffloadError> {
    if !hdr.needs_csum() {
        return Ok(());
    }
    let start = usize::from(hdr.csum_start);
    let field = start + usize::from(hdr.csum_offset);
    if field + 2 > pkt.len() {
        return Err(OffloadError::Malformed("checksum field beyond the packet"));
    }
    let pseudo = ip::get_u16(pkt, field);
    ip::put_u16(pkt, field, 0);
    let sum = super::checksum::add(pseudo, super::checksum::sum(&pkt[start..]));
    ip::put_u16(pkt, field, super::checksum::finish(sum));
    Ok(())
}

/// Splits `packet` (read from the TUN after `hdr`) into IP packets.
///
/// Segment `i` is written to `out[i][offset..offset + sizes[i]]`, leaving `offset` bytes of
/// headroom (e.g. for the WireGuard data header). Returns the number of segments. A `Gso::None`
/// packet yields one segment with its checksum completed. Nothing is allocated; if `out` or
/// `sizes` has too few entries the result is [`OffloadError::TooManySegments`] and if a buffer
/// is too short [`OffloadError::BufferTooSmall`].
pub fn split<B: AsMut<[u8]>>(
    hdr: &VirtioNetHdr,
    packet: &[u8],
    out: &mut [B],
    sizes: &mut [usize],
    offset: usize,
) -> Result<usize, OffloadError> {
    if hdr.gso == Gso::None {
        let (buf, size) = out
            .first_mut()
            .zip(sizes.first_mut())
            .ok_or(OffloadError::TooManySegments)?;
        let dst = window(buf.as_mut(), offset, packet.len())?;
        dst.copy_from_slice(packet);
        complete_checksum(hdr, dst)?;
        *size = packet.len();
        return Ok(1);
    }
    let plan = Plan::new(hdr, packet)?;
    if plan.segments > out.len().min(sizes.len()) {
        return Err(OffloadError::TooManySegments);
    }
    for (i, (buf, size)) in out
        .iter_mut()
        .zip(sizes.iter_mut())
        .take(plan.segments)
        .enumerate()
    {
        let total = plan.segment_len(packet.len(), i);
        let dst = window(buf.as_mut(), offset, total)?;
        plan.write_segment(packet, i, dst);
        *size = total;
    }
    Ok(plan.segments)
}

/// Where [`split_packed`] put one segment: its slot starts at `start` and the segment itself
/// is `out[start + offset..][..len]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    /// Where the slot starts in the output buffer.
    pub start: usize,
    /// The segment's length.
    pub len: usize,
}

/// How [`split_packed`] lays segments out: each in a slot of `slot_len(len)` bytes for a
/// segment of `len` bytes, `offset` bytes into it; at most `max_segments` at a time.
#[derive(Clone, Copy, Debug)]
pub struct Layout<F> {
    /// Bytes before each segment in its slot.
    pub offset: usize,
    /// The slot length for a segment length.
    pub slot_len: F,
    /// How many segments one call may add.
    pub max_segments: usize,
}

/// [`split`] into one flat buffer: the segments go back to back into slots from `at` on, as
/// `layout` says. This lets a segment be split straight into the place where it will be
/// sealed (offset: the data header; slot: the whole transport message), saving a copy.
/// Appends one [`Placed`] per segment and returns where the next slot would start. On error
/// nothing is appended.
pub fn split_packed<F: Fn(usize) -> usize>(
    hdr: &VirtioNetHdr,
    packet: &[u8],
    out: &mut [u8],
    at: usize,
    layout: &Layout<F>,
    placed: &mut Vec<Placed>,
) -> Result<usize, OffloadError> {
    let before = placed.len();
    let result = split_packed_inner(hdr, packet, out, at, layout, placed);
    if result.is_err() {
        placed.truncate(before);
    }
    result
}

fn split_packed_inner<F: Fn(usize) -> usize>(
    hdr: &VirtioNetHdr,
    packet: &[u8],
    out: &mut [u8],
    mut at: usize,
    layout: &Layout<F>,
    placed: &mut Vec<Placed>,
) -> Result<usize, OffloadError> {
    let (offset, room) = (layout.offset, out.len());
    // The slot for a segment of `len` bytes at `at`: checked to fit, recorded; returns the
    // next slot's start.
    let mut place = |len: usize, at: usize| -> Result<usize, OffloadError> {
        let slot = (layout.slot_len)(len);
        let next = at.checked_add(slot).ok_or(OffloadError::BufferTooSmall)?;
        if slot < offset.saturating_add(len) || next > room {
            return Err(OffloadError::BufferTooSmall);
        }
        placed.push(Placed { start: at, len });
        Ok(next)
    };
    if hdr.gso == Gso::None {
        if layout.max_segments == 0 {
            return Err(OffloadError::TooManySegments);
        }
        let next = place(packet.len(), at)?;
        let dst = window(out, at + offset, packet.len())?;
        dst.copy_from_slice(packet);
        complete_checksum(hdr, dst)?;
        return Ok(next);
    }
    let plan = Plan::new(hdr, packet)?;
    if plan.segments > layout.max_segments {
        return Err(OffloadError::TooManySegments);
    }
    for i in 0..plan.segments {
        let len = plan.segment_len(packet.len(), i);
        let next = place(len, at)?;
        plan.write_segment(packet, i, window(out, at + offset, len)?);
        at = next;
    }
    Ok(at)
}

/// `buf[offset..offset + len]`, or `BufferTooSmall`.
fn window(buf: &mut [u8], offset: usize, len: usize) -> Result<&mut [u8], OffloadError> {
    let end = offset
        .checked_add(len)
        .ok_or(OffloadError::BufferTooSmall)?;
    buf.get_mut(offset..end).ok_or(OffloadError::BufferTooSmall)
}

/// The validated geometry of a super-packet.
#[derive(Debug)]
struct Plan {
    v6: bool,
    protocol: u8,
    /// Start of the transport header (`csum_start`).
    l4_at: usize,
    /// IP + transport header length, recomputed from the packet.
    hdr_len: usize,
    gso_size: usize,
    segments: usize,
}

impl Plan {
    /// Checks `packet` against `hdr`. `hdr.hdr_len` is not trusted: on forwarded traffic the
    /// kernel may set it to the whole first segment, so it is recomputed from the TCP data
    /// offset (or the fixed UDP header length).
    fn new(hdr: &VirtioNetHdr, packet: &[u8]) -> Result<Plan, OffloadError> {
        let version = packet.first().map(|b| b >> 4);
        let (v6, protocol) = match (hdr.gso, version) {
            (Gso::TcpV4, Some(4)) => (false, PROTO_TCP),
            (Gso::TcpV6, Some(6)) => (true, PROTO_TCP),
            (Gso::UdpL4, Some(4)) => (false, PROTO_UDP),
            (Gso::UdpL4, Some(6)) => (true, PROTO_UDP),
            _ => {
                return Err(OffloadError::Malformed(
                    "IP version does not match gso_type",
                ))
            }
        };
        let l4_at = usize::from(hdr.csum_start);
        let ip_ok = if v6 {
            l4_at >= ip::IPV6_LEN
        } else {
            // The IPv4 header is rewritten per segment, so it must end exactly at csum_start.
            l4_at >= ip::IPV4_MIN_LEN && usize::from(packet[0] & 0x0f) * 4 == l4_at
        };
        if !ip_ok || l4_at >= packet.len() {
            return Err(OffloadError::Malformed(
                "csum_start does not follow the IP header",
            ));
        }
        let l4_len = match protocol {
            PROTO_TCP => tcp_header_len(packet, l4_at)?,
            _ => ip::UDP_LEN,
        };
        let hdr_len = l4_at + l4_len;
        let gso_size = usize::from(hdr.gso_size);
        if gso_size == 0 || hdr_len >= packet.len() || hdr_len + gso_size > ip::MAX_IP_LEN {
            return Err(OffloadError::Malformed("bad gso_size or empty payload"));
        }
        let segments = (packet.len() - hdr_len).div_ceil(gso_size);
        Ok(Plan {
            v6,
            protocol,
            l4_at,
            hdr_len,
            gso_size,
            segments,
        })
    }

    /// Length of segment `i` of a super-packet of `len` bytes.
    fn segment_len(&self, len: usize, i: usize) -> usize {
        let start = self.hdr_len + i * self.gso_size;
        self.hdr_len + (len - start).min(self.gso_size)
    }

    /// Builds segment `i` into `dst`, which is exactly `segment_len` bytes long.
    fn write_segment(&self, packet: &[u8], i: usize, dst: &mut [u8]) {
        let start = self.hdr_len + i * self.gso_size;
        let end = start + (dst.len() - self.hdr_len);
        dst[..self.hdr_len].copy_from_slice(&packet[..self.hdr_len]);
        dst[self.hdr_len..].copy_from_slice(&packet[start..end]);
        let total = dst.len();
        let last = end == packet.len();
        if !self.v6 {
            // Like the kernel's TSO (without SKB_GSO_TCP_FIXEDID): consecutive IDs.
            let id = ip::get_u16(dst, 4).wrapping_add(i as u16);
            ip::put_u16(dst, 4, id);
        }
        ip::set_ip_len(dst, self.v6, self.l4_at, total);
        let csum_offset = if self.protocol == PROTO_TCP {
            self.fix_tcp(dst, i, last);
            ip::TCP_CSUM_OFFSET
        } else {
            // Bounded by MAX_IP_LEN via Plan::new.
            ip::put_u16(dst, self.l4_at + 4, (total - self.l4_at) as u16);
            ip::UDP_CSUM_OFFSET
        };
        ip::set_l4_checksum(dst, self.v6, self.protocol, self.l4_at, csum_offset);
    }

    /// Sequence number and flags of TCP segment `i`: FIN and PSH belong to the end of the data
    /// (last segment), CWR to its start (first segment), as in the kernel's `tcp_gso_segment`.
    fn fix_tcp(&self, dst: &mut [u8], i: usize, last: bool) {
        let seq = ip::get_u32(dst, self.l4_at + 4);
        // Sequence numbers wrap modulo 2^32; truncating the offset is the intended arithmetic.
        ip::put_u32(
            dst,
            self.l4_at + 4,
            seq.wrapping_add((i * self.gso_size) as u32),
        );
        let flags = &mut dst[self.l4_at + ip::TCP_FLAGS_AT];
        if !last {
            *flags &= !(ip::TCP_FIN | ip::TCP_PSH);
        }
        if i > 0 {
            *flags &= !ip::TCP_CWR;
        }
    }
}

/// The TCP header length from its data offset, checked against the packet.
fn tcp_header_len(packet: &[u8], l4_at: usize) -> Result<usize, OffloadError> {
    let data_offset = packet
        .get(l4_at + 12)
        .ok_or(OffloadError::Malformed("truncated TCP header"))?;
    let len = usize::from(data_offset >> 4) * 4;
    if !(ip::TCP_MIN_LEN..=ip::TCP_MAX_LEN).contains(&len) || l4_at + len > packet.len() {
        return Err(OffloadError::Malformed("bad TCP data offset"));
    }
    Ok(len)
}
