//! Allowed IPs shared between peers.
//!
//! A prefix belongs to one peer: when two peers list the same one, the last peer set takes
//! it and the other silently loses it. Prefixes that only overlap are legal (the longest
//! match wins), but are worth a look. Prefixes are sorted so that each one follows every
//! prefix that contains it; a stack of the enclosing prefixes then finds, for each, the
//! nearest one of another peer in `O(n log n)`, whatever the number of peers.

use super::scan::{Kind, Scan};
use crate::model::AllowedIpOp;
use crate::value::parse_allowed_ips;
use std::net::IpAddr;

/// One added prefix, as a range in a 129-bit space (family first).
struct Entry {
    /// Index of the `[Peer]` section.
    peer: usize,
    /// The `[Peer]` header's line.
    peer_line: usize,
    /// The `AllowedIPs` line.
    line: usize,
    shown: String,
    v6: bool,
    first: u128,
    last: u128,
    cidr: u8,
}

/// Adds a warning for each allowed IP that another peer also has, or that lies inside
/// another peer's, at the later of the two lines.
pub(super) fn allowed_ips(scan: &Scan, found: &mut Vec<(Option<usize>, String)>) {
    let mut entries = entries(scan);
    entries.sort_by_key(|e| (e.v6, e.first, e.cidr));
    let mut stack: Vec<&Entry> = Vec::new();
    for entry in &entries {
        while stack
            .last()
            .is_some_and(|top| top.v6 != entry.v6 || top.last < entry.first)
        {
            stack.pop();
        }
        // Every prefix left on the stack contains this one.
        if let Some(other) = stack.iter().rev().find(|o| o.peer != entry.peer) {
            found.push(report(entry, other));
        }
        stack.push(entry);
    }
}

fn report(a: &Entry, b: &Entry) -> (Option<usize>, String) {
    let (later, earlier) = if a.line >= b.line { (a, b) } else { (b, a) };
    let message = if a.cidr == b.cidr {
        format!(
            "AllowedIPs {} is also in the [Peer] at line {} ({}); a prefix belongs to one \
             peer only, and the peer set last takes it from the other",
            later.shown, earlier.peer_line, earlier.shown
        )
    } else {
        format!(
            "AllowedIPs {} overlaps {} of the [Peer] at line {}; the longer prefix wins for \
             the addresses they share",
            later.shown, earlier.shown, earlier.peer_line
        )
    };
    (Some(later.line), message)
}

fn entries(scan: &Scan) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut keys_seen = Vec::new();
    let peers = scan.sections.iter().filter(|s| s.kind == Kind::Peer);
    for (peer, section) in peers.enumerate() {
        // A second section for the same key is already an error; its prefixes would only
        // repeat it as overlaps.
        let key = section.keys.iter().rev().find(|k| k.key == "publickey");
        if let Some(key) = key {
            if keys_seen.contains(&&key.value) {
                continue;
            }
            keys_seen.push(&key.value);
        }
        for key in section.keys.iter().filter(|k| k.key == "allowedips") {
            // Entry by entry: a bad one is already an error, the others still count.
            let lists = key
                .value
                .split(',')
                .filter_map(|e| parse_allowed_ips(e).ok());
            for allowed in lists.flat_map(|list| list.entries) {
                if allowed.op == AllowedIpOp::Remove {
                    continue;
                }
                let (v6, first, last) = range(allowed.ip, allowed.cidr);
                entries.push(Entry {
                    peer,
                    peer_line: section.line,
                    line: key.line,
                    shown: format!("{}/{}", allowed.ip, allowed.cidr),
                    v6,
                    first,
                    last,
                    cidr: allowed.cidr,
                });
            }
        }
    }
    entries
}

/// The first and last address of `ip/cidr`, host bits ignored (as daemons mask them).
fn range(ip: IpAddr, cidr: u8) -> (bool, u128, u128) {
    let (v6, bits, width) = match ip {
        IpAddr::V4(a) => (false, u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (true, u128::from(a), 128),
    };
    let host_bits = width - u32::from(cidr).min(width);
    // `checked_shr(128)` is `None`: no host bits, an empty mask.
    let host_mask = u128::MAX.checked_shr(128 - host_bits).unwrap_or(0);
    (v6, bits & !host_mask, bits | host_mask)
}
