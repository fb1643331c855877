//! Deciding when the device is "under load": many handshake messages in a short time. Under
//! load the protocol core answers handshakes without a valid mac2 with cookie replies and
//! rate-limits the rest per source.

use ferrotun_proto::time::Instant;
use std::sync::atomic::{AtomicU64, Ordering};

/// Handshake messages per second above which the device is under load. A handshake costs
/// about four X25519 operations; this leaves most of a core for real traffic.
const UNDER_LOAD_PER_SECOND: u64 = 1024;
/// The state stays on this long after the rate last exceeded the threshold (as wireguard-go).
const STICKY_NANOS: u64 = 1_000_000_000;

/// A one-second window counter of handshake messages.
#[derive(Default)]
pub struct LoadMeter {
    window_start: AtomicU64,
    count: AtomicU64,
    last_overload: AtomicU64,
}

impl LoadMeter {
    /// Counts one handshake message at `now`; returns whether the device is under load.
    pub fn record(&self, now: Instant) -> bool {
        let t = now.as_nanos();
        let start = self.window_start.load(Ordering::Relaxed);
        if t.saturating_sub(start) >= 1_000_000_000 || t < start {
            self.window_start.store(t, Ordering::Relaxed);
            self.count.store(0, Ordering::Relaxed);
        }
        let count = self.count.fetch_add(1, Ordering::Relaxed) + 1;
        if count > UNDER_LOAD_PER_SECOND {
            self.last_overload.store(t.max(1), Ordering::Relaxed);
        }
        let last = self.last_overload.load(Ordering::Relaxed);
        last != 0 && t.saturating_sub(last) < STICKY_NANOS
    }
}
