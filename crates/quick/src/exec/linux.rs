//! The real executor for Linux: `ip` work over rtnetlink, the rest through `host`
//! (programs, sysctls, DNS files). Each action first prints the `[#] ...` line wg-quick
//! would print, on standard error.
//!
//! With `--netns NAME` the executor holds two netlink sockets: one in the caller's
//! namespace, where the daemon creates the link and from where it is moved, and one opened
//! inside NAME for everything after the move.

use super::host::{self, iptables};
use super::netlink::Netlink;
use super::{rtnl, save, Executor};
use crate::action::{Action, Family};
use crate::netns::Namespace;
use std::ffi::OsStr;
use std::io;
use std::process::Command;

/// Runs actions against the host.
#[derive(Debug)]
pub struct LinuxExecutor {
    /// In the interface's namespace.
    nl: Netlink,
    /// With `--netns`: the caller's namespace and the interface's.
    netns: Option<(Netlink, Namespace)>,
    /// Print `[#]` lines (on by default).
    pub echo: bool,
}

impl LinuxExecutor {
    /// An executor for the calling thread's namespace.
    pub fn new() -> io::Result<Self> {
        Self::with_netns(None)
    }

    /// An executor for an interface in `netns` (`None`: the calling thread's namespace).
    pub fn with_netns(netns: Option<Namespace>) -> io::Result<Self> {
        let Some(ns) = netns else {
            return Ok(LinuxExecutor {
                nl: Netlink::open()?,
                netns: None,
                echo: true,
            });
        };
        let inner = ns.run(Netlink::open)?;
        Ok(LinuxExecutor {
            nl: inner,
            netns: Some((Netlink::open()?, ns)),
            echo: true,
        })
    }

    fn namespace(&self) -> Option<&Namespace> {
        self.netns.as_ref().map(|(_, ns)| ns)
    }

    fn say(&self, line: &str) {
        if self.echo {
            eprintln!("[#] {line}");
        }
    }

    fn index(&mut self, interface: &str) -> io::Result<u32> {
        rtnl::index_of(&mut self.nl, interface)
    }
}

impl Executor for LinuxExecutor {
    fn execute(&mut self, action: &Action) -> io::Result<()> {
        // These two print per command they actually run.
        if !matches!(
            action,
            Action::DeleteRules(_) | Action::RemoveFirewall { .. }
        ) {
            self.say(&action.to_string());
        }
        if let Some(result) = self.rtnetlink(action) {
            return result;
        }
        let ns = self.namespace();
        match action {
            // The daemon starts here, where its UDP socket is to stay.
            Action::StartDaemon { program, interface } => {
                host::run(None, Command::new(program).arg(interface), None)
            }
            Action::RunHook { command } => {
                host::run(ns, Command::new("bash").arg("-c").arg(command), None)
            }
            Action::ApplyWgConfig { interface, request }
            | Action::SyncWgConfig { interface, request } => uapi_set(interface, request),
            Action::SetFwmark { interface, mark } => {
                let request = ferrotun_uapi::SetRequest {
                    fwmark: Some(*mark),
                    ..Default::default()
                };
                uapi_set(interface, &request)
            }
            Action::SetSysctl { key, value } => host::set_sysctl(ns, key, value),
            Action::Firewall {
                interface,
                family,
                mark,
                nft,
            } => self.firewall(interface, *family, *mark, *nft),
            Action::SetDns {
                interface,
                servers,
                search,
                backend,
            } => host::set_dns(ns, interface, servers, search, backend),
            Action::UnsetDns { interface, backend } => host::unset_dns(ns, interface, backend),
            Action::RemoveFirewall { interface } => self.remove_firewall(interface),
            Action::SaveConfig {
                interface,
                path,
                config,
            } => save::save(&mut self.nl, interface, path, config),
            // The rtnetlink actions returned above.
            _ => Ok(()),
        }
    }
}

impl LinuxExecutor {
    /// The actions done over rtnetlink, or `None` for the others.
    fn rtnetlink(&mut self, action: &Action) -> Option<io::Result<()>> {
        let interface = match action {
            Action::AddAddress { interface, .. }
            | Action::DeleteAddress { interface, .. }
            | Action::SetMtuUp { interface, .. }
            | Action::AddRoute { interface, .. }
            | Action::DeleteRoute { interface, .. } => interface,
            Action::AddRule(rule) => return Some(rtnl::add_rule(&mut self.nl, rule)),
            Action::DeleteRules(rule) => return Some(self.delete_rules(action, rule)),
            Action::DeleteLink { interface } => return Some(self.delete_link(interface)),
            Action::MoveToNetns { interface, .. } => return Some(self.move_link(interface)),
            _ => return None,
        };
        let index = match self.index(interface) {
            Ok(index) => index,
            Err(e) => return Some(Err(e)),
        };
        let nl = &mut self.nl;
        Some(match action {
            Action::AddAddress { address, .. } => rtnl::add_address(nl, index, address),
            Action::DeleteAddress { address, .. } => rtnl::delete_address(nl, index, address),
            Action::SetMtuUp { mtu, .. } => rtnl::set_mtu_up(nl, index, *mtu),
            Action::AddRoute { prefix, table, .. } => rtnl::add_route(nl, index, prefix, *table),
            Action::DeleteRoute { prefix, table, .. } => {
                rtnl::delete_route(nl, index, prefix, *table)
            }
            _ => Ok(()),
        })
    }

    /// `ip rule delete ...` until none is left, printing each.
    fn delete_rules(&mut self, action: &Action, rule: &crate::action::Rule) -> io::Result<()> {
        loop {
            if !rtnl::delete_rule(&mut self.nl, rule)? {
                return Ok(());
            }
            self.say(&action.to_string());
        }
    }

    /// Deletes the link where it lives; during a roll-back of `up --netns` that may still
    /// be the caller's namespace (the move itself failed).
    fn delete_link(&mut self, interface: &str) -> io::Result<()> {
        match rtnl::index_of(&mut self.nl, interface) {
            Ok(index) => rtnl::delete_link(&mut self.nl, index),
            Err(e) if e.raw_os_error() == Some(libc::ENODEV) => match &mut self.netns {
                Some((outer, _)) => {
                    let index = rtnl::index_of(outer, interface)?;
                    rtnl::delete_link(outer, index)
                }
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// Moves the link from the caller's namespace into the interface's.
    fn move_link(&mut self, interface: &str) -> io::Result<()> {
        let Some((outer, ns)) = &mut self.netns else {
            return Err(io::Error::other("no namespace to move the link to"));
        };
        let index = rtnl::index_of(outer, interface)?;
        rtnl::move_link(outer, index, ns.raw_fd())
    }

    /// `add_default`'s firewall step, over the addresses the link has now.
    fn firewall(
        &mut self,
        interface: &str,
        family: Family,
        mark: u32,
        nft: bool,
    ) -> io::Result<()> {
        let index = self.index(interface)?;
        let addresses: Vec<_> = rtnl::addresses(&mut self.nl, index)?
            .iter()
            .map(|a| a.prefix.ip)
            .collect();
        let script = crate::plan::firewall_script(interface, family, mark, &addresses, nft);
        let ns = self.namespace();
        if nft {
            host::run(ns, Command::new("nft").args(["-f", "-"]), Some(&script))
        } else {
            let restore = iptables(family, "-restore");
            host::run(ns, Command::new(restore).arg("-n"), Some(&script))
        }
    }

    /// `remove_firewall`: delete the `wg-quick-IF` nft tables and the tagged iptables rules
    /// that exist; print only what is run.
    fn remove_firewall(&mut self, interface: &str) -> io::Result<()> {
        let ns = self.namespace();
        if let Some(tables) = host::output(ns, Command::new("nft").args(["list", "tables"])) {
            let suffix = format!(" wg-quick-{interface}");
            let script: String = tables
                .lines()
                .filter(|line| line.ends_with(&suffix))
                .map(|line| format!("delete {line}\n"))
                .collect();
            if !script.is_empty() {
                self.say("nft -f /dev/stdin");
                host::run(ns, Command::new("nft").args(["-f", "-"]), Some(&script))?;
            }
        }
        for family in [Family::V4, Family::V6] {
            let Some(saved) = host::output(ns, &mut Command::new(iptables(family, "-save"))) else {
                continue;
            };
            if let Some(script) = host::iptables_deletions(&saved, interface) {
                let restore = iptables(family, "-restore");
                self.say(&format!("{restore} -n"));
                host::run(ns, Command::new(restore).arg("-n"), Some(&script))?;
            }
        }
        Ok(())
    }
}

fn uapi_set(interface: &str, request: &ferrotun_uapi::SetRequest) -> io::Result<()> {
    ferrotun_uapi::client::set(OsStr::new(interface), request)
        .map_err(|e| io::Error::from_raw_os_error(e.errno()))
}
