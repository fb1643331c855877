//! Row 1: complete handshakes per second.
//!
//! One operation is a whole handshake between two in-memory peers: the initiator creates an
//! initiation (fresh ephemeral key from `OsRng`, mac1), the responder checks mac1, consumes it
//! and answers (fresh ephemeral key, mac1), the initiator checks mac1, consumes the response and
//! derives its transport keypair, then seals the keepalive that confirms the session. Both sides
//! set up their transport keypairs. That is exactly the work boringtun's
//! `format_handshake_initiation` + `decapsulate` (responder) + `decapsulate` (initiator) do.

pub mod ours;
pub mod theirs;

use crate::rng::{key, seeded};

/// The two peers' static private keys, the same for both implementations.
#[derive(Debug, Clone, Copy)]
pub struct StaticKeys {
    /// The initiator's static private key.
    pub initiator: [u8; 32],
    /// The responder's static private key.
    pub responder: [u8; 32],
}

impl StaticKeys {
    /// Two keys drawn from `seed`.
    #[must_use]
    pub fn from_seed(seed: u64) -> Self {
        let mut rng = seeded(seed);
        StaticKeys {
            initiator: key(&mut rng),
            responder: key(&mut rng),
        }
    }
}

#[cfg(test)]
mod tests;
