//! Helper processes that must run inside a namespace: a numbered UDP stream (`send`), a
//! receiver that counts what arrives (`sink`: duplicates, reordering, gaps), and an impairing
//! UDP relay (`relay`: loss and reordering by delay, the tests' one way to impair a path, as
//! the kernels they run on have no `sch_netem`).
//!
//! The test binary itself is the helper: [`helper`] runs `ip netns exec NS <this binary>
//! --exact --ignored seqstream::netns_helper_process` with the role in
//! `FERROTUN_NETNS_HELPER`, and that "test" does the work and prints one
//! `seqstream-result key=value…` line. It is ignored in a normal run, where it would have
//! nothing to do and pass without checking anything; run without the variable, it fails.

use crate::cmd::{wait_until, Bg, Cmd};
use std::collections::{HashMap, HashSet};
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

const VAR: &str = "FERROTUN_NETNS_HELPER";
const RESULT: &str = "seqstream-result";
const DATA: &[u8; 8] = b"FTSEQ001";
const STOP: &[u8; 8] = b"FTSTOP01";

/// `<this test binary> --exact --ignored seqstream::netns_helper_process` in `ns`, with `args`
/// (`role key=value…`) for the helper.
pub fn helper(ns: &str, args: &[&str], timeout: Duration) -> Cmd {
    let exe = std::env::current_exe().expect("test binary path");
    let exe = exe.to_string_lossy();
    let argv = [
        exe.as_ref(),
        "--exact",
        "--ignored",
        "seqstream::netns_helper_process",
        "--nocapture",
        "--test-threads=1",
    ];
    Cmd::netns(ns, &argv)
        .env(VAR, &args.join(" "))
        .timeout(timeout)
}

/// The `key=value` fields of a helper's result line; panics with the record if it failed.
#[track_caller]
pub fn result(out: &crate::cmd::Out) -> HashMap<String, u64> {
    // libtest has printed `test … ... ` on the same line before the helper's output.
    let line = out
        .stdout
        .lines()
        .find_map(|l| l.find(RESULT).map(|i| &l[i..]));
    let Some(line) = line.filter(|_| out.success()) else {
        panic!("helper failed: {out}");
    };
    line.split_whitespace()
        .filter_map(|f| f.split_once('='))
        .filter_map(|(k, v)| Some((k.to_string(), v.parse().ok()?)))
        .collect()
}

/// A `sink` listening on `bind` in `ns` (until a `send` stops it, or `secs`).
pub fn start_sink(ns: &str, bind: &str, secs: u64) -> Bg {
    let args = ["sink", &format!("bind={bind}"), &format!("secs={secs}")];
    let bg = helper(ns, &args, Duration::from_secs(secs + 10)).spawn();
    wait_listening(ns, bind);
    bg
}

/// Waits until something listens on UDP `bind` in `ns`.
pub fn wait_listening(ns: &str, bind: &str) {
    let port = bind.rsplit_once(':').map_or(bind, |(_, p)| p).to_string();
    wait_until(
        &format!("UDP {bind} in {ns}"),
        Duration::from_secs(10),
        || {
            let out = Cmd::netns(ns, &["ss", "-Hlun", "sport", "=", &format!(":{port}")]).run();
            (!out.stdout.trim().is_empty())
                .then_some(())
                .ok_or(out.to_string())
        },
    );
}

/// Runs the helper role from the environment.
#[test]
#[ignore = "a helper process, run by helper() inside a namespace"]
fn netns_helper_process() {
    let spec = std::env::var(VAR).unwrap_or_else(|_| panic!("{VAR} names no helper role"));
    let mut words = spec.split_whitespace();
    let role = words.next().unwrap_or_default();
    let args: HashMap<&str, &str> = words.filter_map(|w| w.split_once('=')).collect();
    let arg = |k: &str| *args.get(k).unwrap_or_else(|| panic!("helper needs {k}="));
    let num = |k: &str| {
        arg(k)
            .parse::<u64>()
            .unwrap_or_else(|_| panic!("{k} is a number"))
    };
    let line = match role {
        "send" => send(arg("to"), num("count"), num("pps"), num("size")),
        "sink" => sink(arg("bind"), Duration::from_secs(num("secs"))),
        "relay" => crate::relay::run(&args),
        _ => panic!("unknown helper role {role:?}"),
    };
    println!("{RESULT} {line}");
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap_or_else(|_| panic!("bad address {s:?}"))
}

/// Sends `count` numbered datagrams of `size` bytes (at least 16) to `to` at `pps`, then a
/// few stop datagrams.
fn send(to: &str, count: u64, pps: u64, size: u64) -> String {
    let to = addr(to);
    let bind = if to.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
    let socket = UdpSocket::bind(bind).expect("bind");
    let start = Instant::now();
    let mut packet = vec![0u8; usize::try_from(size).unwrap_or(16).clamp(16, 1400)];
    packet[..8].copy_from_slice(DATA);
    let mut errors = 0u64;
    for seq in 0..count {
        let due = start + Duration::from_secs_f64(seq as f64 / pps.max(1) as f64);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        packet[8..16].copy_from_slice(&seq.to_le_bytes());
        if socket.send_to(&packet, to).is_err() {
            errors += 1;
        }
    }
    // Late packets (reordered by a relay) must still reach the sink before it stops.
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..5 {
        let _ = socket.send_to(STOP, to);
        std::thread::sleep(Duration::from_millis(20));
    }
    let ms = start.elapsed().as_millis();
    format!("sent={count} send_errors={errors} ms={ms}")
}

/// Counts numbered datagrams until a stop datagram or `limit`.
fn sink(bind: &str, limit: Duration) -> String {
    let socket = UdpSocket::bind(addr(bind)).expect("bind");
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    let start = Instant::now();
    let mut seen = HashSet::new();
    let (mut received, mut duplicates, mut reordered) = (0u64, 0u64, 0u64);
    let mut max: Option<u64> = None;
    let mut buf = [0u8; 2048];
    while start.elapsed() < limit {
        let Ok(n) = socket.recv(&mut buf) else {
            continue;
        };
        if n >= 8 && &buf[..8] == STOP {
            break;
        }
        if n < 16 || &buf[..8] != DATA {
            continue;
        }
        let seq = u64::from_le_bytes(buf[8..16].try_into().expect("8 bytes"));
        received += 1;
        if !seen.insert(seq) {
            duplicates += 1;
        } else if max.is_some_and(|m| seq < m) {
            reordered += 1;
        }
        max = max.max(Some(seq));
    }
    let unique = seen.len();
    let highest = max.map_or(0, |m| m + 1);
    format!(
        "received={received} unique={unique} duplicates={duplicates} reordered={reordered} \
         highest={highest}"
    )
}
