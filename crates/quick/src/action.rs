//! The steps of `up` and `down` as data, and the `[#] ...` line wg-quick prints for each.
//!
//! An [`Action`] names one effect on the system, with every value already decided by the
//! planner, so that an executor only has to carry it out. The printed line is the command
//! wg-quick would have run for the same effect, which keeps logs comparable with the
//! original tool even though ferrotun talks netlink instead of running `ip`.

use ferrotun_uapi::SetRequest;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;

/// An address family, printed as `ip`'s `-4`/`-6` switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl Family {
    /// The family of `ip`.
    #[must_use]
    pub fn of(ip: IpAddr) -> Self {
        if ip.is_ipv4() {
            Family::V4
        } else {
            Family::V6
        }
    }

    /// `-4` or `-6`.
    #[must_use]
    pub fn switch(self) -> &'static str {
        match self {
            Family::V4 => "-4",
            Family::V6 => "-6",
        }
    }

    /// The nftables family name: `ip` or `ip6`.
    #[must_use]
    pub fn nft(self) -> &'static str {
        match self {
            Family::V4 => "ip",
            Family::V6 => "ip6",
        }
    }
}

/// An address with a prefix length, printed as `ip/len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Prefix {
    /// The address (host bits kept for interface addresses, cleared for routes).
    pub ip: IpAddr,
    /// The prefix length.
    pub len: u8,
}

impl Prefix {
    /// The family of the address.
    #[must_use]
    pub fn family(&self) -> Family {
        Family::of(self.ip)
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.ip, self.len)
    }
}

/// A policy routing rule of the default-route scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// `not fwmark T table T`: unmarked traffic looks up table T.
    NotFwmark {
        /// The family of the rule.
        family: Family,
        /// The mark (and table number) T.
        mark: u32,
    },
    /// `table main suppress_prefixlength 0`: the main table, except its default route.
    SuppressMain {
        /// The family of the rule.
        family: Family,
    },
}

/// How DNS settings reach the resolver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsBackend {
    /// `resolvconf`; the string is the interface prefix (`tun.` on Debian's resolvconf with
    /// an `interface-order` file, else empty).
    Resolvconf(String),
    /// systemd-resolved through `resolvectl`.
    Resolved,
}

/// One effect on the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Start the userspace daemon, which creates the TUN link and its UAPI socket.
    StartDaemon {
        /// The program, e.g. `ferrotund`.
        program: String,
        /// The interface name.
        interface: String,
    },
    /// Run a hook through `bash -c` (`%i` already replaced).
    RunHook {
        /// The command.
        command: String,
    },
    /// Apply the wg(8) part of the file (`wg addconf`).
    ApplyWgConfig {
        /// The interface name.
        interface: String,
        /// The request built from the stripped file.
        request: SetRequest,
    },
    /// `ip address add`.
    AddAddress {
        /// The interface name.
        interface: String,
        /// The address.
        address: Prefix,
    },
    /// `ip link set mtu N up`.
    SetMtuUp {
        /// The interface name.
        interface: String,
        /// The MTU.
        mtu: u32,
    },
    /// Hand nameservers and search domains to the resolver.
    SetDns {
        /// The interface name.
        interface: String,
        /// Nameserver addresses.
        servers: Vec<String>,
        /// Search domains.
        search: Vec<String>,
        /// Where they go.
        backend: DnsBackend,
    },
    /// `ip route add PREFIX dev IF [table T]`.
    AddRoute {
        /// The interface name.
        interface: String,
        /// The destination (host bits cleared).
        prefix: Prefix,
        /// The table; `None` is the main table.
        table: Option<u32>,
    },
    /// `wg set IF fwmark T`.
    SetFwmark {
        /// The interface name.
        interface: String,
        /// The mark.
        mark: u32,
    },
    /// `ip rule add ...`.
    AddRule(Rule),
    /// Write a sysctl through `/proc/sys`.
    SetSysctl {
        /// The dotted key, e.g. `net.ipv4.conf.all.src_valid_mark`.
        key: String,
        /// The value.
        value: String,
    },
    /// The anti-spoofing and mark save/restore rules for one family, fed to `nft -f -`
    /// (or `iptables-restore -n` without nft). The script is made when the action runs,
    /// because like wg-quick it covers every address the link has by then (including the
    /// kernel's IPv6 link-local one); [`crate::plan::firewall_script`] writes it.
    Firewall {
        /// The interface name.
        interface: String,
        /// The family.
        family: Family,
        /// The fwmark (and table) of the default-route scheme.
        mark: u32,
        /// nftables (`true`) or iptables.
        nft: bool,
    },
    /// `ip rule delete ...`, repeated until no such rule is left.
    DeleteRules(Rule),
    /// `ip link delete dev IF`.
    DeleteLink {
        /// The interface name.
        interface: String,
    },
    /// Remove the interface's DNS settings.
    UnsetDns {
        /// The interface name.
        interface: String,
        /// Where they were set.
        backend: DnsBackend,
    },
    /// Delete the `wg-quick-IF` nftables tables and the iptables rules tagged for `IF`,
    /// whichever exist.
    RemoveFirewall {
        /// The interface name.
        interface: String,
    },
    /// Write the running configuration back to the file.
    SaveConfig {
        /// The interface name.
        interface: String,
        /// The file.
        path: PathBuf,
        /// The wg-quick keys to write into `[Interface]` (besides `Address`, which is read
        /// from the link).
        quick: ferrotun_conf::QuickSettings,
    },
}

impl Action {
    /// Whether a failure of this action is ignored, as wg-quick ignores it (`|| true`).
    #[must_use]
    pub fn may_fail(&self) -> bool {
        matches!(
            self,
            Action::UnsetDns { .. } | Action::RemoveFirewall { .. }
        )
    }
}

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
            Action::RunHook { command } => f.write_str(command),
            Action::ApplyWgConfig { interface, .. } => {
                write!(f, "wg addconf {interface} /dev/stdin")
            }
            Action::AddAddress { interface, address } => {
                let switch = address.family().switch();
                write!(f, "ip {switch} address add {address} dev {interface}")
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
            } => {
                let switch = prefix.family().switch();
                write!(f, "ip {switch} route add {prefix} dev {interface}")?;
                match table {
                    Some(table) => write!(f, " table {table}"),
                    None => Ok(()),
                }
            }
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
            },
            Action::RemoveFirewall { interface } => write!(f, "# remove firewall of {interface}"),
            Action::SaveConfig { interface, .. } => write!(f, "wg showconf {interface}"),
        }
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
        DnsBackend::Resolved => {
            let lines: Vec<String> = resolvectl_commands(interface, servers, search)
                .iter()
                .map(|args| format!("resolvectl {}", args.join(" ")))
                .collect();
            f.write_str(&lines.join("\n[#] "))
        }
    }
}
