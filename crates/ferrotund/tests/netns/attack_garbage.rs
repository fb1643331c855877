//! Garbage (issue #6): random, truncated, over-long, oversized (up to 65,507 bytes, the
//! largest UDP payload over IPv4, so dozens of IP fragments each), wrong-type and
//! reserved-bit datagrams, transport messages for unknown sessions and empty datagrams, at
//! full rate, while the legitimate peer uses the tunnel. The victim must not crash or panic,
//! must not log per datagram, must keep the peer's endpoint and session, and must serve the
//! peer's traffic again as soon as the garbage stops.

use crate::attack_net::{
    attack, client_conf, daemon, heavy, num, summary, udp_in, victim_addr, victim_conf, Lan, Sink,
    LAN_L, LAN_V, SINK_PORT, TUN_L, TUN_V,
};
use crate::cmd::{root, TempDir};
use crate::traffic::wait_ping;
use crate::wg::{Keypair, PeerConf};
use std::time::Duration;

/// Log lines the victim may write while it receives garbage (verbose level).
const LOG_LINES: usize = 20;
const GARBAGE_SECS: &str = "3";

#[test]
fn ferrotund_survives_garbage_at_full_rate() {
    if !root() {
        return;
    }
    let _heavy = heavy();
    let dir = TempDir::new();
    let lan = Lan::new();
    let (v_ns, l_ns) = (lan.host("v", LAN_V), lan.host("l", LAN_L));
    let (vk, lk) = (Keypair::generate(), Keypair::generate());
    let peers = vec![PeerConf::new(&lk.public, &[&format!("{TUN_L}/32")])];
    let v = daemon(&v_ns, &dir, "v", &victim_conf(&vk, peers), TUN_V);
    let _l = daemon(&l_ns, &dir, "l", &client_conf(&lk, &vk), TUN_L);
    wait_ping(&l_ns.name, TUN_V, Duration::from_secs(10));
    let endpoint = v.peer_field("endpoints", &lk.public);
    let handshake = v.latest_handshake(&lk.public);
    let (log_before, udp_before) = (v.log_text().lines().count(), udp_in(&v_ns));
    let sink = Sink::start(&v_ns, &format!("{TUN_V}:{SINK_PORT}"));
    let to = format!("{TUN_V}:{SINK_PORT}");

    let target = victim_addr();
    let garbage = attack(
        &lan.x,
        "garbage",
        &["--target", &target, "--duration", GARBAGE_SECS],
    )
    .spawn();
    std::thread::sleep(Duration::from_millis(300));
    // Legitimate datagrams during the garbage (numbered 0..200), then after it (1000..1100).
    let during = ["--to", &to, "--count", "200", "--gap-ms", "10"];
    summary(&attack(&l_ns, "send", &during).run());
    let g = summary(&garbage.finish());
    let arrived = udp_in(&v_ns) - udp_before;
    let after = [
        "--to", &to, "--count", "100", "--first", "1000", "--gap-ms", "1",
    ];
    summary(&attack(&l_ns, "send", &after).run());
    std::thread::sleep(Duration::from_millis(200));
    let counted = sink.stop();
    let received = num(&counted, "received");
    eprintln!(
        "garbage: {g:?}; {arrived} datagrams reached the victim's sockets; the sink \
         received {received} of 200 + 100 legitimate datagrams"
    );
    assert!(v.alive(), "the victim died:\n{}", v.log_text());
    assert!(
        arrived as f64 >= num(&g, "sent") * 0.25,
        "the garbage did not reach the victim ({arrived} of {} datagrams)",
        num(&g, "sent")
    );
    let log = v.log_text();
    let lines = log.lines().count() - log_before;
    assert!(
        lines <= LOG_LINES && !log.contains("panic"),
        "the victim logged {lines} lines:\n{log}"
    );
    assert_eq!(v.peer_field("endpoints", &lk.public), endpoint);
    assert_eq!(v.latest_handshake(&lk.public), handshake);
    // Everything sent after the garbage arrives; during it, most must.
    assert!(
        received >= 100.0 + 200.0 * 0.5,
        "the peer's traffic suffered: {counted:?}"
    );
    wait_ping(&l_ns.name, TUN_V, Duration::from_secs(5));
}
