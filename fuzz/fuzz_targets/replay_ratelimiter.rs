//! Differential fuzzing of `replay::Filter` and `ratelimiter::RateLimiter` against simple
//! reference models, driven by arbitrary operation sequences.
//!
//! The first input byte picks the subject and mode; the rest is decoded into operations.
//!
//! * Filter: the model is the set of accepted counters plus the greatest one. A counter is
//!   accepted iff it is below the limit, not more than `WINDOW_SIZE` behind the greatest
//!   accepted counter, and not accepted before. Counters are generated around the window's
//!   edges, block and ring boundaries and the limit.
//! * RateLimiter, strict mode (monotonic clock, room for every source): the model is one token
//!   bucket per source (IPv4 address, or IPv6 /64; IPv4-mapped IPv6 counts as IPv4) that is
//!   never collected. Garbage collection must be invisible: an entry idle for more than 1 s has
//!   a full bucket anyway. `allow` must agree with the model on every call, and a due `gc` must
//!   leave exactly the sources active within the last second.
//! * RateLimiter, loose mode (clock steps backwards, tiny tables): only invariants — no panic,
//!   never more entries than the capacity, `next_gc()` is `None` exactly when empty, and a
//!   zero-capacity limiter refuses everything.
#![no_main]

use ferrotun_fuzz::Bytes;
use ferrotun_proto::consts::{HANDSHAKES_PER_SECOND, HANDSHAKE_BURST, REJECT_AFTER_MESSAGES};
use ferrotun_proto::ratelimiter::RateLimiter;
use ferrotun_proto::replay::{Filter, WINDOW_SIZE};
use ferrotun_proto::time::Instant;
use libfuzzer_sys::fuzz_target;
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes::new(data);
    let mode = input.u8();
    match mode % 3 {
        0 => replay(&mut input),
        1 => ratelimiter_strict(&mut input),
        _ => ratelimiter_loose(&mut input, mode / 3),
    }
});

// ---------------------------------------------------------------------------------------------
// Replay filter

/// The window rule, written from the spec rather than from the ring implementation.
#[derive(Default)]
struct ModelFilter {
    accepted: HashSet<u64>,
    greatest: Option<u64>,
}

impl ModelFilter {
    fn accept(&mut self, counter: u64, limit: u64) -> bool {
        if counter >= limit {
            return false;
        }
        // A fresh filter behaves as if 0 were the greatest counter seen (0 itself still
        // accepted once).
        let greatest = self.greatest.unwrap_or(0);
        if counter < greatest && greatest - counter > WINDOW_SIZE {
            return false;
        }
        if !self.accepted.insert(counter) {
            return false;
        }
        self.greatest = Some(greatest.max(counter));
        true
    }
}

fn replay(input: &mut Bytes) {
    let mut filter = Filter::new();
    let mut model = ModelFilter::default();
    // Ring geometry: 128 words of 64 bits.
    const BLOCK: u64 = 64;
    const RING: u64 = 128 * BLOCK;
    while !input.is_empty() {
        let op = input.u8();
        let last = model.greatest.unwrap_or(0);
        let small = u64::from(input.u16());
        let counter = match op & 0x0f {
            0 => input.u64(),
            1 => last.saturating_add(small),
            2 => last.saturating_sub(small),
            3 => last
                .saturating_sub(WINDOW_SIZE)
                .saturating_add(small % 8)
                .saturating_sub(4),
            4 => last.saturating_add(u64::from(input.u32())),
            5 => last
                .saturating_add(RING)
                .saturating_add(small % 130)
                .saturating_sub(65),
            6 => (last / BLOCK)
                .saturating_add(small % 4)
                .saturating_mul(BLOCK)
                .saturating_add(u64::from(input.u8()) % BLOCK),
            7 => u64::MAX - small,
            8 => REJECT_AFTER_MESSAGES
                .wrapping_add(small)
                .wrapping_sub(32_768),
            9 => last.saturating_sub(WINDOW_SIZE + 1 + small % 2),
            10 => last.saturating_add(small % 3 * RING + small % BLOCK),
            11 => {
                filter.reset();
                model = ModelFilter::default();
                continue;
            }
            _ => small,
        };
        let limit = match op >> 4 {
            0 => u64::MAX,
            1 => input.u64(),
            // The kernel's limit, for which the parameter exists.
            2 => u64::MAX - (1 << 13) - 1,
            _ => REJECT_AFTER_MESSAGES,
        };
        let expected = model.accept(counter, limit);
        let got = filter.accept(counter, limit);
        assert_eq!(
            got, expected,
            "counter {counter} limit {limit} greatest accepted {:?}",
            model.greatest
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Rate limiter

const NANOS_PER_SEC: u64 = 1_000_000_000;
const PACKET_COST: u64 = NANOS_PER_SEC / HANDSHAKES_PER_SECOND;
const TOKEN_MAX: u64 = PACKET_COST * HANDSHAKE_BURST;
const GC_IDLE: u64 = NANOS_PER_SEC;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Source {
    V4(Ipv4Addr),
    V6Slash64(u64),
}

fn source(ip: IpAddr) -> Source {
    match ip {
        IpAddr::V4(a) => Source::V4(a),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => Source::V4(v4),
            None => Source::V6Slash64((u128::from(a) >> 64) as u64),
        },
    }
}

/// A token bucket per source, in nanoseconds of credit (the kernel's `ratelimiter.c` rule).
#[derive(Default)]
struct ModelLimiter {
    buckets: HashMap<Source, (u64, u64)>,
}

impl ModelLimiter {
    fn allow(&mut self, now: u64, ip: IpAddr) -> bool {
        match self.buckets.get_mut(&source(ip)) {
            None => {
                self.buckets
                    .insert(source(ip), (now, TOKEN_MAX - PACKET_COST));
                true
            }
            Some((last, tokens)) => {
                let credit = tokens
                    .saturating_add(now.saturating_sub(*last))
                    .min(TOKEN_MAX);
                *last = now;
                if credit >= PACKET_COST {
                    *tokens = credit - PACKET_COST;
                    true
                } else {
                    *tokens = credit;
                    false
                }
            }
        }
    }

    /// Sources whose last packet is at most 1 s before `now`.
    fn active(&self, now: u64) -> usize {
        self.buckets
            .values()
            .filter(|(last, _)| now.saturating_sub(*last) <= GC_IDLE)
            .count()
    }
}

/// An address from a small pool with shared /64s and IPv4-mapped twins, or a random one.
fn address(input: &mut Bytes) -> IpAddr {
    let sel = input.u8();
    let x = sel >> 3;
    match sel & 7 {
        0 | 1 => IpAddr::V4(Ipv4Addr::new(192, 0, 2, x % 4)),
        2 => IpAddr::V6(Ipv4Addr::new(192, 0, 2, x % 4).to_ipv6_mapped()),
        3 | 4 => IpAddr::V6(Ipv6Addr::new(
            0x2001,
            0xdb8,
            0,
            u16::from(x % 3),
            0,
            0,
            0,
            u16::from(x / 3),
        )),
        5 => IpAddr::V4(Ipv4Addr::from(input.u32())),
        6 => IpAddr::V6(Ipv6Addr::from(u128::from_le_bytes(input.array()))),
        _ => IpAddr::V6(Ipv6Addr::new(
            0,
            0,
            0,
            0,
            0,
            0xffff,
            0xc000,
            0x0200 | u16::from(x),
        )),
    }
}

/// A time step: a 16-bit multiple of 1 ns, 1 µs, 1 ms or 10 ms (up to ~11 minutes).
fn step(input: &mut Bytes, op: u8) -> u64 {
    let unit = [1, 1_000, 1_000_000, 10_000_000][usize::from(op >> 6)];
    u64::from(input.u16()) * unit
}

fn check_gc_invariant(rl: &RateLimiter) {
    assert_eq!(rl.next_gc().is_none(), rl.is_empty(), "{rl:?}");
}

fn ratelimiter_strict(input: &mut Bytes) {
    // Start anywhere, including near the end of time where the clock saturates.
    let mut now = input.u64();
    let mut rl = RateLimiter::new();
    let mut model = ModelLimiter::default();
    while !input.is_empty() {
        let op = input.u8();
        match op & 3 {
            0 | 1 => {
                let ip = address(input);
                let got = rl.allow(Instant::from_nanos(now), ip);
                let expected = model.allow(now, ip);
                assert_eq!(got, expected, "allow({ip}) at {now}");
            }
            2 => {
                let due = rl.next_gc().is_some_and(|t| t.as_nanos() <= now);
                rl.gc(Instant::from_nanos(now));
                if due {
                    assert_eq!(rl.len(), model.active(now), "after a due gc at {now}");
                }
            }
            _ => now = now.saturating_add(step(input, op)),
        }
        // Never collects a source active within the last second, never invents one.
        assert!(rl.len() >= model.active(now));
        assert!(rl.len() <= model.buckets.len());
        check_gc_invariant(&rl);
    }
}

fn ratelimiter_loose(input: &mut Bytes, flavour: u8) {
    let capacity = usize::from(flavour % 6);
    let mut rl = if flavour % 6 == 5 {
        RateLimiter::new()
    } else {
        RateLimiter::with_capacity(capacity)
    };
    let capacity = if flavour % 6 == 5 {
        usize::MAX
    } else {
        capacity
    };
    let mut now = input.u64();
    while !input.is_empty() {
        let op = input.u8();
        match op & 3 {
            0 => {
                let ip = address(input);
                let allowed = rl.allow(Instant::from_nanos(now), ip);
                if capacity == 0 {
                    assert!(!allowed);
                }
            }
            1 => rl.gc(Instant::from_nanos(now)),
            2 => now = now.saturating_add(step(input, op)),
            _ => now = now.saturating_sub(step(input, op)),
        }
        assert!(
            rl.len() <= capacity,
            "{} entries > capacity {capacity}",
            rl.len()
        );
        check_gc_invariant(&rl);
    }
}
