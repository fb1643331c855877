//! Text forms of addresses, durations and byte counts, exactly as `wg` prints them
//! (`show.c`: `ip`, `endpoint`, `pretty_time`, `bytes`; glibc's `inet_ntop` and
//! `getnameinfo`).

use crate::terminal::{CYAN, RESET};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// An address as glibc's `inet_ntop` writes it. This differs from Rust's `Display` for
/// IPv4-compatible IPv6 addresses (`::1.2.3.4`), which glibc prints in dotted form.
#[must_use]
pub fn ntop(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => ntop6(a),
    }
}

/// The longest run of at least two zero words, the first of equal ones: (start, length).
fn longest_zero_run(words: &[u16; 8]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < 8 {
        if words[i] != 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < 8 && words[i] == 0 {
            i += 1;
        }
        let len = i - start;
        if len >= 2 && best.is_none_or(|(_, best_len)| len > best_len) {
            best = Some((start, len));
        }
    }
    best
}

fn ntop6(addr: Ipv6Addr) -> String {
    let words = addr.segments();
    let best = longest_zero_run(&words);
    let mut out = String::with_capacity(46);
    for (i, word) in words.iter().enumerate() {
        if let Some((start, len)) = best {
            if (start..start + len).contains(&i) {
                if i == start {
                    out.push(':');
                }
                continue;
            }
        }
        if i != 0 {
            out.push(':');
        }
        // An IPv4-compatible or IPv4-mapped address ends in dotted form.
        let embeds_v4 = best.is_some_and(|(start, len)| {
            start == 0 && (len == 6 || (len == 5 && words[5] == 0xffff))
        });
        if i == 6 && embeds_v4 {
            let o = addr.octets();
            let _ = write!(out, "{}.{}.{}.{}", o[12], o[13], o[14], o[15]);
            return out;
        }
        let _ = write!(out, "{word:x}");
    }
    if best.is_some_and(|(start, len)| start + len == 8) {
        out.push(':');
    }
    out
}

/// An endpoint as `wg` prints it: `getnameinfo` with numeric host and service (so a
/// link-local IPv6 scope shows as the interface name), `[host]:port` for IPv6. If
/// `getnameinfo` fails, its error text takes the place of the endpoint, as in `wg`.
#[must_use]
pub fn endpoint(addr: &SocketAddr) -> String {
    endpoint_text(addr).unwrap_or_else(|error| error)
}

/// [`endpoint`], with `getnameinfo`'s error text as the error.
pub fn endpoint_text(addr: &SocketAddr) -> Result<String, String> {
    let flags = libc::NI_DGRAM | libc::NI_NUMERICSERV | libc::NI_NUMERICHOST;
    match dns_lookup::getnameinfo(addr, flags) {
        Ok((host, service)) if addr.is_ipv6() && host.contains(':') => {
            Ok(format!("[{host}]:{service}"))
        }
        Ok((host, service)) => Ok(format!("{host}:{service}")),
        Err(e) => {
            let text = e.to_string();
            Err(text
                .strip_prefix("failed to lookup address information: ")
                .unwrap_or(&text)
                .to_string())
        }
    }
}

/// `pretty_time`: "N years, N days, N hours, N minutes, N seconds" with zero parts left out
/// and the unit words in cyan. Zero seconds is the empty string.
#[must_use]
pub fn pretty_time(seconds: u64) -> String {
    const UNITS: [(&str, u64); 5] = [
        ("year", 365 * 24 * 60 * 60),
        ("day", 24 * 60 * 60),
        ("hour", 60 * 60),
        ("minute", 60),
        ("second", 1),
    ];
    let mut left = seconds;
    let mut out = String::new();
    for (name, size) in UNITS {
        let count = left / size;
        left %= size;
        if count == 0 {
            continue;
        }
        let sep = if out.is_empty() { "" } else { ", " };
        let plural = if count == 1 { "" } else { "s" };
        let _ = write!(out, "{sep}{count} {CYAN}{name}{plural}{RESET}");
    }
    out
}

/// `bytes`: below 1024 an integer and `B`, else two decimals of KiB, MiB, GiB or TiB, the
/// unit in cyan.
#[must_use]
pub fn bytes(count: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if count < 1024 {
        return format!("{count} {CYAN}B{RESET}");
    }
    let mut power = 1;
    while power < 4 && count >= 1u64 << (10 * (power + 1)) {
        power += 1;
    }
    let value = two_decimals(count, 10 * power);
    format!("{value} {CYAN}{}{RESET}", UNITS[power as usize - 1])
}

/// `printf("%.2f", (double)count / 2^shift)`: the count goes through a double first, as in
/// C, and the exact quotient is rounded half to even, as glibc does.
fn two_decimals(count: u64, shift: u32) -> String {
    // The conversion to a double is part of what is being reproduced.
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let exact = (count as f64) as u128;
    let scaled = exact * 100;
    let divisor = 1u128 << shift;
    let (mut hundredths, rest) = (scaled / divisor, scaled % divisor);
    if rest * 2 > divisor || (rest * 2 == divisor && hundredths % 2 == 1) {
        hundredths += 1;
    }
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

#[cfg(test)]
mod tests;
