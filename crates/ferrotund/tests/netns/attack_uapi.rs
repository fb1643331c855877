//! UAPI abuse (issue #6), straight on the daemon's Unix socket: random bytes, 10 MB lines,
//! unknown keys, invalid keys and addresses, requests that are invalid only at their end,
//! half-written requests, 100 concurrent clients, and clients that connect and then idle.
//! Each hostile request gets a negative errno or a closed connection; the daemon keeps
//! serving everyone else meanwhile, lets go of every connection's thread, and its
//! configuration (`wg showconf`) stays byte for byte what it was.

use crate::cmd::{root, wait_until, TempDir};
use crate::daemon::{Daemon, Impl};
use crate::netns::Netns;
use crate::wg::{IfConf, Keypair, PeerConf};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

/// What the daemon did with a request.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// `errno=N` (the reply's last line).
    Errno(i32),
    /// The connection closed without a reply.
    Closed,
    /// No reply and no close within the deadline.
    Silent,
}

/// Sends `request` (from a second thread, so a daemon that stops reading cannot block us),
/// then reads until the reply's blank line or the end of the stream.
fn exchange(path: &Path, request: Vec<u8>) -> Verdict {
    let stream = UnixStream::connect(path).expect("connect to the UAPI socket");
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
    let mut writer = stream.try_clone().expect("clone stream");
    let sending = std::thread::spawn(move || {
        // The daemon may close before reading everything: EPIPE is an answer too.
        let _ = writer.write_all(&request);
    });
    let verdict = read_reply(&stream);
    drop(stream);
    let _ = sending.join();
    verdict
}

fn read_reply(mut stream: &UnixStream) -> Verdict {
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                reply.extend_from_slice(&buf[..n]);
                if reply.ends_with(b"\n\n") {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(_) => return Verdict::Silent,
        }
    }
    let text = String::from_utf8_lossy(&reply);
    match text.trim_end().lines().last() {
        None => Verdict::Closed,
        Some(line) => Verdict::Errno(
            line.strip_prefix("errno=")
                .and_then(|n| n.parse().ok())
                .unwrap_or(i32::MAX),
        ),
    }
}

fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Requests of 10 MB and more: over-long lines in every position, and random bytes.
fn huge_requests() -> Vec<(&'static str, Vec<u8>)> {
    let big = 10 * 1024 * 1024;
    let mut huge_set = b"set=1\nlisten_port=".to_vec();
    huge_set.extend(std::iter::repeat_n(b'7', big));
    huge_set.extend_from_slice(b"\n\n");
    let mut huge_op = vec![b's'; big];
    huge_op.extend_from_slice(b"\n\n");
    let mut huge_get = b"get=1\n".to_vec();
    huge_get.extend(random_bytes(big, 3));
    let mut random_set = b"set=1\n".to_vec();
    random_set.extend(random_bytes(100_000, 5));
    random_set.extend_from_slice(b"\n\n");
    vec![
        ("random bytes", random_bytes(4096, 1)),
        ("random set body", random_set),
        ("10 MB set line", huge_set),
        ("10 MB first line", huge_op),
        ("get followed by 10 MB", huge_get),
    ]
}

/// The hostile requests: (what, bytes). `peer` is a configured peer's key in hex.
fn cases(peer: &str) -> Vec<(&'static str, Vec<u8>)> {
    let new_key = hex(&random_bytes(32, 7));
    let text = |s: String| s.into_bytes();
    let mut cases = huge_requests();
    cases.extend([
        ("unknown key", text("set=1\nno_such_key=1\n\n".into())),
        ("unknown operation", text("frobnicate=1\n\n".into())),
        (
            "bad private key",
            text(format!("set=1\nprivate_key={}\n\n", "zz".repeat(32))),
        ),
        (
            "short public key",
            text(format!("set=1\npublic_key={}\n\n", &peer[..62])),
        ),
        (
            "NUL in a key",
            text(format!("set=1\npublic\0_key={peer}\n\n")),
        ),
        (
            "bad listen port",
            text("set=1\nlisten_port=99999\n\n".into()),
        ),
        ("bad fwmark", text("set=1\nfwmark=banana\n\n".into())),
        (
            "bad endpoint",
            text(format!("set=1\npublic_key={peer}\nendpoint=nowhere\n\n")),
        ),
        (
            "bad allowed IP",
            text(format!(
                "set=1\npublic_key={peer}\nallowed_ip=300.1.2.3/33\n\n"
            )),
        ),
        (
            "bad keepalive",
            text(format!(
                "set=1\npublic_key={peer}\npersistent_keepalive_interval=-1\n\n"
            )),
        ),
        ("not UTF-8", b"set=1\nlisten_port=\xff\xfe\n\n".to_vec()),
        // Valid changes first, an invalid line last: nothing may be applied.
        (
            "invalid at the end",
            text(format!(
                "set=1\nlisten_port=40001\nfwmark=9\nreplace_peers=true\npublic_key={new_key}\n\
                 allowed_ip=10.9.9.9/32\npublic_key={peer}\nremove=true\nprivate_key={new_key}\n\n"
            )),
        ),
    ]);
    cases
}

/// Requests cut off before their blank line: the daemon must apply none of them.
fn half_written(peer: &str) -> Vec<Vec<u8>> {
    let new_key = hex(&random_bytes(32, 9));
    vec![
        format!("set=1\nprivate_key={new_key}\nlisten_port=40002\n").into_bytes(),
        format!("set=1\npublic_key={peer}\nremove=true\n").into_bytes(),
        b"set=1\nreplace_peers=tr".to_vec(),
        b"get=1\n".to_vec(),
    ]
}

fn threads(d: &Daemon) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", d.pid)).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// A daemon with a private key, port, fwmark and three peers (one with a PSK), link down.
fn configured(ns: &Netns, dir: &TempDir) -> (Daemon, String) {
    let d = Daemon::start(ns, Impl::Ferrotund, "u");
    let peers = (0..3)
        .map(|i| PeerConf {
            psk: (i == 0).then(crate::wg::genpsk),
            endpoint: Some(format!("127.0.0.1:{}", 40_100 + i)),
            keepalive: (i == 1).then_some(25),
            ..PeerConf::new(&Keypair::generate().public, &[&format!("10.88.{i}.0/24")])
        })
        .collect();
    let conf = IfConf {
        private: Some(Keypair::generate().private),
        port: Some(40_000),
        fwmark: Some("0x42".into()),
        peers,
        ..IfConf::default()
    };
    d.setconf(dir, &conf);
    // A configured peer's key in hex, from the daemon's own `get` reply.
    let mut get = UnixStream::connect(d.socket()).expect("connect");
    get.set_read_timeout(Some(Duration::from_secs(5))).ok();
    get.write_all(b"get=1\n\n").expect("write");
    // The daemon keeps the connection open for another request: read up to the blank line.
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    while !reply.ends_with(b"\n\n") {
        match get.read(&mut buf) {
            Ok(n) if n > 0 => reply.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    let reply = String::from_utf8_lossy(&reply);
    let peer = reply
        .lines()
        .find_map(|l| l.strip_prefix("public_key="))
        .unwrap_or_else(|| panic!("no peer in the get reply: {reply}"))
        .to_string();
    (d, peer)
}

#[test]
fn ferrotund_uapi_survives_abuse_and_keeps_its_configuration() {
    if !root() {
        return;
    }
    let dir = TempDir::new();
    let ns = Netns::new("u");
    let (d, peer) = configured(&ns, &dir);
    let conf = d.wg(&["showconf", "IF"]).ok().stdout;
    let threads_before = threads(&d);
    let path = d.socket();
    let mut seen = Vec::new();
    for (what, request) in cases(&peer) {
        let verdict = exchange(&path, request);
        seen.push(format!("{what}: {verdict:?}"));
        assert!(
            matches!(verdict, Verdict::Closed | Verdict::Errno(i32::MIN..=-1)),
            "{what}: {verdict:?}"
        );
    }
    eprintln!("uapi verdicts: {}", seen.join("; "));
    for request in half_written(&peer) {
        let stream = UnixStream::connect(&path).expect("connect");
        (&stream).write_all(&request).expect("write");
        // Gone without the blank line.
    }
    concurrent_clients(&path, &peer);
    idle_clients(&d);
    assert!(d.alive(), "the daemon died:\n{}", d.log_text());
    assert_eq!(
        d.wg(&["showconf", "IF"]).ok().stdout,
        conf,
        "the configuration changed"
    );
    // Every connection's thread ends with its connection.
    wait_until(
        "the connection threads to end",
        Duration::from_secs(5),
        || {
            let now = threads(&d);
            (now <= threads_before)
                .then_some(())
                .ok_or(format!("{now} > {threads_before}"))
        },
    );
}

/// 100 clients at once: 64 ask `get`, 36 send hostile requests; every `get` is answered.
fn concurrent_clients(path: &Path, peer: &str) {
    let hostile = cases(peer);
    let started = Instant::now();
    std::thread::scope(|s| {
        let gets: Vec<_> = (0..64)
            .map(|_| s.spawn(|| exchange(path, b"get=1\n\n".to_vec())))
            .collect();
        let bad: Vec<_> = hostile
            .iter()
            .cycle()
            .take(36)
            .map(|(what, req)| (what, s.spawn(|| exchange(path, req.clone()))))
            .collect();
        for g in gets {
            assert_eq!(g.join().expect("client thread"), Verdict::Errno(0));
        }
        for (what, b) in bad {
            let verdict = b.join().expect("client thread");
            assert!(
                matches!(verdict, Verdict::Closed | Verdict::Errno(i32::MIN..=-1)),
                "concurrent {what}: {verdict:?}"
            );
        }
    });
    eprintln!(
        "uapi: 100 concurrent clients served in {:.2?}",
        started.elapsed()
    );
}

/// Clients that connect and never finish: others are served while they idle.
fn idle_clients(d: &Daemon) {
    let path = d.socket();
    let idle: Vec<UnixStream> = (0..32)
        .map(|i| {
            let s = UnixStream::connect(&path).expect("connect");
            if i % 2 == 1 {
                // Half of them stop in the middle of a line.
                (&s).write_all(b"set=1\nlisten_po").expect("write");
            }
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let show = d.wg(&["show", "IF"]);
    assert!(show.success(), "wg show while 32 clients idle: {show}");
    assert_eq!(exchange(&path, b"get=1\n\n".to_vec()), Verdict::Errno(0));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "serving took {:.1?} while clients idled",
        started.elapsed()
    );
    drop(idle);
}

/// Starts ferrotund in `ns` under `wrapper…` (e.g. prlimit, setpriv), the way
/// [`Daemon::start`] does otherwise.
pub fn start_wrapped(ns: &Netns, dir: &TempDir, wrapper: &[&str], tag: &str) -> Daemon {
    let ifname = crate::cmd::unique(tag);
    let log = dir.path.join(format!("{ifname}.log"));
    let bin = Impl::Ferrotund.bin();
    let mut argv: Vec<&str> = wrapper.to_vec();
    argv.extend([bin.as_str(), ifname.as_str()]);
    let out = ns
        .cmd(&argv)
        .env("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1")
        .env("LOG_LEVEL", &crate::daemon::log_level())
        .timeout(Duration::from_secs(10))
        .log_to(&log)
        .run();
    if !out.success() {
        let _socket = crate::daemon::SocketGuard(ifname);
        panic!("starting ferrotund under {wrapper:?}: {out}");
    }
    Daemon::adopt(ns, Impl::Ferrotund, &ifname, &log)
}

#[test]
fn ferrotund_uapi_out_of_descriptors_backs_off_and_recovers() {
    if !root() {
        return;
    }
    let dir = TempDir::new();
    let ns = Netns::new("f");
    let d = start_wrapped(&ns, &dir, &["prlimit", "--nofile=64:64", "--"], "f");
    // More idle clients than the daemon has descriptors.
    let idle: Vec<UnixStream> = (0..100)
        .map(|_| UnixStream::connect(d.socket()).expect("connect"))
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let cpu = crate::attack_net::cpu_secs(&d);
    std::thread::sleep(Duration::from_secs(2));
    let spent = crate::attack_net::cpu_secs(&d) - cpu;
    drop(idle);
    let started = Instant::now();
    let show = d.wg(&["show", "IF"]);
    eprintln!(
        "uapi out of descriptors: {spent:.2} s of CPU in 2 s; served again {:.2?} after the \
         idle clients left",
        started.elapsed()
    );
    assert!(
        spent < 0.2,
        "the daemon burnt {spent:.2} s of CPU in 2 s while out of descriptors"
    );
    assert!(show.success(), "{show}");
}
