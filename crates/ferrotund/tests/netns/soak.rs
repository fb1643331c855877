//! Rekey soak: both daemons run with their timers shortened 40 times
//! (`FERROTUN_TEST=1 FERROTUN_TEST_TIME_SCALE=40`: a new session every 3 s instead of 120 s)
//! while a TCP transfer and a numbered UDP stream cross the tunnel. Across every rekey: no
//! TCP stall (no two consecutive 100 ms iperf3 intervals without a byte, i.e. nothing near
//! 200 ms), no UDP packet lost or delivered twice, and both daemons' memory stays flat.
//!
//! `FERROTUN_SOAK_SECS` sets the duration (default 20 s, which crosses about 6 rekeys; the
//! issue's soak is `FERROTUN_SOAK_SECS=120`, about 40).

use crate::cmd::root;
use crate::daemon::{Daemon, Impl};
use crate::seqstream::{helper, result, start_sink};
use crate::traffic::{iperf_server, wait_ping};
use crate::tunnel::{Spec, Tunnel, TB4};
use std::time::{Duration, Instant};

const SCALE: u64 = 40;
const REKEY_EVERY: Duration = Duration::from_secs(120 / SCALE);
const UDP_PPS: u64 = 500;

fn soak_secs() -> u64 {
    std::env::var("FERROTUN_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20)
}

/// Resident memory of `pid` in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The `"bytes"` of every interval's `"sum"` in iperf3's JSON report, in order.
fn interval_bytes(json: &str) -> Vec<u64> {
    let report: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    report["intervals"]
        .as_array()
        .map(|intervals| {
            intervals
                .iter()
                .filter_map(|i| i["sum"]["bytes"].as_u64())
                .collect()
        })
        .unwrap_or_default()
}

/// The longest run of consecutive zero entries.
fn longest_zero_run(values: &[u64]) -> usize {
    let (mut best, mut run) = (0, 0);
    for &v in values {
        run = if v == 0 { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Counts how often the initiator's latest handshake changes, every 250 ms until `until`.
fn count_rekeys(d: &Daemon, until: Instant) -> usize {
    let (mut last, mut changes) = (String::new(), 0);
    while Instant::now() < until {
        let now = d.wg(&["show", "IF", "latest-handshakes"]).stdout;
        if !now.trim().is_empty() && now != last {
            changes += usize::from(!last.is_empty());
            last = now;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    changes
}

/// The traffic of the soak, all running in the background for `secs`.
struct Traffic {
    server: crate::cmd::Bg,
    sink: crate::cmd::Bg,
    iperf: crate::cmd::Bg,
    sender: crate::cmd::Bg,
}

/// A receiving iperf3 (`-R`: the client in A receives, so its 100 ms intervals are what
/// arrived) at 200 Mbit/s, and a numbered UDP stream from A to B at `UDP_PPS`.
fn start_traffic(t: &Tunnel, secs: u64) -> Traffic {
    let (a, b) = (&t.under.a.name, &t.under.b.name);
    let server = iperf_server(b, TB4);
    let sink_at = format!("{TB4}:7200");
    let sink = start_sink(b, &sink_at, secs + 20);
    let iperf =
        crate::traffic::iperf_client(a, TB4, secs, &["-R", "-i", "0.1", "-b", "200M"], 30).spawn();
    let send_args = [
        "send",
        &format!("to={sink_at}"),
        &format!("count={}", UDP_PPS * secs),
        &format!("pps={UDP_PPS}"),
        "size=64",
    ];
    let sender = helper(a, &send_args, Duration::from_secs(secs + 30)).spawn();
    Traffic {
        server,
        sink,
        iperf,
        sender,
    }
}

/// Counts rekeys and samples both daemons' RSS (KiB) once a second until `end`.
fn watch(t: &Tunnel, end: Instant) -> (usize, Vec<(u64, u64)>) {
    std::thread::scope(|s| {
        let rekeys = s.spawn(|| count_rekeys(&t.init, end));
        let mut rss = Vec::new();
        while Instant::now() < end {
            rss.push((rss_kib(t.init.pid), rss_kib(t.resp.pid)));
            std::thread::sleep(Duration::from_secs(1));
        }
        (rekeys.join().expect("rekey counter"), rss)
    })
}

#[test]
fn ferrotund_rekey_soak() {
    if !root() {
        return;
    }
    let secs = soak_secs();
    let scale = SCALE.to_string();
    let env = [
        ("FERROTUN_TEST", "1"),
        ("FERROTUN_TEST_TIME_SCALE", scale.as_str()),
    ];
    let spec = Spec {
        initiator: Impl::Ferrotund,
        responder: Impl::Ferrotund,
        outer6: false,
        psk: true,
    };
    let t = Tunnel::build_env(spec, &env);
    wait_ping(&t.under.a.name, TB4, Duration::from_secs(10));
    let traffic = start_traffic(&t, secs);
    let (rekeys, rss) = watch(&t, Instant::now() + Duration::from_secs(secs));
    let iperf = traffic.iperf.finish();
    let sent = result(&traffic.sender.finish());
    let got = result(&traffic.sink.finish());
    drop(traffic.server);

    let intervals = interval_bytes(&iperf.stdout);
    assert!(
        iperf.success() && intervals.len() as u64 >= secs * 9,
        "iperf3: {iperf}"
    );
    let zero = intervals.iter().filter(|&&b| b == 0).count();
    let run = longest_zero_run(&intervals);
    let (first, last) = (rss[rss.len() / 4], rss[rss.len() - 1]);
    eprintln!(
        "soak {secs} s at scale {SCALE}: {rekeys} rekeys; {} intervals, {zero} without data, \
         longest run {run}; udp {sent:?} -> {got:?}; RSS KiB initiator {} -> {}, responder {} -> {}",
        intervals.len(),
        first.0,
        last.0,
        first.1,
        last.1
    );
    let expected = secs * 1000 / REKEY_EVERY.as_millis() as u64;
    assert!(
        rekeys as u64 >= expected * 6 / 10,
        "only {rekeys} rekeys in {secs} s"
    );
    assert!(
        run < 2,
        "TCP stalled for {run} consecutive 100 ms intervals"
    );
    assert_eq!(got["duplicates"], 0, "UDP packets delivered twice: {got:?}");
    assert_eq!(
        got["unique"], sent["sent"],
        "UDP packets lost across rekeys: {got:?}"
    );
    assert_flat(first, last);
}

/// Neither daemon's resident memory grew by more than 4 MiB from a quarter of the soak on.
fn assert_flat(first: (u64, u64), last: (u64, u64)) {
    for (who, before, after) in [
        ("initiator", first.0, last.0),
        ("responder", first.1, last.1),
    ] {
        assert!(
            after <= before + 4096,
            "{who} RSS grew from {before} KiB to {after} KiB during the soak"
        );
    }
}

/// The timer scale is a test switch: without `FERROTUN_TEST=1` the daemon refuses to start
/// (and creates nothing) instead of silently running with or without short timers.
#[test]
fn ferrotund_refuses_time_scale_without_test_switch() {
    if !root() {
        return;
    }
    let ns = crate::netns::Netns::new("s");
    let ifname = crate::cmd::unique("s");
    let _socket = crate::daemon::SocketGuard(ifname.clone());
    let out = crate::daemon::start_cmd(&ns.name, Impl::Ferrotund, &ifname)
        .env("FERROTUN_TEST_TIME_SCALE", "40")
        .env("FERROTUN_TEST", "0")
        .run();
    assert_eq!(out.code, Some(1), "{out}");
    assert!(out.stderr.contains("needs FERROTUN_TEST=1"), "{out}");
    assert!(!ns.has_link(&ifname) && !crate::daemon::socket_path(&ifname).exists());
}
