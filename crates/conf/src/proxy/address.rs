//! `host:port` values as Go's `net.SplitHostPort` writes them: `IPv4:port`, `[IPv6]:port`,
//! `name:port`, and for a bind address also `:port` (every address).

use super::model::{BindAddress, Target, TargetHost};
use crate::error::{Error, ErrorKind};
use crate::resolve::is_host_name;
use crate::value::all_digits_saturating;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

fn syntax(message: String) -> Error {
    Error::new(ErrorKind::Syntax, message)
}

/// The host and the port text, `None` if the value is not `host:port`.
fn split_host_port(value: &str) -> Option<(&str, &str)> {
    if let Some(rest) = value.strip_prefix('[') {
        let (host, port) = rest.split_once("]:")?;
        // Only an IPv6 address is written in brackets.
        return host.contains(':').then_some((host, port));
    }
    let (host, port) = value.rsplit_once(':')?;
    // An unbracketed IPv6 address has colons of its own.
    (!host.contains(':')).then_some((host, port))
}

fn port_number(text: &str) -> Option<u16> {
    all_digits_saturating(text, 10).and_then(|n| u16::try_from(n).ok())
}

fn host_of(host: &str) -> Option<TargetHost> {
    if host.contains(':') {
        return host
            .parse::<Ipv6Addr>()
            .ok()
            .map(|ip| TargetHost::Ip(ip.into()));
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Some(TargetHost::Ip(ip.into()));
    }
    is_host_name(host).then(|| TargetHost::Name(host.to_string()))
}

/// A `BindAddress` value.
pub(crate) fn parse_bind(value: &str) -> Result<BindAddress, Error> {
    let fail = || {
        syntax(format!(
            "BindAddress is not an address and port such as 127.0.0.1:1080, [::1]:1080 or \
             :1080: `{value}'"
        ))
    };
    let (host, port) = split_host_port(value).ok_or_else(fail)?;
    let port = port_number(port).ok_or_else(fail)?;
    if host.is_empty() {
        return Ok(BindAddress::Any(port));
    }
    match host_of(host).ok_or_else(fail)? {
        TargetHost::Ip(ip) => Ok(BindAddress::Socket(SocketAddr::new(ip, port))),
        TargetHost::Name(name) => Ok(BindAddress::Host { name, port }),
    }
}

/// A `Target` value; the port must not be 0.
pub(crate) fn parse_target(value: &str) -> Result<Target, Error> {
    let fail = || {
        syntax(format!(
            "Target is not a host and port such as 10.0.0.1:80, [fd00::1]:80 or \
             example.com:80: `{value}'"
        ))
    };
    let (host, port) = split_host_port(value).ok_or_else(fail)?;
    let port = port_number(port).filter(|p| *p != 0).ok_or_else(fail)?;
    let host = host_of(host).ok_or_else(fail)?;
    Ok(Target { host, port })
}

/// A tunnel-side `ListenPort`: 1 to 65535.
pub(crate) fn parse_listen_port(value: &str) -> Result<u16, Error> {
    port_number(value).filter(|p| *p != 0).ok_or_else(|| {
        syntax(format!(
            "ListenPort is not a port from 1 to 65535: `{value}'"
        ))
    })
}

/// A `CheckAlive` value: IP addresses separated by commas.
pub(crate) fn parse_ip_list(key: &str, value: &str) -> Result<Vec<IpAddr>, Error> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<IpAddr>()
                .map_err(|_| syntax(format!("{key} is not a list of IP addresses: `{item}'")))
        })
        .collect()
}

/// A number of seconds; `positive` refuses 0.
pub(crate) fn parse_seconds(key: &str, value: &str, positive: bool) -> Result<u64, Error> {
    let what = if positive { "a positive" } else { "a" };
    all_digits_saturating(value, 10)
        .filter(|n| *n <= u64::from(u32::MAX) && (!positive || *n > 0))
        .ok_or_else(|| syntax(format!("{key} is not {what} number of seconds: `{value}'")))
}
