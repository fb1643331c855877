//! Traffic through tunnels: ping (with retries until the first reply, then exact counts) and
//! iperf3 TCP transfers, all with deadlines.

use crate::cmd::{wait_until, Cmd, Out};
use std::time::Duration;

/// Pings `dst` from namespace `ns` until one reply comes back (the first packets may wait
/// for a handshake), or panics after `within`.
#[track_caller]
pub fn wait_ping(ns: &str, dst: &str, within: Duration) {
    wait_until(&format!("a ping reply from {dst} in netns {ns}"), within, || {
        let out = Cmd::netns(ns, &["ping", "-c1", "-W1", dst]).run();
        if out.success() {
            Ok(())
        } else {
            Err(out.to_string())
        }
    });
}

/// Number of replies in ping's summary ("N packets transmitted, M received").
pub fn received(out: &Out) -> Option<u32> {
    let line = out.stdout.lines().find(|l| l.contains("packets transmitted"))?;
    let part = line.split(',').find(|p| p.contains("received"))?;
    part.split_whitespace().next()?.parse().ok()
}

/// Sends `count` pings from `ns` to `dst` 0.2 s apart; every one must be answered.
#[track_caller]
pub fn ping_all(ns: &str, dst: &str, count: u32) {
    let out = Cmd::netns(ns, &["ping", "-c", &count.to_string(), "-i", "0.2", "-W", "2", dst]).run();
    assert!(out.success() && received(&out) == Some(count), "expected {count} of {count} ping replies: {out}");
}

pub const IPERF_PORT: &str = "5201";

/// Transfers 5 MiB over TCP with iperf3: the server listens on `addr` in `server_ns`, the
/// client connects from `client_ns`; with `reverse` the server sends. Returns the client's
/// record (already checked).
#[track_caller]
pub fn iperf(server_ns: &str, client_ns: &str, addr: &str, reverse: bool) -> Out {
    let server = Cmd::netns(server_ns, &["iperf3", "-s", "-1", "-B", addr, "-p", IPERF_PORT]).timeout(Duration::from_secs(60)).spawn();
    wait_until(&format!("iperf3 server listening on {addr} in {server_ns}"), Duration::from_secs(10), || {
        let out = Cmd::netns(server_ns, &["ss", "-Hltn", "sport", "=", &format!(":{IPERF_PORT}")]).run();
        if out.success() && !out.stdout.trim().is_empty() {
            Ok(())
        } else {
            Err(out.to_string())
        }
    });
    let mut argv = vec!["iperf3", "-c", addr, "-p", IPERF_PORT, "-n", "5M", "--connect-timeout", "3000"];
    if reverse {
        argv.push("-R");
    }
    let client = Cmd::netns(client_ns, &argv).timeout(Duration::from_secs(40)).run();
    if !(client.success() && client.stdout.contains("iperf Done.")) {
        drop(server); // kills it: a one-off server that never saw a client would wait
        panic!("iperf3 transfer failed: {client}");
    }
    let server = server.finish();
    assert!(server.success(), "iperf3 server failed: {server}");
    client
}
