//! Warnings for a proxy file: what works but is probably not what its author meant.
//!
//! * A listener on an address others can reach, without `Username` and `Password`: anyone
//!   who can reach it can use the tunnel. A client tunnel on such an address: anyone can
//!   reach its target.
//! * A listener on port 0 (also where `BindAddress` is absent): its port is only known when
//!   the proxy starts.
//! * A target that is a name when `[Interface]` has no `DNS` server to resolve it with.
//! * A file that serves nothing, a WireGuard part without peers, a peer without
//!   `AllowedIPs` (the proxy routes by them), wg-quick keys the proxy has no use for, an MTU
//!   the stack cannot use; and the lints of plain files ([`crate::lint()`]).

use super::lines::{scan, LineKind, Section};
use super::model::{Auth, Forward, ProxyConfig, TargetHost};
use crate::error::Warning;
use crate::parse::Dialect;

/// The smallest MTU IPv6 allows (RFC 8200 §5).
const IPV6_MIN_MTU: u32 = 1280;

/// wg-quick keys that set up an interface the proxy does not create.
const NO_EFFECT: [(&str, &str); 7] = [
    ("table", "Table"),
    ("preup", "PreUp"),
    ("postup", "PostUp"),
    ("predown", "PreDown"),
    ("postdown", "PostDown"),
    ("saveconfig", "SaveConfig"),
    ("fwmark", "FwMark"),
];

fn warning(name: Option<&str>, line: Option<usize>, message: String) -> Warning {
    Warning {
        path: name.map(str::to_string),
        line,
        message: format!("Warning: {message}"),
    }
}

/// The warnings about the WireGuard part, whose text (as the wg-quick parser read it) is
/// `text`, in the file `name`.
pub(crate) fn wireguard(text: &[u8], name: Option<&str>, config: &ProxyConfig) -> Vec<Warning> {
    let wg = &config.wireguard;
    let mut found = crate::lint(text, name, wg, Dialect::Wg);
    let mut add = |line: Option<usize>, message: String| found.push(warning(name, line, message));
    for line in scan(text) {
        if let (LineKind::Entry { key, .. }, Section::Interface) = (&line.kind, line.section) {
            let lower = key.to_ascii_lowercase();
            if let Some((_, shown)) = NO_EFFECT.iter().find(|(k, _)| *k == lower) {
                add(
                    Some(line.number),
                    format!("{shown} has no effect in the proxy, which creates no interface"),
                );
            }
        }
    }
    if wg.interface.line.is_some() && wg.peers.is_empty() {
        add(
            wg.interface.line,
            "there is no [Peer]: nothing is reachable until one is added (ferrotun set)".into(),
        );
    }
    for peer in wg.peers.iter().filter(|p| p.allowed_ips.is_empty()) {
        add(
            Some(peer.line),
            "this peer has no AllowedIPs: the proxy sends nothing to it".into(),
        );
    }
    if let Some(mtu) = wg.interface.quick.mtu {
        let uses_ipv6 = wg.interface.quick.addresses.iter().any(|a| a.ip.is_ipv6());
        if !(68..=65535).contains(&mtu) {
            add(
                wg.interface.line,
                format!("MTU {mtu} is outside 68-65535, which the proxy cannot use"),
            );
        } else if mtu < IPV6_MIN_MTU && uses_ipv6 {
            add(wg.interface.line, format!("MTU {mtu} is below {IPV6_MIN_MTU}, the least IPv6 allows, but the proxy has an IPv6 Address"));
        }
    }
    found
}

/// The warnings about the proxy sections of the file `name`.
pub(crate) fn proxy(config: &ProxyConfig, name: Option<&str>) -> Vec<Warning> {
    let mut found = Vec::new();
    let mut add = |line: usize, message: String| found.push(warning(name, Some(line), message));
    for listener in &config.listeners {
        let header = listener.kind.section();
        let bind = &listener.bind;
        if !bind.is_loopback() && listener.auth == Auth::None {
            add(listener.line, format!("{header} listens on {bind} without Username and Password: anyone who can reach it can use your tunnel"));
        }
        if bind.port() == 0 {
            add(listener.line, format!("{header} listens on {bind}, a port the system picks when the proxy starts (BindAddress chooses one)"));
        }
    }
    let has_dns = !config.wireguard.interface.quick.dns_servers.is_empty();
    for forward in &config.forwards {
        let (header, bind, target) = match forward {
            Forward::TcpClient { bind, target, .. } => ("[TCPClientTunnel]", Some(bind), target),
            Forward::UdpClient { bind, target, .. } => ("[UDPProxyTunnel]", Some(bind), target),
            Forward::Stdio { target, .. } => ("[STDIOTunnel]", None, target),
            // Their targets are on the host side, resolved by the host.
            Forward::TcpServer { .. } | Forward::UdpServer { .. } => continue,
        };
        if let Some(bind) = bind.filter(|b| !b.is_loopback()) {
            add(forward.line(), format!("{header} listens on {bind}: anyone who can reach it can reach {target} through your tunnel"));
        }
        if matches!(target.host, TargetHost::Name(_)) && !has_dns {
            add(forward.line(), format!("Target {target} is a name, but [Interface] has no DNS server to resolve it through the tunnel"));
        }
    }
    if config.listeners.is_empty() && config.forwards.is_empty() {
        found.push(warning(
            name,
            None,
            "the file has no [Socks5], [http] or tunnel section, so the proxy serves nothing"
                .into(),
        ));
    }
    found
}
