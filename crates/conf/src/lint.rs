//! Lints: what a file says that is valid but probably not what its author meant.
//!
//! The parser accepts everything `wg` and wg-quick accept, so that files keep working; these
//! findings are for `ferrotun check` only. Each is a [`Warning`] at the line that shows the
//! problem best:
//!
//! * a key that takes one value given twice in a section (the last one wins silently);
//! * an allowed IP that another peer also has, or that overlaps another peer's;
//! * a peer whose public key is the interface's own;
//! * with [`Dialect::WgQuick`] also: no `PrivateKey`, a peer without `AllowedIPs`, search
//!   domains without a nameserver (wg-quick then sets no DNS at all), and an `MTU` that a
//!   link cannot have or that turns IPv6 off.
//!
//! The lints read the lines themselves (with the parser's rules) rather than the parsed
//! [`Config`], because they need lines the model does not keep, and because a file with
//! errors still deserves its warnings.

use crate::error::Warning;
use crate::model::Config;
use crate::parse::Dialect;

mod overlap;
mod scan;

use scan::{Kind, Scan};

/// Keys that take a single value, as `(lower case, as documented)`.
const SINGLE_VALUED: [(&str, &str); 10] = [
    ("privatekey", "PrivateKey"),
    ("listenport", "ListenPort"),
    ("fwmark", "FwMark"),
    ("mtu", "MTU"),
    ("table", "Table"),
    ("saveconfig", "SaveConfig"),
    ("publickey", "PublicKey"),
    ("presharedkey", "PresharedKey"),
    ("endpoint", "Endpoint"),
    ("persistentkeepalive", "PersistentKeepalive"),
];

/// The smallest MTU for which Linux keeps IPv6 on a link.
const IPV6_MIN_MTU: u32 = 1280;

/// The line of `[Interface]`'s `key` in `text` (the last one, which wins; `key` in any
/// case), for messages about a value the parser took: `ListenPort` when its port is taken.
#[must_use]
pub fn interface_key_line(text: &[u8], key: &str) -> Option<usize> {
    Scan::new(text).last_line(Kind::Interface, &key.to_ascii_lowercase())
}

/// The warnings for `text`, which parsed (perhaps with errors) into `config`, sorted by
/// line (those without a line first). `name` is put in front of each.
#[must_use]
pub fn lint(text: &[u8], name: Option<&str>, config: &Config, dialect: Dialect) -> Vec<Warning> {
    let scan = Scan::new(text);
    let mut found: Vec<(Option<usize>, String)> = Vec::new();
    duplicate_keys(&scan, &mut found);
    overlap::allowed_ips(&scan, &mut found);
    own_key(config, &mut found);
    if dialect == Dialect::WgQuick {
        quick_lints(&scan, config, &mut found);
    }
    found.sort_by_key(|(line, _)| *line);
    found
        .into_iter()
        .map(|(line, message)| Warning {
            path: name.map(str::to_string),
            line,
            message: format!("Warning: {message}"),
        })
        .collect()
}

/// A single-valued key given again in the same section (all `[Interface]` sections count as
/// one, as the parser merges them).
fn duplicate_keys(scan: &Scan, found: &mut Vec<(Option<usize>, String)>) {
    let interface = scan.sections.iter().filter(|s| s.kind == Kind::Interface);
    let groups = std::iter::once(interface.flat_map(|s| &s.keys).collect::<Vec<_>>()).chain(
        scan.sections
            .iter()
            .filter(|s| s.kind == Kind::Peer)
            .map(|s| s.keys.iter().collect()),
    );
    for keys in groups {
        for (i, key) in keys.iter().enumerate() {
            let Some((_, shown)) = SINGLE_VALUED.iter().find(|(k, _)| *k == key.key) else {
                continue;
            };
            if let Some(first) = keys[..i].iter().find(|k| k.key == key.key) {
                found.push((
                    Some(key.line),
                    format!(
                        "{shown} is given again (first at line {}); only the last one counts",
                        first.line
                    ),
                ));
            }
        }
    }
}

/// A peer that is the interface itself: a handshake with oneself never completes.
fn own_key(config: &Config, found: &mut Vec<(Option<usize>, String)>) {
    let Some(Some(private)) = &config.interface.private_key else {
        return;
    };
    let own = private.public_key();
    for peer in config.peers.iter().filter(|p| p.public_key == own) {
        found.push((
            Some(peer.line),
            "this peer's PublicKey is the interface's own public key (from its PrivateKey)"
                .to_string(),
        ));
    }
}

fn quick_lints(scan: &Scan, config: &Config, found: &mut Vec<(Option<usize>, String)>) {
    let interface_line = config.interface.line;
    if !scan.has_key(Kind::Interface, "privatekey") {
        let message = match interface_line {
            Some(_) => {
                "[Interface] has no PrivateKey: the interface can neither send nor \
                        receive until one is set (by a PostUp hook, say)"
            }
            None => "there is no [Interface] section, so no PrivateKey or Address",
        };
        found.push((interface_line, message.to_string()));
    }
    for peer in scan.sections.iter().filter(|s| s.kind == Kind::Peer) {
        if !peer.keys.iter().any(|k| k.key == "allowedips") {
            found.push((
                Some(peer.line),
                "this peer has no AllowedIPs: nothing is sent to it or accepted from it"
                    .to_string(),
            ));
        }
    }
    let quick = &config.interface.quick;
    if quick.dns_servers.is_empty() && !quick.dns_search.is_empty() {
        found.push((
            scan.last_line(Kind::Interface, "dns"),
            "DNS has search domains but no nameserver, so no DNS settings are applied at all"
                .to_string(),
        ));
    }
    if let Some(mtu) = quick.mtu {
        mtu_lints(scan, config, mtu, found);
    }
}

fn mtu_lints(scan: &Scan, config: &Config, mtu: u32, found: &mut Vec<(Option<usize>, String)>) {
    let line = scan.last_line(Kind::Interface, "mtu");
    let quick = &config.interface.quick;
    let uses_ipv6 = quick.addresses.iter().any(|a| a.ip.is_ipv6())
        || config
            .peers
            .iter()
            .flat_map(|p| &p.allowed_ips)
            .any(|a| a.ip.is_ipv6());
    if !(68..=65535).contains(&mtu) {
        found.push((
            line,
            format!("MTU {mtu} is outside 68-65535, so setting it will fail"),
        ));
    } else if mtu < IPV6_MIN_MTU && uses_ipv6 {
        found.push((
            line,
            format!("MTU {mtu} is below {IPV6_MIN_MTU}, so IPv6 is disabled on the interface, but the configuration uses IPv6"),
        ));
    }
}

#[cfg(test)]
mod tests;
