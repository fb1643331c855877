//! Routes for the allowed IPs, and the fwmark scheme for default routes (`add_route`,
//! `add_default` in wg-quick).

use super::TableMode;
use crate::action::{Action, Family, Prefix, Rule};
use crate::env::Environment;
use ferrotun_conf::{AllowedIpOp, Config};

/// The first table wg-quick tries for the default-route scheme.
const FIRST_TABLE: u32 = 51820;

/// The allowed IPs the device ends up with (as `wg show IF allowed-ips` lists them after
/// the file is applied to a fresh device), most specific first.
pub(super) fn allowed_prefixes(config: &Config) -> Vec<Prefix> {
    let mut set: Vec<Prefix> = Vec::new();
    for peer in &config.peers {
        for allowed in &peer.allowed_ips {
            let (ip, len) = ferrotun_uapi::model::mask(allowed.ip, allowed.cidr);
            let prefix = Prefix { ip, len };
            set.retain(|p| *p != prefix);
            if allowed.op == AllowedIpOp::Add {
                set.push(prefix);
            }
        }
    }
    // `sort -nr -k 2 -t /`: longest prefix first; ties fall back to comparing whole lines,
    // reversed as well.
    set.sort_by(|a, b| {
        b.len
            .cmp(&a.len)
            .then_with(|| b.to_string().cmp(&a.to_string()))
    });
    set
}

/// The route actions for `routes` (`add_route` for each, in order). Without
/// `scheme` (`--netns`: the daemon's own packets never pass through the interface's
/// namespace, so they cannot loop) a `/0` is a plain route like any other.
pub(super) fn plan_routes(
    interface: &str,
    config: &Config,
    table: TableMode,
    routes: &[Prefix],
    env: &Environment,
    scheme: bool,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let mut mark = None;
    for prefix in routes {
        match table {
            TableMode::Off => break,
            TableMode::Id(id) => actions.push(Action::AddRoute {
                interface: interface.to_string(),
                prefix: *prefix,
                table: Some(id),
            }),
            TableMode::Auto if prefix.len == 0 && scheme => {
                add_default(interface, config, *prefix, env, &mut mark, &mut actions);
            }
            TableMode::Auto => {
                if !covered_by_address(config, prefix) {
                    actions.push(Action::AddRoute {
                        interface: interface.to_string(),
                        prefix: *prefix,
                        table: None,
                    });
                }
            }
        }
    }
    actions
}

/// `ip route show dev IF match PREFIX` on a fresh link finds only the prefix routes the
/// kernel made for the addresses; wg-quick adds nothing when one of them covers the prefix.
fn covered_by_address(config: &Config, prefix: &Prefix) -> bool {
    config.interface.quick.addresses.iter().any(|address| {
        let full = if address.ip.is_ipv4() { 32 } else { 128 };
        if Family::of(address.ip) != prefix.family() || address.prefix >= full {
            return false;
        }
        address.prefix <= prefix.len
            && ferrotun_uapi::model::mask(address.ip, address.prefix)
                == ferrotun_uapi::model::mask(prefix.ip, address.prefix)
    })
}

/// The default-route scheme for one family (`add_default`).
fn add_default(
    interface: &str,
    config: &Config,
    prefix: Prefix,
    env: &Environment,
    mark: &mut Option<u32>,
    actions: &mut Vec<Action>,
) {
    let table = *mark.get_or_insert_with(|| choose_mark(interface, config, env, actions));
    let family = prefix.family();
    actions.push(Action::AddRule(Rule::NotFwmark {
        family,
        mark: table,
    }));
    actions.push(Action::AddRule(Rule::SuppressMain { family }));
    // After the rules (71799a8): until `suppress_prefixlength` exists, a default route in
    // table T would pull the whole host into the tunnel.
    actions.push(Action::AddRoute {
        interface: interface.to_string(),
        prefix,
        table: Some(table),
    });
    if family == Family::V4 && !env.src_valid_mark {
        actions.push(Action::SetSysctl {
            key: "net.ipv4.conf.all.src_valid_mark".to_string(),
            value: "1".to_string(),
        });
    }
    actions.push(Action::Firewall {
        interface: interface.to_string(),
        family,
        mark: table,
        nft: env.has_nft,
    });
}

/// The file's `FwMark` if it has one, else the first table from 51820 that is empty in
/// both families, which is then set as the device's mark.
fn choose_mark(
    interface: &str,
    config: &Config,
    env: &Environment,
    actions: &mut Vec<Action>,
) -> u32 {
    if let Some(mark) = config.interface.fwmark.filter(|m| *m != 0) {
        return mark;
    }
    let mut table = FIRST_TABLE;
    while env.nonempty_tables.contains(&table) {
        table += 1;
    }
    actions.push(Action::SetFwmark {
        interface: interface.to_string(),
        mark: table,
    });
    table
}

/// The anti-spoofing and mark save/restore rules for the link's `addresses` of `family`,
/// as wg-quick writes them: nftables input, or `iptables-restore` input tagged with the
/// `wg-quick(8) rule for IF` comment.
#[must_use]
pub fn firewall_script(
    interface: &str,
    family: Family,
    mark: u32,
    addresses: &[std::net::IpAddr],
    nft: bool,
) -> String {
    let addresses = addresses.iter().filter(|ip| Family::of(**ip) == family);
    if nft {
        let pf = family.nft();
        let table = format!("{pf} wg-quick-{interface}");
        let mut script = format!("add table {table}\n");
        for (chain, hook, priority) in [
            ("preraw", "prerouting", -300),
            ("premangle", "prerouting", -150),
            ("postmangle", "postrouting", -150),
        ] {
            script += &format!(
                "add chain {table} {chain} {{ type filter hook {hook} priority {priority}; }}\n"
            );
        }
        for address in addresses {
            script += &format!(
                "add rule {table} preraw iifname != \"{interface}\" {pf} daddr {address} fib saddr type != local drop\n"
            );
        }
        script += &format!(
            "add rule {table} postmangle meta l4proto udp mark {mark} ct mark set mark \n"
        );
        script += &format!("add rule {table} premangle meta l4proto udp meta mark set ct mark \n");
        return script;
    }
    let marker = format!("-m comment --comment \"wg-quick(8) rule for {interface}\"");
    let mut script = String::from("*raw\n");
    for address in addresses {
        script += &format!(
            "-I PREROUTING ! -i {interface} -d {address} -m addrtype ! --src-type LOCAL -j DROP {marker}\n"
        );
    }
    script += &format!(
        "COMMIT\n*mangle\n-I POSTROUTING -m mark --mark {mark} -p udp -j CONNMARK --save-mark {marker}\n\
         -I PREROUTING -p udp -j CONNMARK --restore-mark {marker}\nCOMMIT\n"
    );
    script
}
