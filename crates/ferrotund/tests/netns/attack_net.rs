//! The attack tests' world: a LAN (a bridge inside the attacker's namespace, so the attacker
//! sees every frame as an on-path attacker would), hosts joined to it by veth pairs, a
//! ferrotund victim with ListenPort 51820, its peers, and the attack tool
//! (`ferrotun-attack`, crates/attack) run inside the namespaces.
//!
//! Addresses: LAN 192.168.243.0/24, tunnel 10.77.0.0/24 (victim .1 on both).

use crate::cmd::{wait_until, Cmd, Out, TempDir};
use crate::daemon::{Daemon, Impl};
use crate::netns::Netns;
use crate::wg::{IfConf, Keypair, PeerConf};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

pub const LAN_V: &str = "192.168.243.1";
pub const LAN_L: &str = "192.168.243.2";
pub const LAN_X: &str = "192.168.243.3";
pub const LAN_N: &str = "192.168.243.4";
pub const PORT: u16 = 51820;
pub const TUN_V: &str = "10.77.0.1";
pub const TUN_L: &str = "10.77.0.2";
pub const TUN_X: &str = "10.77.0.3";
pub const TUN_N: &str = "10.77.0.4";
/// Inner UDP port of the victim's datagram counter (`ferrotun-attack sink`).
pub const SINK_PORT: u16 = 7000;

/// Held by the attack tests that load the machine (floods, garbage at full rate), so they
/// never run at the same time: on 2 cores, two floods halve each other's rate.
static HEAVY: Mutex<()> = Mutex::new(());

/// Waits until no other heavy attack test runs.
pub fn heavy() -> MutexGuard<'static, ()> {
    HEAVY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `IP:PORT` of the victim's WireGuard socket.
pub fn victim_addr() -> String {
    format!("{LAN_V}:{PORT}")
}

/// The attacker's namespace, which holds the LAN bridge `br0` (address `LAN_X`).
pub struct Lan {
    pub x: Netns,
}

impl Lan {
    pub fn new() -> Lan {
        let x = Netns::new("x");
        x.ip(&["link", "add", "br0", "type", "bridge"]);
        x.ip(&["addr", "add", &format!("{LAN_X}/24"), "dev", "br0"]);
        x.ip(&["link", "set", "br0", "up"]);
        Lan { x }
    }

    /// A new namespace on the LAN with address `ip`; reachable from the attacker when this
    /// returns.
    pub fn host(&self, tag: &str, ip: &str) -> Netns {
        let ns = Netns::new(tag);
        let (inside, port) = (crate::cmd::unique("h"), crate::cmd::unique("p"));
        Cmd::new(&[
            "ip",
            "link",
            "add",
            &inside,
            "netns",
            &ns.name,
            "type",
            "veth",
            "peer",
            "name",
            &port,
            "netns",
            &self.x.name,
        ])
        .run()
        .ok();
        self.x.ip(&["link", "set", &port, "master", "br0", "up"]);
        ns.ip(&["addr", "add", &format!("{ip}/24"), "dev", &inside]);
        ns.ip(&["link", "set", &inside, "up"]);
        wait_until("LAN ping", Duration::from_secs(10), || {
            let out = self.x.run(&["ping", "-c1", "-W1", ip]);
            out.success().then_some(()).ok_or_else(|| out.to_string())
        });
        ns
    }
}

/// Starts ferrotund in `ns`, configures it, and brings the interface up with `tun_ip/24`.
pub fn daemon(ns: &Netns, dir: &TempDir, tag: &str, conf: &IfConf, tun_ip: &str) -> Daemon {
    let d = Daemon::start(ns, Impl::Ferrotund, tag);
    d.setconf(dir, conf);
    ns.ip(&["addr", "add", &format!("{tun_ip}/24"), "dev", &d.ifname]);
    ns.ip(&["link", "set", &d.ifname, "up"]);
    d
}

/// The victim's configuration: its key, port 51820, `peers`.
pub fn victim_conf(keys: &Keypair, peers: Vec<PeerConf>) -> IfConf {
    IfConf {
        private: Some(keys.private.clone()),
        port: Some(PORT),
        peers,
        ..IfConf::default()
    }
}

/// A client of the victim: endpoint `LAN_V:51820`, the whole tunnel subnet routed to it.
pub fn client_conf(keys: &Keypair, victim: &Keypair) -> IfConf {
    IfConf {
        private: Some(keys.private.clone()),
        peers: vec![PeerConf {
            endpoint: Some(victim_addr()),
            ..PeerConf::new(&victim.public, &["10.77.0.0/24"])
        }],
        ..IfConf::default()
    }
}

/// The attack tool next to the daemon binary (`cargo build --release -p ferrotun-attack`),
/// or `$FERROTUN_ATTACK`.
pub fn attack_bin() -> String {
    if let Ok(path) = std::env::var("FERROTUN_ATTACK") {
        return path;
    }
    let path = Path::new(&Impl::Ferrotund.bin()).with_file_name("ferrotun-attack");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build --release -p ferrotun-attack` \
         (or set FERROTUN_ATTACK)",
        path.display()
    );
    path.to_string_lossy().into_owned()
}

/// `ferrotun-attack MODE ARGS…` in `ns`, not yet run.
pub fn attack(ns: &Netns, mode: &str, args: &[&str]) -> Cmd {
    let bin = attack_bin();
    let mut argv = vec![bin.as_str(), mode];
    argv.extend_from_slice(args);
    ns.cmd(&argv).timeout(Duration::from_secs(30))
}

/// The `key=value` fields of the tool's summary line; panics with the record on failure.
#[track_caller]
pub fn summary(out: &Out) -> HashMap<String, String> {
    assert!(out.success(), "ferrotun-attack failed: {out}");
    let line = out.stdout.lines().last().unwrap_or_default();
    line.split_whitespace()
        .filter_map(|f| f.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A numeric summary field.
#[track_caller]
pub fn num(fields: &HashMap<String, String>, key: &str) -> f64 {
    fields
        .get(key)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no numeric {key} in {fields:?}"))
}

/// Packets the daemon wrote to its TUN interface, i.e. delivered (the kernel counts a TUN
/// write as a received packet).
pub fn delivered(d: &Daemon) -> u64 {
    let path = format!("/sys/class/net/{}/statistics/rx_packets", d.ifname);
    let out = Cmd::netns(&d.ns, &["cat", &path]).run().ok();
    out.stdout_trim()
        .parse()
        .unwrap_or_else(|_| panic!("bad {path}: {out}"))
}

/// UDP datagrams the kernel delivered to sockets in `ns` so far (`UdpInDatagrams`): proof
/// that attack traffic reached the victim's socket.
pub fn udp_in(ns: &Netns) -> u64 {
    let out = ns.cmd(&["nstat", "-asz", "UdpInDatagrams"]).run().ok();
    out.stdout
        .lines()
        .find_map(|l| l.strip_prefix("UdpInDatagrams"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no UdpInDatagrams in {out}"))
}

/// Resident memory of the daemon in KiB.
pub fn rss_kib(d: &Daemon) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", d.pid)).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// CPU time the daemon used so far (user plus system), in seconds.
pub fn cpu_secs(d: &Daemon) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", d.pid)).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // After the command name: state is field 3, utime 14 and stime 15 (1-based).
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    ticks as f64 / 100.0
}

/// A `sink` counting numbered datagrams to `bind` in `ns`; `stop` ends it and returns its
/// summary.
pub struct Sink {
    bg: crate::cmd::Bg,
    ns: String,
    bind: String,
}

impl Sink {
    pub fn start(ns: &Netns, bind: &str) -> Sink {
        let bg = attack(ns, "sink", &["--bind", bind, "--duration", "60"])
            .timeout(Duration::from_secs(70))
            .spawn();
        let port = bind.rsplit_once(':').map(|(_, p)| p).unwrap_or(bind);
        wait_until("the sink to listen", Duration::from_secs(5), || {
            let out = ns.run(&["ss", "-Hlun", "sport", "=", &format!(":{port}")]);
            (!out.stdout.trim().is_empty())
                .then_some(())
                .ok_or(out.stdout)
        });
        Sink {
            bg,
            ns: ns.name.clone(),
            bind: bind.to_string(),
        }
    }

    pub fn stop(self) -> HashMap<String, String> {
        let to = self.bind.replace("0.0.0.0", "127.0.0.1");
        Cmd::netns(
            &self.ns,
            &[attack_bin().as_str(), "send", "--to", &to, "--stop"],
        )
        .run()
        .ok();
        summary(&self.bg.finish())
    }
}

/// Per-source counts from a sink summary's `from=IP/N,…` field.
pub fn from_counts(fields: &HashMap<String, String>) -> HashMap<String, u64> {
    let from = fields.get("from").map(String::as_str).unwrap_or("-");
    from.split(',')
        .filter_map(|e| e.split_once('/'))
        .map(|(ip, n)| (ip.to_string(), n.parse().unwrap_or(0)))
        .collect()
}
