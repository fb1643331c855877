//! Fills an [`Environment`] from the running Linux host (in the calling thread's network
//! namespace): the questions wg-quick asks `ip`, `wg`, `type -p` and `/proc` while it runs.

use crate::action::{DnsBackend, Family};
use crate::env::Environment;
use crate::exec::netlink::Netlink;
use crate::exec::rtnl;
use ferrotun_conf::Config;
use std::ffi::OsStr;
use std::io;
use std::path::{Path, PathBuf};

/// Takes the snapshot for `interface` and its parsed file.
pub fn probe(interface: &str, config: &Config) -> io::Result<Environment> {
    let mut nl = Netlink::open()?;
    let mut env = Environment {
        link_exists: rtnl::link_by_name(&mut nl, interface)?.is_some(),
        is_wireguard: ferrotun_uapi::client::has_interface(OsStr::new(interface)),
        src_valid_mark: read_trimmed("/proc/sys/net/ipv4/conf/all/src_valid_mark").as_deref()
            == Some("1"),
        ipv6_available: read_trimmed("/proc/sys/net/ipv6/conf/all/disable_ipv6")
            .is_some_and(|v| v != "1"),
        dns: dns_backend(),
        has_nft: which("nft").is_some(),
        table_names: table_names(),
        ..Environment::default()
    };
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
    let v4 = rtnl::dump_routes(&mut nl, Family::V4)?;
    let default = v4
        .iter()
        .find(|r| r.table == 254 && r.dst_len == 0)
        .copied();
    env.default_route_mtu = route_mtu(&mut nl, default)?;
    let v6 = if env.ipv6_available {
        rtnl::dump_routes(&mut nl, Family::V6)?
    } else {
        Vec::new()
    };
    env.nonempty_tables = v4.iter().chain(&v6).map(|r| r.table).collect();
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

/// Names from `rt_tables` files (`NUMBER NAME` lines).
fn table_names() -> std::collections::BTreeMap<String, u32> {
    let mut names = std::collections::BTreeMap::new();
    for file in ["/usr/share/iproute2/rt_tables", "/etc/iproute2/rt_tables"] {
        for line in std::fs::read_to_string(file).unwrap_or_default().lines() {
            let mut fields = line.split_whitespace();
            if let (Some(id), Some(name)) = (fields.next(), fields.next()) {
                if let Ok(id) = id.parse() {
                    names.insert(name.to_string(), id);
                }
            }
        }
    }
    names
}
