//! `ip_network_table::IpNetworkTable`, the structure inside `boringtun::device::AllowedIps`,
//! used the way `AllowedIps::insert` / `AllowedIps::find` use it.

use super::{Prefix, Table};
use ip_network::IpNetwork;
use ip_network_table::IpNetworkTable;
use std::net::IpAddr;

/// The table boringtun's device layer keeps its allowed IPs in.
pub struct NetworkTable(IpNetworkTable<u32>);

impl Table for NetworkTable {
    fn build(prefixes: &[Prefix]) -> Self {
        let mut table = IpNetworkTable::new();
        for p in prefixes {
            let network = IpNetwork::new_truncate(p.addr, p.cidr).expect("valid prefix length");
            table.insert(network, p.value);
        }
        NetworkTable(table)
    }

    fn lookup(&self, addr: IpAddr) -> Option<u32> {
        self.0.longest_match(addr).map(|(_, value)| *value)
    }
}
