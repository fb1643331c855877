//! The daemon ends, within a couple of seconds and without leaving its socket file or its
//! interface behind, when its interface is deleted (also after a move to another namespace),
//! when its socket file is removed, and on SIGTERM.

use crate::cmd::{root, wait_until};
use crate::daemon::{Daemon, Impl};
use crate::netns::{daemon_pids, signal, Netns};
use crate::tunnel::{TA4, TA6};
use std::time::Duration;

const WITHIN: Duration = Duration::from_secs(3);

/// A daemon with a key, an address and its link up.
fn running(ns: &Netns, imp: Impl) -> Daemon {
    running_env(ns, imp, &[])
}

/// [`running`] with extra environment variables.
fn running_env(ns: &Netns, imp: Impl, env: &[(&str, &str)]) -> Daemon {
    let d = Daemon::start_named_env(ns, imp, &crate::cmd::unique("l"), env);
    let key = crate::wg::Keypair::generate();
    let dir = crate::cmd::TempDir::new();
    let file = dir.file("key", &format!("{}\n", key.private));
    d.wg(&["set", "IF", "private-key", &file]).ok();
    crate::tunnel::address_up(ns, &d.ifname, TA4, TA6);
    d
}

#[track_caller]
fn assert_gone(d: &Daemon, ns: &Netns, after: &str) {
    if let Err(e) = d.wait_gone(WITHIN) {
        panic!("after {after}: {e}");
    }
    wait_until(
        &format!("{} to disappear after {after}", d.ifname),
        WITHIN,
        || {
            // The link may vanish between the two commands: only report, never assert, here.
            let shown = ns.try_ip(&["link", "show", "dev", &d.ifname]);
            if shown.success() {
                Err(shown.stdout)
            } else {
                Ok(())
            }
        },
    );
    let listed = crate::cmd::Cmd::new(&["wg", "show", "interfaces"]).run();
    assert!(
        !listed.stdout.split_whitespace().any(|i| i == d.ifname),
        "`wg show interfaces` still lists {} after {after}: {listed}",
        d.ifname
    );
}

pub fn link_del(imp: Impl) {
    link_del_env(imp, &[]);
}

fn link_del_env(imp: Impl, env: &[(&str, &str)]) {
    let ns = Netns::new("l");
    let d = running_env(&ns, imp, env);
    ns.ip(&["link", "del", &d.ifname]);
    assert_gone(
        &d,
        &ns,
        &format!("`ip link del {}` ({})", d.ifname, imp.label()),
    );
}

pub fn socket_removed(imp: Impl) {
    let ns = Netns::new("l");
    let d = running(&ns, imp);
    std::fs::remove_file(d.socket()).unwrap_or_else(|e| panic!("rm {}: {e}", d.socket().display()));
    assert_gone(
        &d,
        &ns,
        &format!("`rm {}` ({})", d.socket().display(), imp.label()),
    );
}

pub fn sigterm(imp: Impl) {
    let ns = Netns::new("l");
    let d = running(&ns, imp);
    let pids = daemon_pids(&ns.name, &d.ifname);
    assert_eq!(
        pids,
        vec![d.pid],
        "`ip netns pids` and /proc should show exactly the daemon"
    );
    signal(d.pid, "TERM");
    assert_gone(&d, &ns, &format!("SIGTERM to {} ({})", d.pid, imp.label()));
}

pub fn link_del_after_move(imp: Impl) {
    let a = Netns::new("l");
    let c = Netns::new("lc");
    let d = Daemon::start(&a, imp, "l");
    a.ip(&["link", "set", &d.ifname, "netns", &c.name]);
    c.ip(&["link", "set", &d.ifname, "up"]);
    assert!(
        d.alive(),
        "{} exited when its interface moved:\n{}",
        imp.label(),
        d.log_text()
    );
    c.ip(&["link", "del", &d.ifname]);
    assert_gone(
        &d,
        &c,
        &format!(
            "`ip link del {}` in the namespace it moved to ({})",
            d.ifname,
            imp.label()
        ),
    );
}

#[test]
fn ferrotund_exits_on_link_del() {
    if root() {
        link_del(Impl::Ferrotund);
    }
}

/// The one packet thread waits in `poll` on the TUN and the sockets; a deleted TUN must still
/// end it.
#[test]
fn ferrotund_with_one_packet_thread_exits_on_link_del() {
    if root() {
        link_del_env(Impl::Ferrotund, &[("FERROTUN_PACKET_THREADS", "one")]);
    }
}

#[test]
fn ferrotund_exits_on_socket_removal() {
    if root() {
        socket_removed(Impl::Ferrotund);
    }
}

#[test]
fn ferrotund_exits_on_sigterm() {
    if root() {
        sigterm(Impl::Ferrotund);
    }
}

#[test]
fn ferrotund_exits_on_link_del_after_netns_move() {
    if root() {
        link_del_after_move(Impl::Ferrotund);
    }
}
