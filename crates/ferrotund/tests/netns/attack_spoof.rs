//! Spoofed inner sources (issue #6): the attacker holds a key the victim has configured (peer
//! S, allowed 10.77.0.0/24 and fd00:77::/64) and runs its own ferrotund with the victim's
//! allowed IPs too wide on its side (0.0.0.0/0, ::/0), so it tunnels packets from any source
//! it likes. Another peer L owns the more specific 10.77.0.2/32 and fd00:77::2/128. The
//! victim must deliver S's packets from its own prefix and drop those from L's addresses
//! and from outside every prefix; the peer's receive counter shows they arrived (they
//! authenticated), the TUN interface's that they were not delivered.

use crate::attack_net::{
    attack, daemon, delivered, from_counts, summary, victim_addr, victim_conf, Lan, Sink, LAN_V,
    SINK_PORT, TUN_L, TUN_V, TUN_X,
};
use crate::cmd::{root, wait_until, TempDir};
use crate::daemon::Daemon;
use crate::netns::Netns;
use crate::wg::{IfConf, Keypair, PeerConf};
use std::time::Duration;

const V6: &str = "fd00:77::1";
const L6: &str = "fd00:77::2";
const X6: &str = "fd00:77::3";
/// An address outside every prefix the victim has.
const OUTSIDE: &str = "10.77.9.9";
const COUNT: u64 = 10;

/// The victim, and the attacker's own ferrotund S (key configured on the victim) with the
/// extra source addresses it will use. Field order is drop order.
struct World {
    v: Daemon,
    _s: Daemon,
    sk: Keypair,
    v_ns: Netns,
    lan: Lan,
    _dir: TempDir,
}

impl World {
    fn new() -> World {
        let dir = TempDir::new();
        let lan = Lan::new();
        let v_ns = lan.host("v", LAN_V);
        let (vk, lk, sk) = (
            Keypair::generate(),
            Keypair::generate(),
            Keypair::generate(),
        );
        let peers = vec![
            PeerConf::new(&lk.public, &[&format!("{TUN_L}/32"), &format!("{L6}/128")]),
            PeerConf::new(&sk.public, &["10.77.0.0/24", "fd00:77::/64"]),
        ];
        let v = daemon(&v_ns, &dir, "v", &victim_conf(&vk, peers), TUN_V);
        v_ns.ip(&[
            "addr",
            "add",
            &format!("{V6}/64"),
            "dev",
            &v.ifname,
            "nodad",
        ]);
        let s_conf = IfConf {
            private: Some(sk.private.clone()),
            peers: vec![PeerConf {
                endpoint: Some(victim_addr()),
                ..PeerConf::new(&vk.public, &["0.0.0.0/0", "::/0"])
            }],
            ..IfConf::default()
        };
        let s = daemon(&lan.x, &dir, "s", &s_conf, TUN_X);
        for addr in [
            &format!("{X6}/64"),
            &format!("{TUN_L}/32"),
            &format!("{L6}/128"),
        ] {
            lan.x.ip(&["addr", "add", addr, "dev", &s.ifname, "nodad"]);
        }
        lan.x
            .ip(&["addr", "add", &format!("{OUTSIDE}/32"), "dev", &s.ifname]);
        World {
            v,
            _s: s,
            sk,
            v_ns,
            lan,
            _dir: dir,
        }
    }

    /// COUNT numbered datagrams from the attacker's address `from` to the victim's `to`.
    fn send(&self, from: &str, to: &str) {
        let (bind, to) = if from.contains(':') {
            (format!("[{from}]:0"), format!("[{to}]:{SINK_PORT}"))
        } else {
            (format!("{from}:0"), format!("{to}:{SINK_PORT}"))
        };
        let count = COUNT.to_string();
        let args = [
            "--bind", &bind, "--to", &to, "--count", &count, "--gap-ms", "1",
        ];
        summary(&attack(&self.lan.x, "send", &args).run());
    }
}

#[test]
fn ferrotund_drops_inner_sources_outside_the_peers_allowed_ips() {
    if !root() {
        return;
    }
    let w = World::new();
    let sink = Sink::start(&w.v_ns, &format!("[::]:{SINK_PORT}"));
    // The attacker's own addresses first: this also makes the handshake.
    w.send(TUN_X, TUN_V);
    w.send(X6, V6);
    let base = wait_until("S's datagrams", Duration::from_secs(10), || {
        let n = delivered(&w.v);
        (n >= 2 * COUNT).then_some(n).ok_or(n.to_string())
    });
    let (rx_before, _) = w.v.transfer(&w.sk.public);
    for (from, to) in [(TUN_L, TUN_V), (OUTSIDE, TUN_V), (L6, V6)] {
        w.send(from, to);
    }
    std::thread::sleep(Duration::from_millis(300));
    let spoofed_delivered = delivered(&w.v) - base;
    let (rx_after, _) = w.v.transfer(&w.sk.public);
    let counted = sink.stop();
    let from = from_counts(&counted);
    eprintln!(
        "spoof: sink {counted:?}; S's rx counter +{} bytes, TUN deliveries +{spoofed_delivered}",
        rx_after - rx_before
    );
    for own in [TUN_X, X6] {
        assert_eq!(from.get(own), Some(&COUNT), "from {own}: {counted:?}");
    }
    for spoofed in [TUN_L, OUTSIDE, L6] {
        assert_eq!(
            from.get(spoofed),
            None,
            "delivered from {spoofed}: {counted:?}"
        );
    }
    assert_eq!(spoofed_delivered, 0, "the victim delivered spoofed packets");
    // 3 × COUNT transport messages of at least 32 bytes each authenticated and were counted.
    assert!(
        rx_after - rx_before >= 3 * COUNT * 32,
        "the peer's receive counter did not count the dropped packets: {rx_before} -> {rx_after}"
    );
}
