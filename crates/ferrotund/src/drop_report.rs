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
    /// Logs the totals if 10 s passed since the last line and they changed; returns whether
    /// it did.
    pub fn maybe_log(&self, now: Instant, stats: &DropStats, queue_full: u64) -> bool {
        let Ok(mut last) = self.last.try_lock() else {
            return false;
        };
        let due = last.as_ref().is_none_or(|(at, seen, full)| {
            now.as_nanos().saturating_sub(at.as_nanos()) >= INTERVAL_NANOS
                && (seen != stats || *full != queue_full)
        });
        let nothing = *stats == DropStats::default() && queue_full == 0;
        if !due || nothing {
            return false;
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
        true
    }
}

#[cfg(test)]
mod tests {
    use super::DropReport;
    use ferrotun_proto::device::DropStats;
    use ferrotun_proto::time::Instant;

    #[test]
    fn at_most_one_line_per_ten_seconds_and_only_after_new_drops() {
        let report = DropReport::default();
        let at = |s: u64| Instant::from_nanos(s * 1_000_000_000);
        let none = DropStats::default();
        let some = DropStats {
            replay: 3,
            ..DropStats::default()
        };
        let more = DropStats {
            replay: 4,
            ..DropStats::default()
        };
        assert!(!report.maybe_log(at(1), &none, 0), "nothing dropped yet");
        assert!(report.maybe_log(at(2), &some, 0));
        assert!(!report.maybe_log(at(5), &more, 0), "within 10 s");
        assert!(report.maybe_log(at(12), &more, 0));
        assert!(!report.maybe_log(at(30), &more, 0), "nothing new");
        assert!(
            report.maybe_log(at(31), &more, 1),
            "the handshake queue overflowed"
        );
    }
}
