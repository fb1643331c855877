//! Replay (issue #6): the attacker records, on the path, everything the legitimate peer sends
//! the victim while their tunnel comes up and carries numbered datagrams (its handshake
//! initiation, data, keepalives), then sends it all again later: once from its own address
//! (which must not become the peer's endpoint) and once with the peer's own address and port
//! forged. None of it may reach the victim's TUN interface, and nothing about the peer may
//! change.

use crate::attack_net::{
    attack, client_conf, daemon, delivered, num, summary, udp_in, victim_addr, victim_conf, Lan,
    Sink, LAN_L, LAN_V, SINK_PORT, TUN_L, TUN_V,
};
use crate::cmd::{root, wait_until, TempDir};
use crate::daemon::Daemon;
use crate::netns::Netns;
use crate::traffic::wait_ping;
use crate::wg::{Keypair, PeerConf};
use std::time::Duration;

/// Numbered datagrams the peer sends through the tunnel while it is recorded.
const COUNT: u64 = 20;

/// What the victim knows about the peer: endpoint, latest handshake, and the packets it
/// delivered.
fn state(v: &Daemon, peer: &str) -> (Option<String>, u64, u64) {
    (
        v.peer_field("endpoints", peer),
        v.latest_handshake(peer),
        delivered(v),
    )
}

/// The victim V, the peer L, the attacker's LAN, the capture file. Field order is drop order.
struct World {
    v: Daemon,
    _l: Daemon,
    lk: Keypair,
    v_ns: Netns,
    l_ns: Netns,
    lan: Lan,
    file: String,
    _dir: TempDir,
}

impl World {
    fn new() -> World {
        let dir = TempDir::new();
        let lan = Lan::new();
        let (v_ns, l_ns) = (lan.host("v", LAN_V), lan.host("l", LAN_L));
        let (vk, lk) = (Keypair::generate(), Keypair::generate());
        let peers = vec![PeerConf::new(&lk.public, &[&format!("{TUN_L}/32")])];
        let v = daemon(&v_ns, &dir, "v", &victim_conf(&vk, peers), TUN_V);
        let l = daemon(&l_ns, &dir, "l", &client_conf(&lk, &vk), TUN_L);
        let file = dir.path.join("capture.txt").to_string_lossy().into_owned();
        World {
            v,
            _l: l,
            lk,
            v_ns,
            l_ns,
            lan,
            file,
            _dir: dir,
        }
    }

    /// Records while the tunnel comes up and carries COUNT numbered datagrams; returns the
    /// number of initiations and transport messages recorded.
    fn record(&self) -> (usize, usize) {
        let target = victim_addr();
        let args = ["--target", target.as_str(), "--out", self.file.as_str()];
        let capture = attack(&self.lan.x, "capture", &args).spawn();
        wait_until("the capture to start", Duration::from_secs(5), || {
            let text = std::fs::read_to_string(&self.file).unwrap_or_default();
            text.starts_with("# capturing").then_some(()).ok_or(text)
        });
        wait_ping(&self.l_ns.name, TUN_V, Duration::from_secs(10));
        let to = format!("{TUN_V}:{SINK_PORT}");
        let count = COUNT.to_string();
        let args = ["--to", &to, "--count", &count, "--gap-ms", "2"];
        let sent = attack(&self.l_ns, "send", &args).run();
        assert_eq!(num(&summary(&sent), "sent"), COUNT as f64);
        // Everything has crossed the bridge (and been recorded) once the victim delivered it.
        wait_until("the victim to deliver", Duration::from_secs(5), || {
            let now = delivered(&self.v);
            (now > COUNT).then_some(()).ok_or(now.to_string())
        });
        std::thread::sleep(Duration::from_millis(200));
        drop(capture);
        let recorded = std::fs::read_to_string(&self.file).unwrap_or_default();
        let kinds = |prefix: &str| recorded.lines().filter(|l| l.contains(prefix)).count();
        let (inits, data) = (kinds(" 01000000"), kinds(" 04000000"));
        assert!(
            inits >= 1 && data as u64 > COUNT,
            "the capture should hold the peer's initiation and its data; got {inits} \
             initiations and {data} transport messages:\n{recorded}"
        );
        (inits, data)
    }

    /// Replays the recording twice from the attacker's address and twice forged.
    fn replay(&self) -> u64 {
        let target = victim_addr();
        let mut sent = 0.0;
        for forge in [false, true] {
            let mut args = vec!["--in", &self.file, "--target", &target, "--times", "2"];
            if forge {
                args.push("--forge");
            }
            sent += num(
                &summary(&attack(&self.lan.x, "replay", &args).run()),
                "sent",
            );
        }
        sent as u64
    }
}

#[test]
fn ferrotund_replayed_packets_are_never_delivered_and_never_move_the_endpoint() {
    if !root() {
        return;
    }
    let w = World::new();
    let sink = Sink::start(&w.v_ns, &format!("{TUN_V}:{SINK_PORT}"));
    let (inits, data) = w.record();
    let before = state(&w.v, &w.lk.public);
    let udp_before = udp_in(&w.v_ns);
    // Later: the session these packets belong to is still the current one.
    std::thread::sleep(Duration::from_secs(1));
    let sent = w.replay();
    assert_eq!(sent, 4 * (inits + data) as u64);
    std::thread::sleep(Duration::from_millis(500));
    let arrived = udp_in(&w.v_ns) - udp_before;
    eprintln!(
        "replay: recorded {inits} initiations and {data} transport messages; replayed {sent}, \
         {arrived} reached the victim's socket"
    );
    assert!(
        arrived >= sent,
        "the replays did not reach the victim's socket ({arrived})"
    );
    let after = state(&w.v, &w.lk.public);
    assert_eq!(
        before,
        after,
        "the victim's (endpoint, latest handshake, delivered packets) changed:\n{}",
        w.v.show("dump")
    );
    let counted = sink.stop();
    assert_eq!(
        (num(&counted, "received"), num(&counted, "duplicates")),
        (COUNT as f64, 0.0),
        "the inner receiver got replayed datagrams: {counted:?}"
    );
    // The peer is unharmed.
    wait_ping(&w.l_ns.name, TUN_V, Duration::from_secs(5));
}
