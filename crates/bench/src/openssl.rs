//! OpenSSL's ChaCha20-Poly1305 figure on this machine, from
//! `openssl speed -evp chacha20-poly1305 -bytes 1420 -seconds N [-decrypt]`.
//!
//! Printed for reference next to the seal and open rows; a missing `openssl` just leaves the
//! column empty.

use std::process::Command;

/// Runs `openssl speed` for 1420-byte buffers; returns Gbit/s, or `None` if OpenSSL is missing
/// or its output cannot be parsed.
#[must_use]
pub fn speed_gbit(seconds: u32, decrypt: bool) -> Option<f64> {
    let mut cmd = Command::new("openssl");
    cmd.args(["speed", "-evp", "chacha20-poly1305", "-bytes", "1420"])
        .args(["-seconds", &seconds.to_string()]);
    if decrypt {
        cmd.arg("-decrypt");
    }
    let out = cmd.output().ok()?;
    if !out.status.success() {
        return None;
    }
    parse_gbit(&String::from_utf8_lossy(&out.stdout))
}

/// Parses the result line (`ChaCha20-Poly1305  2132770.42k`: thousands of bytes per second)
/// into Gbit/s.
#[must_use]
pub fn parse_gbit(output: &str) -> Option<f64> {
    output.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let name = fields.next()?;
        if !name.eq_ignore_ascii_case("chacha20-poly1305") {
            return None;
        }
        let kilobytes: f64 = fields.last()?.strip_suffix('k')?.parse().ok()?;
        Some(kilobytes * 1000.0 * 8.0 / 1e9)
    })
}

#[cfg(test)]
mod tests;
