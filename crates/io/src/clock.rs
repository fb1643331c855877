//! The daemon's clocks: a suspend-aware monotonic clock for protocol timers and the system
//! wall clock for handshake timestamps.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Monotonic time that keeps counting while the machine is suspended (`CLOCK_BOOTTIME`), so
/// sessions expire across a suspend just as they do for the peer.
#[must_use]
pub fn now_nanos() -> u64 {
    crate::sys::boottime_nanos()
}

/// The system wall clock, as time since the Unix epoch (zero if the clock is before 1970).
#[must_use]
pub fn wall_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}
