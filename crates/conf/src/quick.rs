//! The keys wg-quick(8) takes out of `[Interface]` before handing the rest to wg(8).
//!
//! wg-quick reads them differently from wg: the key and the value are trimmed at both ends
//! but keep inner whitespace (a `PostUp` command needs its spaces), and `Address` and `DNS`
//! are lists split at commas and whitespace. The four hooks keep a `#` and what follows it
//! (wireguard-tools 90deacd), because `#` means something to the shell that runs them
//! (`echo $#`, `${var#prefix}`, a comment the shell itself drops); only the key is read from
//! the line without its comment. ferrotun checks the values as it reads them,
//! where wg-quick would only fail later when it runs `ip` or `resolvconf`.

use crate::error::{Error, ErrorKind};
use crate::model::{InterfaceAddress, QuickSettings};
use crate::value::{all_digits_saturating, is_wg_space};

/// Applies one `[Interface]` line if its key is a wg-quick key; `Ok(false)` means the line is
/// for wg(8). `code` is the line without its comment, `whole` the line with it.
pub(crate) fn apply_line(
    code: &str,
    whole: &str,
    quick: &mut QuickSettings,
) -> Result<bool, Error> {
    // As `${stripped#*=}`: without an '=', the "value" is the whole line.
    let (key, value) = code.split_once('=').unwrap_or((code, code));
    let (key, value) = (trim(key), trim(value));
    // As `${line#*=}` for the hooks: the same, on the line that still has its comment.
    let hook = trim(whole.split_once('=').map_or(whole, |(_, v)| v));
    match key.to_ascii_lowercase().as_str() {
        "address" => {
            for item in list_items(value) {
                quick.addresses.push(parse_address(item)?);
            }
        }
        "dns" => {
            for item in list_items(value) {
                if is_nameserver(item) {
                    quick.dns_servers.push(item.to_string());
                } else {
                    quick.dns_search.push(item.to_string());
                }
            }
        }
        "mtu" => quick.mtu = Some(parse_mtu(value)?),
        "table" => quick.table = (!value.is_empty()).then(|| value.to_string()),
        "preup" => quick.pre_up.push(hook.to_string()),
        "postup" => quick.post_up.push(hook.to_string()),
        "predown" => quick.pre_down.push(hook.to_string()),
        "postdown" => quick.post_down.push(hook.to_string()),
        "saveconfig" => quick.save_config = Some(parse_bool(value)?),
        _ => return Ok(false),
    }
    Ok(true)
}

fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| u8::try_from(c).is_ok_and(is_wg_space))
}

/// The entries of an `Address` or `DNS` value: split at commas and whitespace.
fn list_items(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(|c: char| c == ',' || u8::try_from(c).is_ok_and(is_wg_space))
        .filter(|item| !item.is_empty())
}

/// wg-quick's test for a nameserver: only digits and dots, or any colon.
fn is_nameserver(item: &str) -> bool {
    item.contains(':') || item.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::Syntax, message)
}

/// `ip[/prefix]`; without a prefix the address is a host route (/32 or /128), as with
/// `ip address add`.
fn parse_address(item: &str) -> Result<InterfaceAddress, Error> {
    let fail = || {
        invalid(format!(
            "Address is not an IP address with an optional /prefix: `{item}'"
        ))
    };
    let (ip_text, prefix) = match item.split_once('/') {
        Some((ip, prefix)) => (ip, Some(prefix)),
        None => (item, None),
    };
    let ip = crate::value::parse_ip(ip_text).map_err(|_| fail())?;
    let max: u8 = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        None => max,
        Some(p) => all_digits_saturating(p, 10)
            .and_then(|n| u8::try_from(n).ok())
            .filter(|n| *n <= max)
            .ok_or_else(fail)?,
    };
    Ok(InterfaceAddress { ip, prefix })
}

fn parse_mtu(value: &str) -> Result<u32, Error> {
    all_digits_saturating(value, 10)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| invalid(format!("MTU is not a positive number: `{value}'")))
}

/// wg-quick's `read_bool`: `true` or `false`, in any case.
fn parse_bool(value: &str) -> Result<bool, Error> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(invalid(format!("`{value}' is neither true nor false")))
    }
}
