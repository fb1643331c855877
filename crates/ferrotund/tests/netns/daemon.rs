//! The daemons under test (ferrotund, and wireguard-go as the reference), started inside a
//! namespace the way wg-quick does it: `ip netns exec NS BIN IFNAME`. Both daemonize; the
//! interface and the UAPI socket must exist when that command returns.

use crate::cmd::{unique, Cmd, Out};
use crate::netns::{daemon_pids, pid_alive, signal, Netns};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Impl {
    Ferrotund,
    WireguardGo,
}

impl Impl {
    /// The program to run: `$FERROTUND` or the binary Cargo built, or `wireguard-go`.
    pub fn bin(self) -> String {
        match self {
            Impl::Ferrotund => std::env::var("FERROTUND")
                .unwrap_or_else(|_| env!("CARGO_BIN_EXE_ferrotund").to_string()),
            Impl::WireguardGo => "wireguard-go".to_string(),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Impl::Ferrotund => "ferrotund",
            Impl::WireguardGo => "wireguard-go",
        }
    }
}

pub fn socket_path(ifname: &str) -> PathBuf {
    PathBuf::from(format!("/var/run/wireguard/{ifname}.sock"))
}

/// The log level given to daemons (`FERROTUN_TEST_LOG_LEVEL`, default `verbose`).
pub fn log_level() -> String {
    std::env::var("FERROTUN_TEST_LOG_LEVEL").unwrap_or_else(|_| "verbose".to_string())
}

/// The start command, with the environment both daemons need, not yet run.
pub fn start_cmd(ns: &str, imp: Impl, ifname: &str) -> Cmd {
    Cmd::netns(ns, &[imp.bin().as_str(), ifname])
        .env("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1")
        .timeout(Duration::from_secs(10))
}

fn log_path(ifname: &str) -> PathBuf {
    std::env::temp_dir().join(format!("ferrotun-netns-{ifname}.log"))
}

/// A running daemon. Dropping it prints its log if the test is failing, stops it (SIGTERM,
/// then SIGKILL) by PID, and removes its socket file and log.
pub struct Daemon {
    /// The namespace the process runs in (where its UDP sockets live).
    pub ns: String,
    pub ifname: String,
    pub imp: Impl,
    pub pid: u32,
    pub log: PathBuf,
}

impl Daemon {
    /// Starts `imp` in `ns` with a fresh interface name made from `tag`.
    #[track_caller]
    pub fn start(ns: &Netns, imp: Impl, tag: &str) -> Daemon {
        Daemon::start_named(ns, imp, &unique(tag))
    }

    /// Starts `imp` in `ns` as `ifname`; panics with the command record and log on failure.
    #[track_caller]
    pub fn start_named(ns: &Netns, imp: Impl, ifname: &str) -> Daemon {
        Daemon::start_named_env(ns, imp, ifname, &[])
    }

    /// [`Daemon::start_named`] with extra environment variables for the daemon.
    #[track_caller]
    pub fn start_named_env(ns: &Netns, imp: Impl, ifname: &str, env: &[(&str, &str)]) -> Daemon {
        let log = log_path(ifname);
        let mut cmd = start_cmd(&ns.name, imp, ifname).env("LOG_LEVEL", &log_level());
        for (key, value) in env {
            cmd = cmd.env(key, value);
        }
        let out = cmd.log_to(&log).run();
        // Adopt first, so that whatever was started is cleaned up if an assertion fails.
        let pids = daemon_pids(&ns.name, ifname);
        let daemon = pids.first().map(|&pid| Daemon {
            ns: ns.name.clone(),
            ifname: ifname.to_string(),
            imp,
            pid,
            log: log.clone(),
        });
        assert!(out.success(), "starting {} failed: {out}", imp.label());
        let daemon = daemon.unwrap_or_else(|| {
            panic!(
                "{} returned but no process with argument {ifname} runs in {}: {out}",
                imp.label(),
                ns.name
            )
        });
        assert_eq!(
            pids.len(),
            1,
            "{} left more than one process for {ifname}: {pids:?}",
            imp.label()
        );
        assert!(
            socket_path(ifname).exists(),
            "{} returned but {} does not exist: {out}",
            imp.label(),
            socket_path(ifname).display()
        );
        assert!(
            ns.has_link(ifname),
            "{} returned but interface {ifname} does not exist in {}: {out}",
            imp.label(),
            ns.name
        );
        daemon
    }

    /// Takes charge of a daemon something else started (wg-quick).
    #[track_caller]
    pub fn adopt(ns: &Netns, imp: Impl, ifname: &str, log: &Path) -> Daemon {
        let pids = daemon_pids(&ns.name, ifname);
        assert_eq!(
            pids.len(),
            1,
            "expected one {} process for {ifname} in {}, found {pids:?}",
            imp.label(),
            ns.name
        );
        Daemon {
            ns: ns.name.clone(),
            ifname: ifname.to_string(),
            imp,
            pid: pids[0],
            log: log.to_path_buf(),
        }
    }

    /// Runs `wg ARGS…` in the daemon's namespace. `IF` in `args` stands for the interface.
    pub fn wg(&self, args: &[&str]) -> Out {
        let mut argv = vec!["wg".to_string()];
        argv.extend(args.iter().map(|a| {
            if *a == "IF" {
                self.ifname.clone()
            } else {
                (*a).to_string()
            }
        }));
        Cmd::netns(&self.ns, &argv).run()
    }

    pub fn alive(&self) -> bool {
        pid_alive(self.pid)
    }

    pub fn socket(&self) -> PathBuf {
        socket_path(&self.ifname)
    }

    pub fn log_text(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default()).into_owned()
    }

    /// Waits until the process has ended and its socket file is gone; `Err` describes what
    /// is still there.
    pub fn wait_gone(&self, within: Duration) -> Result<(), String> {
        let start = Instant::now();
        loop {
            let alive = self.alive();
            let socket = self.socket().exists();
            if !alive && !socket {
                return Ok(());
            }
            if start.elapsed() >= within {
                return Err(format!(
                    "after {within:?}: {} (pid {}) {}, socket {} {}\n--- daemon log ---\n{}",
                    self.imp.label(),
                    self.pid,
                    if alive { "still runs" } else { "has exited" },
                    self.socket().display(),
                    if socket { "still exists" } else { "is gone" },
                    self.log_text()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- log of {} {} (pid {}, netns {}) ---\n{}",
                self.imp.label(),
                self.ifname,
                self.pid,
                self.ns,
                self.log_text()
            );
        }
        // Only signal the PID while it still is our daemon (PIDs can be reused).
        let ours =
            || pid_alive(self.pid) && daemon_pids(&self.ns, &self.ifname).contains(&self.pid);
        if ours() {
            signal(self.pid, "TERM");
            let start = Instant::now();
            while pid_alive(self.pid) && start.elapsed() < Duration::from_secs(2) {
                std::thread::sleep(Duration::from_millis(20));
            }
            if ours() {
                signal(self.pid, "KILL");
            }
        }
        let _ = std::fs::remove_file(self.socket());
        if !std::env::var("FERROTUN_KEEP_TMP").is_ok_and(|v| v == "1") {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// Removes a socket file on drop: for daemons a test starts indirectly or expects to fail.
pub struct SocketGuard(pub String);

impl Drop for SocketGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(socket_path(&self.0));
    }
}
