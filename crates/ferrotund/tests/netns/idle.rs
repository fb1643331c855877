//! An idle daemon sleeps: with 1,000 configured peers and no traffic none of its threads
//! wakes up, because timers are exact deadlines, not a tick (docs/compatibility.md IDLE-1). And it
//! starts and serves in a namespace where IPv6 is disabled.

use crate::cmd::{root, TempDir};
use crate::daemon::{Daemon, Impl};
use crate::netns::Netns;
use crate::wg::{IfConf, Keypair, PeerConf};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use std::time::Duration;

/// Voluntary plus involuntary context switches of the daemon's threads, except the UAPI ones:
/// other tests' `wg show` connect to every socket in the shared /var/run/wireguard, which
/// wakes the UAPI accept thread; that is not a timer tick.
fn context_switches(pid: u32) -> u64 {
    let mut total = 0;
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).expect("daemon alive");
    for task in tasks.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.starts_with("ferrotund-uapi") {
            continue;
        }
        let status = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
        for line in status.lines().filter(|l| l.contains("ctxt_switches")) {
            total += line
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    total
}

fn many_peers(n: u32) -> IfConf {
    let peers = (0..n)
        .map(|i| {
            let mut key = [0x42u8; 32];
            key[..4].copy_from_slice(&i.to_le_bytes());
            let allowed = format!("10.{}.{}.1/32", 100 + i / 256, i % 256);
            // Loopback endpoints inside the test's namespace: nothing is sent to them
            // anyway, and nothing could leave the namespace if it were.
            PeerConf {
                endpoint: Some(format!("127.0.0.{}:{}", 1 + i % 250, 20_000 + i)),
                // Made-up keys, so 1,000 peers need no `wg genkey`.
                ..PeerConf::new(&BASE64.encode(key), &[allowed.as_str()])
            }
        })
        .collect();
    IfConf {
        private: Some(Keypair::generate().private),
        port: Some(51950),
        peers,
        ..IfConf::default()
    }
}

#[test]
fn ferrotund_idle_with_1000_peers_never_wakes_up() {
    if !root() {
        return;
    }
    let dir = TempDir::new();
    let ns = Netns::new("i");
    let d = Daemon::start(&ns, Impl::Ferrotund, "i");
    d.setconf(&dir, &many_peers(1000));
    assert_eq!(d.show("peers").lines().count(), 1000);
    std::thread::sleep(Duration::from_millis(500));
    let before = context_switches(d.pid);
    std::thread::sleep(Duration::from_secs(10));
    let woke = context_switches(d.pid) - before;
    eprintln!("idle: {woke} context switches in 10 s with 1,000 peers");
    assert!(
        woke <= 1,
        "an idle daemon woke up {woke} times in 10 s:\n{}",
        d.log_text()
    );
}

#[test]
fn ferrotund_starts_with_ipv6_disabled() {
    if !root() {
        return;
    }
    let dir = TempDir::new();
    let ns = Netns::new("6");
    for key in [
        "net.ipv6.conf.all.disable_ipv6=1",
        "net.ipv6.conf.default.disable_ipv6=1",
    ] {
        ns.run(&["sysctl", "-q", "-w", key]).ok();
    }
    let d = Daemon::start(&ns, Impl::Ferrotund, "6");
    d.setconf(&dir, &many_peers(3));
    assert_eq!(d.listen_port(), 51950, "{}", d.log_text());
    assert_eq!(d.show("peers").lines().count(), 3);
}
