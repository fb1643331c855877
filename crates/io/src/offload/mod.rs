//! TUN offloads: the packet transformations behind `IFF_VNET_HDR` and
//! `TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6)`.
//!
//! * [`VirtioNetHdr`] is the 10-byte header in front of every packet read from or written to
//!   such a TUN.
//! * [`split`] (read side) cuts a TCP/UDP super-packet of up to 64 KiB into MTU-sized IP packets
//!   and completes checksums ([`complete_checksum`] for single packets).
//! * [`Coalescer`] (write side) merges a batch of decrypted packets into super-packets with the
//!   header the kernel expects, so one `write()` carries many segments.
//! * [`checksum`] holds the Internet-checksum helpers both sides use.
//!
//! Pure code: no syscalls, no `unsafe`, no allocation on the data path. Malformed input yields
//! an [`OffloadError`] (split) or passes through untouched (coalesce); nothing panics on packet
//! contents.

pub mod checksum;
mod coalesce;
mod flow;
mod ip;
mod split;
mod vnet;

pub use coalesce::Coalescer;
pub use split::{complete_checksum, split};
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
