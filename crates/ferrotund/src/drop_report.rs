//! Drops are counted by reason in the device; this makes the counts visible without letting
//! an attacker flood the log: at most one line every 10 s, and only when something was
//! dropped since the last one (totals since start, plus handshake messages the full queue
//! turned away).

use ferrotun_proto::device::DropStats;
use ferrotun_proto::time::Instant;
use std::sync::Mutex;

/// Shortest time between two report lines.
const INTERVAL_NANOS: u64 = 10_000_000_000;

/// The last report's time and figures.
#[derive(Default)]
pub struct DropReport {
    last: Mutex<Option<(Instant, DropStats, u64)>>,
}

impl DropReport {
    /// Logs the totals if 10 s passed since the last line and they changed.
    pub fn maybe_log(&self, now: Instant, stats: &DropStats, queue_full: u64) {
        let Ok(mut last) = self.last.try_lock() else {
            return;
        };
        let due = last.as_ref().is_none_or(|(at, seen, full)| {
            now.as_nanos().saturating_sub(at.as_nanos()) >= INTERVAL_NANOS
                && (seen != stats || *full != queue_full)
        });
        let nothing = *stats == DropStats::default() && queue_full == 0;
        if !due || nothing {
            return;
        }
        *last = Some((now, *stats, queue_full));
        tracing::info!(
            malformed = stats.malformed,
            invalid_mac1 = stats.invalid_mac1,
            rate_limited = stats.rate_limited,
            handshake = stats.handshake,
            unknown_index = stats.unknown_index,
            cookie = stats.cookie,
            decrypt = stats.decrypt,
            replay = stats.replay,
            invalid_packet = stats.invalid_packet,
            source_not_allowed = stats.source_not_allowed,
            handshake_queue_full = queue_full,
            "dropped datagrams since start"
        );
    }
}
