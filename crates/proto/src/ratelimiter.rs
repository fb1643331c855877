//! Per-source token bucket for handshake messages under load (docs/protocol.md §12).
//!
//! Follows the kernel's `ratelimiter.c`: tokens are nanoseconds of credit, each packet costs
//! 1 s / [`HANDSHAKES_PER_SECOND`], the bucket holds [`HANDSHAKE_BURST`] packets, and a packet is
//! allowed when at least one packet's cost is available. IPv6 sources are bucketed by /64, since
//! one host usually controls a whole /64 and could otherwise rotate addresses to escape the limit.
//!
//! The table is bounded: when it is full, new sources are refused while known sources keep their
//! buckets. Idle entries are dropped by [`RateLimiter::gc`], which sweeps the table at most once
//! per [`RATELIMITER_GC_AFTER`] like the kernel's periodic worker, so a flood from many sources
//! costs one O(n) sweep per second rather than one per packet. The caller drives it from
//! [`RateLimiter::next_gc`] instead of a periodic tick.
//!
//! Sources are chosen by whoever sends (and may spoof) the packets, so the table is a B-tree:
//! its cost per packet is logarithmic whatever the keys, needing no secret hash seed (the
//! kernel keys a hash table with SipHash instead). That keeps the crate free of OS
//! randomness, and a device on a seeded RNG deterministic.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::consts::{HANDSHAKES_PER_SECOND, HANDSHAKE_BURST, RATELIMITER_GC_AFTER};
use crate::time::{Duration, Instant};

/// Capacity of [`RateLimiter::new`]: the kernel's table size on hosts with more than 1 GiB of
/// RAM (8192 buckets × 8 entries per bucket).
pub const DEFAULT_MAX_ENTRIES: usize = 8192 * 8;

/// Nanoseconds of credit one handshake message costs.
const PACKET_COST: u64 = 1_000_000_000 / HANDSHAKES_PER_SECOND;
/// Credit a bucket can hold: the burst.
const TOKEN_MAX: u64 = PACKET_COST * HANDSHAKE_BURST;
/// Delay from a sweep to the next one. An entry is collected once idle for *more* than
/// [`RATELIMITER_GC_AFTER`], so sweeping one nanosecond later lets a sweep scheduled when an
/// entry was created collect it if it was never used again.
const SWEEP_INTERVAL: Duration = RATELIMITER_GC_AFTER.saturating_add(Duration::from_nanos(1));

/// What a source is limited by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// A whole IPv4 address.
    V4(Ipv4Addr),
    /// The upper 64 bits of an IPv6 address.
    V6Prefix(u64),
}

impl Key {
    fn of(ip: IpAddr) -> Key {
        // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; keyed by /64 they would all
        // share one bucket, letting one IPv4 attacker starve every other IPv4 peer.
        match ip.to_canonical() {
            IpAddr::V4(v4) => Key::V4(v4),
            IpAddr::V6(v6) => Key::V6Prefix(upper_64_bits(v6)),
        }
    }
}

fn upper_64_bits(ip: Ipv6Addr) -> u64 {
    // The shift leaves only 64 significant bits, so the cast cannot truncate.
    (u128::from(ip) >> 64) as u64
}

/// One source's bucket.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// When the source last sent; credit accrues from here.
    last_time: Instant,
    /// Credit in nanoseconds, at most [`TOKEN_MAX`].
    tokens: u64,
}

impl Entry {
    /// A bucket for a source's first packet, which is allowed and already paid for.
    fn new(now: Instant) -> Entry {
        Entry {
            last_time: now,
            tokens: TOKEN_MAX - PACKET_COST,
        }
    }

    /// Refill for the time since the last packet, then try to pay for this one.
    fn allow(&mut self, now: Instant) -> bool {
        let elapsed = now.as_nanos().saturating_sub(self.last_time.as_nanos());
        let tokens = self.tokens.saturating_add(elapsed).min(TOKEN_MAX);
        // Taking `now` even if it is earlier re-bases the bucket on a clock that stepped back,
        // instead of freezing the source until the clock catches up with `last_time`.
        self.last_time = now;
        let allowed = tokens >= PACKET_COST;
        self.tokens = if allowed {
            tokens - PACKET_COST
        } else {
            tokens
        };
        allowed
    }

    /// Whether the entry has been idle for more than [`RATELIMITER_GC_AFTER`] at `now`.
    fn is_idle(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.last_time) > RATELIMITER_GC_AFTER
    }
}

/// Token-bucket rate limiter for handshake messages, keyed by source address.
///
/// Used only under load and only for messages whose mac2 was valid. Plain data: the caller
/// passes `now` to every call and serialises access.
#[derive(Clone)]
pub struct RateLimiter {
    entries: BTreeMap<Key, Entry>,
    max_entries: usize,
    /// When the next sweep is due; `None` exactly when the table is empty.
    next_sweep: Option<Instant>,
}

impl RateLimiter {
    /// An empty limiter holding at most [`DEFAULT_MAX_ENTRIES`] sources.
    #[must_use]
    pub fn new() -> Self {
        RateLimiter::with_capacity(DEFAULT_MAX_ENTRIES)
    }

    /// An empty limiter holding at most `max_entries` sources; with 0, every packet is refused.
    ///
    /// Memory grows with the number of sources seen, up to the bound.
    #[must_use]
    pub fn with_capacity(max_entries: usize) -> Self {
        RateLimiter {
            entries: BTreeMap::new(),
            max_entries,
            next_sweep: None,
        }
    }

    /// Whether a handshake message from `ip` may be processed at `now`; charges its bucket.
    ///
    /// A source not yet in the table is allowed if there is room for it, and refused otherwise.
    pub fn allow(&mut self, now: Instant, ip: IpAddr) -> bool {
        self.charge(now, ip, false)
    }

    /// Like [`allow`](Self::allow), but a source the full table cannot track is let through.
    /// For answers to unauthenticated, possibly spoofed sources (cookie replies): refusing
    /// every new source once spoofed ones fill the table would lock legitimate peers out.
    pub fn allow_untracked(&mut self, now: Instant, ip: IpAddr) -> bool {
        self.charge(now, ip, true)
    }

    fn charge(&mut self, now: Instant, ip: IpAddr, when_full: bool) -> bool {
        let key = Key::of(ip);
        if let Some(entry) = self.entries.get_mut(&key) {
            return entry.allow(now);
        }
        if self.entries.len() >= self.max_entries {
            // A due sweep may free room; it runs at most once per interval, so a flood of new
            // sources against a full table stays cheap.
            self.gc(now);
            if self.entries.len() >= self.max_entries {
                return when_full;
            }
        }
        self.entries.insert(key, Entry::new(now));
        if self.next_sweep.is_none() {
            self.next_sweep = Some(now.saturating_add(SWEEP_INTERVAL));
        }
        true
    }

    /// Drop entries idle for more than [`RATELIMITER_GC_AFTER`].
    ///
    /// Cheap to call often: it does nothing before [`RateLimiter::next_gc`], and otherwise
    /// sweeps the table once and schedules the next sweep a full interval later. An entry is
    /// therefore collected between 1 s and 2 s after its last use; until then it only occupies
    /// room, since an idle bucket is full again after 250 ms anyway.
    pub fn gc(&mut self, now: Instant) {
        let Some(due) = self.next_sweep else {
            return;
        };
        // Sweeps are never scheduled more than one interval ahead, so a deadline further out
        // means the clock stepped back; re-arm from the new `now` rather than wait it out.
        let latest = now.saturating_add(SWEEP_INTERVAL);
        if due > latest {
            self.next_sweep = Some(latest);
            return;
        }
        if now < due {
            return;
        }
        self.entries.retain(|_, entry| {
            // Stamps from before a backward clock step are re-based so those entries expire.
            entry.last_time = entry.last_time.min(now);
            !entry.is_idle(now)
        });
        self.next_sweep = (!self.entries.is_empty()).then_some(latest);
    }

    /// When [`RateLimiter::gc`] next has something to do, or `None` if the table is empty.
    ///
    /// The caller folds this into its `poll_timeout` deadline; no periodic tick is needed.
    #[must_use]
    pub fn next_gc(&self) -> Option<Instant> {
        self.next_sweep
    }

    /// Number of sources currently tracked.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no source is tracked.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new()
    }
}

impl fmt::Debug for RateLimiter {
    // Tens of thousands of per-source buckets would drown any log line; the sizes are what help.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimiter")
            .field("len", &self.entries.len())
            .field("max_entries", &self.max_entries)
            .field("next_gc", &self.next_sweep)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
