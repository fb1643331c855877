//! Protocol constants: first the whitepaper's, then ferrotun's own choices.

use crate::time::Duration;

// ---- Specification constants (whitepaper; identical in the kernel and wireguard-go) ----

/// Initiate a new handshake once a keypair has sent this many messages.
pub const REKEY_AFTER_MESSAGES: u64 = 1 << 60;
/// A keypair never sends or accepts a counter at or above this value (wireguard-go's value).
pub const REJECT_AFTER_MESSAGES: u64 = u64::MAX - (1 << 13);
/// The initiator of a session rekeys once the session is this old.
pub const REKEY_AFTER_TIME: Duration = Duration::from_secs(120);
/// A keypair older than this is never used again.
pub const REJECT_AFTER_TIME: Duration = Duration::from_secs(180);
/// Retry a handshake for this long before giving up.
pub const REKEY_ATTEMPT_TIME: Duration = Duration::from_secs(90);
/// Wait this long for a handshake response before retrying.
pub const REKEY_TIMEOUT: Duration = Duration::from_secs(5);
/// Send a passive keepalive this long after receiving data we have not answered.
pub const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10);
/// Upper bound (exclusive) of the random jitter added to handshake timers, in milliseconds.
pub const REKEY_TIMEOUT_JITTER_MAX_MS: u64 = 334;
/// Number of retransmissions before a handshake attempt is abandoned (90 s / 5 s).
pub const MAX_TIMER_HANDSHAKES: u32 =
    (REKEY_ATTEMPT_TIME.as_nanos() / REKEY_TIMEOUT.as_nanos()) as u32;
/// All key material is erased when nothing refreshed it for this long.
pub const ZERO_KEY_MATERIAL_AFTER: Duration = Duration::from_secs(3 * 180);
/// The responder's cookie secret is replaced when older than this.
pub const COOKIE_SECRET_MAX_AGE: Duration = Duration::from_secs(120);
/// A received cookie is used for mac2 only while younger than
/// `COOKIE_SECRET_MAX_AGE - COOKIE_SECRET_LATENCY` (the kernel's stricter rule).
pub const COOKIE_SECRET_LATENCY: Duration = Duration::from_secs(5);
/// At most this many initiations per peer per second are consumed.
pub const INITIATIONS_PER_SECOND: u64 = 50;
/// Minimum spacing between two consumed initiations from one peer.
pub const INITIATION_MIN_INTERVAL: Duration =
    Duration::from_nanos(1_000_000_000 / INITIATIONS_PER_SECOND);

// ---- Implementation constants ----

/// Packets queued per peer while no session exists; the oldest is dropped first.
pub const MAX_STAGED_PACKETS: usize = 128;
/// Transport plaintexts are padded to a multiple of this many bytes.
pub const PADDING_MULTIPLE: usize = 16;
/// Default tunnel MTU: 1500 minus the IPv6 + UDP + WireGuard overhead.
pub const DEFAULT_MTU: usize = 1420;
/// Kernel limit on peers per device; ferrotun accepts as many.
pub const MAX_PEERS: usize = 1 << 20;
/// Handshake messages per second and source the rate limiter lets through.
pub const HANDSHAKES_PER_SECOND: u64 = 20;
/// Burst size of the per-source handshake rate limiter.
pub const HANDSHAKE_BURST: u64 = 5;
/// Rate-limiter entries idle for longer than this are collected.
pub const RATELIMITER_GC_AFTER: Duration = Duration::from_secs(1);
