//! Value parsers shared by configuration files and `wg set` arguments.
//!
//! Each one accepts exactly what wireguard-tools' `config.c` accepts and fails with the same
//! text, so that `ferrotun set` and `ferrotun setconf` report problems as `wg` does. The
//! errors carry no location; the file parser adds it.

use crate::error::{Error, ErrorKind};
use crate::model::{AllowedIp, AllowedIpOp};
use ferrotun_proto::keys::{PresharedKey, PrivateKey, PublicKey};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The bytes wireguard-tools counts as whitespace (`char_is_space`): tab, line feed,
/// vertical tab, form feed, carriage return and space. Nothing outside ASCII.
#[must_use]
pub fn is_wg_space(byte: u8) -> bool {
    matches!(byte, 9..=13 | b' ')
}

/// `s` without any of the [`is_wg_space`] bytes, wherever they are (`strip_spaces`).
#[must_use]
pub fn strip_spaces(s: &str) -> String {
    s.chars()
        .filter(|c| !u8::try_from(*c).is_ok_and(is_wg_space))
        .collect()
}

fn syntax(message: String) -> Error {
    Error::new(ErrorKind::Syntax, message)
}

/// `strtoul` on text that must consist of digits of `radix` only: `None` if it is empty or
/// has anything else; saturates at `u64::MAX` as `strtoul` does on overflow.
#[must_use]
pub fn all_digits_saturating(s: &str, radix: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for c in s.chars() {
        let digit = c.to_digit(radix)?;
        n = n
            .saturating_mul(u64::from(radix))
            .saturating_add(u64::from(digit));
    }
    Some(n)
}

fn starts_with_digit(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

/// A 32-byte key in base64 (44 characters, the last one `=`, no stray bits), as raw bytes.
/// The bytes are returned in a [`PresharedKey`] because that type keeps them unclamped and
/// wipes them on drop.
pub fn parse_key(value: &str) -> Result<PresharedKey, Error> {
    PresharedKey::from_base64(value).map_err(|_| {
        syntax(format!(
            "Key is not the correct length or format: `{value}'"
        ))
    })
}

/// A public key in base64.
pub fn parse_public_key(value: &str) -> Result<PublicKey, Error> {
    parse_key(value).map(|raw| PublicKey::from_bytes(*raw.as_bytes()))
}

/// A private key from raw bytes: `None` for the all-zero key, which asks the daemon to
/// remove its key.
#[must_use]
pub fn private_key_from_raw(raw: &PresharedKey) -> Option<PrivateKey> {
    (!raw.is_zero()).then(|| PrivateKey::from_bytes(*raw.as_bytes()))
}

/// `FwMark`: `off` (any case), a decimal number, or `0x` and hex digits, at most 2^32 - 1.
pub fn parse_fwmark(value: &str) -> Result<u32, Error> {
    let fail = || {
        syntax(format!(
            "Fwmark is neither 0/off nor 0-0xffffffff: `{value}'"
        ))
    };
    if value.eq_ignore_ascii_case("off") {
        return Ok(0);
    }
    if !starts_with_digit(value) {
        return Err(fail());
    }
    // Only a lower-case "0x" switches to hex, and only with something after it.
    let number = match value.strip_prefix("0x") {
        Some(hex) if value.len() > 2 => all_digits_saturating(hex, 16),
        _ => all_digits_saturating(value, 10),
    };
    number.and_then(|n| u32::try_from(n).ok()).ok_or_else(fail)
}

/// `PersistentKeepalive`: `off` (any case) or 0..=65535 seconds.
pub fn parse_keepalive(value: &str) -> Result<u16, Error> {
    let fail = || {
        syntax(format!(
            "Persistent keepalive interval is neither 0/off nor 1-65535: `{value}'"
        ))
    };
    if value.eq_ignore_ascii_case("off") {
        return Ok(0);
    }
    if !starts_with_digit(value) {
        return Err(fail());
    }
    all_digits_saturating(value, 10)
        .and_then(|n| u16::try_from(n).ok())
        .ok_or_else(fail)
}

/// An IP address as `inet_pton` reads it: IPv6 if the text has a colon, IPv4 otherwise.
pub fn parse_ip(value: &str) -> Result<IpAddr, Error> {
    let parsed = if value.contains(':') {
        value.parse::<Ipv6Addr>().map(IpAddr::V6).ok()
    } else {
        value.parse::<Ipv4Addr>().map(IpAddr::V4).ok()
    };
    parsed.ok_or_else(|| syntax(format!("Unable to parse IP address: `{value}'")))
}

/// The outcome of one `AllowedIPs` value: the entries, and whether the line asks to replace
/// the peer's list (no `+`/`-` entry on it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedIpList {
    /// The entries in order.
    pub entries: Vec<AllowedIp>,
    /// `false` once a `+` or `-` entry appears.
    pub replace: bool,
    /// `Warning: ...` texts for entries with host bits set.
    pub warnings: Vec<String>,
}

/// An `AllowedIPs` value (or `wg set ... allowed-ips` argument, spaces already removed): a
/// comma-separated list of `[+|-]ip[/cidr]`. An empty value means "replace with nothing".
pub fn parse_allowed_ips(value: &str) -> Result<AllowedIpList, Error> {
    let mut list = AllowedIpList {
        replace: true,
        ..AllowedIpList::default()
    };
    if value.is_empty() {
        return Ok(list);
    }
    for raw in value.split(',') {
        // A leading '+' or '-' makes the whole line incremental (`parse_ip_prefix`).
        let (op, entry) = match raw.as_bytes().first() {
            Some(b'-') => (AllowedIpOp::Remove, &raw[1..]),
            Some(b'+') => (AllowedIpOp::Add, &raw[1..]),
            _ => (AllowedIpOp::Add, raw),
        };
        if entry.len() != raw.len() {
            list.replace = false;
        }
        let allowed = parse_allowed_ip(op, entry, &mut list.warnings)?;
        list.entries.push(allowed);
    }
    Ok(list)
}

/// One entry without its `+`/`-`.
fn parse_allowed_ip(
    op: AllowedIpOp,
    entry: &str,
    warnings: &mut Vec<String>,
) -> Result<AllowedIp, Error> {
    let (ip_text, mask) = match entry.split_once('/') {
        Some((ip, mask)) => (ip, Some(mask)),
        None => (entry, None),
    };
    let ip = parse_ip(ip_text)?;
    let max: u8 = if ip.is_ipv4() { 32 } else { 128 };
    let cidr = match mask {
        None => max,
        Some(mask) => {
            let fail = || syntax(format!("AllowedIP is not in the correct format: `{entry}'"));
            if !starts_with_digit(mask) {
                return Err(fail());
            }
            let n = all_digits_saturating(mask, 10).ok_or_else(fail)?;
            u8::try_from(n)
                .ok()
                .filter(|c| *c <= max)
                .ok_or_else(fail)?
        }
    };
    if has_host_bits(ip, cidr) {
        warnings.push(format!(
            "Warning: AllowedIP has nonzero host part: {ip_text}/{}",
            mask.unwrap_or_default()
        ));
    }
    Ok(AllowedIp { op, ip, cidr })
}

/// Whether `ip` has bits set beyond the first `cidr`.
#[must_use]
pub fn has_host_bits(ip: IpAddr, cidr: u8) -> bool {
    match ip {
        IpAddr::V4(a) => u32::from(a)
            .checked_shl(u32::from(cidr))
            .is_some_and(|rest| rest != 0),
        IpAddr::V6(a) => u128::from(a)
            .checked_shl(u32::from(cidr))
            .is_some_and(|rest| rest != 0),
    }
}

/// Splits an `Endpoint` value into host and port (or service) as `wg` does: `[host]:port`,
/// or `host:port` split at the last colon.
pub fn split_endpoint(value: &str) -> Result<(&str, &str), Error> {
    let no_port = || syntax(format!("Unable to find port of endpoint: `{value}'"));
    if value.is_empty() {
        return Err(syntax("Unable to parse empty endpoint".to_string()));
    }
    if let Some(inner) = value.strip_prefix('[') {
        let close = inner.find(']').ok_or_else(|| {
            syntax(format!(
                "Unable to find matching brace of endpoint: `{value}'"
            ))
        })?;
        let port = inner[close + 1..].strip_prefix(':').ok_or_else(no_port)?;
        if port.is_empty() {
            return Err(no_port());
        }
        return Ok((&inner[..close], port));
    }
    match value.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() => Ok((host, port)),
        _ => Err(no_port()),
    }
}

#[cfg(test)]
mod tests;
