//! Traffic through tunnels: ping (with retries until the first reply, then exact counts) and
//! iperf3 TCP transfers, all with deadlines.

use crate::cmd::{wait_until, Bg, Cmd, Out};
use std::time::Duration;

/// Pings `dst` from namespace `ns` until one reply comes back (the first packets may wait
/// for a handshake), or panics after `within`.
#[track_caller]
pub fn wait_ping(ns: &str, dst: &str, within: Duration) {
    wait_until(
        &format!("a ping reply from {dst} in netns {ns}"),
        within,
        || {
            let out = Cmd::netns(ns, &["ping", "-c1", "-W1", dst]).run();
            if out.success() {
                Ok(())
            } else {
                Err(out.to_string())
            }
        },
    );
}

/// Number of replies in ping's summary ("N packets transmitted, M received").
pub fn received(out: &Out) -> Option<u32> {
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("packets transmitted"))?;
    let part = line.split(',').find(|p| p.contains("received"))?;
    part.split_whitespace().next()?.parse().ok()
}

/// Sends `count` pings from `ns` to `dst` 0.2 s apart; every one must be answered.
#[track_caller]
pub fn ping_all(ns: &str, dst: &str, count: u32) {
    let out = Cmd::netns(
        ns,
        &[
            "ping",
            "-c",
            &count.to_string(),
            "-i",
            "0.2",
            "-W",
            "2",
            dst,
        ],
    )
    .run();
    assert!(
        out.success() && received(&out) == Some(count),
        "expected {count} of {count} ping replies: {out}"
    );
}

pub const IPERF_PORT: &str = "5201";

/// The `"bytes"` of `end.SECTION` in iperf3's JSON report (`sum_received`, `sum_sent`).
pub fn json_bytes(json: &str, section: &str) -> Option<u64> {
    json_u64(json, section, "bytes")
}

/// The integer `end.SECTION.KEY` of iperf3's JSON report.
pub fn json_u64(json: &str, section: &str, key: &str) -> Option<u64> {
    let report: serde_json::Value = serde_json::from_str(json).ok()?;
    report.get("end")?.get(section)?.get(key)?.as_u64()
}

/// Sends TCP for one second with iperf3 (`-t 1`): the server listens on `addr` in `server_ns`,
/// the client connects from `client_ns`; with `reverse` the server sends. Returns the bytes
/// the receiving side reports. A time, not a byte count (`-n`): iperf3 ends an `-n` test when
/// the sender has *written* its bytes, so what the receiver counted fell short by whatever
/// the socket buffers held, up to megabytes behind a slow peer, and a fixed threshold flaked.
#[track_caller]
pub fn iperf(server_ns: &str, client_ns: &str, addr: &str, reverse: bool) -> u64 {
    let server = iperf_server(server_ns, addr);
    let mut argv = vec![
        "iperf3",
        "-J",
        "-c",
        addr,
        "-p",
        IPERF_PORT,
        "-t",
        "1",
        "--connect-timeout",
        "3000",
    ];
    if reverse {
        argv.push("-R");
    }
    let client = Cmd::netns(client_ns, &argv)
        .timeout(Duration::from_secs(40))
        .run();
    let received = json_bytes(&client.stdout, "sum_received");
    if !client.success() || received.is_none() {
        drop(server); // kills it: a one-off server that never saw a client would wait
        panic!("iperf3 transfer failed: {client}");
    }
    let server = server.finish();
    assert!(server.success(), "iperf3 server failed: {server}");
    received.unwrap_or(0)
}

/// An iperf3 client in `ns` sending to `addr` for `secs` seconds (JSON report), with `extra`
/// arguments (e.g. `-R`, `-b 50M`), not yet run; its timeout leaves `grace` seconds past
/// the test's end.
pub fn iperf_client(ns: &str, addr: &str, secs: u64, extra: &[&str], grace: u64) -> Cmd {
    let t = secs.to_string();
    let mut argv = vec![
        "iperf3",
        "-J",
        "-c",
        addr,
        "-p",
        IPERF_PORT,
        "-t",
        &t,
        "--connect-timeout",
        "3000",
    ];
    argv.extend_from_slice(extra);
    Cmd::netns(ns, &argv).timeout(Duration::from_secs(secs + grace))
}

/// A one-off iperf3 server on `addr` in `ns`, listening when this returns.
pub fn iperf_server(ns: &str, addr: &str) -> Bg {
    let argv = ["iperf3", "-s", "-1", "-B", addr, "-p", IPERF_PORT];
    let server = Cmd::netns(ns, &argv)
        .timeout(Duration::from_secs(60))
        .spawn();
    let port = format!(":{IPERF_PORT}");
    wait_until(
        &format!("iperf3 server listening on {addr} in {ns}"),
        Duration::from_secs(10),
        || {
            let out = Cmd::netns(ns, &["ss", "-Hltn", "sport", "=", &port]).run();
            if out.success() && !out.stdout.trim().is_empty() {
                Ok(())
            } else {
                Err(out.to_string())
            }
        },
    );
    server
}
