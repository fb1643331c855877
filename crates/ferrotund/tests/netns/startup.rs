//! Starting a second daemon for an interface name that is taken fails with a clear one-line
//! error and leaves the first one working, in the same namespace (the TUN name is taken) and
//! in another one (the UAPI socket path is shared by all namespaces, NETNS-1).

use crate::cmd::{holds_for, root, unique, wait_until, Cmd, Out};
use crate::daemon::{start_cmd, Daemon, Impl};
use crate::netns::{daemon_pids, Netns};
use std::time::Duration;

/// The failed start printed exactly one non-empty line on stderr that says what is wrong.
#[track_caller]
fn assert_clear_error(imp: Impl, ifname: &str, out: &Out) {
    assert!(
        !out.success() && !out.timed_out,
        "a second {} for {ifname} should fail: {out}",
        imp.label()
    );
    // wireguard-go logs errors to stdout (and its "not required" banner to stderr).
    let lines: Vec<&str> = match imp {
        Impl::Ferrotund => out
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect(),
        Impl::WireguardGo => out
            .stdout
            .lines()
            .filter(|l| l.starts_with("ERROR:"))
            .collect(),
    };
    assert_eq!(
        lines.len(),
        1,
        "want exactly one line of error on stderr: {out}"
    );
    let line = lines[0].to_lowercase();
    let clear = line.contains(&ifname.to_lowercase())
        || ["busy", "in use", "exists"]
            .iter()
            .any(|w| line.contains(w));
    assert!(
        clear,
        "the error should name the interface or say it is busy/in use/exists: {out}"
    );
}

/// The first daemon keeps running, serving its socket and owning its interface.
#[track_caller]
fn assert_first_still_works(first: &Daemon, ns: &Netns) {
    holds_for(
        &format!("the first {} for {}", first.imp.label(), first.ifname),
        Duration::from_secs(1),
        || {
            let port = first.wg(&["show", "IF", "listen-port"]);
            let pids = daemon_pids(&ns.name, &first.ifname);
            if first.alive()
                && pids == vec![first.pid]
                && port.success()
                && port.stdout.trim() == "41234"
                && ns.has_link(&first.ifname)
            {
                Ok(())
            } else {
                Err(format!(
                    "alive {}, processes {pids:?}, link {}, {port}\n--- log ---\n{}",
                    first.alive(),
                    ns.has_link(&first.ifname),
                    first.log_text()
                ))
            }
        },
    );
}

pub fn second_start_same_netns(imp: Impl) {
    let ns = Netns::new("s");
    let first = Daemon::start(&ns, imp, "s");
    first.wg(&["set", "IF", "listen-port", "41234"]).ok();
    let second = start_cmd(&ns.name, imp, &first.ifname).run();
    assert_clear_error(imp, &first.ifname, &second);
    assert_first_still_works(&first, &ns);
}

pub fn second_start_other_netns(imp: Impl) {
    let ns = Netns::new("s");
    let other = Netns::new("so");
    let first = Daemon::start(&ns, imp, "s");
    first.wg(&["set", "IF", "listen-port", "41234"]).ok();
    let second = start_cmd(&other.name, imp, &first.ifname).run();
    assert_clear_error(imp, &first.ifname, &second);
    wait_until(
        &format!("the refused second {} to remove its interface", imp.label()),
        Duration::from_secs(3),
        || {
            if other.has_link(&first.ifname) || !daemon_pids(&other.name, &first.ifname).is_empty()
            {
                Err(other.ip(&["link"]).stdout)
            } else {
                Ok(())
            }
        },
    );
    assert_first_still_works(&first, &ns);
}

#[test]
fn ferrotund_second_start_same_netns_fails() {
    if root() {
        second_start_same_netns(Impl::Ferrotund);
    }
}

#[test]
fn ferrotund_second_start_other_netns_fails() {
    if root() {
        second_start_other_netns(Impl::Ferrotund);
    }
}

#[test]
fn ferrotund_rejects_too_long_name() {
    if !root() {
        return;
    }
    let ns = Netns::new("s");
    let name = format!("{}-longer-than-15", unique("s"));
    let out = Cmd::netns(&ns.name, &[Impl::Ferrotund.bin().as_str(), &name]).run();
    assert!(
        !out.success() && out.stderr.trim().lines().count() == 1,
        "ferrotund with a 16+ character name should fail with one line: {out}"
    );
    assert!(
        !crate::daemon::socket_path(&name).exists() && daemon_pids(&ns.name, &name).is_empty(),
        "nothing should be left: {out}"
    );
}
