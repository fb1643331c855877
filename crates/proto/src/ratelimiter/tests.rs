//! The kernel's rate-limiter table (docs/protocol.md §15.5) on an injected clock, plus capacity,
//! garbage collection and clock-step checks.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{RateLimiter, DEFAULT_MAX_ENTRIES};
use crate::time::{Duration, Instant};

const MS: Duration = Duration::from_millis(1);
const SECOND: Duration = Duration::from_secs(1);
const NANO: Duration = Duration::from_nanos(1);

/// `(sleep before the step, allowed)` for one source on a fresh limiter.
const TABLE: [(Duration, bool); 11] = [
    (Duration::ZERO, true),
    (Duration::ZERO, true),
    (Duration::ZERO, true),
    (Duration::ZERO, true),
    (Duration::ZERO, true),
    (Duration::ZERO, false),
    (Duration::from_millis(50), true),
    (Duration::ZERO, false),
    (Duration::from_millis(100), true),
    (Duration::ZERO, true),
    (Duration::ZERO, false),
];

/// An arbitrary non-zero start, so nothing depends on the clock's epoch.
fn start() -> Instant {
    Instant::from_nanos(1_000_000_000_000)
}

fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

/// An IPv6 address with the given upper and lower 64 bits.
fn v6(upper: u64, lower: u64) -> IpAddr {
    IpAddr::V6(Ipv6Addr::from(
        (u128::from(upper) << 64) | u128::from(lower),
    ))
}

/// The /64 the table-following IPv6 source lives in (2001:db8:1:2::/64).
const V6_PREFIX: u64 = 0x2001_0db8_0001_0002;

#[test]
fn kernel_table_with_injected_clock() {
    let mut limiter = RateLimiter::new();
    let mut now = start();
    let source = v4(192, 0, 2, 1);
    for (step, (sleep, expected)) in (0u8..).zip(TABLE) {
        now = now + sleep;
        assert_eq!(limiter.allow(now, source), expected, "step {step}: IPv4");
        // Only the interface identifier changes: same /64, same bucket.
        let lower = 0x1000 + u64::from(step);
        assert_eq!(
            limiter.allow(now, v6(V6_PREFIX, lower)),
            expected,
            "step {step}: IPv6 in the same /64"
        );
        // Fresh sources get their own buckets.
        assert!(limiter.allow(now, v4(198, 51, 100, step)), "step {step}");
        let other_prefix = V6_PREFIX + 1 + u64::from(step);
        assert!(limiter.allow(now, v6(other_prefix, 1)), "step {step}");
    }
}

#[test]
fn allow_test_is_at_least_cost_not_strictly_more() {
    // Exactly one packet's worth of credit (50 ms) is enough; wireguard-go would refuse it.
    let mut limiter = RateLimiter::new();
    let source = v4(192, 0, 2, 7);
    for _ in 0..5 {
        assert!(limiter.allow(start(), source));
    }
    assert!(!limiter.allow(start() + (50 * MS - NANO), source));
    assert!(limiter.allow(start() + 50 * MS, source));
}

#[test]
fn burst_caps_accumulated_credit() {
    let mut limiter = RateLimiter::new();
    let source = v4(192, 0, 2, 8);
    assert!(limiter.allow(start(), source));
    let later = start() + 10 * SECOND;
    for _ in 0..5 {
        assert!(limiter.allow(later, source));
    }
    assert!(!limiter.allow(later, source));
}

#[test]
fn sec2_rate_limit_is_per_source_not_global() {
    let mut limiter = RateLimiter::new();
    let attacker = v4(203, 0, 113, 66);
    while limiter.allow(start(), attacker) {}
    assert!(!limiter.allow(start(), attacker));
    assert!(limiter.allow(start(), v4(203, 0, 113, 67)));
    assert!(limiter.allow(start(), v6(V6_PREFIX, 1)));
}

#[test]
fn ipv6_sources_in_different_64s_are_separate() {
    let mut limiter = RateLimiter::new();
    while limiter.allow(start(), v6(V6_PREFIX, 1)) {}
    assert!(!limiter.allow(start(), v6(V6_PREFIX, u64::MAX)));
    assert!(limiter.allow(start(), v6(V6_PREFIX ^ 1, 1)));
    assert_eq!(limiter.len(), 2);
}

#[test]
fn ipv4_mapped_ipv6_is_keyed_as_ipv4() {
    // Keyed by /64, every mapped address would share ::ffff:0:0/64 — one global bucket.
    let mut limiter = RateLimiter::new();
    let mapped = IpAddr::V6(Ipv4Addr::new(192, 0, 2, 1).to_ipv6_mapped());
    while limiter.allow(start(), mapped) {}
    assert!(!limiter.allow(start(), v4(192, 0, 2, 1)));
    let other = IpAddr::V6(Ipv4Addr::new(192, 0, 2, 2).to_ipv6_mapped());
    assert!(limiter.allow(start(), other));
    assert_eq!(limiter.len(), 2);
}

/// The `i`-th of many distinct IPv4 sources.
fn nth_source(i: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i))
}

#[test]
fn capacity_refuses_new_sources_beyond_max_entries() {
    const MAX: u32 = 1000;
    let mut limiter = RateLimiter::with_capacity(MAX as usize);
    for i in 0..MAX {
        assert!(limiter.allow(start(), nth_source(i)), "source {i}");
    }
    assert!(!limiter.allow(start(), nth_source(MAX)));
    assert_eq!(limiter.len(), MAX as usize);
    // Known sources keep their buckets.
    assert!(limiter.allow(start(), nth_source(0)));
}

#[test]
fn default_capacity_matches_kernel() {
    assert_eq!(DEFAULT_MAX_ENTRIES, 65536);
    let limiter = RateLimiter::default();
    assert!(limiter.is_empty());
    assert_eq!(limiter.next_gc(), None);
}

#[test]
fn zero_capacity_refuses_everything() {
    let mut limiter = RateLimiter::with_capacity(0);
    assert!(!limiter.allow(start(), v4(192, 0, 2, 1)));
    assert!(limiter.is_empty());
}

#[test]
fn gc_removes_entries_idle_for_more_than_one_second() {
    let mut limiter = RateLimiter::new();
    assert!(limiter.allow(start(), v4(192, 0, 2, 1)));
    assert_eq!(limiter.next_gc(), Some(start() + SECOND + NANO));
    limiter.gc(start() + SECOND);
    assert_eq!(limiter.len(), 1);
    limiter.gc(start() + SECOND + NANO);
    assert!(limiter.is_empty());
    assert_eq!(limiter.next_gc(), None);
}

#[test]
fn source_state_expires_after_gc() {
    let mut limiter = RateLimiter::new();
    let source = v4(192, 0, 2, 1);
    while limiter.allow(start(), source) {}
    let later = start() + 2 * SECOND;
    limiter.gc(later);
    assert!(limiter.is_empty());
    // A fresh entry: the whole burst again.
    for _ in 0..5 {
        assert!(limiter.allow(later, source));
    }
    assert!(!limiter.allow(later, source));
}

#[test]
fn gc_keeps_recently_used_entries() {
    let mut limiter = RateLimiter::new();
    let (old, recent) = (v4(192, 0, 2, 1), v4(192, 0, 2, 2));
    assert!(limiter.allow(start(), old));
    assert!(limiter.allow(start() + 900 * MS, recent));
    let sweep = start() + SECOND + NANO;
    limiter.gc(sweep);
    assert_eq!(limiter.len(), 1);
    assert_eq!(limiter.next_gc(), Some(sweep + SECOND + NANO));
    // `recent` is idle for more than 1 s before the next sweep, but sweeps are a second apart.
    limiter.gc(start() + 1950 * MS);
    assert_eq!(limiter.len(), 1);
    limiter.gc(sweep + SECOND + NANO);
    assert!(limiter.is_empty());
}

#[test]
fn full_table_reclaims_idle_entries_for_new_sources() {
    let mut limiter = RateLimiter::with_capacity(2);
    assert!(limiter.allow(start(), nth_source(0)));
    assert!(limiter.allow(start(), nth_source(1)));
    assert!(!limiter.allow(start() + SECOND, nth_source(2)));
    // The sweep is due now, so the insert makes room instead of refusing.
    assert!(limiter.allow(start() + SECOND + NANO, nth_source(2)));
    assert_eq!(limiter.len(), 1);
}

#[test]
fn gc_under_flood_of_100k_sources_sweeps_rarely() {
    // 100k sources each sending once a second, one packet every 10 µs, gc after every packet:
    // a sweep per call would be ~1.5e10 entry visits and this test would not finish.
    const SOURCES: u32 = 100_000;
    let mut limiter = RateLimiter::with_capacity(SOURCES as usize);
    let mut now = start();
    for _round in 0..3 {
        for i in 0..SOURCES {
            assert!(limiter.allow(now, nth_source(i)));
            limiter.gc(now);
            now = now + Duration::from_micros(10);
        }
        // Each source was used within the last second, so sweeps kept every one.
        assert_eq!(limiter.len(), SOURCES as usize);
    }
    limiter.gc(now + 3 * SECOND);
    assert!(limiter.is_empty());
}

#[test]
fn time_going_backwards_does_not_panic() {
    let mut limiter = RateLimiter::new();
    let source = v4(192, 0, 2, 1);
    let times = [
        start() + 10 * SECOND,
        start(),
        Instant::ZERO,
        Instant::from_nanos(u64::MAX),
        Instant::ZERO,
    ];
    for now in times {
        let _ = limiter.allow(now, source);
        let _ = limiter.allow(now, v6(V6_PREFIX, 1));
        limiter.gc(now);
        let _ = limiter.next_gc();
    }
}

#[test]
fn bucket_refills_after_clock_steps_back() {
    let mut limiter = RateLimiter::new();
    let source = v4(192, 0, 2, 1);
    let late = start() + 100 * SECOND;
    while limiter.allow(late, source) {}
    // Refill is measured from the stepped-back time, not from the old stamp.
    assert!(!limiter.allow(start(), source));
    assert!(limiter.allow(start() + 50 * MS, source));
}

#[test]
fn gc_rearms_after_clock_steps_back() {
    let mut limiter = RateLimiter::new();
    let late = start() + 100 * SECOND;
    assert!(limiter.allow(late, v4(192, 0, 2, 1)));
    limiter.gc(start());
    assert_eq!(limiter.next_gc(), Some(start() + SECOND + NANO));
    limiter.gc(start() + SECOND + NANO);
    limiter.gc(start() + 3 * SECOND);
    assert!(limiter.is_empty());
}

#[test]
fn debug_shows_sizes_not_entries() {
    let mut limiter = RateLimiter::with_capacity(4);
    assert!(limiter.allow(Instant::ZERO, v4(192, 0, 2, 1)));
    assert_eq!(
        format!("{limiter:?}"),
        "RateLimiter { len: 1, max_entries: 4, next_gc: Some(Instant(1000000001)), .. }"
    );
}

#[test]
fn untracked_sources_pass_a_full_table_but_tracked_ones_stay_limited() {
    let mut limiter = RateLimiter::with_capacity(1);
    let (tracked, other) = (v4(192, 0, 2, 1), v4(192, 0, 2, 2));
    for _ in 0..5 {
        assert!(limiter.allow_untracked(start(), tracked));
    }
    assert!(
        !limiter.allow_untracked(start(), tracked),
        "its burst is spent"
    );
    // The table is full: a new source cannot be tracked, and is not refused for that.
    for _ in 0..50 {
        assert!(limiter.allow_untracked(start(), other));
    }
    assert!(!limiter.allow(start(), other), "plain allow refuses it");
    assert_eq!(limiter.len(), 1);
}
