//! The parts of the plan that are programs or files rather than netlink: hooks, the
//! firewall (`nft -f -` or `iptables-restore`), DNS (`resolvconf`, `resolvectl`, or the
//! namespace's `resolv.conf`), sysctls. Each runs in the interface's namespace: with
//! `--netns` on a thread inside it (see [`crate::netns`]), so programs start there too.

use crate::action::{resolvectl_commands, DnsBackend, Family};
use crate::netns::{within, Namespace};
use std::io::{self, Write as _};
use std::process::{Command, Stdio};

/// Runs a command to completion in `netns` (or here), feeding `input` on standard input; a
/// non-zero exit is an error naming the program.
pub(super) fn run(
    netns: Option<&Namespace>,
    command: &mut Command,
    input: Option<&str>,
) -> io::Result<()> {
    within(netns, || run_here(command, input))
}

fn run_here(command: &mut Command, input: Option<&str>) -> io::Result<()> {
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
pub(super) fn output(netns: Option<&Namespace>, command: &mut Command) -> Option<String> {
    let out = within(netns, || command.stderr(Stdio::null()).output()).ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Writes a sysctl through `/proc/sys` (which shows the writing thread's namespace).
pub(super) fn set_sysctl(netns: Option<&Namespace>, key: &str, value: &str) -> io::Result<()> {
    let path = format!("/proc/sys/{}", key.replace('.', "/"));
    within(netns, || std::fs::write(&path, format!("{value}\n")))
}

/// `iptables` or `ip6tables` with `suffix` (`-save`, `-restore`).
pub(super) fn iptables(family: Family, suffix: &str) -> String {
    match family {
        Family::V4 => format!("iptables{suffix}"),
        Family::V6 => format!("ip6tables{suffix}"),
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

/// Hands nameservers and search domains to the resolver.
pub(super) fn set_dns(
    netns: Option<&Namespace>,
    interface: &str,
    servers: &[String],
    search: &[String],
    backend: &DnsBackend,
) -> io::Result<()> {
    let mut lines: String = servers
        .iter()
        .map(|s| format!("nameserver {s}\n"))
        .collect();
    if !search.is_empty() {
        lines += &format!("search {}\n", search.join(" "));
    }
    match backend {
        DnsBackend::Resolvconf(prefix) => {
            let name = format!("{prefix}{interface}");
            let command = &mut Command::new("resolvconf");
            run(
                netns,
                command.args(["-a", &name, "-m", "0", "-x"]),
                Some(&lines),
            )
        }
        DnsBackend::Resolved => {
            for args in resolvectl_commands(interface, servers, search) {
                run(netns, Command::new("resolvectl").args(args), None)?;
            }
            Ok(())
        }
        DnsBackend::NetnsFile(name) => super::netns_resolv::write(name, interface, &lines),
    }
}

/// Removes the interface's DNS settings.
pub(super) fn unset_dns(
    netns: Option<&Namespace>,
    interface: &str,
    backend: &DnsBackend,
) -> io::Result<()> {
    match backend {
        DnsBackend::Resolvconf(prefix) => {
            let name = format!("{prefix}{interface}");
            run(
                netns,
                Command::new("resolvconf").args(["-d", &name, "-f"]),
                None,
            )
        }
        DnsBackend::Resolved => run(
            netns,
            Command::new("resolvectl").args(["revert", interface]),
            None,
        ),
        DnsBackend::NetnsFile(name) => super::netns_resolv::restore(name, interface),
    }
}
