//! Reading `get` and `set` replies with `wg`'s exact rules (`userspace_get_device`,
//! `userspace_set_device`):
//!
//! * every line must end in `\n` and contain `=`, or the reply is `EPROTO`;
//! * a blank line ends the reply; it succeeds only if an `errno=0` line came before it;
//! * numbers are plain decimal digits (an overflow saturates, then the range is checked);
//! * device keys count only before the first `public_key`; unknown keys are ignored.

use super::{DeviceInfo, Error, PeerInfo};
use ferrotun_proto::keys::{PresharedKey, PrivateKey, PublicKey};
use std::io::BufRead;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

/// One `key=value` line without its newline, or the reason to stop.
enum Line {
    Pair(String, String),
    Blank,
}

/// Reads one line; anything `wg` would stop at is `EPROTO` (or the I/O error).
fn next_line(reader: &mut dyn BufRead) -> Result<Line, Error> {
    let mut raw = Vec::new();
    match reader.read_until(b'\n', &mut raw) {
        Ok(0) | Err(_) => return Err(Error::PROTO),
        Ok(_) => {}
    }
    if raw == b"\n" {
        return Ok(Line::Blank);
    }
    // A NUL byte would end the C string before the newline.
    let Some(body) = raw.strip_suffix(b"\n").filter(|b| !b.contains(&0)) else {
        return Err(Error::PROTO);
    };
    let text = String::from_utf8_lossy(body);
    let (key, value) = text.split_once('=').ok_or(Error::PROTO)?;
    Ok(Line::Pair(key.to_string(), value.to_string()))
}

/// Reads a `get` reply.
pub(super) fn read_get_reply(
    reader: &mut dyn BufRead,
    resolve: &dyn Fn(&str, &str) -> Option<SocketAddr>,
) -> Result<DeviceInfo, Error> {
    let mut device = DeviceInfo::default();
    let mut status = Error::PROTO.errno();
    loop {
        match next_line(reader)? {
            Line::Blank if status == 0 => return Ok(device),
            Line::Blank => return Err(Error::from_errno(status)),
            Line::Pair(key, value) => {
                if let Some(code) = apply_get_line(&mut device, &key, &value, resolve)? {
                    status = code;
                }
            }
        }
    }
}

/// `NUM(max)`: digits only, saturating, at most `max`.
fn num(value: &str, max: u64) -> Result<u64, Error> {
    let digits = value.as_bytes();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(Error::PROTO);
    }
    let n = digits.iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    if n > max {
        return Err(Error::PROTO);
    }
    Ok(n)
}

/// Applies one line; `Ok(Some(code))` for an `errno=` line.
fn apply_get_line(
    device: &mut DeviceInfo,
    key: &str,
    value: &str,
    resolve: &dyn Fn(&str, &str) -> Option<SocketAddr>,
) -> Result<Option<i32>, Error> {
    let in_peer = !device.peers.is_empty();
    match key {
        "private_key" if !in_peer => {
            let private = PrivateKey::from_hex(value).map_err(|_| Error::PROTO)?;
            device.public_key = Some(private.public_key());
            device.private_key = Some(private);
        }
        "listen_port" if !in_peer => device.listen_port = narrow(num(value, 0xffff)?),
        "fwmark" if !in_peer => device.fwmark = narrow(num(value, 0xffff_ffff)?),
        "public_key" => {
            let key = PublicKey::from_hex(value).map_err(|_| Error::PROTO)?;
            device.peers.push(PeerInfo::new(key));
        }
        "errno" => return Ok(Some(narrow(num(value, 0x7fff_ffff)?))),
        _ => {
            if let Some(peer) = device.peers.last_mut() {
                apply_peer_line(peer, key, value, resolve)?;
            }
        }
    }
    Ok(None)
}

/// A value already checked against the target's range.
fn narrow<T: TryFrom<u64> + Default>(n: u64) -> T {
    T::try_from(n).unwrap_or_default()
}

fn apply_peer_line(
    peer: &mut PeerInfo,
    key: &str,
    value: &str,
    resolve: &dyn Fn(&str, &str) -> Option<SocketAddr>,
) -> Result<(), Error> {
    const I64_MAX: u64 = 0x7fff_ffff_ffff_ffff;
    match key {
        "preshared_key" => {
            let psk = PresharedKey::from_hex(value).map_err(|_| Error::PROTO)?;
            // Once a key was seen the flag stays, even if a later line is all zeros.
            if !psk.is_zero() || peer.preshared_key.is_some() {
                peer.preshared_key = Some(psk);
            }
        }
        "endpoint" => {
            let (host, port) = split_endpoint(value).ok_or(Error::PROTO)?;
            // `wg` returns a positive ENETUNREACH here; it is reported as the error it means.
            let addr = resolve(host, port).ok_or(Error::from_errno(libc::ENETUNREACH))?;
            peer.endpoint = Some(addr);
        }
        "persistent_keepalive_interval" => {
            peer.persistent_keepalive = narrow(num(value, 0xffff)?);
        }
        "allowed_ip" => peer.allowed_ips.push(parse_allowed_ip(value)?),
        "last_handshake_time_sec" => peer.last_handshake_sec = num(value, I64_MAX)?,
        "last_handshake_time_nsec" => peer.last_handshake_nsec = num(value, I64_MAX)?,
        "rx_bytes" => peer.rx_bytes = num(value, u64::MAX)?,
        "tx_bytes" => peer.tx_bytes = num(value, u64::MAX)?,
        _ => {}
    }
    Ok(())
}

/// `[host]:port` or `host:port` (split at the last colon); both parts non-empty.
fn split_endpoint(value: &str) -> Option<(&str, &str)> {
    let (host, port) = match value.strip_prefix('[') {
        Some(inner) => {
            let (host, rest) = inner.split_once(']')?;
            (host, rest.strip_prefix(':')?)
        }
        None => value.rsplit_once(':')?,
    };
    (!port.is_empty()).then_some((host, port))
}

/// `ip/cidr` as `wg` reads it: the prefix length is stored in a byte before it is checked,
/// so `/288` counts as `/32`.
fn parse_allowed_ip(value: &str) -> Result<(IpAddr, u8), Error> {
    let (ip, mask) = value.split_once('/').ok_or(Error::PROTO)?;
    if !mask.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return Err(Error::PROTO);
    }
    let ip: IpAddr = if ip.contains(':') {
        ip.parse::<Ipv6Addr>().map(IpAddr::V6)
    } else {
        ip.parse::<Ipv4Addr>().map(IpAddr::V4)
    }
    .map_err(|_| Error::PROTO)?;
    let wide = num(mask, u64::MAX)?;
    // Truncation to the byte is the point here.
    let cidr = (wide & 0xff) as u8;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    if cidr > max {
        return Err(Error::PROTO);
    }
    Ok((ip, cidr))
}

/// An endpoint resolver without libc: a numeric IPv4 or IPv6 host (with a numeric `%zone`
/// for IPv6) and a decimal port.
#[must_use]
pub fn resolve_numeric(host: &str, port: &str) -> Option<SocketAddr> {
    let port = crate::text::parse_decimal(port, u64::from(u16::MAX))?;
    let port = u16::try_from(port).ok()?;
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(SocketAddr::new(ip, port));
    }
    let (addr, zone) = host.split_once('%')?;
    let ip: Ipv6Addr = addr.parse().ok()?;
    let scope = crate::text::parse_decimal(zone, u64::from(u32::MAX))?;
    Some(SocketAddr::V6(SocketAddrV6::new(
        ip,
        port,
        0,
        u32::try_from(scope).ok()?,
    )))
}

/// Reads a `set` reply: `Ok` for `errno=0`, otherwise the negated code (so wireguard-go's
/// `errno=-22` becomes `EINVAL`).
pub(super) fn read_set_reply(reader: &mut dyn BufRead) -> Result<(), Error> {
    let mut status = -libc::EPROTO;
    loop {
        match next_line(reader)? {
            Line::Blank if status == 0 => return Ok(()),
            Line::Blank => return Err(Error::from_errno(status.wrapping_neg())),
            Line::Pair(key, value) if key == "errno" => status = parse_signed(&value)?,
            Line::Pair(..) => {}
        }
    }
}

/// `strtoll` on a value that starts with `-` or a digit and is fully consumed, within `int`.
fn parse_signed(value: &str) -> Result<i32, Error> {
    let (negative, digits) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let magnitude = i64::try_from(num(digits, u64::MAX)?).unwrap_or(i64::MAX);
    let n = if negative { -magnitude } else { magnitude };
    i32::try_from(n).map_err(|_| Error::PROTO)
}
