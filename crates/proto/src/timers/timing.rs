//! The protocol's timer durations as one value a [`Device`](crate::device::Device) carries, so
//! tests can run the real timer logic faster than real time.
//!
//! [`Timing::SPEC`] is the whitepaper's (the constants in [`crate::consts`]) and is what every
//! device starts with. [`Timing::scaled_down`] divides all of them by the same factor, which
//! keeps every ratio the state machine relies on (retries per attempt, the "last minute"
//! window before expiry, keepalive versus rekey timeout), so a rekey soak test exercises the
//! same transitions, only dozens of times per minute. Rate limits that protect against floods
//! (initiations per peer per second, the handshake rate limiter, cookie secret age) are not
//! timers of a session and stay at their real values.

use crate::consts::{
    KEEPALIVE_TIMEOUT, REJECT_AFTER_TIME, REKEY_AFTER_TIME, REKEY_ATTEMPT_TIME, REKEY_TIMEOUT,
    REKEY_TIMEOUT_JITTER_MAX_MS,
};
use crate::time::Duration;

/// Largest factor [`Timing::scaled_down`] accepts: REKEY_TIMEOUT becomes 5 ms, about the
/// scheduling latency of a loaded machine; anything faster would test the scheduler.
pub const MAX_TIME_SCALE: u32 = 1000;

/// The timer durations of the protocol (all non-zero, in the whitepaper's proportions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    rekey_after_time: Duration,
    reject_after_time: Duration,
    rekey_attempt_time: Duration,
    rekey_timeout: Duration,
    keepalive_timeout: Duration,
    jitter_max_ms: u64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing::SPEC
    }
}

impl Timing {
    /// The whitepaper's timers: REKEY_AFTER_TIME 120 s, REJECT_AFTER_TIME 180 s,
    /// REKEY_ATTEMPT_TIME 90 s, REKEY_TIMEOUT 5 s, KEEPALIVE_TIMEOUT 10 s, jitter < 334 ms.
    pub const SPEC: Timing = Timing {
        rekey_after_time: REKEY_AFTER_TIME,
        reject_after_time: REJECT_AFTER_TIME,
        rekey_attempt_time: REKEY_ATTEMPT_TIME,
        rekey_timeout: REKEY_TIMEOUT,
        keepalive_timeout: KEEPALIVE_TIMEOUT,
        jitter_max_ms: REKEY_TIMEOUT_JITTER_MAX_MS,
    };

    /// Every timer divided by `factor` (1 gives [`Timing::SPEC`]); `None` unless
    /// `1 <= factor <= MAX_TIME_SCALE`. For tests only: peers with normal timers still
    /// interoperate, but handshake far more often than they would.
    #[must_use]
    pub fn scaled_down(factor: u32) -> Option<Timing> {
        if factor == 0 || factor > MAX_TIME_SCALE {
            return None;
        }
        let s = Timing::SPEC;
        Some(Timing {
            rekey_after_time: s.rekey_after_time / factor,
            reject_after_time: s.reject_after_time / factor,
            rekey_attempt_time: s.rekey_attempt_time / factor,
            rekey_timeout: s.rekey_timeout / factor,
            keepalive_timeout: s.keepalive_timeout / factor,
            // Jitter only has to be random, not exact: whole milliseconds, at least one value.
            jitter_max_ms: (s.jitter_max_ms / u64::from(factor)).max(1),
        })
    }

    /// The initiator of a session rekeys once the session is this old.
    #[must_use]
    pub fn rekey_after_time(&self) -> Duration {
        self.rekey_after_time
    }

    /// A keypair older than this is never used again.
    #[must_use]
    pub fn reject_after_time(&self) -> Duration {
        self.reject_after_time
    }

    /// Wait this long for a handshake response before retrying.
    #[must_use]
    pub fn rekey_timeout(&self) -> Duration {
        self.rekey_timeout
    }

    /// Passive keepalive delay.
    #[must_use]
    pub fn keepalive_timeout(&self) -> Duration {
        self.keepalive_timeout
    }

    /// Upper bound (exclusive) of the handshake timer jitter, in milliseconds (at least 1).
    #[must_use]
    pub fn jitter_max_ms(&self) -> u64 {
        self.jitter_max_ms
    }

    /// Retransmissions before a handshake attempt is abandoned (18 for the spec's 90 s / 5 s).
    #[must_use]
    pub fn max_timer_handshakes(&self) -> u32 {
        let n = self.rekey_attempt_time.as_nanos() / self.rekey_timeout.as_nanos().max(1);
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// All key material is erased when nothing refreshed it for this long (3 × REJECT_AFTER_TIME).
    #[must_use]
    pub fn zero_key_material_after(&self) -> Duration {
        self.reject_after_time * 3
    }

    /// We sent data and heard nothing for this long (plus jitter): start a new handshake.
    #[must_use]
    pub fn new_handshake_after(&self) -> Duration {
        self.keepalive_timeout + self.rekey_timeout
    }

    /// Age at which a session we initiated and still receive on gets its one "last minute"
    /// rekey (REJECT_AFTER_TIME − KEEPALIVE_TIMEOUT − REKEY_TIMEOUT).
    #[must_use]
    pub fn lastminute_rekey_age(&self) -> Duration {
        self.reject_after_time
            .saturating_sub(self.keepalive_timeout)
            .saturating_sub(self.rekey_timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::{MAX_TIMER_HANDSHAKES, ZERO_KEY_MATERIAL_AFTER};

    #[test]
    fn spec_timing_is_the_whitepaper_constants() {
        let t = Timing::default();
        assert_eq!(t, Timing::SPEC);
        assert_eq!(Timing::scaled_down(1), Some(Timing::SPEC));
        assert_eq!(t.max_timer_handshakes(), MAX_TIMER_HANDSHAKES);
        assert_eq!(t.zero_key_material_after(), ZERO_KEY_MATERIAL_AFTER);
        assert_eq!(t.new_handshake_after(), Duration::from_secs(15));
        assert_eq!(t.lastminute_rekey_age(), Duration::from_secs(165));
        assert_eq!(t.jitter_max_ms(), 334);
    }

    #[test]
    fn scaling_keeps_the_proportions() {
        for factor in [2, 7, 24, 40, 333, MAX_TIME_SCALE] {
            let t = Timing::scaled_down(factor).unwrap();
            let back = t.rekey_after_time() * factor;
            assert!(
                REKEY_AFTER_TIME - back < Duration::from_nanos(factor.into()),
                "{factor}"
            );
            assert_eq!(t.max_timer_handshakes(), MAX_TIMER_HANDSHAKES, "{factor}");
            assert!(t.rekey_timeout() < t.keepalive_timeout());
            assert!(t.lastminute_rekey_age() > t.rekey_after_time());
            assert!(t.jitter_max_ms() >= 1);
        }
        assert_eq!(Timing::scaled_down(40).unwrap().jitter_max_ms(), 8);
    }

    #[test]
    fn out_of_range_factors_are_refused() {
        assert_eq!(Timing::scaled_down(0), None);
        assert_eq!(Timing::scaled_down(MAX_TIME_SCALE + 1), None);
    }
}
