//! TUN offloads: the packet transformations behind `IFF_VNET_HDR` and
//! `TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6)`.
//!
//! * [`VirtioNetHdr`] is the 10-byte header in front of every packet read from or written to
//!   such a TUN.
//! * [`split`] (read side) cuts a TCP/UDP super-packet of up to 64 KiB into MTU-sized IP packets
//!   and completes checksums ([`complete_checksum`] for single packets).
//! * [`Coalescer`] (write side) merges a batch of decrypted packets into super-packets with the
//!   header the kernel expects, so one `write()` carries many segments: in place
//!   ([`Coalescer::coalesce`], one buffer per packet) or from one flat buffer into another
//!   ([`Coalescer::coalesce_into`], each byte copied once).
//! * [`checksum`] holds the Internet-checksum helpers both sides use.
//!
//! ```
//! use ferrotun_io::offload::{split, Coalescer, OffloadError, VirtioNetHdr, VNET_HDR_LEN};
//! use std::ops::Range;
//!
//! /// Read side: `read` is what one `read()` on the TUN returned (header + packet).
//! fn on_tun_read(
//!     read: &[u8],
//!     segments: &mut [Vec<u8>],
//!     sizes: &mut [usize],
//! ) -> Result<usize, OffloadError> {
//!     let hdr = VirtioNetHdr::decode(read)?;
//!     // 16 bytes of headroom per segment for the WireGuard data header.
//!     split(&hdr, &read[VNET_HDR_LEN..], segments, sizes, 16)
//! }
//!
//! /// Write side: decrypted packets live in `src` at `packets`; each frame is one TUN `write()`.
//! fn before_tun_write(
//!     coalescer: &mut Coalescer,
//!     src: &[u8],
//!     packets: &[Range<usize>],
//!     out: &mut Vec<u8>,
//!     frames: &mut Vec<Range<usize>>,
//! ) -> Result<(), OffloadError> {
//!     coalescer.coalesce_into(src, packets, out, frames)
//! }
//! # let _ = (on_tun_read, before_tun_write);
//! ```
//!
//! Pure code: no syscalls, no raw pointers, no allocation on the data path. Malformed input yields
//! an [`OffloadError`] (split) or passes through untouched (coalesce); nothing panics on packet
//! contents.

pub mod checksum;
mod coalesce;
mod flow;
mod ip;
mod plan;
mod split;
mod vnet;

pub use coalesce::Coalescer;
pub use split::{complete_checksum, split, split_packed, Layout, Placed};
pub use vnet::{Gso, VirtioNetHdr, F_DATA_VALID, F_NEEDS_CSUM, VNET_HDR_LEN};

/// Why a header or super-packet could not be processed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OffloadError {
    /// Fewer than [`VNET_HDR_LEN`] bytes.
    #[error("virtio_net_hdr is shorter than {VNET_HDR_LEN} bytes")]
    ShortHeader,
    /// A `gso_type` TUN never produces with our offload flags (e.g. the legacy UFO type).
    #[error("unsupported gso_type {0:#04x}")]
    UnknownGsoType(u8),
    /// The packet contradicts its header or is truncated.
    #[error("malformed packet: {0}")]
    Malformed(&'static str),
    /// The super-packet needs more output buffers than were given.
    #[error("too many segments for the output buffers")]
    TooManySegments,
    /// An output buffer (or the headroom before a packet) is too small.
    #[error("buffer too small")]
    BufferTooSmall,
}

#[cfg(test)]
mod tests;
