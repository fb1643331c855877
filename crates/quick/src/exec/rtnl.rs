//! The rtnetlink requests behind wg-quick's `ip` commands, each built the way `ip` builds it
//! (same header fields and attributes), so the kernel state is the same. Links and
//! addresses are here; routes and rules in the submodules. Each request has a builder
//! (`*_request`) apart from the call that sends it, so its bytes are tested without root.

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

use super::netlink::{Message, Netlink, Request};
use crate::action::{Family, Prefix};
use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::address::{AddressAttribute, AddressMessage, AddressScope};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkMessage};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage as Rtnl};
use std::io;

const RT_TABLE_MAIN: u32 = libc::RT_TABLE_MAIN as u32;

fn af(family: Family) -> AddressFamily {
    match family {
        Family::V4 => AddressFamily::Inet,
        Family::V6 => AddressFamily::Inet6,
    }
}

/// `struct ifinfomsg` for link `index` (0: by name), no flags.
fn link(index: u32) -> LinkMessage {
    let mut message = LinkMessage::default();
    message.header.index = index;
    message
}

/// `ip link show dev IF` (the name NUL-terminated, as `ip` sends it).
pub(crate) fn link_by_name_request(name: &str) -> Request {
    let mut message = link(0);
    message
        .attributes
        .push(LinkAttribute::IfName(name.to_string()));
    Request::get(Rtnl::GetLink(message))
}

/// A link's index and MTU, or `None` if there is no such link.
pub fn link_by_name(nl: &mut Netlink, name: &str) -> io::Result<Option<(u32, u32)>> {
    match nl.query(&link_by_name_request(name)) {
        Ok(replies) => Ok(parse_link(&replies)),
        Err(e) if e.raw_os_error() == Some(libc::ENODEV) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The link with index `index`.
pub(crate) fn link_request(index: u32) -> Request {
    Request::get(Rtnl::GetLink(link(index)))
}

/// A link's MTU by index.
pub fn link_mtu(nl: &mut Netlink, index: u32) -> io::Result<Option<u32>> {
    let replies = nl.query(&link_request(index))?;
    Ok(parse_link(&replies).map(|(_, mtu)| mtu))
}

/// The index and MTU in the reply to a link request.
pub(crate) fn parse_link(replies: &[Message]) -> Option<(u32, u32)> {
    let Some(Rtnl::NewLink(message)) = replies.first() else {
        return None;
    };
    let mtu = message.attributes.iter().find_map(|a| match a {
        LinkAttribute::Mtu(mtu) => Some(*mtu),
        _ => None,
    })?;
    Some((message.header.index, mtu))
}

/// The index of `name`, or `ENODEV`.
pub fn index_of(nl: &mut Netlink, name: &str) -> io::Result<u32> {
    link_by_name(nl, name)?
        .map(|(index, _)| index)
        .ok_or_else(|| io::Error::from_raw_os_error(libc::ENODEV))
}

/// `struct ifaddrmsg` and the address attributes, as `ip address add|del` sends them:
/// `IFA_LOCAL` and `IFA_ADDRESS`, both the address.
fn address_message(index: u32, address: &Prefix) -> AddressMessage {
    let mut message = AddressMessage::default();
    message.header.family = af(address.family());
    message.header.prefix_len = address.len;
    message.header.index = index;
    message.attributes = vec![
        AddressAttribute::Local(address.ip),
        AddressAttribute::Address(address.ip),
    ];
    message
}

pub(crate) fn add_address_request(index: u32, address: &Prefix) -> Request {
    let message = Rtnl::NewAddress(address_message(index, address));
    Request::change(message, NLM_F_CREATE | NLM_F_EXCL)
}

/// `ip -4|-6 address add ADDR dev IF`.
pub fn add_address(nl: &mut Netlink, index: u32, address: &Prefix) -> io::Result<()> {
    nl.change(&add_address_request(index, address))
}

pub(crate) fn delete_address_request(index: u32, address: &Prefix) -> Request {
    Request::change(Rtnl::DelAddress(address_message(index, address)), 0)
}

/// `ip -4|-6 address del ADDR dev IF`.
pub fn delete_address(nl: &mut Netlink, index: u32, address: &Prefix) -> io::Result<()> {
    nl.change(&delete_address_request(index, address))
}

pub(crate) fn set_mtu_up_request(index: u32, mtu: u32) -> Request {
    let mut message = link(index);
    message.header.flags = LinkFlags::Up;
    message.header.change_mask = LinkFlags::Up;
    message.attributes.push(LinkAttribute::Mtu(mtu));
    Request::change(Rtnl::NewLink(message), 0)
}

/// `ip link set mtu MTU up dev IF`.
pub fn set_mtu_up(nl: &mut Netlink, index: u32, mtu: u32) -> io::Result<()> {
    nl.change(&set_mtu_up_request(index, mtu))
}

pub(crate) fn move_link_request(index: u32, netns_fd: i32) -> Request {
    let mut message = link(index);
    message.attributes.push(LinkAttribute::NetNsFd(netns_fd));
    Request::change(Rtnl::NewLink(message), 0)
}

/// `ip link set dev IF netns NAME`: `netns_fd` is an open namespace file.
pub fn move_link(nl: &mut Netlink, index: u32, netns_fd: i32) -> io::Result<()> {
    nl.change(&move_link_request(index, netns_fd))
}

pub(crate) fn delete_link_request(index: u32) -> Request {
    Request::change(Rtnl::DelLink(link(index)), 0)
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
    let mut message = AddressMessage::default();
    message.header.family = af(family);
    Request::dump(Rtnl::GetAddress(message))
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

/// The addresses of link `index` in a dump of `family`'s addresses: `IFA_LOCAL` for IPv4
/// (`IFA_ADDRESS` is the peer's on a point-to-point link), `IFA_ADDRESS` for IPv6.
pub(crate) fn parse_addresses(replies: &[Message], family: Family, index: u32) -> Vec<LinkAddress> {
    let mut out = Vec::new();
    for reply in replies {
        let Rtnl::NewAddress(message) = reply else {
            continue;
        };
        if message.header.index != index {
            continue;
        }
        let ip = message.attributes.iter().find_map(|a| match (family, a) {
            (Family::V4, AddressAttribute::Local(ip))
            | (Family::V6, AddressAttribute::Address(ip)) => Some(*ip),
            _ => None,
        });
        if let Some(ip) = ip {
            out.push(LinkAddress {
                prefix: Prefix {
                    ip,
                    len: message.header.prefix_len,
                },
                link_scope: message.header.scope == AddressScope::Link,
            });
        }
    }
    out
}

#[cfg(all(test, target_endian = "little"))]
mod tests;
