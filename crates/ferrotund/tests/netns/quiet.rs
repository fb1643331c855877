//! What the transfer counters count. A namespace with nothing but `lo` and the WireGuard
//! interface; one peer with an endpoint there is no route to and a persistent keepalive of
//! 1 s, so the daemon sends at once. The kernel's counters (`nstat`) prove that it tried;
//! its sends fail, and `tx_bytes` must stay 0: the kernel (`socket.c`) and wireguard-go
//! (`SendBuffers`) count only datagrams that were sent (docs/protocol.md §13.7).
//!
//! (Sending while the link is down is not checked: wireguard-go 0.0.20220316 considers its
//! device up from the start and sends then too.)

use crate::cmd::{root, wait_until, TempDir};
use crate::daemon::{Daemon, Impl};
use crate::netns::Netns;
use crate::tunnel::{address_up, TA4, TA6};
use crate::wg::{IfConf, Keypair, PeerConf};
use std::time::Duration;

/// IP-level send attempts in `ns` so far: UDP datagrams sent plus packets without a route.
fn attempts(ns: &Netns) -> (u64, String) {
    let out = ns.cmd(&["nstat", "-asz"]).run().ok();
    let names = [
        "UdpOutDatagrams",
        "Udp6OutDatagrams",
        "IpOutNoRoutes",
        "Ip6OutNoRoutes",
    ];
    let mut total = 0;
    let mut shown = String::new();
    for line in out.stdout.lines() {
        let mut it = line.split_whitespace();
        if let (Some(name), Some(value)) = (it.next(), it.next()) {
            if names.contains(&name) {
                total += value.parse::<u64>().unwrap_or(0);
                shown += &format!("{name}={value} ");
            }
        }
    }
    (total, shown)
}

/// A daemon alone in a namespace with a keepalive peer at an unroutable endpoint.
fn eager(imp: Impl) -> (Daemon, Netns, Keypair, TempDir) {
    let dir = TempDir::new();
    let ns = Netns::new("q");
    let d = Daemon::start(&ns, imp, "q");
    let (own, peer) = (Keypair::generate(), Keypair::generate());
    let conf = IfConf {
        private: Some(own.private),
        port: Some(51900),
        peers: vec![PeerConf {
            endpoint: Some("10.5.0.2:51822".into()),
            keepalive: Some(1),
            ..PeerConf::new(&peer.public, &["10.5.0.0/24"])
        }],
        ..IfConf::default()
    };
    d.setconf(&dir, &conf);
    (d, ns, peer, dir)
}

pub fn failed_sends_not_counted(imp: Impl) {
    let (d, ns, peer, _dir) = eager(imp);
    address_up(&ns, &d.ifname, TA4, TA6);
    let shown = wait_until(
        &format!("{} to try to reach its peer", imp.label()),
        Duration::from_secs(3),
        || {
            let (n, shown) = attempts(&ns);
            if n > 0 {
                Ok(shown)
            } else {
                Err(shown)
            }
        },
    );
    let (_, tx) = d.transfer(&peer.public);
    assert_eq!(
        tx,
        0,
        "{} counted unsent datagrams as transferred (kernel: {shown})\n{}\n--- log ---\n{}",
        imp.label(),
        d.show("dump"),
        d.log_text()
    );
}

#[test]
fn ferrotund_counts_only_sent_datagrams() {
    if root() {
        failed_sends_not_counted(Impl::Ferrotund);
    }
}
