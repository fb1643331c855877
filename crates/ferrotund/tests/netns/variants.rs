//! ferrotund's data path in its other configurations: without TUN offloads (one packet per
//! read and write, as on kernels without `IFF_VNET_HDR`) and with crypto workers (the default
//! only from 4 CPUs up, so the 2-CPU test machine would otherwise never run it).

use crate::cmd::root;
use crate::daemon::Impl;
use crate::traffic::{iperf, ping_all, wait_ping};
use crate::tunnel::{Spec, Tunnel, TA4, TB4, TB6};
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
            got >= 2 * 1024 * 1024,
            "{env:?}: only {got} bytes of 5 MiB arrived (reverse: {reverse})\n{}\n{}",
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
