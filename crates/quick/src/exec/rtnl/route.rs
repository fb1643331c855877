//! Routes: `ip route add|del`, `ip route get`, and route dumps.

use super::super::netlink::{Message, Netlink, Request};
use super::{af, RT_TABLE_MAIN};
use crate::action::{Family, Prefix};
use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteMessage, RouteMetric, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::RouteNetlinkMessage as Rtnl;
use std::io;
use std::net::IpAddr;

/// `proto boot`, what `ip route add` sets and so what wg-quick's routes carry.
pub const RTPROT_BOOT: u8 = libc::RTPROT_BOOT;
/// `RTN_UNICAST`.
pub const RTN_UNICAST: u8 = libc::RTN_UNICAST;

/// `struct rtmsg` as `ip route` fills it for a table number: one above 255 does not fit
/// `rtm_table`, which is then 0 (`RT_TABLE_UNSPEC`) and the number goes in `RTA_TABLE`.
fn route_message(family: Family, dst_len: u8, table: u32) -> RouteMessage {
    let mut message = RouteMessage::default();
    message.header.address_family = af(family);
    message.header.destination_prefix_length = dst_len;
    message.header.table = u8::try_from(table).unwrap_or(0);
    message.header.kind = RouteType::Unicast;
    message
}

pub(crate) fn add_route_request(index: u32, prefix: &Prefix, table: Option<u32>) -> Request {
    let mut message = route_message(prefix.family(), prefix.len, table.unwrap_or(RT_TABLE_MAIN));
    message.header.protocol = RouteProtocol::Boot;
    message.header.scope = RouteScope::Link;
    message.attributes = route_attributes(index, prefix, table);
    Request::change(Rtnl::NewRoute(message), NLM_F_CREATE | NLM_F_EXCL)
}

/// `ip -4|-6 route add PREFIX dev IF [table T]`.
pub fn add_route(
    nl: &mut Netlink,
    index: u32,
    prefix: &Prefix,
    table: Option<u32>,
) -> io::Result<()> {
    nl.change(&add_route_request(index, prefix, table))
}

pub(crate) fn delete_route_request(index: u32, prefix: &Prefix, table: Option<u32>) -> Request {
    let mut message = route_message(prefix.family(), prefix.len, table.unwrap_or(RT_TABLE_MAIN));
    message.header.protocol = RouteProtocol::Boot;
    // As `ip route del`: any scope, any type.
    message.header.scope = RouteScope::NoWhere;
    message.header.kind = RouteType::Unspec;
    message.attributes = route_attributes(index, prefix, table);
    Request::change(Rtnl::DelRoute(message), 0)
}

/// `ip -4|-6 route del PREFIX dev IF [table T] proto boot`: only a route wg-quick could
/// have added, never the kernel's own prefix route for an address with the same
/// destination.
pub fn delete_route(
    nl: &mut Netlink,
    index: u32,
    prefix: &Prefix,
    table: Option<u32>,
) -> io::Result<()> {
    nl.change(&delete_route_request(index, prefix, table))
}

/// `RTA_TABLE` (for a table above 255), `RTA_DST` (but for a default route), `RTA_OIF`.
fn route_attributes(index: u32, prefix: &Prefix, table: Option<u32>) -> Vec<RouteAttribute> {
    let table = table.unwrap_or(RT_TABLE_MAIN);
    let mut attributes = Vec::new();
    if table > 255 {
        attributes.push(RouteAttribute::Table(table));
    }
    if prefix.len > 0 {
        attributes.push(RouteAttribute::Destination(RouteAddress::from(prefix.ip)));
    }
    attributes.push(RouteAttribute::Oif(index));
    attributes
}

/// A route as the probes need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteInfo {
    /// The table (from `RTA_TABLE`, else the header).
    pub table: u32,
    /// The destination prefix length.
    pub dst_len: u8,
    /// The output interface, if any.
    pub oif: Option<u32>,
    /// The route's own `mtu` metric, if set.
    pub mtu: Option<u32>,
    /// The destination address (`None` for a default route).
    pub dst: Option<IpAddr>,
    /// `rtm_protocol` (`proto boot` for routes `ip route add` made).
    pub protocol: u8,
    /// `rtm_type` (unicast, local, multicast, ...).
    pub kind: u8,
}

/// The route in one reply.
pub(crate) fn parse_route(reply: &Message) -> Option<RouteInfo> {
    let Rtnl::NewRoute(message) = reply else {
        return None;
    };
    let header = &message.header;
    let mut info = RouteInfo {
        table: u32::from(header.table),
        dst_len: header.destination_prefix_length,
        oif: None,
        mtu: None,
        dst: None,
        protocol: header.protocol.into(),
        kind: header.kind.into(),
    };
    for attribute in &message.attributes {
        match attribute {
            RouteAttribute::Destination(RouteAddress::Inet(ip)) => info.dst = Some((*ip).into()),
            RouteAttribute::Destination(RouteAddress::Inet6(ip)) => info.dst = Some((*ip).into()),
            RouteAttribute::Table(table) => info.table = *table,
            RouteAttribute::Oif(index) => info.oif = Some(*index),
            RouteAttribute::Metrics(metrics) => {
                info.mtu = metrics.iter().find_map(|m| match m {
                    RouteMetric::Mtu(mtu) => Some(*mtu),
                    _ => None,
                });
            }
            _ => {}
        }
    }
    Some(info)
}

pub(crate) fn route_get_request(ip: IpAddr) -> Request {
    let full = if ip.is_ipv4() { 32 } else { 128 };
    let mut message = route_message(Family::of(ip), full, 0);
    let destination = RouteAttribute::Destination(RouteAddress::from(ip));
    message.attributes.push(destination);
    Request::get(Rtnl::GetRoute(message))
}

/// `ip route get IP`: the route the kernel would use, or `None` if unreachable.
pub fn route_get(nl: &mut Netlink, ip: IpAddr) -> io::Result<Option<RouteInfo>> {
    match nl.query(&route_get_request(ip)) {
        Ok(replies) => Ok(replies.first().and_then(parse_route)),
        Err(_) => Ok(None),
    }
}

pub(crate) fn dump_routes_request(family: Family) -> Request {
    Request::dump(Rtnl::GetRoute(route_message(family, 0, 0)))
}

/// Every route of a family, all tables.
pub fn dump_routes(nl: &mut Netlink, family: Family) -> io::Result<Vec<RouteInfo>> {
    let replies = nl.query(&dump_routes_request(family))?;
    Ok(replies.iter().filter_map(parse_route).collect())
}
