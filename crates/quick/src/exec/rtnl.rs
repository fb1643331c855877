//! The rtnetlink requests behind wg-quick's `ip` commands, each built the way `ip` builds it
//! (same header fields and attributes), so the kernel state is the same.

use super::netlink::{as_u32, attrs, put_attr, put_u32, Netlink, F_CREATE, F_DUMP, F_EXCL};
use crate::action::{Family, Prefix, Rule};
use std::io;
use std::net::IpAddr;

const RTM_NEWLINK: u16 = 16;
const RTM_DELLINK: u16 = 17;
const RTM_GETLINK: u16 = 18;
const RTM_NEWADDR: u16 = 20;
const RTM_NEWROUTE: u16 = 24;
const RTM_GETROUTE: u16 = 26;
const RTM_NEWRULE: u16 = 32;
const RTM_DELRULE: u16 = 33;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RTA_METRICS: u16 = 8;
const RTA_TABLE: u16 = 15;
const RTAX_MTU: u16 = 2;
const FRA_FWMARK: u16 = 10;
const FRA_SUPPRESS_PREFIXLEN: u16 = 14;
const FRA_TABLE: u16 = 15;
const FIB_RULE_INVERT: u32 = 0x2;
const FR_ACT_TO_TBL: u8 = 1;
const IFF_UP: u32 = 0x1;
const RT_TABLE_MAIN: u32 = 254;
const RT_SCOPE_LINK: u8 = 253;
const RTPROT_BOOT: u8 = 3;
const RTN_UNICAST: u8 = 1;
const ENODEV: i32 = 19;
const ENOENT: i32 = 2;

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

/// `ip -4|-6 address add ADDR dev IF`.
pub fn add_address(nl: &mut Netlink, index: u32, address: &Prefix) -> io::Result<()> {
    let mut body = vec![af(address.family()), address.len, 0, 0];
    body.extend_from_slice(&index.to_ne_bytes());
    put_attr(&mut body, IFA_LOCAL, &ip_bytes(address.ip));
    put_attr(&mut body, IFA_ADDRESS, &ip_bytes(address.ip));
    nl.change(RTM_NEWADDR, F_CREATE | F_EXCL, &body)
}

/// `ip link set mtu MTU up dev IF`.
pub fn set_mtu_up(nl: &mut Netlink, index: u32, mtu: u32) -> io::Result<()> {
    let mut body = ifinfomsg(index, IFF_UP, IFF_UP);
    put_u32(&mut body, IFLA_MTU, mtu);
    nl.change(RTM_NEWLINK, 0, &body)
}

/// `ip link delete dev IF`.
pub fn delete_link(nl: &mut Netlink, index: u32) -> io::Result<()> {
    nl.change(RTM_DELLINK, 0, &ifinfomsg(index, 0, 0))
}

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

/// `ip -4|-6 route add PREFIX dev IF [table T]`.
pub fn add_route(
    nl: &mut Netlink,
    index: u32,
    prefix: &Prefix,
    table: Option<u32>,
) -> io::Result<()> {
    let table = table.unwrap_or(RT_TABLE_MAIN);
    let mut body = rtmsg(
        prefix.family(),
        prefix.len,
        table,
        RT_SCOPE_LINK,
        RTPROT_BOOT,
    );
    if table > 255 {
        put_u32(&mut body, RTA_TABLE, table);
    }
    if prefix.len > 0 {
        put_attr(&mut body, RTA_DST, &ip_bytes(prefix.ip));
    }
    put_u32(&mut body, RTA_OIF, index);
    nl.change(RTM_NEWROUTE, F_CREATE | F_EXCL, &body)
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
}

fn parse_route(payload: &[u8]) -> Option<RouteInfo> {
    let mut info = RouteInfo {
        table: u32::from(*payload.get(4)?),
        dst_len: *payload.get(1)?,
        oif: None,
        mtu: None,
    };
    for (kind, data) in attrs(payload.get(12..)?) {
        match kind {
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

/// `ip route get IP`: the route the kernel would use, or `None` if unreachable.
pub fn route_get(nl: &mut Netlink, ip: IpAddr) -> io::Result<Option<RouteInfo>> {
    let family = Family::of(ip);
    let full = if ip.is_ipv4() { 32 } else { 128 };
    let mut body = rtmsg(family, full, 0, 0, 0);
    put_attr(&mut body, RTA_DST, &ip_bytes(ip));
    match nl.query(RTM_GETROUTE, 0, &body) {
        Ok(replies) => Ok(replies.first().and_then(|m| parse_route(&m.payload))),
        Err(_) => Ok(None),
    }
}

/// Every route of a family, all tables.
pub fn dump_routes(nl: &mut Netlink, family: Family) -> io::Result<Vec<RouteInfo>> {
    let body = rtmsg(family, 0, 0, 0, 0);
    let replies = nl.query(RTM_GETROUTE, F_DUMP, &body)?;
    Ok(replies
        .iter()
        .filter_map(|m| parse_route(&m.payload))
        .collect())
}

/// `struct fib_rule_hdr` and attributes for one of wg-quick's rules.
fn rule_body(rule: &Rule) -> Vec<u8> {
    let (family, table, invert) = match rule {
        Rule::NotFwmark { family, mark } => (*family, *mark, true),
        Rule::SuppressMain { family } => (*family, RT_TABLE_MAIN, false),
    };
    let short = u8::try_from(table).unwrap_or(0);
    let mut body = vec![af(family), 0, 0, 0, short, 0, 0, FR_ACT_TO_TBL];
    let flags = if invert { FIB_RULE_INVERT } else { 0 };
    body.extend_from_slice(&flags.to_ne_bytes());
    put_u32(&mut body, FRA_TABLE, table);
    match rule {
        Rule::NotFwmark { mark, .. } => put_u32(&mut body, FRA_FWMARK, *mark),
        Rule::SuppressMain { .. } => put_u32(&mut body, FRA_SUPPRESS_PREFIXLEN, 0),
    }
    body
}

/// `ip rule add ...`.
pub fn add_rule(nl: &mut Netlink, rule: &Rule) -> io::Result<()> {
    nl.change(RTM_NEWRULE, F_CREATE | F_EXCL, &rule_body(rule))
}

/// `ip rule delete table T` / `ip rule delete table main suppress_prefixlength 0`: deletes
/// one matching rule; `Ok(false)` when none is left.
pub fn delete_rule(nl: &mut Netlink, rule: &Rule) -> io::Result<bool> {
    let mut body = rule_body(rule);
    if let Rule::NotFwmark { family, mark } = rule {
        // `del_if` deletes by table alone, which also catches rules whose mark differs.
        let short = u8::try_from(*mark).unwrap_or(0);
        body = vec![af(*family), 0, 0, 0, short, 0, 0, FR_ACT_TO_TBL, 0, 0, 0, 0];
        put_u32(&mut body, FRA_TABLE, *mark);
    }
    match nl.change(RTM_DELRULE, 0, &body) {
        Ok(()) => Ok(true),
        Err(e) if e.raw_os_error() == Some(ENOENT) => Ok(false),
        Err(e) => Err(e),
    }
}

const RTM_GETADDR: u16 = 22;

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
