//! mac1, mac2 and cookie replies: the DoS protection around the handshake.
//!
//! * [`CookieChecker`] is the responder's side (one per device): it verifies mac1 and mac2
//!   and creates cookie replies from a secret that rotates every two minutes.
//! * [`CookieGenerator`] is the initiator's side (one per peer): it adds mac1 and mac2 to
//!   outgoing handshake messages and consumes cookie replies.
//!
//! A cookie is bound to the source IP address **and UDP port** (SEC-1), encoded as the kernel
//! does: address bytes followed by the port in big-endian.

mod checker;
mod generator;

pub use checker::{CookieChecker, MacVerdict};
pub use generator::CookieGenerator;

use crate::crypto::hash;
use crate::keys::PublicKey;
use std::net::SocketAddr;

const LABEL_MAC1: &[u8] = b"mac1----";
const LABEL_COOKIE: &[u8] = b"cookie--";

/// Why a cookie reply was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CookieError {
    /// We have not sent a handshake message since the last cookie, so nothing to answer.
    #[error("unexpected cookie reply")]
    Unexpected,
    /// The cookie did not decrypt with our last mac1 as associated data.
    #[error("cookie reply did not authenticate")]
    Decrypt,
}

/// HASH(LABEL_MAC1 ‖ key): the mac1 key for messages sent to the owner of `key`.
#[must_use]
pub fn mac1_key(key: &PublicKey) -> [u8; 32] {
    hash(&[LABEL_MAC1, key.as_bytes()])
}

/// HASH(LABEL_COOKIE ‖ key): the key cookie replies from the owner of `key` are sealed with.
#[must_use]
pub fn cookie_key(key: &PublicKey) -> [u8; 32] {
    hash(&[LABEL_COOKIE, key.as_bytes()])
}

/// The bytes a cookie is computed over: IP address then UDP port (big-endian).
fn source_bytes(src: SocketAddr, out: &mut [u8; 18]) -> &[u8] {
    let len = match src {
        SocketAddr::V4(a) => {
            out[..4].copy_from_slice(&a.ip().octets());
            4
        }
        SocketAddr::V6(a) => {
            out[..16].copy_from_slice(&a.ip().octets());
            16
        }
    };
    out[len..len + 2].copy_from_slice(&src.port().to_be_bytes());
    &out[..len + 2]
}

/// A serialized handshake message split at its mac fields.
struct MacFields<'a> {
    before_mac1: &'a [u8],
    mac1: &'a [u8],
    before_mac2: &'a [u8],
    mac2: &'a [u8],
}

/// Splits a serialized initiation or response at its mac fields (the last 32 bytes).
fn mac_fields(msg: &[u8]) -> Option<MacFields<'_>> {
    let len = msg.len();
    if len < 32 {
        return None;
    }
    let (before_mac2, mac2) = msg.split_at(len - 16);
    let (before_mac1, mac1) = before_mac2.split_at(len - 32);
    Some(MacFields {
        before_mac1,
        mac1,
        before_mac2,
        mac2,
    })
}

/// Whether a handshake message carries a mac2 at all: senders without a cookie leave it zero.
/// mac2 is public, so the comparison need not be constant-time.
#[must_use]
pub fn has_mac2(msg: &[u8]) -> bool {
    mac_fields(msg).is_some_and(|f| f.mac2.iter().any(|b| *b != 0))
}

#[cfg(test)]
mod tests;
