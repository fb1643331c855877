//! `reload`: what `up` of the file would make, minus what the running interface already
//! has. The wg(8) part goes through a `syncconf`-style request (kept peers are changed in
//! place, so sessions survive); addresses, MTU, DNS, routes (the allowed IPs' routes in
//! their table, and the default-route scheme) are added and removed one by one. The daemon
//! keeps running and the link is never taken down.
//!
//! Only routes wg-quick could have made are touched: `proto boot` routes through the link
//! whose destination is an allowed IP, before or after the reload. A route a `PostUp` hook
//! added to some other prefix stays. Hooks do not run.

use super::{check_ipv6, dns_backend, route, table_mode, Invocation, PlanError};
use crate::action::{Action, Family, Prefix, Rule};
use crate::env::{Environment, Running};
use ferrotun_conf::Config;
use std::collections::BTreeSet;

const MAIN_TABLE: u32 = 254;

/// The actions that turn the `running` interface into what `up` of `config` makes.
pub fn plan_reload(
    inv: &Invocation,
    config: &Config,
    env: &Environment,
    running: &Running,
) -> Result<Vec<Action>, PlanError> {
    let name = &inv.interface;
    if !env.is_wireguard {
        return Err(PlanError::NotWireGuard(name.clone()));
    }
    let quick = &config.interface.quick;
    let table = table_mode(quick.table.as_deref(), env)?;
    let routes = route::allowed_prefixes(config);
    check_ipv6(quick, &routes, table, env)?;
    let dns = dns_backend(quick, env)?;

    let wanted = wanted_routes(inv, config, table, &routes, env, running);
    let scheme = Scheme::new(running, &wanted);
    let mut actions = vec![Action::SyncWgConfig {
        interface: name.clone(),
        request: crate::wgconf::sync_request(config, &running.device),
    }];
    remove_routes(name, running, &routes, &wanted, &mut actions);
    // Rules go after the default route they protect.
    actions.extend(scheme.stale_rules());
    // The mark was the scheme's (the file has none): gone with the scheme, as after `up`.
    if scheme.gone() && config.interface.fwmark.is_none() {
        actions.push(Action::SetFwmark {
            interface: name.clone(),
            mark: 0,
        });
    }
    let addresses_changed = diff_addresses(name, config, running, &mut actions);
    let mtu = super::mtu(config, env);
    if mtu != running.mtu {
        actions.push(Action::SetMtuUp {
            interface: name.clone(),
            mtu,
        });
    }
    actions.extend(dns_action(name, config, dns, env));
    if scheme.gone() {
        actions.push(Action::RemoveFirewall {
            interface: name.clone(),
        });
    }
    add_missing(
        name,
        wanted,
        running,
        &scheme,
        addresses_changed,
        &mut actions,
    );
    Ok(actions)
}

/// The file's DNS replaces what the interface had; without DNS in the file, whatever the
/// old file set goes (and a failure to remove nothing is ignored, as in `down`).
fn dns_action(
    interface: &str,
    config: &Config,
    dns: Option<crate::action::DnsBackend>,
    env: &Environment,
) -> Option<Action> {
    let interface = interface.to_string();
    let quick = &config.interface.quick;
    match (dns, super::dns_to_unset(env)) {
        (Some(backend), _) => Some(Action::SetDns {
            interface,
            servers: quick.dns_servers.clone(),
            search: quick.dns_search.clone(),
            backend,
        }),
        (None, Some(backend)) => Some(Action::UnsetDns { interface, backend }),
        (None, None) => None,
    }
}

/// The families whose `not fwmark MARK table MARK` rule exists.
fn scheme_families(running: &Running, mark: u32) -> BTreeSet<Family> {
    running
        .rules
        .iter()
        .filter_map(|rule| match rule {
            Rule::NotFwmark { family, mark: m } if mark != 0 && *m == mark => Some(*family),
            _ => None,
        })
        .collect()
}

/// The default-route scheme (fwmark rules, table, firewall) before and after the reload.
struct Scheme {
    /// The running mark.
    mark: u32,
    /// The families that have the scheme now.
    now: BTreeSet<Family>,
    /// The families that will have it.
    next: BTreeSet<Family>,
    /// The mark it will use, if any family has it.
    next_mark: Option<u32>,
}

impl Scheme {
    fn new(running: &Running, wanted: &[Action]) -> Self {
        let mark = running.device.fwmark;
        let mut next = BTreeSet::new();
        let mut next_mark = None;
        for action in wanted {
            if let Action::AddRule(Rule::NotFwmark { family, mark }) = action {
                next.insert(*family);
                next_mark = Some(*mark);
            }
        }
        Scheme {
            mark,
            now: scheme_families(running, mark),
            next,
            next_mark,
        }
    }

    fn mark_changes(&self) -> bool {
        self.next_mark.is_some_and(|next| next != self.mark)
    }

    /// Every family loses the scheme.
    fn gone(&self) -> bool {
        self.next.is_empty() && !self.now.is_empty()
    }

    /// The rule deletions: both rules of a family that leaves the scheme, and the old
    /// `not fwmark` rule of every family when the mark changes.
    fn stale_rules(&self) -> Vec<Action> {
        let mut deletions = Vec::new();
        for family in &self.now {
            let leaves = !self.next.contains(family);
            if leaves || self.mark_changes() {
                deletions.push(Action::DeleteRules(Rule::NotFwmark {
                    family: *family,
                    mark: self.mark,
                }));
            }
            if leaves {
                deletions.push(Action::DeleteRules(Rule::SuppressMain { family: *family }));
            }
        }
        deletions
    }

    /// Whether a planned rule is in place already (and stays).
    fn has(&self, rule: &Rule) -> bool {
        match rule {
            Rule::NotFwmark { family, mark } => self.now.contains(family) && *mark == self.mark,
            Rule::SuppressMain { family } => self.now.contains(family),
        }
    }

    /// The firewall lists the link's addresses and the mark, so it is made again when
    /// either changes, or the families do.
    fn refresh_firewall(&self, addresses_changed: bool) -> bool {
        !self.next.is_empty() && (addresses_changed || self.next != self.now || self.mark_changes())
    }
}

/// The route actions `up` would plan, keeping the running mark (and so table) when the
/// default-route scheme is up already.
fn wanted_routes(
    inv: &Invocation,
    config: &Config,
    table: super::TableMode,
    routes: &[Prefix],
    env: &Environment,
    running: &Running,
) -> Vec<Action> {
    let mark = running.device.fwmark;
    let mut effective = config.clone();
    if !scheme_families(running, mark).is_empty() && effective.interface.fwmark.is_none() {
        effective.interface.fwmark = Some(mark);
    }
    let scheme = inv.netns.is_none();
    route::plan_routes(&inv.interface, &effective, table, routes, env, scheme)
}

fn table_of(table: Option<u32>) -> u32 {
    table.unwrap_or(MAIN_TABLE)
}

/// Deletes the routes through the link that are for an allowed IP (old or new) and that
/// the new plan does not have.
fn remove_routes(
    interface: &str,
    running: &Running,
    routes: &[Prefix],
    wanted: &[Action],
    actions: &mut Vec<Action>,
) {
    let old = running
        .device
        .peers
        .iter()
        .flat_map(|peer| &peer.allowed_ips)
        .map(|(ip, len)| Prefix { ip: *ip, len: *len });
    let known: Vec<Prefix> = old.chain(routes.iter().copied()).collect();
    let wanted: Vec<(Prefix, u32)> = wanted
        .iter()
        .filter_map(|action| match action {
            Action::AddRoute { prefix, table, .. } => Some((*prefix, table_of(*table))),
            _ => None,
        })
        .collect();
    for (prefix, table) in &running.routes {
        if known.contains(prefix) && !wanted.contains(&(*prefix, *table)) {
            actions.push(Action::DeleteRoute {
                interface: interface.to_string(),
                prefix: *prefix,
                table: (*table != MAIN_TABLE).then_some(*table),
            });
        }
    }
}

/// Deletes the addresses the file no longer has and adds the new ones (in file order);
/// whether anything changed. The kernel's IPv6 link-local address is not the file's to
/// remove.
fn diff_addresses(
    interface: &str,
    config: &Config,
    running: &Running,
    actions: &mut Vec<Action>,
) -> bool {
    let want: Vec<Prefix> = config
        .interface
        .quick
        .addresses
        .iter()
        .map(|a| Prefix {
            ip: a.ip,
            len: a.prefix,
        })
        .collect();
    let have: Vec<Prefix> = running
        .addresses
        .iter()
        .filter(|(p, link_scope)| !(*link_scope && p.ip.is_ipv6()) || want.contains(p))
        .map(|(p, _)| *p)
        .collect();
    let before = actions.len();
    for address in have.iter().filter(|p| !want.contains(p)) {
        actions.push(Action::DeleteAddress {
            interface: interface.to_string(),
            address: *address,
        });
    }
    for address in want.iter().filter(|p| !have.contains(p)) {
        actions.push(Action::AddAddress {
            interface: interface.to_string(),
            address: *address,
        });
    }
    actions.len() != before
}

/// The planned route actions that are not in place yet, in `up`'s order (rules before the
/// default route they protect).
fn add_missing(
    interface: &str,
    wanted: Vec<Action>,
    running: &Running,
    scheme: &Scheme,
    addresses_changed: bool,
    actions: &mut Vec<Action>,
) {
    let refresh_firewall = scheme.refresh_firewall(addresses_changed);
    let mut firewall_removed = false;
    for action in wanted {
        match &action {
            Action::AddRoute { prefix, table, .. }
                if running.routes.contains(&(*prefix, table_of(*table))) => {}
            Action::AddRule(rule) if scheme.has(rule) => {}
            Action::Firewall { .. } if !refresh_firewall => {}
            Action::Firewall { .. } => {
                if !firewall_removed {
                    firewall_removed = true;
                    actions.push(Action::RemoveFirewall {
                        interface: interface.to_string(),
                    });
                }
                actions.push(action);
            }
            _ => actions.push(action),
        }
    }
}

#[cfg(test)]
mod tests;
