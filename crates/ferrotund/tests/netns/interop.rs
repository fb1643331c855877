//! Tunnels between ferrotund and ferrotund or wireguard-go, each side as the initiator:
//! handshake, ping both ways over inner IPv4 and IPv6, a second of TCP each way, over an IPv4 or
//! IPv6 outer endpoint, with and without a preshared key. The matrix is pairwise, not full:
//! every pair of implementations meets both outer families and both PSK settings.

use crate::cmd::root;
use crate::daemon::{Daemon, Impl};
use crate::traffic::{iperf, ping_all, wait_ping};
use crate::tunnel::{Spec, Tunnel, TA4, TA6, TB4, TB6};
use std::time::Duration;

/// TCP payload that must arrive in iperf3's second: even the slowest peer here (wireguard-go
/// 2022, about 0.5 Gbit/s) moves some 60 MB.
const MIN_TCP: u64 = 4 * 1024 * 1024;

/// (rx, tx) of `d` towards `peer` after `f` minus before.
fn counted(d: &Daemon, peer: &str, f: impl FnOnce()) -> (u64, u64) {
    let (rx0, tx0) = d.transfer(peer);
    f();
    let (rx1, tx1) = d.transfer(peer);
    (rx1.saturating_sub(rx0), tx1.saturating_sub(tx0))
}

pub fn exercise(spec: Spec) {
    let t = Tunnel::build(spec);
    let (a, b) = (t.under.a.name.as_str(), t.under.b.name.as_str());
    wait_ping(a, TB4, Duration::from_secs(10));
    t.assert_handshake();
    t.assert_psk();
    t.assert_learned_endpoint(t.init_outer());
    ping_all(a, TB6, 3);
    ping_all(b, TA4, 3);
    ping_all(b, TA6, 3);
    // A sends to B over inner IPv4; both sides' counters must have seen it.
    let mut sent = (0, 0);
    let mut got = 0;
    let received = counted(&t.resp, &t.init_keys.public, || {
        sent = counted(&t.init, &t.resp_keys.public, || {
            got = iperf(b, a, TB4, false)
        });
    });
    assert!(
        got >= MIN_TCP && received.0 >= got && sent.1 >= got,
        "iperf3 A→B: {got} bytes arrived (want ≥ {MIN_TCP}); B's rx grew by {}, A's tx by {} (both must be ≥ that)\n{}\n{}",
        received.0,
        sent.1,
        t.init.show("dump"),
        t.resp.show("dump")
    );
    // B sends to A over inner IPv6.
    let received = counted(&t.init, &t.resp_keys.public, || {
        got = iperf(b, a, TB6, true)
    });
    assert!(
        got >= MIN_TCP && received.0 >= got,
        "iperf3 B→A: {got} bytes arrived (want ≥ {MIN_TCP}); A's rx grew by {}\n{}",
        received.0,
        t.init.show("dump")
    );
    ping_all(a, TB4, 2);
}

fn spec(initiator: Impl, responder: Impl, outer6: bool, psk: bool) -> Spec {
    Spec {
        initiator,
        responder,
        outer6,
        psk,
    }
}

#[test]
fn ferrotund_to_ferrotund_outer4_psk() {
    if root() {
        exercise(spec(Impl::Ferrotund, Impl::Ferrotund, false, true));
    }
}

#[test]
fn ferrotund_to_ferrotund_outer6_nopsk() {
    if root() {
        exercise(spec(Impl::Ferrotund, Impl::Ferrotund, true, false));
    }
}

#[test]
fn ferrotund_to_wggo_outer4_nopsk() {
    if root() {
        exercise(spec(Impl::Ferrotund, Impl::WireguardGo, false, false));
    }
}

#[test]
fn ferrotund_to_wggo_outer6_psk() {
    if root() {
        exercise(spec(Impl::Ferrotund, Impl::WireguardGo, true, true));
    }
}

#[test]
fn wggo_to_ferrotund_outer4_psk() {
    if root() {
        exercise(spec(Impl::WireguardGo, Impl::Ferrotund, false, true));
    }
}

#[test]
fn wggo_to_ferrotund_outer6_nopsk() {
    if root() {
        exercise(spec(Impl::WireguardGo, Impl::Ferrotund, true, false));
    }
}
