//! `FwMark` is applied to the daemon's own UDP packets (SO_MARK), which wg-quick's
//! default-route mode depends on (docs/compatibility.md §3.1 step 9, PRIV-1). In namespace A the
//! main table blackholes B's underlay address, and only packets with mark 0x77 find a route
//! (table 77), so the tunnel works only if the daemon marks what it sends.

use crate::cmd::{root, TempDir};
use crate::daemon::{Daemon, Impl};
use crate::netns::{Underlay, B4};
use crate::traffic::{ping_all, wait_ping};
use crate::tunnel::{address_up, peer_b, reference_responder, TA4, TA6, TB4};
use crate::wg::{IfConf, Keypair};
use std::time::Duration;

/// In A: unmarked traffic to B's underlay address is dropped, marked traffic is routed.
pub fn mark_only_route(under: &Underlay) {
    let a = &under.a;
    let host = format!("{B4}/32");
    a.ip(&["route", "add", "blackhole", &host]);
    a.ip(&["route", "add", &host, "dev", &under.veth_a, "table", "77"]);
    a.ip(&[
        "rule", "add", "fwmark", "0x77", "lookup", "77", "pref", "100",
    ]);
    // Replies from B arrive unmarked; strict reverse-path filtering would drop them.
    let veth = format!("net.ipv4.conf.{}.rp_filter=0", under.veth_a);
    let sysctl = ["sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", &veth];
    a.run(&sysctl).ok();
    let probe = a.run(&["ping", "-c1", "-W1", B4]);
    assert!(
        !probe.success(),
        "harness: unmarked traffic to {B4} should be dropped: {probe}"
    );
}

pub fn marks_its_packets(imp: Impl) {
    let dir = TempDir::new();
    let under = Underlay::new();
    let (ka, kb) = (Keypair::generate(), Keypair::generate());
    let _peer = reference_responder(&under, &dir, &kb, &ka.public);
    let d = Daemon::start(&under.a, imp, "fm");
    mark_only_route(&under);
    let conf = IfConf {
        private: Some(ka.private.clone()),
        fwmark: Some("0x77".into()),
        peers: vec![peer_b(&kb.public)],
        ..IfConf::default()
    };
    d.setconf(&dir, &conf);
    assert_eq!(
        d.show("fwmark").trim(),
        "0x77",
        "`wg show {} fwmark`",
        d.ifname
    );
    address_up(&under.a, &d.ifname, TA4, TA6);
    wait_ping(&under.a.name, TB4, Duration::from_secs(10));
    ping_all(&under.b.name, TA4, 3);
}

#[test]
fn ferrotund_marks_its_packets() {
    if root() {
        marks_its_packets(Impl::Ferrotund);
    }
}
