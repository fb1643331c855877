//! `wg-quick up` / `down` of a standard configuration with
//! `WG_QUICK_USERSPACE_IMPLEMENTATION` pointing at the daemon (the kernel has no WireGuard
//! module, so wg-quick falls back to it), against a wireguard-go peer.

use crate::cmd::{root, unique, TempDir};
use crate::daemon::{log_level, Daemon, Impl, SocketGuard};
use crate::netns::{daemon_pids, Underlay, B4};
use crate::traffic::{ping_all, wait_ping};
use crate::tunnel::{address_up, endpoint, RESP_PORT, TA4, TA6, TB4, TB6};
use crate::wg::{IfConf, Keypair, PeerConf};
use std::time::Duration;

fn wg_quick(under: &Underlay, imp: Impl, verb: &str, conf: &str, log: &std::path::Path) -> crate::cmd::Out {
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

pub fn up_ping_down(imp: Impl) {
    let dir = TempDir::new();
    let under = Underlay::new();
    let (ka, kb) = (Keypair::generate(), Keypair::generate());
    let peer = Daemon::start(&under.b, Impl::WireguardGo, "qp");
    let peer_conf = IfConf {
        private: Some(kb.private.clone()),
        port: Some(RESP_PORT),
        peers: vec![PeerConf::new(&ka.public, &[&format!("{TA4}/32"), &format!("{TA6}/128")])],
        ..IfConf::default()
    };
    peer.setconf(&dir, &peer_conf);
    address_up(&under.b, &peer.ifname, TB4, TB6);
    let ifname = unique("q");
    let _socket = SocketGuard(ifname.clone());
    let conf = IfConf {
        private: Some(ka.private.clone()),
        port: Some(51821),
        extra: vec![format!("Address = {TA4}/24, {TA6}/64")],
        fwmark: None,
        peers: vec![PeerConf { endpoint: Some(endpoint(B4, RESP_PORT)), ..PeerConf::new(&kb.public, &[&format!("{TB4}/32"), &format!("{TB6}/128")]) }],
    };
    let conf = dir.file(&format!("{ifname}.conf"), &conf.render());
    let log = dir.path.join("wg-quick.log");
    let up = wg_quick(&under, imp, "up", &conf, &log);
    let found = daemon_pids(&under.a.name, &ifname);
    // Take charge of whatever was started before judging the result.
    let daemon = (found.len() == 1).then(|| Daemon::adopt(&under.a, imp, &ifname, &log));
    assert!(up.success(), "wg-quick up with {} failed: {up}", imp.label());
    let daemon = daemon.unwrap_or_else(|| panic!("after wg-quick up, processes for {ifname}: {found:?}: {up}"));
    let link = under.a.ip(&["link", "show", "dev", &ifname]).stdout;
    assert!(link.contains(",UP") && link.contains("mtu 1420"), "after wg-quick up, {ifname} should be up with MTU 1420: {link}");
    assert_eq!(daemon.listen_port(), 51821, "ListenPort from the wg-quick config");
    wait_ping(&under.a.name, TB4, Duration::from_secs(10));
    ping_all(&under.a.name, TB6, 3);
    ping_all(&under.b.name, TA4, 3);
    let down = wg_quick(&under, imp, "down", &conf, &log);
    assert!(down.success(), "wg-quick down with {} failed: {down}", imp.label());
    if let Err(e) = daemon.wait_gone(Duration::from_secs(3)) {
        panic!("after wg-quick down: {e}");
    }
    assert!(!under.a.has_link(&ifname), "after wg-quick down, {ifname} still exists");
}

#[test]
fn ferrotund_up_ping_down() {
    if root() {
        up_ping_down(Impl::Ferrotund);
    }
}
