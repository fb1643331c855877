//! The naive baseline: one `HashMap` per prefix length, probed from the longest length down.

use super::{Prefix, Table};
use std::collections::HashMap;
use std::net::IpAddr;

/// Hash maps keyed by the masked address, one per prefix length in use, longest first.
#[derive(Debug, Default)]
pub struct PrefixMaps {
    v4: Vec<(u8, HashMap<u32, u32>)>,
    v6: Vec<(u8, HashMap<u128, u32>)>,
}

fn mask_v4(cidr: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(cidr)).unwrap_or(0)
}

fn mask_v6(cidr: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(cidr)).unwrap_or(0)
}

/// The map for `cidr`, created (keeping longest-first order) if missing.
fn map_for<K>(maps: &mut Vec<(u8, HashMap<K, u32>)>, cidr: u8) -> &mut HashMap<K, u32> {
    let at = match maps.binary_search_by(|(len, _)| cidr.cmp(len)) {
        Ok(at) => at,
        Err(at) => {
            maps.insert(at, (cidr, HashMap::new()));
            at
        }
    };
    &mut maps[at].1
}

impl PrefixMaps {
    /// Inserts or replaces `addr/cidr`.
    pub fn insert(&mut self, addr: IpAddr, cidr: u8, value: u32) {
        match addr {
            IpAddr::V4(a) => {
                map_for(&mut self.v4, cidr).insert(u32::from(a) & mask_v4(cidr), value);
            }
            IpAddr::V6(a) => {
                map_for(&mut self.v6, cidr).insert(u128::from(a) & mask_v6(cidr), value);
            }
        }
    }
}

impl Table for PrefixMaps {
    fn build(prefixes: &[Prefix]) -> Self {
        let mut maps = PrefixMaps::default();
        for p in prefixes {
            maps.insert(p.addr, p.cidr, p.value);
        }
        maps
    }

    fn lookup(&self, addr: IpAddr) -> Option<u32> {
        match addr {
            IpAddr::V4(a) => {
                let a = u32::from(a);
                self.v4
                    .iter()
                    .find_map(|(cidr, map)| map.get(&(a & mask_v4(*cidr))).copied())
            }
            IpAddr::V6(a) => {
                let a = u128::from(a);
                self.v6
                    .iter()
                    .find_map(|(cidr, map)| map.get(&(a & mask_v6(*cidr))).copied())
            }
        }
    }
}
