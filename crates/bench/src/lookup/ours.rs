//! ferrotun's `AllowedIps`.

use super::{Prefix, Table};
use ferrotun_proto::allowed_ips::AllowedIps;
use std::net::IpAddr;

/// ferrotun's allowed-IPs table with `u32` peer ids.
pub struct Ours(AllowedIps<u32>);

impl Table for Ours {
    fn build(prefixes: &[Prefix]) -> Self {
        let mut table = AllowedIps::new();
        for p in prefixes {
            table.insert(p.addr, p.cidr, p.value).expect("valid prefix");
        }
        Ours(table)
    }

    fn lookup(&self, addr: IpAddr) -> Option<u32> {
        self.0.lookup(addr)
    }
}
