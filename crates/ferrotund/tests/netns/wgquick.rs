//! `wg-quick up` / `down` of a standard configuration with
//! `WG_QUICK_USERSPACE_IMPLEMENTATION` pointing at the daemon (the kernel has no WireGuard
//! module, so wg-quick falls back to it), against a wireguard-go peer.

use crate::cmd::{root, unique, TempDir};
use crate::daemon::{log_level, Daemon, Impl, SocketGuard};
use crate::netns::{daemon_pids, Underlay};
use crate::traffic::{ping_all, wait_ping};
use crate::tunnel::{peer_b, reference_responder, TA4, TA6, TB4, TB6};
use crate::wg::{IfConf, Keypair};
use std::time::Duration;

fn wg_quick(
    under: &Underlay,
    imp: Impl,
    verb: &str,
    conf: &str,
    log: &std::path::Path,
) -> crate::cmd::Out {
    under
        .a
        .cmd(&["wg-quick", verb, conf])
        .env("WG_QUICK_USERSPACE_IMPLEMENTATION", &imp.bin())
        .env("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1")
        .env("LOG_LEVEL", &log_level())
        .log_to(log)
        .timeout(Duration::from_secs(30))
        .run()
}

/// After `wg-quick down`: no process, socket file or interface is left.
fn assert_all_gone(daemon: &Daemon, under: &Underlay) {
    if let Err(e) = daemon.wait_gone(Duration::from_secs(3)) {
        panic!("after wg-quick down: {e}");
    }
    let ifname = &daemon.ifname;
    assert!(
        !under.a.has_link(ifname),
        "after wg-quick down, {ifname} still exists"
    );
    let left = daemon_pids(&under.a.name, ifname);
    assert!(
        left.is_empty(),
        "after wg-quick down, processes for {ifname} remain: {left:?}"
    );
}

pub fn up_ping_down(imp: Impl) {
    let dir = TempDir::new();
    let under = Underlay::new();
    let (ka, kb) = (Keypair::generate(), Keypair::generate());
    let _peer = reference_responder(&under, &dir, &kb, &ka.public);
    let ifname = unique("q");
    let _socket = SocketGuard(ifname.clone());
    let conf = IfConf {
        private: Some(ka.private.clone()),
        port: Some(51821),
        extra: vec![format!("Address = {TA4}/24, {TA6}/64")],
        fwmark: None,
        peers: vec![peer_b(&kb.public)],
    };
    let conf = dir.file(&format!("{ifname}.conf"), &conf.render());
    let log = dir.path.join("wg-quick.log");
    let up = wg_quick(&under, imp, "up", &conf, &log);
    let found = daemon_pids(&under.a.name, &ifname);
    // Take charge of whatever was started before judging the result.
    let daemon = (found.len() == 1).then(|| Daemon::adopt(&under.a, imp, &ifname, &log));
    assert!(
        up.success(),
        "wg-quick up with {} failed: {up}",
        imp.label()
    );
    let daemon = daemon
        .unwrap_or_else(|| panic!("after wg-quick up, processes for {ifname}: {found:?}: {up}"));
    let link = under.a.ip(&["link", "show", "dev", &ifname]).stdout;
    let ok = link.contains(",UP") && link.contains("mtu 1420");
    assert!(
        ok,
        "after wg-quick up, {ifname} should be up with MTU 1420: {link}"
    );
    assert_eq!(
        daemon.listen_port(),
        51821,
        "ListenPort from the wg-quick config"
    );
    wait_ping(&under.a.name, TB4, Duration::from_secs(10));
    ping_all(&under.a.name, TB6, 3);
    ping_all(&under.b.name, TA4, 3);
    let down = wg_quick(&under, imp, "down", &conf, &log);
    assert!(
        down.success(),
        "wg-quick down with {} failed: {down}",
        imp.label()
    );
    assert_all_gone(&daemon, &under);
}

#[test]
fn ferrotund_up_ping_down() {
    if root() {
        up_ping_down(Impl::Ferrotund);
    }
}
