//! The `[#] ...` line of each action: the command wg-quick would run for the same effect.

use super::{Action, DnsBackend, Family, Rule};
use std::fmt;

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::NotFwmark { family, mark } => {
                write!(
                    f,
                    "{} rule add not fwmark {mark} table {mark}",
                    family.switch()
                )
            }
            Rule::SuppressMain { family } => {
                write!(
                    f,
                    "{} rule add table main suppress_prefixlength 0",
                    family.switch()
                )
            }
        }
    }
}

/// The command text of a rule deletion, as wg-quick's `del_if` spells it.
#[must_use]
pub fn delete_rule_text(rule: &Rule) -> String {
    match rule {
        Rule::NotFwmark { family, mark } => {
            format!("ip {} rule delete table {mark}", family.switch())
        }
        Rule::SuppressMain { family } => format!(
            "ip {} rule delete table main suppress_prefixlength 0",
            family.switch()
        ),
    }
}

/// The `resolvectl` argument lists for `SetDns` with systemd-resolved: the servers, then the
/// search domains plus `~.` so the link takes all queries (wg-quick's `-x`, exclusive).
#[must_use]
pub fn resolvectl_commands(
    interface: &str,
    servers: &[String],
    search: &[String],
) -> Vec<Vec<String>> {
    let mut dns = vec!["dns".to_string(), interface.to_string()];
    dns.extend(servers.iter().cloned());
    let mut domain = vec![
        "domain".to_string(),
        interface.to_string(),
        "~.".to_string(),
    ];
    domain.extend(search.iter().cloned());
    vec![dns, domain]
}

impl fmt::Display for Action {
    /// The command wg-quick would print after `[#] ` (several lines for some actions).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::StartDaemon { program, interface } => write!(f, "{program} {interface}"),
            Action::MoveToNetns { interface, netns } => {
                write!(f, "ip link set dev {interface} netns {netns}")
            }
            Action::RunHook { command } => f.write_str(command),
            Action::ApplyWgConfig { interface, .. } => {
                write!(f, "wg addconf {interface} /dev/stdin")
            }
            Action::SyncWgConfig { interface, .. } => {
                write!(f, "wg syncconf {interface} /dev/stdin")
            }
            Action::AddAddress { interface, address } => {
                let switch = address.family().switch();
                write!(f, "ip {switch} address add {address} dev {interface}")
            }
            Action::DeleteAddress { interface, address } => {
                let switch = address.family().switch();
                write!(f, "ip {switch} address del {address} dev {interface}")
            }
            Action::SetMtuUp { interface, mtu } => {
                write!(f, "ip link set mtu {mtu} up dev {interface}")
            }
            Action::SetDns {
                interface,
                servers,
                search,
                backend,
            } => fmt_set_dns(f, interface, servers, search, backend),
            Action::AddRoute {
                interface,
                prefix,
                table,
            } => fmt_route(f, "add", interface, prefix, *table),
            Action::DeleteRoute {
                interface,
                prefix,
                table,
            } => fmt_route(f, "del", interface, prefix, *table),
            Action::SetFwmark { interface, mark } => write!(f, "wg set {interface} fwmark {mark}"),
            Action::AddRule(rule) => write!(f, "ip {rule}"),
            Action::SetSysctl { key, value } => write!(f, "sysctl -q {key}={value}"),
            Action::Firewall { nft: true, .. } => f.write_str("nft -f /dev/stdin"),
            Action::Firewall { family, .. } => match family {
                Family::V4 => f.write_str("iptables-restore -n"),
                Family::V6 => f.write_str("ip6tables-restore -n"),
            },
            Action::DeleteRules(rule) => f.write_str(&delete_rule_text(rule)),
            Action::DeleteLink { interface } => write!(f, "ip link delete dev {interface}"),
            Action::UnsetDns { interface, backend } => match backend {
                DnsBackend::Resolvconf(prefix) => write!(f, "resolvconf -d {prefix}{interface} -f"),
                DnsBackend::Resolved => write!(f, "resolvectl revert {interface}"),
                DnsBackend::NetnsFile(netns) => {
                    write!(f, "# restore /etc/netns/{netns}/resolv.conf")
                }
            },
            Action::RemoveFirewall { interface } => write!(f, "# remove firewall of {interface}"),
            Action::SaveConfig { interface, .. } => write!(f, "wg showconf {interface}"),
        }
    }
}

fn fmt_route(
    f: &mut fmt::Formatter<'_>,
    verb: &str,
    interface: &str,
    prefix: &super::Prefix,
    table: Option<u32>,
) -> fmt::Result {
    let switch = prefix.family().switch();
    write!(f, "ip {switch} route {verb} {prefix} dev {interface}")?;
    match table {
        Some(table) => write!(f, " table {table}"),
        None => Ok(()),
    }
}

fn fmt_set_dns(
    f: &mut fmt::Formatter<'_>,
    interface: &str,
    servers: &[String],
    search: &[String],
    backend: &DnsBackend,
) -> fmt::Result {
    match backend {
        DnsBackend::Resolvconf(prefix) => write!(f, "resolvconf -a {prefix}{interface} -m 0 -x"),
        DnsBackend::NetnsFile(netns) => write!(f, "# write /etc/netns/{netns}/resolv.conf"),
        DnsBackend::Resolved => {
            let lines: Vec<String> = resolvectl_commands(interface, servers, search)
                .iter()
                .map(|args| format!("resolvectl {}", args.join(" ")))
                .collect();
            f.write_str(&lines.join("\n[#] "))
        }
    }
}
