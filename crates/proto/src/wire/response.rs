use super::{array, fixed, read_u32, WireError, MESSAGE_RESPONSE};

/// Type 2: handshake response, exactly 92 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeResponse {
    /// The responder's index for the new session.
    pub sender_index: u32,
    /// The initiator's sender index being answered.
    pub receiver_index: u32,
    /// The responder's ephemeral public key.
    pub unencrypted_ephemeral: [u8; 32],
    /// AEAD of the empty string: only the tag.
    pub encrypted_nothing: [u8; 16],
    /// MAC over bytes `0..MAC1_OFFSET`.
    pub mac1: [u8; 16],
    /// Cookie MAC over bytes `0..MAC2_OFFSET`, or zeros.
    pub mac2: [u8; 16],
}

impl HandshakeResponse {
    /// Length on the wire.
    pub const LEN: usize = 92;
    /// Offset of mac1.
    pub const MAC1_OFFSET: usize = 60;
    /// Offset of mac2.
    pub const MAC2_OFFSET: usize = 76;

    /// Parses a datagram of exactly 92 bytes with type word 2.
    pub fn parse(datagram: &[u8]) -> Result<Self, WireError> {
        let b: &[u8; Self::LEN] = fixed(datagram, MESSAGE_RESPONSE)?;
        Ok(HandshakeResponse {
            sender_index: read_u32(b, 4),
            receiver_index: read_u32(b, 8),
            unencrypted_ephemeral: array(b, 12),
            encrypted_nothing: array(b, 44),
            mac1: array(b, 60),
            mac2: array(b, 76),
        })
    }

    /// Serializes the message.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0u8; Self::LEN];
        b[..4].copy_from_slice(&MESSAGE_RESPONSE.to_le_bytes());
        b[4..8].copy_from_slice(&self.sender_index.to_le_bytes());
        b[8..12].copy_from_slice(&self.receiver_index.to_le_bytes());
        b[12..44].copy_from_slice(&self.unencrypted_ephemeral);
        b[44..60].copy_from_slice(&self.encrypted_nothing);
        b[60..76].copy_from_slice(&self.mac1);
        b[76..92].copy_from_slice(&self.mac2);
        b
    }
}
