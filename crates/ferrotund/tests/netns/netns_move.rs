//! Moving the interface to another namespace (wireguard.com/netns): the daemon starts in
//! namespace A, where the underlay is and where its UDP sockets stay; the interface moves to
//! namespace C, which has nothing but `lo` and the tunnel, and C reaches the peer through it.

use crate::cmd::{root, TempDir};
use crate::daemon::{Daemon, Impl};
use crate::netns::{Netns, Underlay};
use crate::traffic::{ping_all, wait_ping};
use crate::tunnel::{address_up, peer_b, reference_responder, TA4, TA6, TB4, TB6};
use crate::wg::{IfConf, Keypair};
use std::time::Duration;

pub fn ping_from_moved_interface(imp: Impl) {
    let dir = TempDir::new();
    let under = Underlay::new();
    let c = Netns::new("c");
    let (kc, kb) = (Keypair::generate(), Keypair::generate());
    let moved = Daemon::start(&under.a, imp, "m");
    let _peer = reference_responder(&under, &dir, &kb, &kc.public);
    let ifname = moved.ifname.as_str();
    under.a.ip(&["link", "set", ifname, "netns", &c.name]);
    let gone = !under.a.has_link(ifname) && c.has_link(ifname);
    assert!(gone, "{ifname} did not move to {}", c.name);
    let conf = IfConf {
        private: Some(kc.private.clone()),
        peers: vec![peer_b(&kb.public)],
        ..IfConf::default()
    };
    let file = dir.file("moved.conf", &conf.render());
    c.run(&["wg", "setconf", ifname, &file]).ok();
    address_up(&c, ifname, TA4, TA6);
    let links = c.ip(&["-o", "link", "show"]).stdout;
    assert_eq!(
        links.lines().count(),
        2,
        "C should have only lo and {ifname}: {links}"
    );
    let routes = c.ip(&["route", "show", "default"]).stdout;
    assert!(
        routes.trim().is_empty(),
        "C should have no default route: {routes}"
    );

    wait_ping(&c.name, TB4, Duration::from_secs(10));
    ping_all(&c.name, TB6, 3);
    ping_all(&under.b.name, TA4, 3);
    ping_all(&under.b.name, TA6, 3);
    let dump = moved.show("dump");
    assert_ne!(
        moved.latest_handshake(&kb.public),
        0,
        "no handshake recorded:\n{dump}"
    );
    let log = moved.log_text();
    assert!(
        moved.alive(),
        "{} exited after its interface moved:\n{log}",
        imp.label()
    );
}

#[test]
fn ferrotund_ping_from_moved_interface() {
    if root() {
        ping_from_moved_interface(Impl::Ferrotund);
    }
}
