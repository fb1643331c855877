//! The rtnetlink requests behind wg-quick's `ip` commands, each built the way `ip` builds it
//! (same header fields and attributes), so the kernel state is the same. Links and
//! addresses are here; routes and rules in the submodules.

mod route;
mod rule;

pub use route::{
    add_route, delete_route, dump_routes, route_get, RouteInfo, RTN_UNICAST, RTPROT_BOOT,
};
pub use rule::{add_rule, delete_rule, dump_rules};

use super::netlink::{as_u32, attrs, put_attr, put_u32, Netlink, F_CREATE, F_DUMP, F_EXCL};
use crate::action::{Family, Prefix};
use std::io;
use std::net::IpAddr;

const RTM_NEWLINK: u16 = 16;
const RTM_DELLINK: u16 = 17;
const RTM_GETLINK: u16 = 18;
const RTM_NEWADDR: u16 = 20;
const RTM_DELADDR: u16 = 21;
const RTM_GETADDR: u16 = 22;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFLA_NET_NS_FD: u16 = 28;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFF_UP: u32 = 0x1;
const RT_TABLE_MAIN: u32 = 254;
const RT_SCOPE_LINK: u8 = 253;
const ENODEV: i32 = 19;

fn af(family: Family) -> u8 {
    match family {
        Family::V4 => 2,
        Family::V6 => 10,
    }
}

fn ip_bytes(ip: IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    }
}

/// `struct ifinfomsg` for link `index` with `flags` under `change`.
fn ifinfomsg(index: u32, flags: u32, change: u32) -> Vec<u8> {
    let mut out = vec![0u8; 4];
    out.extend_from_slice(&index.to_ne_bytes());
    out.extend_from_slice(&flags.to_ne_bytes());
    out.extend_from_slice(&change.to_ne_bytes());
    out
}

/// A link's index and MTU, or `None` if there is no such link.
pub fn link_by_name(nl: &mut Netlink, name: &str) -> io::Result<Option<(u32, u32)>> {
    let mut body = ifinfomsg(0, 0, 0);
    let mut name_z = name.as_bytes().to_vec();
    name_z.push(0);
    put_attr(&mut body, IFLA_IFNAME, &name_z);
    match nl.query(RTM_GETLINK, 0, &body) {
        Ok(replies) => Ok(replies.first().and_then(|m| parse_link(&m.payload))),
        Err(e) if e.raw_os_error() == Some(ENODEV) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A link's MTU by index.
pub fn link_mtu(nl: &mut Netlink, index: u32) -> io::Result<Option<u32>> {
    let replies = nl.query(RTM_GETLINK, 0, &ifinfomsg(index, 0, 0))?;
    Ok(replies
        .first()
        .and_then(|m| parse_link(&m.payload))
        .map(|(_, mtu)| mtu))
}

fn parse_link(payload: &[u8]) -> Option<(u32, u32)> {
    let index = as_u32(payload.get(4..8)?)?;
    let mtu = attrs(payload.get(16..)?)
        .into_iter()
        .find(|(kind, _)| *kind == IFLA_MTU)
        .and_then(|(_, data)| as_u32(data))?;
    Some((index, mtu))
}

/// The index of `name`, or `ENODEV`.
pub fn index_of(nl: &mut Netlink, name: &str) -> io::Result<u32> {
    link_by_name(nl, name)?
        .map(|(index, _)| index)
        .ok_or_else(|| io::Error::from_raw_os_error(ENODEV))
}

/// `struct ifaddrmsg` and the address attributes, as `ip address add|del` sends them.
fn address_body(index: u32, address: &Prefix) -> Vec<u8> {
    let mut body = vec![af(address.family()), address.len, 0, 0];
    body.extend_from_slice(&index.to_ne_bytes());
    put_attr(&mut body, IFA_LOCAL, &ip_bytes(address.ip));
    put_attr(&mut body, IFA_ADDRESS, &ip_bytes(address.ip));
    body
}

/// `ip -4|-6 address add ADDR dev IF`.
pub fn add_address(nl: &mut Netlink, index: u32, address: &Prefix) -> io::Result<()> {
    nl.change(
        RTM_NEWADDR,
        F_CREATE | F_EXCL,
        &address_body(index, address),
    )
}

/// `ip -4|-6 address del ADDR dev IF`.
pub fn delete_address(nl: &mut Netlink, index: u32, address: &Prefix) -> io::Result<()> {
    nl.change(RTM_DELADDR, 0, &address_body(index, address))
}

/// `ip link set mtu MTU up dev IF`.
pub fn set_mtu_up(nl: &mut Netlink, index: u32, mtu: u32) -> io::Result<()> {
    let mut body = ifinfomsg(index, IFF_UP, IFF_UP);
    put_u32(&mut body, IFLA_MTU, mtu);
    nl.change(RTM_NEWLINK, 0, &body)
}

/// `ip link set dev IF netns NAME`: `netns_fd` is an open namespace file.
pub fn move_link(nl: &mut Netlink, index: u32, netns_fd: i32) -> io::Result<()> {
    let mut body = ifinfomsg(index, 0, 0);
    let fd = u32::try_from(netns_fd).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    put_u32(&mut body, IFLA_NET_NS_FD, fd);
    nl.change(RTM_NEWLINK, 0, &body)
}

/// `ip link delete dev IF`.
pub fn delete_link(nl: &mut Netlink, index: u32) -> io::Result<()> {
    nl.change(RTM_DELLINK, 0, &ifinfomsg(index, 0, 0))
}

/// One address of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkAddress {
    /// The address and prefix length.
    pub prefix: Prefix,
    /// Its scope is `link` (the kernel's IPv6 link-local address, for one).
    pub link_scope: bool,
}

/// The addresses on link `index` (`ip -o address show dev IF`), IPv4 first.
pub fn addresses(nl: &mut Netlink, index: u32) -> io::Result<Vec<LinkAddress>> {
    let mut out = Vec::new();
    for family in [Family::V4, Family::V6] {
        let body = vec![af(family), 0, 0, 0, 0, 0, 0, 0];
        for message in nl.query(RTM_GETADDR, F_DUMP, &body)? {
            let p = &message.payload;
            if p.len() < 8 || as_u32(&p[4..8]) != Some(index) {
                continue;
            }
            let wanted = if family == Family::V4 {
                IFA_LOCAL
            } else {
                IFA_ADDRESS
            };
            let ip = attrs(&p[8..])
                .into_iter()
                .find(|(k, _)| *k == wanted)
                .and_then(|(_, d)| match d.len() {
                    4 => Some(IpAddr::from(<[u8; 4]>::try_from(d).ok()?)),
                    16 => Some(IpAddr::from(<[u8; 16]>::try_from(d).ok()?)),
                    _ => None,
                });
            if let Some(ip) = ip {
                let link_scope = p[3] == RT_SCOPE_LINK;
                out.push(LinkAddress {
                    prefix: Prefix { ip, len: p[1] },
                    link_scope,
                });
            }
        }
    }
    Ok(out)
}
