//! What the planner needs to know about the host, gathered once before planning.
//!
//! wg-quick asks the system while it runs (`ip route get`, `ip route show table N`,
//! `type -p nft`, ...). ferrotun takes one snapshot instead, so the planner stays a pure
//! function that tests can feed with made-up hosts. [`crate::probe`] fills it on Linux.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// A snapshot of the host as far as `up` and `down` care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// Whether a link with the interface's name exists (`up` refuses then).
    pub link_exists: bool,
    /// Whether the interface has a live UAPI socket (`down` requires it).
    pub is_wireguard: bool,
    /// For each endpoint address: the MTU of the route to it (the route's own `mtu`, else
    /// its device's). Endpoints without a route are absent.
    pub endpoint_mtus: BTreeMap<IpAddr, u32>,
    /// The MTU of the IPv4 default route of the main table, the same way.
    pub default_route_mtu: Option<u32>,
    /// Routing tables (both families) that hold at least one route.
    pub nonempty_tables: BTreeSet<u32>,
    /// `net.ipv4.conf.all.src_valid_mark` is already 1.
    pub src_valid_mark: bool,
    /// IPv6 works (`/proc/sys/net/ipv6/conf/all/disable_ipv6` is absent or 1 is not set).
    pub ipv6_available: bool,
    /// How DNS can be set: `None` if neither resolvconf nor systemd-resolved is there.
    pub dns: Option<crate::action::DnsBackend>,
    /// With `--netns`: whether the namespace's `resolv.conf` holds DNS set for this
    /// interface (or keeps a file aside), so that removing it has something to do.
    pub netns_dns_set: bool,
    /// `nft` is installed.
    pub has_nft: bool,
    /// Named routing tables from `/etc/iproute2/rt_tables` (besides the built-in ones).
    pub table_names: BTreeMap<String, u32>,
    /// The running device, for `down`: its fwmark (0 = off).
    pub running_fwmark: u32,
    /// The running device, for `down`: whether any of its allowed IPs is a `/0`.
    pub running_has_default: bool,
}

impl Default for Environment {
    /// A quiet host: nothing exists yet, IPv6 works, no resolver, no nft.
    fn default() -> Self {
        Environment {
            link_exists: false,
            is_wireguard: false,
            endpoint_mtus: BTreeMap::new(),
            default_route_mtu: None,
            nonempty_tables: BTreeSet::new(),
            src_valid_mark: false,
            ipv6_available: true,
            dns: None,
            netns_dns_set: false,
            has_nft: false,
            table_names: BTreeMap::new(),
            running_fwmark: 0,
            running_has_default: false,
        }
    }
}

/// The running interface as `reload` finds it: what the new file is diffed against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Running {
    /// The daemon's configuration (UAPI `get`).
    pub device: ferrotun_uapi::client::DeviceInfo,
    /// The link's addresses; the flag marks link-scope ones (the kernel's own IPv6
    /// link-local address among them).
    pub addresses: Vec<(crate::action::Prefix, bool)>,
    /// The link's MTU.
    pub mtu: u32,
    /// Unicast `proto boot` routes through the link (what `ip route add` makes), any table:
    /// destination and table.
    pub routes: Vec<(crate::action::Prefix, u32)>,
    /// wg-quick's policy rules present in the namespace.
    pub rules: Vec<crate::action::Rule>,
}
