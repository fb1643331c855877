//! Routes: `ip route add|del`, `ip route get`, and route dumps.

use super::super::netlink::{
    as_u32, attrs, put_attr, put_u32, Message, Netlink, Request, F_CREATE, F_DUMP, F_EXCL,
};
use super::{af, ip_bytes, RT_SCOPE_LINK, RT_TABLE_MAIN};
use crate::action::{Family, Prefix};
use std::io;
use std::net::IpAddr;

const RTM_NEWROUTE: u16 = 24;
const RTM_DELROUTE: u16 = 25;
const RTM_GETROUTE: u16 = 26;
const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RTA_METRICS: u16 = 8;
const RTA_TABLE: u16 = 15;
const RTAX_MTU: u16 = 2;
const RT_SCOPE_NOWHERE: u8 = 255;
/// `proto boot`, what `ip route add` sets and so what wg-quick's routes carry.
pub const RTPROT_BOOT: u8 = 3;
/// `RTN_UNICAST`.
pub const RTN_UNICAST: u8 = 1;

/// `struct rtmsg` plus `RTA_TABLE`, as `ip route` fills them for a table number.
fn rtmsg(family: Family, dst_len: u8, table: u32, scope: u8, protocol: u8) -> Vec<u8> {
    let short = u8::try_from(table).unwrap_or(0);
    let mut body = vec![
        af(family),
        dst_len,
        0,
        0,
        short,
        protocol,
        scope,
        RTN_UNICAST,
    ];
    body.extend_from_slice(&0u32.to_ne_bytes());
    body
}

pub(crate) fn add_route_request(index: u32, prefix: &Prefix, table: Option<u32>) -> Request {
    let body = route_body(index, prefix, table, RT_SCOPE_LINK, RTN_UNICAST);
    Request::change(RTM_NEWROUTE, F_CREATE | F_EXCL, body)
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
    // As `ip route del`: any scope, any type.
    let body = route_body(index, prefix, table, RT_SCOPE_NOWHERE, 0);
    Request::change(RTM_DELROUTE, 0, body)
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

fn route_body(index: u32, prefix: &Prefix, table: Option<u32>, scope: u8, kind: u8) -> Vec<u8> {
    let table = table.unwrap_or(RT_TABLE_MAIN);
    let mut body = rtmsg(prefix.family(), prefix.len, table, scope, RTPROT_BOOT);
    body[7] = kind;
    if table > 255 {
        put_u32(&mut body, RTA_TABLE, table);
    }
    if prefix.len > 0 {
        put_attr(&mut body, RTA_DST, &ip_bytes(prefix.ip));
    }
    put_u32(&mut body, RTA_OIF, index);
    body
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
pub(crate) fn parse_route(message: &Message) -> Option<RouteInfo> {
    let payload = &message.payload;
    let mut info = RouteInfo {
        table: u32::from(*payload.get(4)?),
        dst_len: *payload.get(1)?,
        oif: None,
        mtu: None,
        dst: None,
        protocol: *payload.get(5)?,
        kind: *payload.get(7)?,
    };
    for (kind, data) in attrs(payload.get(12..)?) {
        match kind {
            RTA_DST => info.dst = ip_from(data),
            RTA_TABLE => info.table = as_u32(data).unwrap_or(info.table),
            RTA_OIF => info.oif = as_u32(data),
            RTA_METRICS => {
                info.mtu = attrs(data)
                    .into_iter()
                    .find(|(k, _)| *k == RTAX_MTU)
                    .and_then(|(_, d)| as_u32(d));
            }
            _ => {}
        }
    }
    Some(info)
}

pub(crate) fn route_get_request(ip: IpAddr) -> Request {
    let family = Family::of(ip);
    let full = if ip.is_ipv4() { 32 } else { 128 };
    let mut body = rtmsg(family, full, 0, 0, 0);
    put_attr(&mut body, RTA_DST, &ip_bytes(ip));
    Request::query(RTM_GETROUTE, 0, body)
}

/// `ip route get IP`: the route the kernel would use, or `None` if unreachable.
pub fn route_get(nl: &mut Netlink, ip: IpAddr) -> io::Result<Option<RouteInfo>> {
    match nl.query(&route_get_request(ip)) {
        Ok(replies) => Ok(replies.first().and_then(parse_route)),
        Err(_) => Ok(None),
    }
}

pub(crate) fn dump_routes_request(family: Family) -> Request {
    Request::query(RTM_GETROUTE, F_DUMP, rtmsg(family, 0, 0, 0, 0))
}

/// Every route of a family, all tables.
pub fn dump_routes(nl: &mut Netlink, family: Family) -> io::Result<Vec<RouteInfo>> {
    let replies = nl.query(&dump_routes_request(family))?;
    Ok(replies.iter().filter_map(parse_route).collect())
}

/// An address attribute's bytes as an address.
fn ip_from(data: &[u8]) -> Option<IpAddr> {
    match data.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(data).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(data).ok()?)),
        _ => None,
    }
}
