//! ferrotund's data path in its other configurations: without TUN offloads (one packet per
//! read and write, as on kernels without `IFF_VNET_HDR`), with crypto workers (the default
//! only from 4 CPUs up, so the 2-CPU test machine would otherwise never run it), with one
//! packet thread, after the interface MTU changed under it, and after the listen port changed
//! under it.

use crate::cmd::root;
use crate::daemon::Impl;
use crate::netns::B4;
use crate::traffic::{iperf, ping_all, wait_ping};
use crate::tunnel::{endpoint, Spec, Tunnel, RESP_PORT, TA4, TB4, TB6};
use std::time::Duration;

fn exercise(env: &[(&str, &str)]) {
    let spec = Spec {
        initiator: Impl::Ferrotund,
        responder: Impl::Ferrotund,
        outer6: false,
        psk: false,
    };
    let t = Tunnel::build_env(spec, env);
    let (a, b) = (t.under.a.name.as_str(), t.under.b.name.as_str());
    wait_ping(a, TB4, Duration::from_secs(10));
    ping_all(a, TB6, 3);
    ping_all(b, TA4, 3);
    for reverse in [false, true] {
        let got = iperf(b, a, TB4, reverse);
        assert!(
            got >= 4 * 1024 * 1024,
            "{env:?}: only {got} bytes arrived in a second (reverse: {reverse})\n{}\n{}",
            t.init.show("dump"),
            t.resp.show("dump")
        );
    }
}

#[test]
fn ferrotund_without_tun_offloads() {
    if root() {
        exercise(&[("FERROTUN_OFFLOAD", "0")]);
    }
}

#[test]
fn ferrotund_with_crypto_workers() {
    if root() {
        exercise(&[("FERROTUN_CRYPTO_THREADS", "2")]);
    }
}

#[test]
fn ferrotund_with_one_packet_thread() {
    if root() {
        exercise(&[("FERROTUN_PACKET_THREADS", "one")]);
    }
}

#[test]
fn ferrotund_with_one_packet_thread_without_tun_offloads() {
    if root() {
        exercise(&[
            ("FERROTUN_PACKET_THREADS", "one"),
            ("FERROTUN_OFFLOAD", "0"),
        ]);
    }
}

/// `wg set listen-port` replaces the sockets under running packet threads: the tunnel goes
/// on over the new port, and the old one is released (moving back to it must bind again).
fn listen_port_change_keeps_the_tunnel(threads: &str) {
    let spec = Spec {
        initiator: Impl::Ferrotund,
        responder: Impl::Ferrotund,
        outer6: false,
        psk: false,
    };
    let t = Tunnel::build_env(spec, &[("FERROTUN_PACKET_THREADS", threads)]);
    let a = t.under.a.name.as_str();
    wait_ping(a, TB4, Duration::from_secs(10));
    for port in [RESP_PORT + 10, RESP_PORT] {
        let port_text = port.to_string();
        let set = t.resp.wg(&["set", "IF", "listen-port", &port_text]);
        assert!(set.success(), "{threads}: listen-port {port}: {set}");
        assert_eq!(t.resp.show("listen-port").trim(), port_text);
        let to = endpoint(B4, port);
        let peer = &t.resp_keys.public;
        t.init
            .wg(&["set", "IF", "peer", peer, "endpoint", &to])
            .ok();
        ping_all(a, TB4, 3);
    }
}

#[test]
fn ferrotund_one_packet_thread_follows_listen_port_changes() {
    if root() {
        listen_port_change_keeps_the_tunnel("one");
    }
}

#[test]
fn ferrotund_split_packet_threads_follow_listen_port_changes() {
    if root() {
        listen_port_change_keeps_the_tunnel("split");
    }
}

/// Transport messages are padded to a multiple of 16 but never past the interface MTU, and
/// the MTU is the one `ip link set mtu` set, not the one at start-up: a 1300-byte packet on a
/// 1300-MTU interface goes out as 1300 + 32 bytes (padding to 1312 would push a full-size
/// packet over the path MTU that the lower MTU was chosen for).
fn padding_follows_mtu_changes(imp: Impl) {
    let spec = Spec {
        initiator: imp,
        responder: Impl::Ferrotund,
        outer6: false,
        psk: false,
    };
    let t = Tunnel::build(spec);
    let a = t.under.a.name.as_str();
    wait_ping(a, TB4, Duration::from_secs(10));
    t.under
        .a
        .ip(&["link", "set", "dev", &t.init.ifname, "mtu", "1300"]);
    // ferrotund looks the MTU up at most once a second, on traffic.
    std::thread::sleep(Duration::from_millis(1200));
    ping_all(a, TB4, 1);
    let peer = &t.resp_keys.public;
    let (_, before) = t.init.transfer(peer);
    // 1272 bytes of ICMP payload + 8 + 20 = a 1300-byte IP packet.
    let out = t.under.a.run(&["ping", "-c1", "-W2", "-s", "1272", TB4]);
    assert!(
        out.success(),
        "a 1300-byte ping through a 1300-MTU tunnel: {out}"
    );
    let (_, after) = t.init.transfer(peer);
    assert_eq!(
        after - before,
        1300 + 32,
        "{}: the 1300-byte packet's transport message (header 16 + tag 16, no padding past the MTU)",
        imp.label()
    );
}

#[test]
fn ferrotund_pads_to_the_current_mtu() {
    if root() {
        padding_follows_mtu_changes(Impl::Ferrotund);
    }
}

#[test]
fn wggo_pads_to_the_current_mtu() {
    if root() {
        padding_follows_mtu_changes(Impl::WireguardGo);
    }
}
