//! What every root test needs: prerequisites, commands, namespaces that clean up after
//! themselves, a thread inside a namespace, and a normalised view of a namespace's state.
//!
//! Every name is unique per test process and tag; everything made is removed by
//! [`Sandbox`], also on failure: processes in the namespaces are killed by PID, then the
//! namespaces, sockets and files go. Only addresses inside the test's own namespaces are
//! used, so nothing leaves the machine.

use ferrotun_quick::cmd::Options;
use ferrotun_testkit::Need;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const PRIVATE: &str = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
pub const PEER: &str = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";

/// The daemon: `FERROTUND`, else `target/release/ferrotund`.
pub fn daemon() -> PathBuf {
    if let Some(path) = std::env::var_os("FERROTUND").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/ferrotund");
    path.canonicalize().unwrap_or(path)
}

pub fn options() -> Options {
    Options {
        daemon: daemon().display().to_string(),
        netns: None,
    }
}

/// Whether the root tests can run here: root, the stock `wg-quick` and `wg`, `ip` and `ping`
/// on `PATH`, and the release daemon. A missing one fails the test under
/// `FERROTUN_REQUIRE_ALL=1`, naming it, and is logged as a skip otherwise (ferrotun-testkit).
#[track_caller]
pub fn prerequisites() -> bool {
    let daemon = daemon();
    ferrotun_testkit::require(&[
        Need::Root,
        Need::Tool("wg-quick"),
        Need::Tool("wg"),
        Need::Tool("ip"),
        Need::Tool("ping"),
        Need::File {
            path: &daemon,
            hint: "cargo build --release -p ferrotund, or set FERROTUND",
        },
    ])
}

/// Returns from the test when [`prerequisites`] are missing.
macro_rules! require_root {
    () => {
        if !crate::harness::prerequisites() {
            return;
        }
    };
}
pub(crate) use require_root;

/// Runs a command that must succeed; its standard output.
pub fn sh(args: &[&str]) -> String {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .expect("spawn");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The real wg-quick (`up` or `down`) on `file` inside namespace `ns`, with our daemon as its
/// userspace implementation; it must succeed.
pub fn real_wg_quick(ns: &str, action: &str, file: &str) {
    let env = format!("WG_QUICK_USERSPACE_IMPLEMENTATION={}", options().daemon);
    sh(&[
        "ip", "netns", "exec", ns, "env", &env, "wg-quick", action, file,
    ]);
}

/// Runs a command inside namespace `ns`; whether it succeeded.
pub fn ns_ok(ns: &str, args: &[&str]) -> bool {
    Command::new("ip")
        .args(["netns", "exec", ns])
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Names and files of one test, removed in reverse on drop.
pub struct Sandbox {
    pub tag: String,
    pub namespaces: Vec<String>,
    pub interfaces: Vec<String>,
    pub dir: PathBuf,
}

impl Sandbox {
    /// A sandbox whose names carry `tag` (a short string, unique among the tests).
    pub fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("ftq-{}-{tag}", id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap();
        Sandbox {
            tag: tag.to_string(),
            namespaces: Vec::new(),
            interfaces: Vec::new(),
            dir,
        }
    }

    /// A namespace with `lo` up.
    pub fn namespace(&mut self, role: &str) -> String {
        let name = format!("ftq-{}-{}{role}", id(), self.tag);
        sh(&["ip", "netns", "add", &name]);
        self.namespaces.push(name.clone());
        sh(&["ip", "-n", &name, "link", "set", "lo", "up"]);
        name
    }

    /// An interface name (at most 15 bytes), cleaned up with its socket.
    pub fn interface(&mut self, role: &str) -> String {
        let name = format!("ftq{}{role}{}", self.tag, id());
        assert!(name.len() <= 15, "{name}");
        self.interfaces.push(name.clone());
        name
    }

    /// Writes `IFNAME.conf` (mode 0600) and returns its path.
    pub fn config(&self, interface: &str, text: &str) -> String {
        let path = self.dir.join(format!("{interface}.conf"));
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        path.display().to_string()
    }

    /// A veth pair between `a` and `b`, with `a_ip`/`b_ip` (`/24`), both up.
    pub fn veth(&mut self, (a, a_ip): (&str, &str), (b, b_ip): (&str, &str)) {
        let n = self.interfaces.len();
        let (va, vb) = (
            self.interface(&format!("v{n}")),
            self.interface(&format!("w{n}")),
        );
        sh(&[
            "ip", "link", "add", &va, "netns", a, "type", "veth", "peer", &vb, "netns", b,
        ]);
        for (ns, dev, ip) in [(a, &va, a_ip), (b, &vb, b_ip)] {
            sh(&[
                "ip",
                "-n",
                ns,
                "addr",
                "add",
                &format!("{ip}/24"),
                "dev",
                dev,
            ]);
            sh(&["ip", "-n", ns, "link", "set", dev, "up"]);
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for ns in &self.namespaces {
            let pids = Command::new("ip").args(["netns", "pids", ns]).output();
            for pid in pids
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default()
                .split_whitespace()
            {
                let _ = Command::new("kill").arg(pid).status();
            }
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
            let _ = std::fs::remove_dir_all(format!("/etc/netns/{ns}"));
        }
        for name in &self.interfaces {
            let _ = std::fs::remove_file(format!("/var/run/wireguard/{name}.sock"));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A short number unique to this test process.
pub fn id() -> u32 {
    std::process::id() % 100_000
}

/// Runs `f` with this thread in namespace `ns` (a fresh thread, so the test thread itself
/// never changes namespace).
pub fn in_namespace<T: Send>(ns: &str, f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let file = std::fs::File::open(format!("/var/run/netns/{ns}")).unwrap();
                nix::sched::setns(&file, nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
                f()
            })
            .join()
            .unwrap()
    })
}

/// The namespace's network state with `interface` replaced by `IF` and the automatic
/// link-local IPv6 entries dropped, sorted. The nftables ruleset is part of it: without `nft`
/// that part is a skip (ferrotun-testkit).
#[track_caller]
pub fn state(ns: &str, interface: &str) -> Vec<String> {
    let queries: [&[&str]; 7] = [
        &["-o", "-4", "addr", "show"],
        &["-o", "-6", "addr", "show"],
        &["-4", "route", "show", "table", "all"],
        &["-6", "route", "show", "table", "all"],
        &["-4", "rule", "show"],
        &["-6", "rule", "show"],
        &["-o", "link", "show"],
    ];
    let mut lines = Vec::new();
    for query in queries {
        let mut args = vec!["ip", "-n", ns];
        args.extend_from_slice(query);
        lines.extend(normalized(&sh(&args), interface));
    }
    if ferrotun_testkit::require_tool("nft") {
        let ruleset = sh(&["ip", "netns", "exec", ns, "nft", "list", "ruleset"]);
        lines.extend(
            ruleset
                .lines()
                .map(|l| format!("nft: {}", normalize_words(l, interface))),
        );
    }
    lines.sort();
    lines
}

/// `ip` output lines without the interface name, ifindexes, link-local noise and qdisc
/// details.
pub fn normalized(output: &str, interface: &str) -> Vec<String> {
    output
        .lines()
        .map(|line| line.replace(interface, "IF"))
        .filter(|line| !line.contains("fe80") && !line.contains("ff00::/8"))
        .map(|line| {
            let line = line
                .split_once(": ")
                .map_or(line.clone(), |(_, rest)| rest.to_string());
            line.split(" qdisc").next().unwrap_or("").trim().to_string()
        })
        .collect()
}

/// A ruleset line with the interface name replaced by `IF` and the random IPv6 link-local
/// address of the TUN device by `fe80::LL`.
pub fn normalize_words(line: &str, interface: &str) -> String {
    line.trim()
        .replace(interface, "IF")
        .split(' ')
        .map(|word| {
            if word.starts_with("fe80:") {
                "fe80::LL"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The state of one interface: its addresses, routes (all tables), MTU, the namespace's
/// rules, and `wg showconf` without the port (random unless the file sets one).
pub fn device_state(ns: &str, interface: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for query in [
        &["-o", "addr", "show", "dev", interface][..],
        &["-4", "route", "show", "table", "all", "dev", interface],
        &["-6", "route", "show", "table", "all", "dev", interface],
        &["-4", "rule", "show"],
        &["-6", "rule", "show"],
    ] {
        let mut args = vec!["ip", "-n", ns];
        args.extend_from_slice(query);
        lines.extend(normalized(&sh(&args), interface));
    }
    let link = sh(&["ip", "-n", ns, "-o", "link", "show", "dev", interface]);
    let mtu = link.split(" mtu ").nth(1).and_then(|r| r.split(' ').next());
    lines.push(format!("mtu {}", mtu.unwrap_or("?")));
    lines.sort();
    let conf = sh(&["wg", "showconf", interface]);
    lines.extend(
        conf.lines()
            .filter(|l| !l.starts_with("ListenPort"))
            .map(|l| format!("wg: {l}")),
    );
    lines
}

/// `wg show IF latest-handshakes` as (peer, seconds).
pub fn handshakes(interface: &str) -> Vec<(String, u64)> {
    sh(&["wg", "show", interface, "latest-handshakes"])
        .lines()
        .filter_map(|l| {
            let (peer, at) = l.split_once('\t')?;
            Some((peer.to_string(), at.trim().parse().ok()?))
        })
        .collect()
}

/// Pings `ip` from `ns` until a reply comes (at most `seconds`).
pub fn wait_ping(ns: &str, ip: &str, seconds: u32) -> bool {
    (0..seconds).any(|_| ns_ok(ns, &["ping", "-c", "1", "-W", "1", ip]))
}

/// Public key of a base64 private key (with the real `wg pubkey`).
pub fn pubkey(private: &str) -> String {
    use std::io::Write as _;
    let mut child = Command::new("wg")
        .arg("pubkey")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(private.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A fresh private key (with the real `wg genkey`).
pub fn genkey() -> String {
    sh(&["wg", "genkey"]).trim().to_string()
}
