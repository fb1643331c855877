//! Time as the caller supplies it: a monotonic [`Instant`] passed into every call, and a
//! [`WallClock`] injected at construction for TAI64N timestamps and "last handshake" times.
//!
//! The core never reads a clock itself, so tests can drive it with a virtual clock.

pub use core::time::Duration;

/// A point on the caller's monotonic clock, in nanoseconds since an arbitrary epoch.
///
/// Production callers should use a suspend-aware clock (`CLOCK_BOOTTIME` on Linux) so that
/// sessions expire across a suspend. Arithmetic saturates: a clock that steps backwards never
/// panics the core.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

impl Instant {
    /// The epoch of the caller's clock.
    pub const ZERO: Instant = Instant(0);

    /// An instant `nanos` nanoseconds after the epoch.
    #[must_use]
    pub const fn from_nanos(nanos: u64) -> Self {
        Instant(nanos)
    }

    /// Nanoseconds since the epoch.
    #[must_use]
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Time elapsed from `earlier` to `self`, or zero if `earlier` is later.
    #[must_use]
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }

    /// `self + d`, saturating at the end of time.
    #[must_use]
    pub fn saturating_add(self, d: Duration) -> Instant {
        Instant(self.0.saturating_add(duration_nanos(d)))
    }

    /// `self - d`, saturating at the epoch.
    #[must_use]
    pub fn saturating_sub(self, d: Duration) -> Instant {
        Instant(self.0.saturating_sub(duration_nanos(d)))
    }
}

impl core::ops::Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        self.saturating_add(d)
    }
}

fn duration_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Wall-clock time as a duration since the Unix epoch.
///
/// Used for TAI64N handshake timestamps and for the "latest handshake" time that `wg show`
/// prints. A clock that goes backwards only makes our initiations look old to peers; it never
/// breaks the core.
pub trait WallClock: Send {
    /// The current time since 1970-01-01T00:00:00Z.
    fn now_since_unix_epoch(&self) -> Duration;
}

/// A wall clock that always reads the same time; for tests and vectors.
#[derive(Clone, Copy, Debug)]
pub struct FixedWallClock(pub Duration);

impl WallClock for FixedWallClock {
    fn now_since_unix_epoch(&self) -> Duration {
        self.0
    }
}
