use super::{array, fixed, read_u32, WireError, MESSAGE_INITIATION};

/// Type 1: handshake initiation, exactly 148 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeInitiation {
    /// The initiator's index for this handshake.
    pub sender_index: u32,
    /// The initiator's ephemeral public key.
    pub unencrypted_ephemeral: [u8; 32],
    /// AEAD of the initiator's static public key.
    pub encrypted_static: [u8; 48],
    /// AEAD of the TAI64N timestamp.
    pub encrypted_timestamp: [u8; 28],
    /// MAC over bytes `0..MAC1_OFFSET`.
    pub mac1: [u8; 16],
    /// Cookie MAC over bytes `0..MAC2_OFFSET`, or zeros.
    pub mac2: [u8; 16],
}

impl HandshakeInitiation {
    /// Length on the wire.
    pub const LEN: usize = 148;
    /// Offset of mac1 (mac1 covers every byte before it).
    pub const MAC1_OFFSET: usize = 116;
    /// Offset of mac2 (mac2 covers every byte before it, mac1 included).
    pub const MAC2_OFFSET: usize = 132;

    /// Parses a datagram of exactly 148 bytes with type word 1.
    pub fn parse(datagram: &[u8]) -> Result<Self, WireError> {
        let b: &[u8; Self::LEN] = fixed(datagram, MESSAGE_INITIATION)?;
        Ok(HandshakeInitiation {
            sender_index: read_u32(b, 4),
            unencrypted_ephemeral: array(b, 8),
            encrypted_static: array(b, 40),
            encrypted_timestamp: array(b, 88),
            mac1: array(b, 116),
            mac2: array(b, 132),
        })
    }

    /// Serializes the message.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0u8; Self::LEN];
        b[..4].copy_from_slice(&MESSAGE_INITIATION.to_le_bytes());
        b[4..8].copy_from_slice(&self.sender_index.to_le_bytes());
        b[8..40].copy_from_slice(&self.unencrypted_ephemeral);
        b[40..88].copy_from_slice(&self.encrypted_static);
        b[88..116].copy_from_slice(&self.encrypted_timestamp);
        b[116..132].copy_from_slice(&self.mac1);
        b[132..148].copy_from_slice(&self.mac2);
        b
    }
}
