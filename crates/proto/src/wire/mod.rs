//! The four WireGuard messages on the wire.
//!
//! Contract: parsing never panics. Every message starts with a 4-byte little-endian type word
//! (type byte plus three reserved zero bytes); a non-zero reserved byte makes the type unknown.
//! Handshake messages and cookie replies must have exactly their fixed length; transport data
//! must be at least [`TransportHeader::MIN_LEN`] bytes. All integers are little-endian.

mod cookie_reply;
mod initiation;
mod response;
mod transport;

pub use cookie_reply::CookieReply;
pub use initiation::HandshakeInitiation;
pub use response::HandshakeResponse;
pub use transport::TransportHeader;

/// Message type word of a handshake initiation.
pub const MESSAGE_INITIATION: u32 = 1;
/// Message type word of a handshake response.
pub const MESSAGE_RESPONSE: u32 = 2;
/// Message type word of a cookie reply.
pub const MESSAGE_COOKIE_REPLY: u32 = 3;
/// Message type word of transport data.
pub const MESSAGE_TRANSPORT: u32 = 4;

/// Why bytes are not a valid WireGuard message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Shorter than the 4-byte type word.
    #[error("datagram too short")]
    TooShort,
    /// The type word is not 1–4 (this includes non-zero reserved bytes).
    #[error("unknown message type {0:#010x}")]
    UnknownType(u32),
    /// The length does not fit the message type.
    #[error("wrong length {len} for message type {kind}")]
    WrongLength {
        /// The message type word.
        kind: u32,
        /// The datagram length.
        len: usize,
    },
}

/// A parsed datagram. Handshake messages are copied out (they are small and handled rarely);
/// transport data borrows its ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message<'a> {
    /// Type 1.
    Initiation(HandshakeInitiation),
    /// Type 2.
    Response(HandshakeResponse),
    /// Type 3.
    CookieReply(CookieReply),
    /// Type 4: header plus ciphertext (encrypted payload followed by the tag).
    Transport(TransportHeader, &'a [u8]),
}

/// Reads the type word of a datagram.
pub fn message_type(datagram: &[u8]) -> Result<u32, WireError> {
    match datagram {
        [a, b, c, d, ..] => Ok(u32::from_le_bytes([*a, *b, *c, *d])),
        _ => Err(WireError::TooShort),
    }
}

/// Parses any WireGuard datagram.
pub fn parse(datagram: &[u8]) -> Result<Message<'_>, WireError> {
    match message_type(datagram)? {
        MESSAGE_INITIATION => HandshakeInitiation::parse(datagram).map(Message::Initiation),
        MESSAGE_RESPONSE => HandshakeResponse::parse(datagram).map(Message::Response),
        MESSAGE_COOKIE_REPLY => CookieReply::parse(datagram).map(Message::CookieReply),
        MESSAGE_TRANSPORT => {
            TransportHeader::parse(datagram).map(|(h, body)| Message::Transport(h, body))
        }
        other => Err(WireError::UnknownType(other)),
    }
}

/// Checks type and exact length, then returns the message as a fixed-size array.
fn fixed<const N: usize>(datagram: &[u8], kind: u32) -> Result<&[u8; N], WireError> {
    let found = message_type(datagram)?;
    if found != kind {
        return Err(WireError::UnknownType(found));
    }
    datagram.try_into().map_err(|_| WireError::WrongLength {
        kind,
        len: datagram.len(),
    })
}

fn array<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[at..at + N]);
    out
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(array(bytes, at))
}

#[cfg(test)]
mod tests;
