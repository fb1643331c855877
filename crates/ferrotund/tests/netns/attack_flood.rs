//! Handshake flood (issue #6): an attacker on the LAN sends 100,000 handshake initiations
//! per second with a valid mac1 for the victim's key and random static and ephemeral keys.
//! The victim must go "under load" and answer with cookie replies; a new legitimate peer
//! must complete its handshake at the latest on its first retry (REKEY_TIMEOUT plus jitter
//! after its first attempt, carrying the cookie in mac2); memory stays bounded, the log
//! quiet, and once the flood ends the victim leaves the under-load state. A second test
//! checks that an established tunnel keeps at least [`MIN_RATIO`] of the throughput it keeps
//! when the same flood is aimed at a closed port (the attacker's own CPU cost, the ceiling).

use crate::attack_net::{
    attack, attack_bin, client_conf, cpu_secs, daemon, heavy, num, rss_kib, summary, victim_addr,
    victim_conf, Lan, LAN_L, LAN_N, LAN_V, PORT, TUN_L, TUN_N, TUN_V,
};
use crate::cmd::{root, Cmd, TempDir};
use crate::daemon::Daemon;
use crate::netns::Netns;
use crate::traffic::{iperf_server, wait_ping};
use crate::wg::{Keypair, PeerConf};
use std::time::{Duration, Instant};

/// The flood rate.
const RATE: u64 = 100_000;
/// Flood length in the main test: the new peer's first retry (5.5–5.9 s after the flood
/// starts) falls well inside it.
const FLOOD_SECS: f64 = 7.0;
/// Below this the attacker's machine is too busy for the test to mean much (the victim
/// goes under load above 1,024 handshake messages per second).
const MIN_RATE: f64 = 50_000.0;
/// REKEY_TIMEOUT plus the largest jitter (docs/protocol.md §3): when the first retry goes out.
const FIRST_RETRY: Duration = Duration::from_millis(5_334);
/// Scheduling slack on a loaded 2-core machine.
const SLACK: Duration = Duration::from_millis(600);
/// Growth of the victim's resident memory allowed during the flood.
const RSS_GROWTH_KIB: u64 = 32 * 1024;
/// Log lines the victim may write during the whole flood (verbose level).
const LOG_LINES: usize = 50;

/// Where a flood is aimed.
#[derive(Clone, Copy)]
enum Aim {
    /// The victim's WireGuard port.
    Victim,
    /// A closed UDP port on the victim's host: the same datagrams cost the victim's kernel
    /// only an ICMP error, so what the tunnel keeps then is what the attacker's own CPU use
    /// leaves on this machine, the ceiling for any defence.
    ClosedPort,
}

/// Starts the flood in the attacker's namespace for `secs`.
fn flood(lan: &Lan, victim: &Keypair, secs: f64, aim: Aim) -> crate::cmd::Bg {
    let target = match aim {
        Aim::Victim => victim_addr(),
        Aim::ClosedPort => format!("{LAN_V}:{}", PORT + 1),
    };
    let rate = RATE.to_string();
    let secs = secs.to_string();
    let args = [
        "--target",
        &target,
        "--key",
        &victim.public,
        "--rate",
        &rate,
        "--duration",
        &secs,
    ];
    // At nice -10: the test is about a flood of at least RATE, and on 2 cores a fast tunnel
    // otherwise starves the attacker below it (2 of 12 runs reached only 94-95k/s).
    let bin = attack_bin();
    let mut argv = vec!["nice", "-n", "-10", bin.as_str(), "flood"];
    argv.extend_from_slice(&args);
    lan.x.cmd(&argv).timeout(Duration::from_secs(30)).spawn()
}

/// Checks the flood's summary: that it held at least `min_rate`, and that the victim
/// answered with cookie replies.
fn check_flood(out: &crate::cmd::Out, min_rate: f64) -> String {
    let report = check_rate(out, min_rate);
    let s = summary(out);
    assert!(
        num(&s, "cookie_replies") > 0.0,
        "the victim sent no cookie reply: {report}"
    );
    assert_eq!(num(&s, "responses"), 0.0, "{report}");
    report
}

/// Checks that the flood held at least `min_rate`; returns its report.
fn check_rate(out: &crate::cmd::Out, min_rate: f64) -> String {
    let s = summary(out);
    let (rate, sent, cookies) = (num(&s, "rate"), num(&s, "sent"), num(&s, "cookie_replies"));
    let report = format!(
        "flood: {sent} initiations at {rate:.0}/s, {cookies} cookie replies ({:.0} %), \
         {} responses",
        100.0 * cookies / sent.max(1.0),
        num(&s, "responses")
    );
    eprintln!("{report}");
    assert!(
        rate >= min_rate,
        "the attacker reached only {rate:.0}/s (machine too busy?): {report}"
    );
    report
}

/// One initiation after the flood: `cookie` while the victim is still under load.
fn probe(lan: &Lan, victim: &Keypair) -> String {
    let target = victim_addr();
    let out = attack(
        &lan.x,
        "probe",
        &[
            "--target",
            &target,
            "--key",
            &victim.public,
            "--wait",
            "0.5",
        ],
    )
    .run();
    summary(&out).get("reply").cloned().unwrap_or_default()
}

/// The victim (peers L and N), the established peer L (tunnel up) and the new peer N (no
/// handshake yet), on the LAN with the attacker. Field order is drop order.
struct World {
    v: Daemon,
    l: Daemon,
    n: Daemon,
    vk: Keypair,
    v_ns: Netns,
    l_ns: Netns,
    n_ns: Netns,
    lan: Lan,
    _dir: TempDir,
}

impl World {
    fn new() -> World {
        let dir = TempDir::new();
        let lan = Lan::new();
        let (v_ns, l_ns, n_ns) = (
            lan.host("v", LAN_V),
            lan.host("l", LAN_L),
            lan.host("n", LAN_N),
        );
        let (vk, lk, nk) = (
            Keypair::generate(),
            Keypair::generate(),
            Keypair::generate(),
        );
        let peers = vec![
            PeerConf::new(&lk.public, &[&format!("{TUN_L}/32")]),
            PeerConf::new(&nk.public, &[&format!("{TUN_N}/32")]),
        ];
        let v = daemon(&v_ns, &dir, "v", &victim_conf(&vk, peers), TUN_V);
        let l = daemon(&l_ns, &dir, "l", &client_conf(&lk, &vk), TUN_L);
        let n = daemon(&n_ns, &dir, "n", &client_conf(&nk, &vk), TUN_N);
        wait_ping(&l_ns.name, TUN_V, Duration::from_secs(10));
        World {
            v,
            l,
            n,
            vk,
            v_ns,
            l_ns,
            n_ns,
            lan,
            _dir: dir,
        }
    }

    /// Makes N start its first handshake (one ping, not waited for) and returns how long
    /// until N has a session, if within `limit`.
    fn new_peer_handshake(&self, limit: Duration, mut meanwhile: impl FnMut()) -> Option<Duration> {
        let started = Instant::now();
        let _ping = Cmd::netns(&self.n_ns.name, &["ping", "-c1", "-W1", TUN_V])
            .timeout(Duration::from_secs(3))
            .spawn();
        while started.elapsed() < limit {
            let dump = self.n.dump();
            if dump.peers.first().is_some_and(|p| p[4] != "0") {
                return Some(started.elapsed());
            }
            meanwhile();
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

#[test]
fn ferrotund_handshake_flood_cookies_new_peer_memory_expiry() {
    if !root() {
        return;
    }
    let _heavy = heavy();
    let w = World::new();
    let (rss_before, cpu_before, log_before) = (
        rss_kib(&w.v),
        cpu_secs(&w.v),
        w.v.log_text().lines().count(),
    );
    let attacker = flood(&w.lan, &w.vk, FLOOD_SECS, Aim::Victim);
    std::thread::sleep(Duration::from_millis(500));
    let mut rss_peak = rss_before;
    let took = w.new_peer_handshake(FIRST_RETRY + SLACK, || {
        rss_peak = rss_peak.max(rss_kib(&w.v));
    });
    let report = check_flood(&attacker.finish(), MIN_RATE);
    rss_peak = rss_peak.max(rss_kib(&w.v));
    let cpu = cpu_secs(&w.v) - cpu_before;
    eprintln!(
        "new peer's handshake under flood: {took:.2?}; victim RSS {rss_before} KiB -> peak \
         {rss_peak} KiB; victim CPU {cpu:.2} s during the {FLOOD_SECS} s flood"
    );
    assert!(
        took.is_some(),
        "the new peer did not complete its handshake by its first retry ({FIRST_RETRY:?} + \
         {SLACK:?}); {report}\n{}",
        w.n.show("dump")
    );
    assert!(
        rss_peak <= rss_before + RSS_GROWTH_KIB,
        "victim RSS grew from {rss_before} KiB to {rss_peak} KiB; {report}"
    );
    let log_lines = w.v.log_text().lines().count() - log_before;
    assert!(
        log_lines <= LOG_LINES,
        "the victim logged {log_lines} lines during the flood:\n{}",
        w.v.log_text()
    );
    // Under load sticks for a second after the last excess; then initiations are processed
    // again (and an unknown key's is dropped without an answer).
    std::thread::sleep(Duration::from_millis(1_200));
    let reply = probe(&w.lan, &w.vk);
    assert_eq!(reply, "none", "the victim is still under load");
    wait_ping(&w.l_ns.name, TUN_V, Duration::from_secs(5));
    wait_ping(&w.n_ns.name, TUN_V, Duration::from_secs(5));
    assert!(w.v.alive() && w.l.alive());
}

/// `end.sum_received.bits_per_second` of iperf3's JSON report: the receiver's rate.
fn received_rate(json: &str) -> Option<f64> {
    let report: serde_json::Value = serde_json::from_str(json).ok()?;
    report["end"]["sum_received"]["bits_per_second"].as_f64()
}

/// TCP throughput from the legitimate peer to the victim through the tunnel, bits/s.
fn throughput(server_ns: &str, client_ns: &str, secs: u32) -> f64 {
    let server = iperf_server(server_ns, TUN_V);
    let client = crate::traffic::iperf_client(client_ns, TUN_V, u64::from(secs), &[], 20).run();
    drop(server);
    let rate = received_rate(&client.stdout);
    assert!(client.success(), "iperf3 failed: {client}");
    rate.unwrap_or_else(|| panic!("no receiver rate in iperf3's report: {client}"))
}

/// iperf3 runs per condition, and seconds per run. Each condition's figure is its best run:
/// other processes on a shared 2-CPU machine take CPU time from either sample at random, and
/// with one run each the ratio swung from 38 to 112 % (see the test); the best of two is the
/// closest to what the tunnel can do in that condition.
const SAMPLES: usize = 2;
const SAMPLE_SECS: u32 = 3;
/// Flood length: 0.5 s lead, then the loaded samples (3 s of transfer plus about 0.6 s of
/// iperf3 setup each), with room to spare.
const THROUGHPUT_FLOOD_SECS: f64 = 8.5;

/// The best of [`SAMPLES`] runs of [`throughput`], with every run's figure for the report.
fn best_throughput(w: &World) -> (f64, Vec<f64>) {
    let runs: Vec<f64> = (0..SAMPLES)
        .map(|_| throughput(&w.v_ns.name, &w.l_ns.name, SAMPLE_SECS))
        .collect();
    (runs.iter().copied().fold(0.0, f64::max), runs)
}

/// The best throughput while a flood aimed at `aim` runs, and every run's figure. The
/// attacker must hold 95 % of [`RATE`].
fn flooded_throughput(w: &World, aim: Aim) -> (f64, Vec<f64>, String) {
    let attacker = flood(&w.lan, &w.vk, THROUGHPUT_FLOOD_SECS, aim);
    std::thread::sleep(Duration::from_millis(500));
    let (best, runs) = best_throughput(w);
    let out = attacker.finish();
    let report = match aim {
        Aim::Victim => check_flood(&out, RATE as f64 * 0.95),
        Aim::ClosedPort => check_rate(&out, RATE as f64 * 0.95),
    };
    (best, runs, report)
}

fn mbit(runs: &[f64]) -> Vec<String> {
    runs.iter().map(|r| format!("{:.0}", r / 1e6)).collect()
}

#[test]
fn ferrotund_handshake_flood_keeps_tunnel_throughput() {
    if !root() {
        return;
    }
    let _heavy = heavy();
    let w = World::new();
    let (unloaded, unloaded_runs) = best_throughput(&w);
    let (ceiling, ceiling_runs, ceiling_report) = flooded_throughput(&w, Aim::ClosedPort);
    let (loaded, loaded_runs, report) = flooded_throughput(&w, Aim::Victim);
    let ratio = loaded / ceiling;
    eprintln!(
        "throughput unloaded {:.0} Mbit/s (runs {:?}); the same flood at a closed port \
         {:.0} Mbit/s (runs {:?}, {:.1} % of unloaded; {ceiling_report}); at ferrotund \
         {:.0} Mbit/s (runs {:?}, {:.1} % of unloaded): {:.1} % of the ceiling; {report}",
        unloaded / 1e6,
        mbit(&unloaded_runs),
        ceiling / 1e6,
        mbit(&ceiling_runs),
        100.0 * ceiling / unloaded,
        loaded / 1e6,
        mbit(&loaded_runs),
        100.0 * loaded / unloaded,
        ratio * 100.0
    );
    // Why against the closed-port ceiling and not the unloaded figure: on 2 CPUs the
    // attacker's own process takes CPU from the tunnel whatever the victim does, and how
    // much depends on the machine (BENCHMARKS.md, "The flood gate").
    assert!(
        ratio >= MIN_RATIO,
        "under a {RATE}/s handshake flood the tunnel kept {:.1} % of the throughput it keeps \
         under the same flood at a closed port ({:.0} of {:.0} Mbit/s); the floor is {:.0} %; \
         {report}",
        ratio * 100.0,
        loaded / 1e6,
        ceiling / 1e6,
        MIN_RATIO * 100.0
    );
}

/// Share of the ceiling (the throughput under the same flood aimed at a closed port) a
/// tunnel flooded at its WireGuard port must keep: under the low end of the measured spread
/// (BENCHMARKS.md, "The flood gate").
const MIN_RATIO: f64 = 0.50;
