//! Randomized operation sequences checked step by step against the naive
//! reference model (`naive.rs`), in the spirit of the kernel's
//! `horrible_allowedips` comparison and wireguard-go's `SlowRouter`.

use std::net::IpAddr;

use proptest::prelude::*;
use proptest::sample::Index;

use super::naive::Naive;
use super::AllowedIps;

/// Few bases, so random prefixes nest in and collide with each other often.
const V4_BASES: [u32; 3] = [0xC0A8_0404, 0x0A00_0000, u32::MAX];
const V6_BASES: [u128; 3] = [0x2607_5300_6000_6b00_0000_0000_c05f_0543, 0, u128::MAX];
const VALUES: u32 = 4;

#[derive(Clone, Debug)]
enum Op {
    Insert(IpAddr, u8, u32),
    Remove(IpAddr, u8, u32),
    /// Removes the model's n-th entry, naming another owner if the flag is set.
    RemoveExisting(Index, bool),
    RemoveAll(u32),
    Lookup(IpAddr),
}

/// A base address with zero to two bits flipped.
fn arb_addr() -> impl Strategy<Value = IpAddr> {
    let flips = proptest::collection::vec(0..128u32, 0..3);
    (any::<bool>(), 0..3usize, flips).prop_map(|(v6, base, flips)| {
        if v6 {
            IpAddr::from(
                flips
                    .iter()
                    .fold(V6_BASES[base], |k, &b| k ^ (1 << b))
                    .to_be_bytes(),
            )
        } else {
            IpAddr::from(
                flips
                    .iter()
                    .fold(V4_BASES[base], |k, &b| k ^ (1 << (b % 32)))
                    .to_be_bytes(),
            )
        }
    })
}

/// An address with a length: often a host route, occasionally too long.
fn arb_prefix() -> impl Strategy<Value = (IpAddr, u8)> {
    let host = proptest::bool::weighted(0.3);
    (arb_addr(), any::<u8>(), host).prop_map(|(a, c, host)| match (a.is_ipv4(), host) {
        (true, true) => (a, 32),
        (false, true) => (a, 128),
        (true, false) => (a, c % 35),
        (false, false) => (a, c % 131),
    })
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (arb_prefix(), 0..VALUES).prop_map(|((a, c), v)| Op::Insert(a, c, v)),
        1 => (arb_prefix(), 0..VALUES).prop_map(|((a, c), v)| Op::Remove(a, c, v)),
        2 => (any::<Index>(), any::<bool>()).prop_map(|(i, w)| Op::RemoveExisting(i, w)),
        1 => (0..VALUES).prop_map(Op::RemoveAll),
        2 => arb_addr().prop_map(Op::Lookup),
    ]
}

/// Applies one operation to both tables, checking any result it returns.
fn apply(t: &mut AllowedIps<u32>, m: &mut Naive, op: &Op) -> Result<(), TestCaseError> {
    match *op {
        Op::Insert(a, c, v) => prop_assert_eq!(t.insert(a, c, v).is_ok(), m.insert(a, c, v)),
        Op::Remove(a, c, v) => prop_assert_eq!(t.remove(a, c, v), m.remove(a, c, v)),
        Op::RemoveExisting(i, wrong_owner) => {
            if let Some((a, c, v)) = m.nth(i) {
                let v = if wrong_owner { (v + 1) % VALUES } else { v };
                prop_assert_eq!(t.remove(a, c, v), m.remove(a, c, v));
            }
        }
        Op::RemoveAll(v) => {
            t.remove_all(v);
            m.remove_all(v);
        }
        Op::Lookup(a) => prop_assert_eq!(t.lookup(a), m.lookup(a)),
    }
    Ok(())
}

/// Compares everything observable after each step, then drains the table.
fn check_against_model(ops: &[Op]) -> Result<(), TestCaseError> {
    let (mut t, mut m) = (AllowedIps::new(), Naive::default());
    let mut probes = Vec::new();
    for op in ops {
        apply(&mut t, &mut m, op)?;
        if let Op::Insert(a, ..) | Op::Remove(a, ..) | Op::Lookup(a) = *op {
            probes.push(a);
        }
        prop_assert_eq!(t.len(), m.len());
        // Glue nodes never outnumber trie routes: at most 2n - 1 trie nodes.
        let hosts = t.v4.host_routes() + t.v6.host_routes();
        let trie_routes = t.len() - hosts;
        prop_assert!(t.live_nodes() - hosts <= (2 * trie_routes).saturating_sub(1));
        for &p in probes.iter().rev().take(40) {
            prop_assert_eq!(t.lookup(p), m.lookup(p), "lookup {}", p);
        }
        for v in 0..VALUES {
            prop_assert_eq!(
                t.iter_for(v).collect::<Vec<_>>(),
                m.iter_for(v),
                "iter_for {}",
                v
            );
        }
    }
    for v in 0..VALUES {
        t.remove_all(v);
    }
    prop_assert!(t.is_empty());
    prop_assert_eq!(t.live_nodes(), 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_ops_match_naive_model(ops in proptest::collection::vec(arb_op(), 1..120)) {
        check_against_model(&ops)?;
    }
}
