//! The rtnetlink requests behind wg-quick's `ip` commands, each built the way `ip` builds it
//! (same header fields and attributes), so the kernel state is the same. Links and
//! addresses are here; routes and rules in the submodules.

mod route;
mod rule;

pub use route::{
    add_route, delete_route, dump_routes, route_get, RouteInfo, RTN_UNICAST, RTPROT_BOOT,
};
#[cfg(test)]
use route::{
    add_route_request, delete_route_request, dump_routes_request, parse_route, route_get_request,
};
pub use rule::{add_rule, delete_rule, dump_rules};
#[cfg(test)]
use rule::{add_rule_request, delete_rule_request, dump_rules_request, parse_rules};

use super::netlink::{
    as_u32, attrs, put_attr, put_u32, Message, Netlink, Request, F_CREATE, F_DUMP, F_EXCL,
};
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

/// `ip link show dev IF`.
pub(crate) fn link_by_name_request(name: &str) -> Request {
    let mut body = ifinfomsg(0, 0, 0);
    let mut name_z = name.as_bytes().to_vec();
    name_z.push(0);
    put_attr(&mut body, IFLA_IFNAME, &name_z);
    Request::query(RTM_GETLINK, 0, body)
}

/// A link's index and MTU, or `None` if there is no such link.
pub fn link_by_name(nl: &mut Netlink, name: &str) -> io::Result<Option<(u32, u32)>> {
    match nl.query(&link_by_name_request(name)) {
        Ok(replies) => Ok(parse_link(&replies)),
        Err(e) if e.raw_os_error() == Some(ENODEV) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The link with index `index`.
pub(crate) fn link_request(index: u32) -> Request {
    Request::query(RTM_GETLINK, 0, ifinfomsg(index, 0, 0))
}

/// A link's MTU by index.
pub fn link_mtu(nl: &mut Netlink, index: u32) -> io::Result<Option<u32>> {
    let replies = nl.query(&link_request(index))?;
    Ok(parse_link(&replies).map(|(_, mtu)| mtu))
}

/// The index and MTU in the reply to a link request.
pub(crate) fn parse_link(replies: &[Message]) -> Option<(u32, u32)> {
    let payload = &replies.first()?.payload;
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

pub(crate) fn add_address_request(index: u32, address: &Prefix) -> Request {
    Request::change(RTM_NEWADDR, F_CREATE | F_EXCL, address_body(index, address))
}

/// `ip -4|-6 address add ADDR dev IF`.
pub fn add_address(nl: &mut Netlink, index: u32, address: &Prefix) -> io::Result<()> {
    nl.change(&add_address_request(index, address))
}

pub(crate) fn delete_address_request(index: u32, address: &Prefix) -> Request {
    Request::change(RTM_DELADDR, 0, address_body(index, address))
}

/// `ip -4|-6 address del ADDR dev IF`.
pub fn delete_address(nl: &mut Netlink, index: u32, address: &Prefix) -> io::Result<()> {
    nl.change(&delete_address_request(index, address))
}

pub(crate) fn set_mtu_up_request(index: u32, mtu: u32) -> Request {
    let mut body = ifinfomsg(index, IFF_UP, IFF_UP);
    put_u32(&mut body, IFLA_MTU, mtu);
    Request::change(RTM_NEWLINK, 0, body)
}

/// `ip link set mtu MTU up dev IF`.
pub fn set_mtu_up(nl: &mut Netlink, index: u32, mtu: u32) -> io::Result<()> {
    nl.change(&set_mtu_up_request(index, mtu))
}

pub(crate) fn move_link_request(index: u32, netns_fd: i32) -> io::Result<Request> {
    let mut body = ifinfomsg(index, 0, 0);
    let fd = u32::try_from(netns_fd).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    put_u32(&mut body, IFLA_NET_NS_FD, fd);
    Ok(Request::change(RTM_NEWLINK, 0, body))
}

/// `ip link set dev IF netns NAME`: `netns_fd` is an open namespace file.
pub fn move_link(nl: &mut Netlink, index: u32, netns_fd: i32) -> io::Result<()> {
    nl.change(&move_link_request(index, netns_fd)?)
}

pub(crate) fn delete_link_request(index: u32) -> Request {
    Request::change(RTM_DELLINK, 0, ifinfomsg(index, 0, 0))
}

/// `ip link delete dev IF`.
pub fn delete_link(nl: &mut Netlink, index: u32) -> io::Result<()> {
    nl.change(&delete_link_request(index))
}

/// One address of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkAddress {
    /// The address and prefix length.
    pub prefix: Prefix,
    /// Its scope is `link` (the kernel's IPv6 link-local address, for one).
    pub link_scope: bool,
}

/// Every address of `family` (`ip -o address show`).
pub(crate) fn addresses_request(family: Family) -> Request {
    Request::query(RTM_GETADDR, F_DUMP, vec![af(family), 0, 0, 0, 0, 0, 0, 0])
}

/// The addresses on link `index` (`ip -o address show dev IF`), IPv4 first.
pub fn addresses(nl: &mut Netlink, index: u32) -> io::Result<Vec<LinkAddress>> {
    let mut out = Vec::new();
    for family in [Family::V4, Family::V6] {
        let replies = nl.query(&addresses_request(family))?;
        out.extend(parse_addresses(&replies, family, index));
    }
    Ok(out)
}

/// The addresses of link `index` in a dump of `family`'s addresses.
pub(crate) fn parse_addresses(replies: &[Message], family: Family, index: u32) -> Vec<LinkAddress> {
    let mut out = Vec::new();
    for message in replies {
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
    out
}

#[cfg(all(test, target_endian = "little"))]
mod tests;
