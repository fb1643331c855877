//! Value encodings of the UAPI, shared by the daemon and a client: decimal numbers, hex
//! keys, endpoints (with IPv6 zones) and prefixes.
//!
//! Parsing follows the Go functions wireguard-go calls, so that exactly the same inputs are
//! accepted: `strconv.ParseUint(v, 10, n)` for numbers, `hex.DecodeString` into 32 bytes for
//! keys, `netip.ParseAddrPort` for endpoints and `netip.ParsePrefix` for allowed IPs.

use std::io::Write as _;
use std::net::{IpAddr, Ipv6Addr, SocketAddr, SocketAddrV6};

/// Parses an unsigned decimal as Go's `strconv.ParseUint(s, 10, _)` does: ASCII digits only
/// (no sign, no spaces, no underscores), leading zeros allowed, at most `max`.
#[must_use]
pub fn parse_decimal(s: &str, max: u64) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for c in s.bytes() {
        let digit = c.checked_sub(b'0').filter(|d| *d <= 9)?;
        n = n.checked_mul(10)?.checked_add(u64::from(digit))?;
    }
    (n <= max).then_some(n)
}

/// Parses an endpoint as `netip.ParseAddrPort` does: `a.b.c.d:port` or `[v6]:port`, where
/// the IPv6 form may carry a zone (`[fe80::1%eth0]:51820`). Brackets are required for IPv6
/// and refused for IPv4. A numeric zone is a scope id; any other zone is an interface name,
/// looked up with `resolve_zone` (the daemon passes `if_nametoindex`).
///
/// Returns a description of the problem on failure.
pub fn parse_endpoint(
    s: &str,
    resolve_zone: &dyn Fn(&str) -> Option<u32>,
) -> Result<SocketAddr, String> {
    // Go splits at the last colon; for IPv6 that colon must follow the closing bracket.
    let (host, port) = s.rsplit_once(':').ok_or("not an ip:port")?;
    if host.is_empty() {
        return Err("no IP".into());
    }
    let port = u16::try_from(parse_decimal(port, u64::from(u16::MAX)).ok_or("invalid port")?)
        .map_err(|_| "invalid port")?;
    match host.strip_prefix('[') {
        Some(inner) => {
            let inner = inner.strip_suffix(']').ok_or("missing ]")?;
            let (addr, zone) = match inner.split_once('%') {
                Some((addr, zone)) => (addr, Some(zone)),
                None => (inner, None),
            };
            let ip: Ipv6Addr = match addr.parse::<IpAddr>() {
                Ok(IpAddr::V6(ip)) => ip,
                Ok(IpAddr::V4(_)) => {
                    return Err("square brackets can only be used with IPv6 addresses".into())
                }
                Err(_) => return Err("invalid IP address".into()),
            };
            let scope_id = match zone {
                None => 0,
                Some(zone) => parse_zone(zone, resolve_zone)?,
            };
            Ok(SocketAddr::V6(SocketAddrV6::new(ip, port, 0, scope_id)))
        }
        None => match host.parse::<IpAddr>() {
            Ok(IpAddr::V4(ip)) => Ok(SocketAddr::new(IpAddr::V4(ip), port)),
            Ok(IpAddr::V6(_)) => Err("IPv6 addresses must be surrounded by square brackets".into()),
            Err(_) => Err("invalid IP address".into()),
        },
    }
}

/// A zone: a decimal scope id, or an interface name resolved by the caller.
fn parse_zone(zone: &str, resolve_zone: &dyn Fn(&str) -> Option<u32>) -> Result<u32, String> {
    if zone.is_empty() {
        return Err("zone must be a non-empty string".into());
    }
    if zone.bytes().all(|c| c.is_ascii_digit()) {
        let id = parse_decimal(zone, u64::from(u32::MAX)).ok_or("zone index out of range")?;
        return u32::try_from(id).map_err(|_| "zone index out of range".into());
    }
    resolve_zone(zone).ok_or_else(|| format!("unknown interface {zone:?} in zone"))
}

/// Parses `ip/cidr` as `netip.ParsePrefix` does: no zone, the length in decimal without sign
/// or leading zeros, at most 32 for IPv4 and 128 for IPv6. Host bits are kept here (the
/// caller masks them, as wireguard-go's table does).
pub fn parse_prefix(s: &str) -> Result<(IpAddr, u8), String> {
    let (addr, bits) = s.rsplit_once('/').ok_or("no '/'")?;
    let ip: IpAddr = addr.parse().map_err(|_| "invalid IP address")?;
    // Go refuses "+8", "08" and "-0" explicitly, although Atoi would take them.
    if bits.len() > 1 && !(b'1'..=b'9').contains(&bits.as_bytes()[0]) {
        return Err(format!("bad bits after slash: {bits:?}"));
    }
    let max: u8 = if ip.is_ipv4() { 32 } else { 128 };
    let cidr = parse_decimal(bits, u64::from(max)).ok_or("prefix length out of range")?;
    Ok((
        ip,
        u8::try_from(cidr).map_err(|_| "prefix length out of range")?,
    ))
}

/// Appends `key` as 64 lowercase hex digits, without an intermediate `String` (so secret
/// keys leave no stray copies).
pub fn write_hex(out: &mut Vec<u8>, key: &[u8; 32]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.reserve(64);
    for b in key {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 15)]);
    }
}

/// Appends an endpoint as wireguard-go prints it (`AddrPort.String`): `a.b.c.d:port`, or
/// `[v6]:port` with `%zone` when the scope id is non-zero. `zone_name` may turn the scope id
/// into an interface name (wireguard-go keeps the name it was given); otherwise the number
/// is written, which `wg` resolves just as well.
pub fn write_endpoint(
    out: &mut Vec<u8>,
    addr: &SocketAddr,
    zone_name: &dyn Fn(u32) -> Option<String>,
) {
    // Writing into a Vec cannot fail.
    let _ = match addr {
        SocketAddr::V4(a) => write!(out, "{a}"),
        SocketAddr::V6(a) if a.scope_id() == 0 => write!(out, "[{}]:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => match zone_name(a.scope_id()) {
            Some(name) => write!(out, "[{}%{}]:{}", a.ip(), name, a.port()),
            None => write!(out, "[{}%{}]:{}", a.ip(), a.scope_id(), a.port()),
        },
    };
}

#[cfg(test)]
mod tests;
