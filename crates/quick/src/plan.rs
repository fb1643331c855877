//! The planner: a parsed configuration plus an [`Environment`] snapshot in, the list of
//! [`Action`]s that `up` or `down` performs out. Pure, so every decision wg-quick makes is
//! unit-tested without root.
//!
//! The order follows wireguard-tools' `linux.bash` (docs/compatibility.md §3.1, §3.2): link,
//! `PreUp`, wg configuration, addresses, MTU and link up, DNS, routes (most specific
//! first, with the default-route scheme for `/0`), `PostUp`.

mod reload;
mod route;

pub use reload::plan_reload;
pub use route::firewall_script;

use crate::action::{Action, DnsBackend, Family, Prefix, Rule};
use crate::env::Environment;
use ferrotun_conf::{Config, QuickSettings};
use std::fmt;
use std::path::PathBuf;

/// Which interface, file and daemon a command is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// The interface name (from the file name).
    pub interface: String,
    /// The configuration file.
    pub path: PathBuf,
    /// The userspace daemon to start (`WG_QUICK_USERSPACE_IMPLEMENTATION`, default
    /// `ferrotund`).
    pub daemon: String,
    /// `--netns NAME`: the interface lives in namespace NAME, the daemon here.
    pub netns: Option<String>,
}

/// Why no plan could be made. The text is what the user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// `up` on an interface that exists already.
    AlreadyExists(String),
    /// `down` on something that is not a (userspace) WireGuard interface.
    NotWireGuard(String),
    /// The file has IPv6 addresses or routes but the host has IPv6 disabled.
    Ipv6Disabled(String),
    /// `DNS` is set but no way to apply it exists.
    NoDnsBackend,
    /// `Table` names a table that is neither a number nor a known name.
    UnknownTable(String),
    /// `reload` of an interface that has no link here (it may be in another namespace).
    NoLink(String),
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::AlreadyExists(name) => write!(f, "`{name}' already exists"),
            PlanError::NotWireGuard(name) => write!(f, "`{name}' is not a WireGuard interface"),
            PlanError::Ipv6Disabled(what) => write!(
                f,
                "IPv6 is disabled on this host (net.ipv6.conf.all.disable_ipv6 = 1), but the \
                 configuration uses IPv6 ({what}); enable IPv6 or remove the IPv6 entries"
            ),
            PlanError::NoDnsBackend => f.write_str(
                "DNS is set, but neither resolvconf nor systemd-resolved (resolvectl) is \
                 available; install one of them or remove the DNS line",
            ),
            PlanError::UnknownTable(name) => write!(f, "unknown routing table `{name}'"),
            PlanError::NoLink(name) => write!(
                f,
                "`{name}' has a WireGuard socket but no link in this network namespace; \
                 if it was brought up with --netns NAME, pass --netns NAME again"
            ),
        }
    }
}

impl std::error::Error for PlanError {}

/// How `Table` is to be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableMode {
    /// Unset or `auto`: main table, default routes through the fwmark scheme.
    Auto,
    /// `off`: no routes.
    Off,
    /// A table number: every route goes there, no special default-route handling.
    Id(u32),
}

/// Interprets `Table`: `auto`, `off`, a number, or a name (`main`, `local`, `default`, or
/// one of `env.table_names`).
pub fn table_mode(table: Option<&str>, env: &Environment) -> Result<TableMode, PlanError> {
    let Some(table) = table else {
        return Ok(TableMode::Auto);
    };
    match table {
        "auto" => Ok(TableMode::Auto),
        "off" => Ok(TableMode::Off),
        "main" => Ok(TableMode::Id(254)),
        "local" => Ok(TableMode::Id(255)),
        "default" => Ok(TableMode::Id(253)),
        _ => table
            .parse()
            .ok()
            .or_else(|| env.table_names.get(table).copied())
            .map(TableMode::Id)
            .ok_or_else(|| PlanError::UnknownTable(table.to_string())),
    }
}

/// The actions of `wg-quick up`.
pub fn plan_up(
    inv: &Invocation,
    config: &Config,
    env: &Environment,
) -> Result<Vec<Action>, PlanError> {
    let quick = &config.interface.quick;
    if env.link_exists {
        return Err(PlanError::AlreadyExists(inv.interface.clone()));
    }
    let table = table_mode(quick.table.as_deref(), env)?;
    let routes = route::allowed_prefixes(config);
    check_ipv6(quick, &routes, table, env)?;
    let dns = dns_backend(quick, env)?;
    let name = &inv.interface;
    let mut actions = vec![Action::StartDaemon {
        program: inv.daemon.clone(),
        interface: name.clone(),
    }];
    if let Some(netns) = &inv.netns {
        actions.push(Action::MoveToNetns {
            interface: name.clone(),
            netns: netns.clone(),
        });
    }
    actions.extend(hooks(&quick.pre_up, name));
    actions.push(Action::ApplyWgConfig {
        interface: name.clone(),
        request: ferrotun_conf_request(config),
    });
    for address in &quick.addresses {
        let address = Prefix {
            ip: address.ip,
            len: address.prefix,
        };
        actions.push(Action::AddAddress {
            interface: name.clone(),
            address,
        });
    }
    actions.push(Action::SetMtuUp {
        interface: name.clone(),
        mtu: mtu(config, env),
    });
    if let Some(backend) = dns {
        actions.push(Action::SetDns {
            interface: name.clone(),
            servers: quick.dns_servers.clone(),
            search: quick.dns_search.clone(),
            backend,
        });
    }
    let scheme = inv.netns.is_none();
    actions.extend(route::plan_routes(
        name, config, table, &routes, env, scheme,
    ));
    actions.extend(hooks(&quick.post_up, name));
    Ok(actions)
}

/// The actions of `wg-quick down`.
pub fn plan_down(
    inv: &Invocation,
    config: &Config,
    env: &Environment,
) -> Result<Vec<Action>, PlanError> {
    let quick = &config.interface.quick;
    let name = &inv.interface;
    if !env.is_wireguard {
        return Err(PlanError::NotWireGuard(name.clone()));
    }
    let table = table_mode(quick.table.as_deref(), env)?;
    let mut actions: Vec<Action> = hooks(&quick.pre_down, name).collect();
    if quick.save_config == Some(true) {
        actions.push(Action::SaveConfig {
            interface: name.clone(),
            path: inv.path.clone(),
            config: Box::new(config.clone()),
        });
    }
    // `del_if`: the rules go only when they can be ours (auto table, a mark, a /0 route;
    // never with --netns, where `up` makes none).
    let scheme = table == TableMode::Auto && inv.netns.is_none();
    if scheme && env.running_fwmark != 0 && env.running_has_default {
        actions.extend(rule_deletions(env.running_fwmark));
    }
    actions.push(Action::DeleteLink {
        interface: name.clone(),
    });
    if let (false, Some(backend)) = (quick.dns_servers.is_empty(), dns_to_unset(env)) {
        actions.push(Action::UnsetDns {
            interface: name.clone(),
            backend,
        });
    }
    actions.push(Action::RemoveFirewall {
        interface: name.clone(),
    });
    actions.extend(hooks(&quick.post_down, name));
    Ok(actions)
}

/// What undoes the completed part of a failed `up`, as wg-quick's `del_if` trap does: DNS,
/// firewall and rules if they were set, then the link (its addresses and routes go with it).
#[must_use]
pub fn rollback(done: &[Action]) -> Vec<Action> {
    let mut undo = Vec::new();
    for action in done {
        match action {
            Action::SetDns {
                interface, backend, ..
            } => undo.push(Action::UnsetDns {
                interface: interface.clone(),
                backend: backend.clone(),
            }),
            Action::Firewall { interface, .. } => undo.push(Action::RemoveFirewall {
                interface: interface.clone(),
            }),
            _ => {}
        }
    }
    undo.dedup();
    // `del_if` clears both families' rules for the mark, whichever were added.
    let mark = done.iter().find_map(|action| match action {
        Action::AddRule(Rule::NotFwmark { mark, .. }) => Some(*mark),
        _ => None,
    });
    undo.extend(mark.into_iter().flat_map(rule_deletions));
    if let Some(interface) = started_interface(done) {
        undo.push(Action::DeleteLink { interface });
    }
    undo
}

fn started_interface(done: &[Action]) -> Option<String> {
    done.iter().find_map(|action| match action {
        Action::StartDaemon { interface, .. } => Some(interface.clone()),
        _ => None,
    })
}

/// The four rule deletions of `del_if`, for table/mark `mark`.
pub(crate) fn rule_deletions(mark: u32) -> impl Iterator<Item = Action> {
    [Family::V4, Family::V6]
        .into_iter()
        .flat_map(move |family| {
            [
                Action::DeleteRules(Rule::NotFwmark { family, mark }),
                Action::DeleteRules(Rule::SuppressMain { family }),
            ]
        })
}

/// Hooks with `%i` replaced by the interface name.
pub(crate) fn hooks<'a>(
    commands: &'a [String],
    interface: &'a str,
) -> impl Iterator<Item = Action> + 'a {
    commands.iter().map(move |command| Action::RunHook {
        command: command.replace("%i", interface),
    })
}

/// Where DNS settings are to be removed from, if there is anything to remove: a resolver
/// program is always asked (as wg-quick asks it, ignoring a failure), while the namespace's
/// `resolv.conf` is only restored when it holds ours, so that no step is printed that does
/// nothing.
pub(crate) fn dns_to_unset(env: &Environment) -> Option<DnsBackend> {
    match env.dns.clone() {
        Some(DnsBackend::NetnsFile(_)) if !env.netns_dns_set => None,
        backend => backend,
    }
}

pub(crate) fn dns_backend(
    quick: &QuickSettings,
    env: &Environment,
) -> Result<Option<DnsBackend>, PlanError> {
    // As in wg-quick, search domains alone set nothing.
    if quick.dns_servers.is_empty() {
        return Ok(None);
    }
    env.dns.clone().map(Some).ok_or(PlanError::NoDnsBackend)
}

/// Fails early with a clear message where wg-quick would die on "RTNETLINK answers:
/// Permission denied" halfway through.
pub(crate) fn check_ipv6(
    quick: &QuickSettings,
    routes: &[Prefix],
    table: TableMode,
    env: &Environment,
) -> Result<(), PlanError> {
    if env.ipv6_available {
        return Ok(());
    }
    if let Some(address) = quick.addresses.iter().find(|a| a.ip.is_ipv6()) {
        return Err(PlanError::Ipv6Disabled(format!(
            "Address {}/{}",
            address.ip, address.prefix
        )));
    }
    if table != TableMode::Off {
        if let Some(prefix) = routes.iter().find(|p| p.family() == Family::V6) {
            return Err(PlanError::Ipv6Disabled(format!("AllowedIPs {prefix}")));
        }
    }
    Ok(())
}

/// The explicit `MTU`, else the smallest route MTU towards an endpoint, else the default
/// route's, else 1500; minus 80 for the worst-case overhead (IPv6 + UDP + WireGuard).
///
/// The smallest, as wg-quick does since wireguard-tools 5150cd6 (2025). Older wg-quick
/// (v1.0.20210914, still shipped by Debian 12) keeps the *largest*, which lets packets
/// towards the peer behind the narrowest path exceed that path's MTU; ferrotun
/// deliberately follows the fixed version (docs/compatibility.md MTU-1).
#[must_use]
pub fn mtu(config: &Config, env: &Environment) -> u32 {
    if let Some(mtu) = config.interface.quick.mtu {
        return mtu;
    }
    let endpoint_min = config
        .peers
        .iter()
        .filter_map(|peer| peer.endpoint.as_ref())
        .filter(|endpoint| !has_zone(&endpoint.addr))
        .filter_map(|endpoint| env.endpoint_mtus.get(&endpoint.addr.ip()).copied())
        .min();
    let base = endpoint_min.or(env.default_route_mtu).unwrap_or(1500);
    base.saturating_sub(80)
}

/// wg-quick's endpoint pattern has no room for `%zone`, so such endpoints are skipped.
fn has_zone(addr: &std::net::SocketAddr) -> bool {
    matches!(addr, std::net::SocketAddr::V6(v6) if v6.scope_id() != 0)
}

/// The `wg addconf` request for the file.
fn ferrotun_conf_request(config: &Config) -> ferrotun_uapi::SetRequest {
    crate::wgconf::addconf_request(config)
}

#[cfg(test)]
mod tests;
