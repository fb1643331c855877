//! Root-only: `up` and `down` with the real executor in a fresh network namespace, compared
//! with the stock `wg-quick up` in a twin namespace. Both use `target/release/ferrotund`.
//!
//! Skips (passing) when not root, or when `ip`, `wg-quick`, `wg` or the release daemon is
//! missing. Everything created is removed by a guard, also on failure: processes left in
//! the namespaces are killed by PID, then the namespaces and files go. Only loopback routes
//! exist in the namespaces, so nothing leaves the machine.

use ferrotun_quick::cmd::{self, Options};
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const PEER: &str = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
const PRIVATE: &str = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";

fn daemon() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/ferrotund");
    path.canonicalize().unwrap_or(path)
}

fn missing_prerequisite() -> Option<String> {
    if std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(1)
        != 0
    {
        return Some("not root".into());
    }
    for tool in ["/usr/bin/wg-quick", "/usr/bin/wg"] {
        if !Path::new(tool).exists() {
            return Some(format!("{tool} missing"));
        }
    }
    if !daemon().exists() {
        return Some(
            "target/release/ferrotund missing (cargo build --release -p ferrotund)".into(),
        );
    }
    let ip = Command::new("ip").arg("-V").output();
    (!ip.is_ok_and(|o| o.status.success())).then(|| "ip missing".into())
}

fn sh(args: &[&str]) -> String {
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

/// Removes what a test made, in reverse: daemons, namespaces, sockets, files.
struct Sandbox {
    namespaces: Vec<String>,
    interfaces: Vec<String>,
    dir: PathBuf,
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
        }
        for name in &self.interfaces {
            let _ = std::fs::remove_file(format!("/var/run/wireguard/{name}.sock"));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A namespace with `lo` up, a default route over it and a 1400-byte route to the
/// endpoint's network (for the derived MTU).
fn make_namespace(name: &str) {
    sh(&["ip", "netns", "add", name]);
    sh(&["ip", "-n", name, "link", "set", "lo", "up"]);
    sh(&["ip", "-n", name, "route", "add", "default", "dev", "lo"]);
    sh(&[
        "ip",
        "-n",
        name,
        "route",
        "add",
        "203.0.113.0/24",
        "dev",
        "lo",
        "mtu",
        "1400",
    ]);
}

const ALLOWED: &str = "10.77.0.0/24, 10.78.0.0/16, 10.79.1.1/32, fd78::/48";

/// The test file; `allowed` may carry extra `[Interface]` lines after a `|`.
fn write_config(dir: &Path, interface: &str, allowed: &str) -> PathBuf {
    let path = dir.join(format!("{interface}.conf"));
    let (allowed, extra) = allowed.split_once('|').unwrap_or((allowed, ""));
    let text = format!(
        "[Interface]\nPrivateKey = {PRIVATE}\nAddress = 10.77.0.2/24, fd77::2/64\n{extra}\n\
         PostUp = echo up %i\n\n[Peer]\nPublicKey = {PEER}\n\
         AllowedIPs = {allowed}\nEndpoint = 203.0.113.5:51820\n"
    );
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    path
}

/// The namespace's network state with the interface name replaced by `IF` and the
/// automatic link-local IPv6 entries dropped, sorted.
fn state(ns: &str, interface: &str) -> Vec<String> {
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
        for line in sh(&args).lines() {
            let line = line.replace(interface, "IF");
            if line.contains("fe80") || line.contains("ff00::/8") {
                continue;
            }
            // Drop the ifindex and the per-device qdisc/queue/alias noise of `link show`.
            let line = line
                .split_once(": ")
                .map_or(line.clone(), |(_, rest)| rest.to_string());
            lines.push(line.split(" qdisc").next().unwrap_or("").trim().to_string());
        }
    }
    if has_program("nft") {
        let ruleset = sh(&["ip", "netns", "exec", ns, "nft", "list", "ruleset"]);
        lines.extend(
            ruleset
                .lines()
                .map(|l| format!("nft: {}", normalize(l, interface))),
        );
    }
    lines.sort();
    lines
}

/// A ruleset line with the interface name replaced by `IF` and the random IPv6 link-local
/// address of the TUN device by `fe80::LL`.
fn normalize(line: &str, interface: &str) -> String {
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

/// Runs `f` with this thread in namespace `ns` (a fresh thread, so the test thread itself
/// never changes namespace).
fn in_namespace<T: Send>(ns: &str, f: impl FnOnce() -> T + Send) -> T {
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

fn has_program(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
}

/// Two namespaces with the same file: `ours` for ferrotun, `reference` for stock wg-quick.
struct Twins {
    ours: (String, String),
    reference: (String, String),
    dir: PathBuf,
    options: Options,
    before: Vec<String>,
    _sandbox: Sandbox,
}

impl Twins {
    fn new(tag: char) -> Self {
        let id = std::process::id() % 100_000;
        let ours = (format!("ftq-{id}-{tag}o"), format!("ftq{tag}o{id}"));
        let reference = (format!("ftq-{id}-{tag}r"), format!("ftq{tag}r{id}"));
        let dir = std::env::temp_dir().join(format!("ftq-{id}-{tag}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap();
        let sandbox = Sandbox {
            namespaces: vec![ours.0.clone(), reference.0.clone()],
            interfaces: vec![ours.1.clone(), reference.1.clone()],
            dir: dir.clone(),
        };
        make_namespace(&ours.0);
        make_namespace(&reference.0);
        let before = state(&ours.0, &ours.1);
        let options = Options {
            daemon: daemon().display().to_string(),
        };
        Twins {
            ours,
            reference,
            dir,
            options,
            before,
            _sandbox: sandbox,
        }
    }

    fn config(&self, allowed: &str) -> String {
        write_config(&self.dir, &self.ours.1, allowed)
            .display()
            .to_string()
    }

    /// Brings both up and checks that they look the same.
    fn up_both(&self, allowed: &str) {
        let reference = write_config(&self.dir, &self.reference.1, allowed);
        let env = format!("WG_QUICK_USERSPACE_IMPLEMENTATION={}", self.options.daemon);
        let file = reference.display().to_string();
        sh(&[
            "ip",
            "netns",
            "exec",
            &self.reference.0,
            "env",
            &env,
            "wg-quick",
            "up",
            &file,
        ]);
        let config = self.config(allowed);
        in_namespace(&self.ours.0, || cmd::up(&config, &self.options)).expect("ferrotun up");
        assert_eq!(
            state(&self.ours.0, &self.ours.1),
            state(&self.reference.0, &self.reference.1)
        );
    }

    /// Takes ours down and checks that the namespace is as it was.
    fn down_ours(&self, allowed: &str) {
        let config = self.config(allowed);
        in_namespace(&self.ours.0, || cmd::down(&config, &self.options)).expect("ferrotun down");
        assert_eq!(state(&self.ours.0, &self.ours.1), self.before);
    }
}

#[test]
fn up_and_down_match_wg_quick() {
    if let Some(reason) = missing_prerequisite() {
        eprintln!("skipped: {reason}");
        return;
    }
    let twins = Twins::new('a');
    twins.up_both(ALLOWED);

    // `save` writes the running state back: addresses from the link, keys from the daemon.
    let config = twins.config(ALLOWED);
    in_namespace(&twins.ours.0, || cmd::save(&config, &twins.options)).expect("ferrotun save");
    let saved = std::fs::read_to_string(&config).unwrap();
    for expected in [
        "[Interface]\nAddress = 10.77.0.2/24\nAddress = fd77::2/64\nPostUp = echo up %i\n",
        "SaveConfig = true\n",
        &format!("PrivateKey = {PRIVATE}\n"),
        &format!("[Peer]\nPublicKey = {PEER}\n"),
        "Endpoint = 203.0.113.5:51820\n",
    ] {
        assert!(saved.contains(expected), "missing {expected:?} in\n{saved}");
    }
    twins.down_ours(ALLOWED);
}

/// `Table = 1234`: every route, `/0` included, goes to that table, and no rules.
#[test]
fn numbered_table_matches_wg_quick() {
    if let Some(reason) = missing_prerequisite() {
        eprintln!("skipped: {reason}");
        return;
    }
    let twins = Twins::new('t');
    let allowed = "0.0.0.0/0, 10.78.0.0/16, fd78::/48|Table = 1234";
    twins.up_both(allowed);
    let routes = sh(&["ip", "-n", &twins.ours.0, "route", "show", "table", "1234"]);
    assert!(routes.contains("default dev"), "{routes}");
    twins.down_ours(allowed);
}

/// The whole default-route scheme (rules, table 51820, nftables) against stock wg-quick;
/// needs `nft`.
#[test]
fn default_route_matches_wg_quick() {
    if let Some(reason) =
        missing_prerequisite().or_else(|| (!has_program("nft")).then(|| "nft missing".to_string()))
    {
        eprintln!("skipped: {reason}");
        return;
    }
    let twins = Twins::new('d');
    twins.up_both("0.0.0.0/0, ::/0");
    let mark = sh(&[
        "ip",
        "netns",
        "exec",
        &twins.ours.0,
        "cat",
        "/proc/sys/net/ipv4/conf/all/src_valid_mark",
    ]);
    assert_eq!(mark.trim(), "1");
    twins.down_ours("0.0.0.0/0, ::/0");
}

/// A failing `PostUp` hook makes `up` roll everything back (rules, firewall, link). Then,
/// with the firewall actions left out of the plan (so that no nft or iptables is needed),
/// the rules and table-51820 routes are checked on any host, and `down` must remove them.
#[test]
fn default_route_rolls_back_and_comes_and_goes() {
    use ferrotun_quick::exec::{linux::LinuxExecutor, run_up};
    use ferrotun_quick::{plan, probe, Action};
    if let Some(reason) = missing_prerequisite() {
        eprintln!("skipped: {reason}");
        return;
    }
    let twins = Twins::new('r');
    let (ns, interface) = (&twins.ours.0, &twins.ours.1);
    let config_path = twins.config("0.0.0.0/0, ::/0");
    let failing = std::fs::read_to_string(&config_path)
        .unwrap()
        .replace("PostUp = echo up %i", "PostUp = false");
    std::fs::write(&config_path, failing).unwrap();
    assert!(in_namespace(ns, || cmd::up(&config_path, &twins.options)).is_err());
    assert_eq!(state(ns, interface), twins.before);
    let config_path = twins.config("0.0.0.0/0, ::/0");
    in_namespace(ns, || {
        let path = PathBuf::from(&config_path);
        let config = ferrotun_conf::parse_file(&path, &mut parse_options()).unwrap();
        let env = probe::probe(interface, &config).unwrap();
        let daemon = twins.options.daemon.clone();
        let inv = plan::Invocation {
            interface: interface.clone(),
            path,
            daemon,
        };
        let mut actions = plan::plan_up(&inv, &config, &env).unwrap();
        actions.retain(|a| !matches!(a, Action::Firewall { .. }));
        run_up(&mut LinuxExecutor::new().unwrap(), &actions).unwrap();
    });
    let rules = state(ns, interface).join("\n");
    for expected in [
        "from all lookup main suppress_prefixlength 0",
        "not from all fwmark 0xca6c lookup 51820",
        "default dev IF table 51820 scope link",
        "default dev IF table 51820 metric 1024 pref medium",
    ] {
        assert!(rules.contains(expected), "missing `{expected}' in\n{rules}");
    }
    twins.down_ours("0.0.0.0/0, ::/0");
}

fn parse_options() -> ferrotun_conf::ParseOptions<'static> {
    let notify: &'static mut dyn FnMut(&str) = Box::leak(Box::new(|_: &str| {}));
    let resolver = Box::leak(Box::new(ferrotun_conf::SystemResolver::new(notify)));
    ferrotun_conf::ParseOptions {
        dialect: ferrotun_conf::Dialect::WgQuick,
        resolver,
        warn: Box::leak(Box::new(|_: &ferrotun_conf::Warning| {})),
    }
}
