//! Roaming: while ping (and optionally iperf3) runs through the tunnel, the initiator's outer
//! address changes (the veth address in its namespace is replaced). Traffic must continue and
//! the other side's `wg show` must show the new endpoint (ROAM-1, ROAM-3). ferrotund must
//! notice the vanished source address by itself; wireguard-go 0.0.20220316 cannot, so when
//! it roams the test sets its endpoint again, which is what its users do.

use crate::cmd::{root, wait_until, Bg, Cmd};
use crate::daemon::Impl;
use crate::netns::{A4, A6, B4, B6};
use crate::traffic::{iperf_server, ping_all, received, wait_ping, IPERF_PORT};
use crate::tunnel::{endpoint, Spec, Tunnel, RESP_PORT, TA4, TB4, TB6};
use std::time::Duration;

const NEW4: &str = "192.168.241.3";
const NEW6: &str = "fd00:241::3";

/// Replaces the initiator's underlay address of the outer family.
fn move_address(t: &Tunnel) {
    let (old, new, extra) = if t.spec.outer6 {
        (A6, NEW6, Some("nodad"))
    } else {
        (A4, NEW4, None)
    };
    let plen = if t.spec.outer6 { 64 } else { 24 };
    t.under.a.ip(&[
        "addr",
        "del",
        &format!("{old}/{plen}"),
        "dev",
        &t.under.veth_a,
    ]);
    let new = format!("{new}/{plen}");
    let mut args = vec!["addr", "add", &new, "dev", &t.under.veth_a];
    args.extend(extra);
    t.under.a.ip(&args);
}

/// Waits until B has received more than `bytes` from A.
fn wait_rx_beyond(t: &Tunnel, bytes: u64) {
    wait_until(
        "traffic through the tunnel before the move",
        Duration::from_secs(5),
        || {
            let (rx, _) = t.resp.transfer(&t.init_keys.public);
            if rx > bytes {
                Ok(())
            } else {
                Err(format!("B has received {rx} bytes"))
            }
        },
    );
}

/// Waits until B shows A's endpoint at `host` (A's listen port is unchanged).
fn wait_endpoint(t: &Tunnel, host: &str) {
    let want = endpoint(host, t.init.listen_port());
    let what = format!(
        "{} ({}) to show the roamed endpoint {want}",
        t.resp.ifname,
        t.resp.imp.label()
    );
    wait_until(&what, Duration::from_secs(10), || {
        let got = t.resp.peer_field("endpoints", &t.init_keys.public);
        if got.as_deref() == Some(want.as_str()) {
            Ok(())
        } else {
            Err(format!("endpoint is {got:?}\n{}", t.resp.show("dump")))
        }
    });
}

/// Starts 4 s of iperf3 from A to B (inner IPv6) in the background.
fn iperf_running(t: &Tunnel) -> (Bg, Bg) {
    let server = iperf_server(&t.under.b.name, TB6);
    let argv = [
        "iperf3",
        "-c",
        TB6,
        "-p",
        IPERF_PORT,
        "-t",
        "4",
        "--connect-timeout",
        "3000",
    ];
    let client = Cmd::netns(&t.under.a.name, &argv)
        .timeout(Duration::from_secs(20))
        .spawn();
    (server, client)
}

pub fn roam(roamer: Impl, other: Impl, outer6: bool, with_iperf: bool) {
    let t = Tunnel::build(Spec {
        initiator: roamer,
        responder: other,
        outer6,
        psk: false,
    });
    let (a, b) = (t.under.a.name.as_str(), t.under.b.name.as_str());
    let server = if outer6 { B6 } else { B4 };
    wait_ping(a, TB4, Duration::from_secs(10));
    t.assert_learned_endpoint(t.init_outer());
    let iperf = with_iperf.then(|| iperf_running(&t));
    let ping_argv = ["ping", "-i", "0.1", "-c", "40", "-W", "1", TB4];
    let ping = Cmd::netns(a, &ping_argv)
        .timeout(Duration::from_secs(20))
        .spawn();
    let (rx0, _) = t.resp.transfer(&t.init_keys.public);
    wait_rx_beyond(&t, rx0 + 500);
    move_address(&t);
    // The underlay works from the new address (so a stall below is the daemon's).
    wait_ping(a, server, Duration::from_secs(5));
    if roamer == Impl::WireguardGo {
        // wireguard-go 0.0.20220316 keeps sending from the deleted source address
        // (ENETUNREACH, wireguard-go#61, ROAM-3); setting the endpoint again clears it.
        let peer = &t.resp_keys.public;
        t.init
            .wg(&[
                "set",
                "IF",
                "peer",
                peer,
                "endpoint",
                &endpoint(server, RESP_PORT),
            ])
            .ok();
    }
    wait_endpoint(&t, if outer6 { NEW6 } else { NEW4 });
    let ping = ping.finish();
    let got = received(&ping).unwrap_or(0);
    assert!(
        got >= 30,
        "traffic stalled across the address change: {got} of 40 pings answered\n{ping}"
    );
    if let Some((_server, client)) = iperf {
        let client = client.finish();
        let done = client.success() && client.stdout.contains("iperf Done.");
        assert!(done, "iperf3 across the address change failed: {client}");
    }
    // B now reaches A at its new address.
    ping_all(b, TA4, 3);
    ping_all(a, TB4, 3);
}

#[test]
fn ferrotund_roams_wggo_follows_outer4() {
    if root() {
        roam(Impl::Ferrotund, Impl::WireguardGo, false, false);
    }
}

#[test]
fn wggo_roams_ferrotund_follows_outer6() {
    if root() {
        roam(Impl::WireguardGo, Impl::Ferrotund, true, false);
    }
}

#[test]
fn ferrotund_roams_ferrotund_follows_outer4_iperf() {
    if root() {
        roam(Impl::Ferrotund, Impl::Ferrotund, false, true);
    }
}

#[test]
fn ferrotund_roams_wggo_follows_outer6() {
    if root() {
        roam(Impl::Ferrotund, Impl::WireguardGo, true, false);
    }
}
