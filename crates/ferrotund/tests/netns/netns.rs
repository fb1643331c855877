//! Network namespaces as guards, the veth underlay between two of them, and process helpers
//! (everything is found and killed by PID, never by name).

use crate::cmd::{unique, wait_until, Cmd, Out};
use std::sync::Mutex;
use std::time::Duration;

/// `ip netns add/del` race when several run at once (the shared `/run/netns` mount).
static NETNS_LOCK: Mutex<()> = Mutex::new(());

/// A network namespace with `lo` up. Dropping it kills every process inside (SIGTERM, then
/// SIGKILL after 2 s) and deletes it, which also deletes the interfaces left in it.
pub struct Netns {
    pub name: String,
}

impl Netns {
    pub fn new(tag: &str) -> Netns {
        let name = format!("ftn-{}", unique(tag));
        {
            let _lock = NETNS_LOCK.lock().unwrap_or_else(|e| e.into_inner());
            Cmd::new(&["ip", "netns", "add", &name]).run().ok();
        }
        let ns = Netns { name };
        ns.ip(&["link", "set", "lo", "up"]);
        ns
    }

    /// `ip netns exec NAME argv…`, not yet run.
    pub fn cmd<S: AsRef<str>>(&self, argv: &[S]) -> Cmd {
        Cmd::netns(&self.name, argv)
    }

    /// Runs `argv` inside the namespace and returns what happened (success or not).
    pub fn run<S: AsRef<str>>(&self, argv: &[S]) -> Out {
        self.cmd(argv).run()
    }

    /// `ip -n NAME args…`, which must succeed.
    #[track_caller]
    pub fn ip(&self, args: &[&str]) -> Out {
        self.try_ip(args).ok()
    }

    /// `ip -n NAME args…`, success or not.
    pub fn try_ip(&self, args: &[&str]) -> Out {
        let mut argv = vec!["ip", "-n", &self.name];
        argv.extend_from_slice(args);
        Cmd::new(&argv).run()
    }

    /// Whether interface `ifname` exists in this namespace.
    pub fn has_link(&self, ifname: &str) -> bool {
        self.try_ip(&["link", "show", "dev", ifname]).success()
    }

    /// PIDs of the processes in this namespace.
    pub fn pids(&self) -> Vec<u32> {
        netns_pids(&self.name)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let pids = self.pids();
        for &pid in &pids {
            signal(pid, "TERM");
        }
        let start = std::time::Instant::now();
        while pids.iter().any(|&p| pid_alive(p)) && start.elapsed() < Duration::from_secs(2) {
            std::thread::sleep(Duration::from_millis(20));
        }
        for pid in netns_pids(&self.name) {
            signal(pid, "KILL");
        }
        let _lock = NETNS_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let out = Cmd::new(&["ip", "netns", "del", &self.name]).run();
        if !out.success() {
            eprintln!("cleanup: {out}");
        }
    }
}

pub fn netns_pids(ns: &str) -> Vec<u32> {
    let out = Cmd::new(&["ip", "netns", "pids", ns]).run();
    out.stdout
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Sends SIGname to `pid` with kill(1).
pub fn signal(pid: u32, name: &str) {
    let _ = Cmd::new(&["kill", &format!("-{name}"), &pid.to_string()]).run();
}

/// Whether `pid` is a live (not zombie) process. Daemons are re-parented to PID 1, which
/// may reap late, so a zombie counts as gone.
pub fn pid_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name, which may itself contain ')'.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X'])),
        Err(_) => false,
    }
}

/// The argument list of `pid`, or empty if it is gone.
pub fn cmdline(pid: u32) -> Vec<String> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    raw.split(|&b| b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

/// Live processes in `ns` whose last argument is `ifname` (daemons are started as
/// `BIN IFNAME`, and both wireguard-go and ferrotund re-execute themselves that way).
pub fn daemon_pids(ns: &str, ifname: &str) -> Vec<u32> {
    netns_pids(ns)
        .into_iter()
        .filter(|&p| pid_alive(p) && cmdline(p).last().is_some_and(|a| a == ifname))
        .collect()
}

/// Fixed underlay addresses; every test has its own namespaces, so they never clash.
pub const A4: &str = "192.168.241.1";
pub const B4: &str = "192.168.241.2";
pub const A6: &str = "fd00:241::1";
pub const B6: &str = "fd00:241::2";

/// Two namespaces joined by a veth pair carrying IPv4 and IPv6 (`nodad`):
/// A = 192.168.241.1 / fd00:241::1 on `veth_a`, B = .2 / ::2.
pub struct Underlay {
    pub a: Netns,
    pub b: Netns,
    pub veth_a: String,
}

impl Underlay {
    pub fn new() -> Underlay {
        let a = Netns::new("a");
        let b = Netns::new("b");
        let veth_a = unique("va");
        let veth_b = unique("vb");
        Cmd::new(&[
            "ip", "link", "add", &veth_a, "netns", &a.name, "type", "veth", "peer", "name",
            &veth_b, "netns", &b.name,
        ])
        .run()
        .ok();
        for (ns, dev, v4, v6) in [(&a, &veth_a, A4, A6), (&b, &veth_b, B4, B6)] {
            ns.ip(&["addr", "add", &format!("{v4}/24"), "dev", dev]);
            ns.ip(&["addr", "add", &format!("{v6}/64"), "dev", dev, "nodad"]);
            ns.ip(&["link", "set", dev, "up"]);
        }
        let u = Underlay { a, b, veth_a };
        for dst in [B4, B6] {
            wait_until(
                &format!("underlay ping {dst}"),
                Duration::from_secs(10),
                || {
                    let out = u.a.run(&["ping", "-c1", "-W1", dst]);
                    if out.success() {
                        Ok(())
                    } else {
                        Err(out.to_string())
                    }
                },
            );
        }
        u
    }
}
