//! Errors of the device API and the reasons datagrams are dropped.

use super::PeerId;
use crate::cookie::CookieError;
use crate::keypair::OpenError;
use crate::noise::NoiseError;
use crate::wire::WireError;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a configuration change was refused; nothing was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The peer's public key is the interface's own.
    #[error("peer key equals the interface's own public key")]
    PeerIsSelf,
    /// The device already has the maximum number of peers.
    #[error("too many peers")]
    TooManyPeers,
    /// No such peer.
    #[error("no such peer")]
    NoSuchPeer,
    /// The prefix length exceeds the address size.
    #[error("invalid allowed IP prefix length /{0}")]
    InvalidCidr(u8),
}

/// Why an outgoing IP packet was not sent. `NoRoute` and `NoEndpoint` are where the kernel
/// answers with ICMP host unreachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Not an IPv4 or IPv6 packet, or truncated.
    #[error("not an IP packet")]
    NotIp,
    /// No peer's allowed IPs cover the destination.
    #[error("no route to host")]
    NoRoute,
    /// The peer has no known endpoint.
    #[error("peer {0:?} has no endpoint")]
    NoEndpoint(PeerId),
    /// The output buffer is too small for the packet plus 32 bytes of overhead and padding.
    #[error("output buffer too small")]
    BufferTooSmall,
}

/// Why an incoming datagram (or the packet inside it) was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DropReason {
    /// Not a well-formed WireGuard message.
    #[error("malformed: {0}")]
    Malformed(#[from] WireError),
    /// mac1 did not verify.
    #[error("invalid mac1")]
    InvalidMac1,
    /// Under load, and this source exceeded its handshake rate.
    #[error("handshake rate limited")]
    RateLimited,
    /// The handshake message did not authenticate or was refused.
    #[error("handshake: {0}")]
    Handshake(#[from] NoiseError),
    /// The initiation's static key belongs to no peer.
    #[error("unknown peer")]
    UnknownPeer,
    /// The receiver index names no session or handshake of ours.
    #[error("unknown receiver index")]
    UnknownIndex,
    /// A cookie reply was refused.
    #[error("cookie reply: {0}")]
    Cookie(#[from] CookieError),
    /// The session is too old to accept data.
    #[error("expired session")]
    ExpiredSession,
    /// Transport data did not authenticate, or was replayed.
    #[error("transport: {0}")]
    Transport(#[from] OpenError),
    /// The decrypted payload is not a well-formed IP packet.
    #[error("invalid inner packet")]
    InvalidPacket,
    /// The inner source address is not in the sending peer's allowed IPs.
    #[error("source address not allowed for this peer")]
    SourceNotAllowed,
}

/// Counters of drops by reason (the sum over all reasons of one kind).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DropStats {
    /// [`DropReason::Malformed`].
    pub malformed: u64,
    /// [`DropReason::InvalidMac1`].
    pub invalid_mac1: u64,
    /// [`DropReason::RateLimited`].
    pub rate_limited: u64,
    /// [`DropReason::Handshake`] and [`DropReason::UnknownPeer`].
    pub handshake: u64,
    /// [`DropReason::UnknownIndex`].
    pub unknown_index: u64,
    /// [`DropReason::Cookie`].
    pub cookie: u64,
    /// [`DropReason::ExpiredSession`] and [`DropReason::Transport`] decryption failures.
    pub decrypt: u64,
    /// Replayed transport counters.
    pub replay: u64,
    /// [`DropReason::InvalidPacket`].
    pub invalid_packet: u64,
    /// [`DropReason::SourceNotAllowed`].
    pub source_not_allowed: u64,
}

/// [`DropStats`] as atomics, so the device and its data paths count into one place.
#[derive(Default)]
pub(super) struct DropCounters([AtomicU64; 10]);

impl DropCounters {
    pub(super) fn count(&self, reason: DropReason) {
        let slot = match reason {
            DropReason::Malformed(_) => 0,
            DropReason::InvalidMac1 => 1,
            DropReason::RateLimited => 2,
            DropReason::Handshake(_) | DropReason::UnknownPeer => 3,
            DropReason::UnknownIndex => 4,
            DropReason::Cookie(_) => 5,
            DropReason::ExpiredSession | DropReason::Transport(OpenError::Decrypt) => 6,
            DropReason::Transport(OpenError::Replay) => 7,
            DropReason::InvalidPacket => 8,
            DropReason::SourceNotAllowed => 9,
        };
        self.0[slot].fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn snapshot(&self) -> DropStats {
        let [malformed, invalid_mac1, rate_limited, handshake, unknown_index, cookie, decrypt, replay, invalid_packet, source_not_allowed] =
            self.0.each_ref().map(|c| c.load(Ordering::Relaxed));
        DropStats {
            malformed,
            invalid_mac1,
            rate_limited,
            handshake,
            unknown_index,
            cookie,
            decrypt,
            replay,
            invalid_packet,
            source_not_allowed,
        }
    }
}
