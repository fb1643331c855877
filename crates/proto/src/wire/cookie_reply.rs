use super::{array, fixed, read_u32, WireError, MESSAGE_COOKIE_REPLY};

/// Type 3: cookie reply, exactly 64 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieReply {
    /// The sender index of the handshake message being answered.
    pub receiver_index: u32,
    /// Random XChaCha20 nonce.
    pub nonce: [u8; 24],
    /// XAEAD of the 16-byte cookie, with the answered message's mac1 as associated data.
    pub encrypted_cookie: [u8; 32],
}

impl CookieReply {
    /// Length on the wire.
    pub const LEN: usize = 64;

    /// Parses a datagram of exactly 64 bytes with type word 3.
    pub fn parse(datagram: &[u8]) -> Result<Self, WireError> {
        let b: &[u8; Self::LEN] = fixed(datagram, MESSAGE_COOKIE_REPLY)?;
        Ok(CookieReply {
            receiver_index: read_u32(b, 4),
            nonce: array(b, 8),
            encrypted_cookie: array(b, 32),
        })
    }

    /// Serializes the message.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0u8; Self::LEN];
        b[..4].copy_from_slice(&MESSAGE_COOKIE_REPLY.to_le_bytes());
        b[4..8].copy_from_slice(&self.receiver_index.to_le_bytes());
        b[8..32].copy_from_slice(&self.nonce);
        b[32..64].copy_from_slice(&self.encrypted_cookie);
        b
    }
}
