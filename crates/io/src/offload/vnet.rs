//! `struct virtio_net_hdr` (include/uapi/linux/virtio_net.h), the 10-byte header that precedes
//! every packet on a TUN opened with `IFF_VNET_HDR`.
//!
//! Byte order: the legacy header is in the host's byte order unless `TUNSETVNETLE`/`TUNSETVNETBE`
//! is used, so fields are read and written native-endian (little-endian on x86 and arm64).

use super::OffloadError;

/// Length of `struct virtio_net_hdr` (without the `num_buffers` field of the mergeable variant).
pub const VNET_HDR_LEN: usize = 10;

/// `VIRTIO_NET_HDR_F_NEEDS_CSUM`: the checksum from `csum_start` on is partial (only the
/// pseudo-header sum is stored at `csum_start + csum_offset`).
pub const F_NEEDS_CSUM: u8 = 1;
/// `VIRTIO_NET_HDR_F_DATA_VALID`: the checksum was already verified.
pub const F_DATA_VALID: u8 = 2;

const GSO_NONE: u8 = 0;
const GSO_TCPV4: u8 = 1;
const GSO_TCPV6: u8 = 4;
const GSO_UDP_L4: u8 = 5;
/// `VIRTIO_NET_HDR_GSO_ECN`: OR-ed into `gso_type` when the TCP stream uses ECN (CWR set).
const GSO_ECN: u8 = 0x80;

/// The segmentation requested by `gso_type` (without the ECN bit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Gso {
    /// One ordinary packet (`VIRTIO_NET_HDR_GSO_NONE`).
    #[default]
    None,
    /// A TCP over IPv4 super-packet (`VIRTIO_NET_HDR_GSO_TCPV4`).
    TcpV4,
    /// A TCP over IPv6 super-packet (`VIRTIO_NET_HDR_GSO_TCPV6`).
    TcpV6,
    /// A UDP super-packet, IPv4 or IPv6 (`VIRTIO_NET_HDR_GSO_UDP_L4`, Linux ≥ 6.2 on TUN).
    UdpL4,
}

/// A decoded `virtio_net_hdr`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct VirtioNetHdr {
    /// `F_NEEDS_CSUM` and/or `F_DATA_VALID`.
    pub flags: u8,
    /// The segmentation type.
    pub gso: Gso,
    /// The `VIRTIO_NET_HDR_GSO_ECN` bit of `gso_type`.
    pub ecn: bool,
    /// Length of the IP + transport headers (a hint only: see `split`).
    pub hdr_len: u16,
    /// Payload bytes per segment (the MSS for TCP).
    pub gso_size: u16,
    /// Offset of the transport header, where checksumming starts.
    pub csum_start: u16,
    /// Offset of the checksum field from `csum_start` (16 for TCP, 6 for UDP).
    pub csum_offset: u16,
}

impl VirtioNetHdr {
    /// Decodes the first [`VNET_HDR_LEN`] bytes of `bytes`.
    pub fn decode(bytes: &[u8]) -> Result<Self, OffloadError> {
        let b = bytes.get(..VNET_HDR_LEN).ok_or(OffloadError::ShortHeader)?;
        let field = |at: usize| u16::from_ne_bytes([b[at], b[at + 1]]);
        let gso = match b[1] & !GSO_ECN {
            GSO_NONE => Gso::None,
            GSO_TCPV4 => Gso::TcpV4,
            GSO_TCPV6 => Gso::TcpV6,
            GSO_UDP_L4 => Gso::UdpL4,
            _ => return Err(OffloadError::UnknownGsoType(b[1])),
        };
        Ok(VirtioNetHdr {
            flags: b[0],
            gso,
            ecn: b[1] & GSO_ECN != 0,
            hdr_len: field(2),
            gso_size: field(4),
            csum_start: field(6),
            csum_offset: field(8),
        })
    }

    /// Encodes into the first [`VNET_HDR_LEN`] bytes of `out`.
    pub fn encode(&self, out: &mut [u8]) -> Result<(), OffloadError> {
        let out = out
            .get_mut(..VNET_HDR_LEN)
            .ok_or(OffloadError::BufferTooSmall)?;
        out.copy_from_slice(&self.to_bytes());
        Ok(())
    }

    /// The encoded header.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; VNET_HDR_LEN] {
        let gso = match self.gso {
            Gso::None => GSO_NONE,
            Gso::TcpV4 => GSO_TCPV4,
            Gso::TcpV6 => GSO_TCPV6,
            Gso::UdpL4 => GSO_UDP_L4,
        };
        let mut b = [0; VNET_HDR_LEN];
        b[0] = self.flags;
        b[1] = gso | if self.ecn { GSO_ECN } else { 0 };
        for (at, value) in [
            (2, self.hdr_len),
            (4, self.gso_size),
            (6, self.csum_start),
            (8, self.csum_offset),
        ] {
            b[at..at + 2].copy_from_slice(&value.to_ne_bytes());
        }
        b
    }

    /// Whether the transport checksum is partial and must be completed before use.
    #[must_use]
    pub fn needs_csum(&self) -> bool {
        self.flags & F_NEEDS_CSUM != 0
    }
}
