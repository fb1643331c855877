use super::{array, message_type, read_u32, WireError, MESSAGE_TRANSPORT};
use crate::crypto::AEAD_TAG_LEN;

/// The 16-byte header of a type-4 transport data message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportHeader {
    /// The receiving peer's index for this session.
    pub receiver_index: u32,
    /// The message counter; also the AEAD nonce.
    pub counter: u64,
}

impl TransportHeader {
    /// Length of the header.
    pub const LEN: usize = 16;
    /// The shortest transport message: a keepalive (header plus tag).
    pub const MIN_LEN: usize = Self::LEN + AEAD_TAG_LEN;

    /// Parses a transport message into its header and ciphertext (payload ‖ tag).
    pub fn parse(datagram: &[u8]) -> Result<(Self, &[u8]), WireError> {
        let kind = message_type(datagram)?;
        if kind != MESSAGE_TRANSPORT {
            return Err(WireError::UnknownType(kind));
        }
        if datagram.len() < Self::MIN_LEN {
            return Err(WireError::WrongLength {
                kind,
                len: datagram.len(),
            });
        }
        let header = TransportHeader {
            receiver_index: read_u32(datagram, 4),
            counter: u64::from_le_bytes(array(datagram, 8)),
        };
        Ok((header, &datagram[Self::LEN..]))
    }

    /// Writes the header into the first 16 bytes of `out`.
    pub fn write(&self, out: &mut [u8; Self::LEN]) {
        out[..4].copy_from_slice(&MESSAGE_TRANSPORT.to_le_bytes());
        out[4..8].copy_from_slice(&self.receiver_index.to_le_bytes());
        out[8..16].copy_from_slice(&self.counter.to_le_bytes());
    }
}
