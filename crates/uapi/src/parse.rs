//! Parsing a `set` request body into a [`SetRequest`], validating every line before anything
//! is applied.
//!
//! The accepted keys, values and error codes are wireguard-go's (`device/uapi.go`,
//! `IpcSetOperation`, `handleDeviceLine`, `handlePublicKeyLine`, `handlePeerLine`):
//!
//! | input | errno |
//! | --- | --- |
//! | a line without `=` | `-EPROTO` |
//! | an unknown key (device keys after the first `public_key` are unknown) | `-EINVAL` |
//! | a key that is not exactly 64 hex digits (either case) | `-EINVAL` |
//! | a number that is not plain decimal or is out of range | `-EINVAL` |
//! | `replace_peers`, `update_only`, `remove`, `replace_allowed_ips` other than `true` | `-EINVAL` |
//! | `protocol_version` other than `1` | `-EINVAL` |
//! | a malformed endpoint or prefix, or an unknown zone name | `-EINVAL` |
//!
//! Like Go's `bufio.Scanner`, one `\r` before the `\n` is dropped from each line.
//!
//! Where the flat [`PeerChange`] cannot express the exact order of lines in a section, the
//! result is the sensible reading of what wireguard-go would do line by line: `remove=true`
//! and `update_only=true` take effect for the whole section wherever they appear, and
//! `replace_allowed_ips=true` discards the section's earlier `allowed_ip` lines. (wireguard-go
//! would first move those prefixes away from other peers, then drop them.) `wg` and
//! wgctrl-go always send these keys before any `allowed_ip`, so the difference never shows.

use crate::error::{Errno, Error};
use crate::model::{AllowedIpChange, AllowedIpOp, PeerChange, SetRequest};
use crate::text::{parse_decimal, parse_endpoint, parse_prefix};
use ferrotun_proto::keys::{PresharedKey, PrivateKey, PublicKey};

/// Parses a whole `set` body: the lines after `set=1\n`, up to an optional blank line.
/// Nothing may follow the blank line. `resolve_zone` maps an interface name in an endpoint's
/// IPv6 zone to its index.
pub fn parse_set(
    body: &[u8],
    resolve_zone: &dyn Fn(&str) -> Option<u32>,
) -> Result<SetRequest, Error> {
    let mut parser = SetParser::new(resolve_zone);
    let mut rest = body;
    while !rest.is_empty() {
        let (line, tail) = match rest.iter().position(|&c| c == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &[][..]),
        };
        rest = tail;
        let line = trim_cr(line);
        if line.is_empty() {
            if !rest.is_empty() {
                return Err(Error::new(Errno::EPROTO, "data after the blank line"));
            }
            break;
        }
        parser.line(line)?;
    }
    Ok(parser.finish())
}

/// Drops one trailing `\r`, as Go's `bufio.ScanLines` does.
#[must_use]
pub fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A streaming parser: feed it one line at a time, so a large request is held only in its
/// parsed form.
pub struct SetParser<'a> {
    resolve_zone: &'a dyn Fn(&str) -> Option<u32>,
    request: SetRequest,
    peer: Option<PeerChange>,
    lines: usize,
}

impl<'a> SetParser<'a> {
    /// A parser for one request.
    #[must_use]
    pub fn new(resolve_zone: &'a dyn Fn(&str) -> Option<u32>) -> Self {
        SetParser {
            resolve_zone,
            request: SetRequest::default(),
            peer: None,
            lines: 0,
        }
    }

    /// Parses one non-blank line, without its `\n` (and without a `\r` before it).
    pub fn line(&mut self, line: &[u8]) -> Result<(), Error> {
        self.lines += 1;
        let n = self.lines;
        let at = |e: Error| Error::new(e.errno(), format!("line {n}: {}", e.message()));
        let Some(eq) = line.iter().position(|&c| c == b'=') else {
            return Err(at(Error::new(
                Errno::EPROTO,
                format!("failed to parse line {}", shown(line)),
            )));
        };
        // Go compares raw bytes; text that is not UTF-8 can match no key and no valid value.
        let (Ok(key), Ok(value)) = (
            std::str::from_utf8(&line[..eq]),
            std::str::from_utf8(&line[eq + 1..]),
        ) else {
            return Err(at(Error::invalid(format!("invalid line {}", shown(line)))));
        };
        let result = if key == "public_key" {
            self.public_key_line(value)
        } else if let Some(peer) = &mut self.peer {
            peer_line(peer, key, value, self.resolve_zone)
        } else {
            device_line(&mut self.request, key, value)
        };
        result.map_err(at)
    }

    /// The parsed request.
    #[must_use]
    pub fn finish(mut self) -> SetRequest {
        self.request.peers.extend(self.peer.take());
        self.request
    }

    fn public_key_line(&mut self, value: &str) -> Result<(), Error> {
        let key = PublicKey::from_hex(value).map_err(|e| {
            Error::invalid(format!(
                "failed to get peer by public key {}: {e}",
                shown(value)
            ))
        })?;
        self.request
            .peers
            .extend(self.peer.replace(PeerChange::new(key)));
        Ok(())
    }
}

fn device_line(req: &mut SetRequest, key: &str, value: &str) -> Result<(), Error> {
    match key {
        "private_key" => {
            // Decoded without clamping first: only the raw all-zero key means "remove".
            let raw = PresharedKey::from_hex(value)
                .map_err(|e| Error::invalid(format!("failed to set private_key: {e}")))?;
            req.private_key =
                Some((!raw.is_zero()).then(|| PrivateKey::from_bytes(*raw.as_bytes())));
        }
        "listen_port" => {
            let port = number(value, u16::MAX.into(), "listen_port")?;
            req.listen_port = Some(u16::try_from(port).unwrap_or(u16::MAX));
        }
        "fwmark" => {
            let mark = number(value, u32::MAX.into(), "fwmark")?;
            req.fwmark = Some(u32::try_from(mark).unwrap_or(u32::MAX));
        }
        "replace_peers" => req.replace_peers = flag(value, "replace_peers")?,
        _ => {
            return Err(Error::invalid(format!(
                "invalid UAPI device key: {}",
                shown(key)
            )))
        }
    }
    Ok(())
}

fn peer_line(
    peer: &mut PeerChange,
    key: &str,
    value: &str,
    resolve_zone: &dyn Fn(&str) -> Option<u32>,
) -> Result<(), Error> {
    match key {
        "update_only" => peer.update_only = flag(value, "update_only")?,
        "remove" => peer.remove = flag(value, "remove")?,
        "preshared_key" => {
            let psk = PresharedKey::from_hex(value)
                .map_err(|e| Error::invalid(format!("failed to set preshared key: {e}")))?;
            peer.preshared_key = Some(psk);
        }
        "endpoint" => {
            let addr = parse_endpoint(value, resolve_zone).map_err(|e| {
                Error::invalid(format!("failed to set endpoint {}: {e}", shown(value)))
            })?;
            peer.endpoint = Some(addr);
        }
        "persistent_keepalive_interval" => {
            let secs = number(value, u16::MAX.into(), "persistent keepalive interval")?;
            peer.persistent_keepalive = Some(u16::try_from(secs).unwrap_or(u16::MAX));
        }
        "replace_allowed_ips" => {
            peer.replace_allowed_ips = flag(value, "replace_allowed_ips")?;
            // Whatever this section added so far would be removed again right now.
            peer.allowed_ips.clear();
        }
        "allowed_ip" => peer.allowed_ips.push(allowed_ip(value)?),
        "protocol_version" => {
            if value != "1" {
                return Err(Error::invalid(format!(
                    "invalid protocol version: {}",
                    shown(value)
                )));
            }
            peer.protocol_version = Some(1);
        }
        _ => {
            return Err(Error::invalid(format!(
                "invalid UAPI peer key: {}",
                shown(key)
            )))
        }
    }
    Ok(())
}

fn allowed_ip(value: &str) -> Result<AllowedIpChange, Error> {
    let (op, prefix) = match value.strip_prefix('-') {
        Some(prefix) => (AllowedIpOp::Remove, prefix),
        None => (AllowedIpOp::Add, value),
    };
    let (ip, cidr) = parse_prefix(prefix)
        .map_err(|e| Error::invalid(format!("failed to set allowed ip {}: {e}", shown(value))))?;
    Ok(AllowedIpChange::new(op, ip, cidr))
}

/// A boolean key: wireguard-go accepts only the exact text `true` (never `false`).
fn flag(value: &str, what: &str) -> Result<bool, Error> {
    if value == "true" {
        Ok(true)
    } else {
        Err(Error::invalid(format!(
            "failed to set {what}, invalid value: {}",
            shown(value)
        )))
    }
}

fn number(value: &str, max: u64, what: &str) -> Result<u64, Error> {
    parse_decimal(value, max)
        .ok_or_else(|| Error::invalid(format!("failed to parse {what}: {}", shown(value))))
}

/// Input quoted for a log message, cut short so a hostile line cannot flood the log.
fn shown(text: impl AsRef<[u8]>) -> String {
    const MAX: usize = 80;
    let bytes = text.as_ref();
    let cut = &bytes[..bytes.len().min(MAX)];
    let ellipsis = if bytes.len() > MAX { "…" } else { "" };
    format!("\"{}\"{ellipsis}", cut.escape_ascii())
}

#[cfg(test)]
mod tests;
