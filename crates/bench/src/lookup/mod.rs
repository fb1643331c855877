//! Row 4: allowed-IPs longest-prefix lookup in a table of 100,000 prefixes.
//!
//! boringtun's allowed-IPs structure (`device::AllowedIps`) exists only with its `device`
//! feature, which this benchmark leaves off, so the required rival is a naive baseline: one
//! `HashMap` per prefix length, probed from the longest length down ([`naive`]). As a second,
//! more realistic rival we time `ip_network_table::IpNetworkTable` directly: it is the table
//! `boringtun::device::AllowedIps` wraps (its `find` is `longest_match` plus a projection).
//!
//! Data set (seeded, identical for every table): 97,000 random IPv4 /32s, 2,000 random IPv4
//! prefixes of length 8..=30, 500 random IPv6 /128s and 500 random IPv6 prefixes of length
//! 32..=64. Queries (65,536, cycled): 60 % inserted /32s, 15 % addresses inside the short IPv4
//! prefixes, 15 % random IPv4 addresses (mostly misses), 5 % inserted /128s, 5 % random IPv6
//! addresses inside the short IPv6 prefixes or not at all.

pub mod naive;
pub mod network_table;
pub mod ours;

use crate::rng::{below, seeded, BenchRng, RngCore};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Number of prefixes in the table.
pub const PREFIXES: usize = 100_000;
/// Number of distinct queries (a power of two, cycled).
pub const QUERIES: usize = 1 << 16;

const V4_HOSTS: usize = 97_000;
const V4_SHORT: usize = 2_000;
const V6_HOSTS: usize = 500;
const V6_SHORT: usize = PREFIXES - V4_HOSTS - V4_SHORT - V6_HOSTS;

/// One allowed-IPs entry; `value` stands for a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefix {
    /// Network address (host bits may be set; tables truncate).
    pub addr: IpAddr,
    /// Prefix length.
    pub cidr: u8,
    /// The peer it routes to.
    pub value: u32,
}

/// The prefixes and the queries.
#[derive(Debug, Clone)]
pub struct DataSet {
    /// What is inserted.
    pub prefixes: Vec<Prefix>,
    /// What is looked up, cycled.
    pub queries: Vec<IpAddr>,
}

/// A longest-prefix-match table under test.
pub trait Table {
    /// Builds the table from the data set's prefixes.
    fn build(prefixes: &[Prefix]) -> Self;
    /// The value of the longest prefix containing `addr`.
    fn lookup(&self, addr: IpAddr) -> Option<u32>;
}

fn random_v6(rng: &mut BenchRng) -> Ipv6Addr {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    Ipv6Addr::from(b)
}

fn random_prefixes(rng: &mut BenchRng) -> Vec<Prefix> {
    let mut out = Vec::with_capacity(PREFIXES);
    let mut push = |addr: IpAddr, cidr: u8| {
        let value = (out.len() % 1000) as u32;
        out.push(Prefix { addr, cidr, value });
    };
    for _ in 0..V4_HOSTS {
        push(Ipv4Addr::from(rng.next_u64() as u32).into(), 32);
    }
    for _ in 0..V4_SHORT {
        let cidr = 8 + below(rng, 23) as u8;
        push(Ipv4Addr::from(rng.next_u64() as u32).into(), cidr);
    }
    for _ in 0..V6_HOSTS {
        push(random_v6(rng).into(), 128);
    }
    for _ in 0..V6_SHORT {
        let cidr = 32 + below(rng, 33) as u8;
        push(random_v6(rng).into(), cidr);
    }
    out
}

/// A random address inside `prefix` (host bits random).
fn inside(prefix: &Prefix, rng: &mut BenchRng) -> IpAddr {
    match prefix.addr {
        IpAddr::V4(a) => {
            let host = if prefix.cidr == 0 {
                u32::MAX
            } else {
                u32::MAX >> prefix.cidr
            };
            let bits = (u32::from(a) & !host) | (rng.next_u64() as u32 & host);
            Ipv4Addr::from(bits).into()
        }
        IpAddr::V6(a) => {
            let host = u128::MAX.checked_shr(u32::from(prefix.cidr)).unwrap_or(0);
            let random = u128::from_be_bytes(random_v6(rng).octets());
            Ipv6Addr::from((u128::from(a) & !host) | (random & host)).into()
        }
    }
}

fn pick<'a>(prefixes: &'a [Prefix], rng: &mut BenchRng) -> &'a Prefix {
    &prefixes[below(rng, prefixes.len() as u64) as usize]
}

fn random_query(p: &[Prefix], rng: &mut BenchRng) -> IpAddr {
    let (v4_hosts, rest) = p.split_at(V4_HOSTS);
    let (v4_short, rest) = rest.split_at(V4_SHORT);
    let (v6_hosts, v6_short) = rest.split_at(V6_HOSTS);
    match below(rng, 100) {
        0..=59 => pick(v4_hosts, rng).addr,
        60..=74 => inside(pick(v4_short, rng), rng),
        75..=89 => Ipv4Addr::from(rng.next_u64() as u32).into(),
        90..=94 => pick(v6_hosts, rng).addr,
        95..=97 => inside(pick(v6_short, rng), rng),
        _ => random_v6(rng).into(),
    }
}

/// The seeded data set.
#[must_use]
pub fn data_set(seed: u64) -> DataSet {
    let mut rng = seeded(seed);
    let prefixes = random_prefixes(&mut rng);
    let queries = (0..QUERIES)
        .map(|_| random_query(&prefixes, &mut rng))
        .collect();
    DataSet { prefixes, queries }
}

/// Times `iters` lookups of the cycled queries in `table`.
pub fn run<T: Table>(table: &T, queries: &[IpAddr], iters: u64) -> std::time::Duration {
    let mask = queries.len() - 1;
    let mut i = 0usize;
    crate::harness::time_each(iters, || {
        let hit = table.lookup(queries[i & mask]);
        i = i.wrapping_add(1);
        hit
    })
}

#[cfg(test)]
mod tests;
