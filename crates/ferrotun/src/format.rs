//! Text forms of addresses, durations and byte counts, exactly as `wg` prints them
//! (`show.c`: `ip`, `endpoint`, `pretty_time`, `bytes`; glibc's `inet_ntop` and
//! `getnameinfo`).

use crate::terminal::{CYAN, RESET};
// `wg showconf` (in ferrotun-quick) prints addresses the same way, so both use one copy.
use ferrotun_quick::showconf::endpoint_text;
pub use ferrotun_quick::showconf::ntop;
use std::fmt::Write as _;
use std::net::SocketAddr;

/// An endpoint as `wg` prints it (see [`endpoint_text`]). If `getnameinfo` fails, its error
/// text takes the place of the endpoint, as in `wg`.
#[must_use]
pub fn endpoint(addr: &SocketAddr) -> String {
    endpoint_text(addr).unwrap_or_else(|error| error)
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
