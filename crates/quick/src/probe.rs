//! Fills an [`Environment`] from the running Linux host: the questions wg-quick asks `ip`,
//! `wg`, `type -p` and `/proc` while it runs; and, for `reload`, a [`Running`] snapshot of
//! the interface.

use crate::action::{DnsBackend, Family, Prefix};
use crate::env::{Environment, Running};
use crate::exec::netlink::Netlink;
use crate::exec::rtnl;
use crate::netns::{within, Namespace};
use ferrotun_conf::Config;
use std::ffi::OsStr;
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

const MAIN_TABLE: u32 = 254;

/// Takes the snapshot for `interface` and its parsed file. With `netns` (`--netns`), the
/// interface's side (links, tables, sysctls) is read inside that namespace, and the
/// endpoint paths here, where the daemon's UDP socket is.
pub fn probe(
    interface: &str,
    config: &Config,
    netns: Option<&Namespace>,
) -> io::Result<Environment> {
    let mut env = within(netns, || interface_side(interface))?;
    let mut nl = Netlink::open()?;
    if let Some(ns) = netns {
        // The daemon makes the link here before it moves, so the name must be free in both.
        env.link_exists |= rtnl::link_by_name(&mut nl, interface)?.is_some();
        env.dns = Some(DnsBackend::NetnsFile(ns.name().to_string()));
        env.netns_dns_set = crate::exec::netns_resolv::is_set(ns.name(), interface);
    } else {
        env.dns = dns_backend();
    }
    env.is_wireguard = ferrotun_uapi::client::has_interface(OsStr::new(interface));
    env.has_nft = which("nft").is_some();
    env.table_names = crate::rt_tables::read();
    for endpoint in config
        .peers
        .iter()
        .filter_map(|peer| peer.endpoint.as_ref())
    {
        let ip = endpoint.addr.ip();
        let route = rtnl::route_get(&mut nl, ip)?;
        if let Some(mtu) = route_mtu(&mut nl, route)? {
            env.endpoint_mtus.insert(ip, mtu);
        }
    }
    let default = rtnl::dump_routes(&mut nl, Family::V4)?
        .into_iter()
        .find(|r| r.table == MAIN_TABLE && r.dst_len == 0);
    env.default_route_mtu = route_mtu(&mut nl, default)?;
    if env.is_wireguard {
        if let Ok(info) = ferrotun_uapi::client::get(
            OsStr::new(interface),
            &ferrotun_uapi::client::resolve_numeric,
        ) {
            env.running_fwmark = info.fwmark;
            env.running_has_default = info
                .peers
                .iter()
                .flat_map(|p| &p.allowed_ips)
                .any(|(_, cidr)| *cidr == 0);
        }
    }
    Ok(env)
}

/// What the calling thread's namespace says about the interface's side.
fn interface_side(interface: &str) -> io::Result<Environment> {
    let mut nl = Netlink::open()?;
    let mut env = Environment {
        link_exists: rtnl::link_by_name(&mut nl, interface)?.is_some(),
        src_valid_mark: read_trimmed("/proc/sys/net/ipv4/conf/all/src_valid_mark").as_deref()
            == Some("1"),
        ipv6_available: read_trimmed("/proc/sys/net/ipv6/conf/all/disable_ipv6")
            .is_some_and(|v| v != "1"),
        ..Environment::default()
    };
    let mut tables: Vec<_> = rtnl::dump_routes(&mut nl, Family::V4)?;
    if env.ipv6_available {
        tables.extend(rtnl::dump_routes(&mut nl, Family::V6)?);
    }
    env.nonempty_tables = tables.iter().map(|r| r.table).collect();
    Ok(env)
}

/// The running interface for `reload`, read where the link lives; `ENODEV` when it has no
/// link there.
pub fn probe_running(interface: &str, netns: Option<&Namespace>) -> io::Result<Running> {
    let mut running = within(netns, || link_side(interface))?;
    running.device = ferrotun_uapi::client::get(
        OsStr::new(interface),
        &ferrotun_uapi::client::resolve_numeric,
    )
    .map_err(|e| io::Error::from_raw_os_error(e.errno()))?;
    Ok(running)
}

fn link_side(interface: &str) -> io::Result<Running> {
    let mut nl = Netlink::open()?;
    let index = rtnl::index_of(&mut nl, interface)?;
    let mut running = Running {
        mtu: rtnl::link_mtu(&mut nl, index)?.unwrap_or(0),
        ..Running::default()
    };
    running.addresses = rtnl::addresses(&mut nl, index)?
        .into_iter()
        .map(|a| (a.prefix, a.link_scope))
        .collect();
    for family in [Family::V4, Family::V6] {
        // Without IPv6 in the kernel there are neither IPv6 routes nor rules to find.
        let Ok(routes) = rtnl::dump_routes(&mut nl, family) else {
            continue;
        };
        for route in routes {
            let ours = route.oif == Some(index)
                && route.protocol == rtnl::RTPROT_BOOT
                && route.kind == rtnl::RTN_UNICAST;
            if ours {
                let unspecified = match family {
                    Family::V4 => IpAddr::from([0u8; 4]),
                    Family::V6 => IpAddr::from([0u8; 16]),
                };
                let ip = route.dst.unwrap_or(unspecified);
                running.routes.push((
                    Prefix {
                        ip,
                        len: route.dst_len,
                    },
                    route.table,
                ));
            }
        }
        running
            .rules
            .extend(rtnl::dump_rules(&mut nl, family).unwrap_or_default());
    }
    Ok(running)
}

/// The route's own MTU, else its device's.
fn route_mtu(nl: &mut Netlink, route: Option<rtnl::RouteInfo>) -> io::Result<Option<u32>> {
    let Some(route) = route else { return Ok(None) };
    if route.mtu.is_some() {
        return Ok(route.mtu);
    }
    match route.oif {
        Some(index) => rtnl::link_mtu(nl, index),
        None => Ok(None),
    }
}

fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// systemd-resolved when it runs and `resolvectl` exists, else `resolvconf`, else none.
fn dns_backend() -> Option<DnsBackend> {
    if Path::new("/run/systemd/resolve/io.systemd.Resolve").exists()
        && which("resolvectl").is_some()
    {
        return Some(DnsBackend::Resolved);
    }
    let resolvconf = which("resolvconf")?;
    Some(DnsBackend::Resolvconf(resolvconf_prefix(&resolvconf)))
}

/// The prefix Debian's resolvconf wants: `NAME.` for the first `NAME*` line of
/// `/etc/resolvconf/interface-order` (usually `tun.`), but only when `resolvconf` is a real
/// program — systemd's `resolvconf` symlink rejects such names (d3b40af).
fn resolvconf_prefix(resolvconf: &Path) -> String {
    let is_link = std::fs::symlink_metadata(resolvconf).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        return String::new();
    }
    let order = std::fs::read_to_string("/etc/resolvconf/interface-order").unwrap_or_default();
    order
        .lines()
        .filter_map(|line| line.strip_suffix('*'))
        .find(|name| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(|name| format!("{name}."))
        .unwrap_or_default()
}

/// `type -p NAME`.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}
