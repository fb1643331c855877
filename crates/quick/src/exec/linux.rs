//! The real executor for Linux: `ip` work over rtnetlink, sysctl through `/proc/sys`, the
//! firewall through `nft -f -` (or `iptables-restore`), DNS through `resolvconf` or
//! `resolvectl`, hooks through `bash -c`. Each action first prints the `[#] ...` line
//! wg-quick would print, on standard error.

use super::netlink::Netlink;
use super::{rtnl, save, Executor};
use crate::action::{resolvectl_commands, Action, DnsBackend, Family};
use std::ffi::OsStr;
use std::io::{self, Write as _};
use std::process::{Command, Stdio};

/// Runs actions against the host, in the calling thread's network namespace.
#[derive(Debug)]
pub struct LinuxExecutor {
    nl: Netlink,
    /// Print `[#]` lines (on by default).
    pub echo: bool,
}

impl LinuxExecutor {
    /// Opens the netlink socket.
    pub fn new() -> io::Result<Self> {
        Ok(LinuxExecutor {
            nl: Netlink::open()?,
            echo: true,
        })
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
        match action {
            Action::StartDaemon { program, interface } => {
                run(Command::new(program).arg(interface), None)
            }
            Action::RunHook { command } => run(Command::new("bash").arg("-c").arg(command), None),
            Action::ApplyWgConfig { interface, request } => uapi_set(interface, request),
            Action::SetFwmark { interface, mark } => {
                let request = ferrotun_uapi::SetRequest {
                    fwmark: Some(*mark),
                    ..Default::default()
                };
                uapi_set(interface, &request)
            }
            Action::SetSysctl { key, value } => std::fs::write(
                format!("/proc/sys/{}", key.replace('.', "/")),
                format!("{value}\n"),
            ),
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
            } => set_dns(interface, servers, search, backend),
            Action::UnsetDns { interface, backend } => unset_dns(interface, backend),
            Action::RemoveFirewall { interface } => self.remove_firewall(interface),
            Action::SaveConfig {
                interface,
                path,
                quick,
            } => save::save(&mut self.nl, interface, path, quick),
            // The rtnetlink actions returned above.
            _ => Ok(()),
        }
    }
}

impl LinuxExecutor {
    /// The actions done over rtnetlink, or `None` for the others.
    fn rtnetlink(&mut self, action: &Action) -> Option<io::Result<()>> {
        Some(match action {
            Action::AddAddress { interface, address } => {
                let index = match self.index(interface) {
                    Ok(index) => index,
                    Err(e) => return Some(Err(e)),
                };
                rtnl::add_address(&mut self.nl, index, address)
            }
            Action::SetMtuUp { interface, mtu } => {
                let index = match self.index(interface) {
                    Ok(index) => index,
                    Err(e) => return Some(Err(e)),
                };
                rtnl::set_mtu_up(&mut self.nl, index, *mtu)
            }
            Action::AddRoute {
                interface,
                prefix,
                table,
            } => {
                let index = match self.index(interface) {
                    Ok(index) => index,
                    Err(e) => return Some(Err(e)),
                };
                rtnl::add_route(&mut self.nl, index, prefix, *table)
            }
            Action::AddRule(rule) => rtnl::add_rule(&mut self.nl, rule),
            Action::DeleteRules(rule) => loop {
                match rtnl::delete_rule(&mut self.nl, rule) {
                    Ok(true) => {}
                    Ok(false) => break Ok(()),
                    Err(e) => break Err(e),
                }
                self.say(&action.to_string());
            },
            Action::DeleteLink { interface } => {
                let index = match self.index(interface) {
                    Ok(index) => index,
                    Err(e) => return Some(Err(e)),
                };
                rtnl::delete_link(&mut self.nl, index)
            }
            _ => return None,
        })
    }
}

impl LinuxExecutor {
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
        if nft {
            run(Command::new("nft").args(["-f", "-"]), Some(&script))
        } else {
            run(
                Command::new(iptables(family, "-restore")).arg("-n"),
                Some(&script),
            )
        }
    }

    /// `remove_firewall`: delete the `wg-quick-IF` nft tables and the tagged iptables rules
    /// that exist; print only what is run.
    fn remove_firewall(&mut self, interface: &str) -> io::Result<()> {
        if let Some(tables) = output(Command::new("nft").args(["list", "tables"])) {
            let suffix = format!(" wg-quick-{interface}");
            let script: String = tables
                .lines()
                .filter(|line| line.ends_with(&suffix))
                .map(|line| format!("delete {line}\n"))
                .collect();
            if !script.is_empty() {
                self.say("nft -f /dev/stdin");
                run(Command::new("nft").args(["-f", "-"]), Some(&script))?;
            }
        }
        for family in [Family::V4, Family::V6] {
            let Some(saved) = output(&mut Command::new(iptables(family, "-save"))) else {
                continue;
            };
            if let Some(script) = iptables_deletions(&saved, interface) {
                self.say(&format!("{} -n", iptables(family, "-restore")));
                run(
                    Command::new(iptables(family, "-restore")).arg("-n"),
                    Some(&script),
                )?;
            }
        }
        Ok(())
    }
}

/// The `iptables-restore` input that deletes the rules tagged for `interface`, if any.
pub(crate) fn iptables_deletions(saved: &str, interface: &str) -> Option<String> {
    let marker = format!("-m comment --comment \"wg-quick(8) rule for {interface}\"");
    let mut script = String::new();
    let mut found = false;
    for line in saved.lines() {
        if line.starts_with('*') || line == "COMMIT" {
            script += line;
        } else if line.starts_with("-A ") && line.contains(&marker) {
            found = true;
            script += &format!("-D{}", &line[2..]);
        } else {
            continue;
        }
        script.push('\n');
    }
    found.then_some(script)
}

fn iptables(family: Family, suffix: &str) -> String {
    match family {
        Family::V4 => format!("iptables{suffix}"),
        Family::V6 => format!("ip6tables{suffix}"),
    }
}

fn uapi_set(interface: &str, request: &ferrotun_uapi::SetRequest) -> io::Result<()> {
    ferrotun_uapi::client::set(OsStr::new(interface), request)
        .map_err(|e| io::Error::from_raw_os_error(e.errno()))
}

fn set_dns(
    interface: &str,
    servers: &[String],
    search: &[String],
    backend: &DnsBackend,
) -> io::Result<()> {
    match backend {
        DnsBackend::Resolvconf(prefix) => {
            let mut input: String = servers
                .iter()
                .map(|s| format!("nameserver {s}\n"))
                .collect();
            if !search.is_empty() {
                input += &format!("search {}\n", search.join(" "));
            }
            let name = format!("{prefix}{interface}");
            run(
                Command::new("resolvconf").args(["-a", &name, "-m", "0", "-x"]),
                Some(&input),
            )
        }
        DnsBackend::Resolved => {
            for args in resolvectl_commands(interface, servers, search) {
                run(Command::new("resolvectl").args(args), None)?;
            }
            Ok(())
        }
    }
}

fn unset_dns(interface: &str, backend: &DnsBackend) -> io::Result<()> {
    match backend {
        DnsBackend::Resolvconf(prefix) => {
            let name = format!("{prefix}{interface}");
            run(Command::new("resolvconf").args(["-d", &name, "-f"]), None)
        }
        DnsBackend::Resolved => run(Command::new("resolvectl").args(["revert", interface]), None),
    }
}

/// Runs a command to completion, feeding `input` on standard input; a non-zero exit is an
/// error naming the program.
fn run(command: &mut Command, input: Option<&str>) -> io::Result<()> {
    command.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::inherit()
    });
    let mut child = command.spawn()?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin.write_all(input.as_bytes())?;
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        let program = command.get_program().to_string_lossy().into_owned();
        Err(io::Error::other(format!("{program} exited with {status}")))
    }
}

/// The standard output of a command that succeeded, or `None` (also when it is missing).
fn output(command: &mut Command) -> Option<String> {
    let out = command.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}
