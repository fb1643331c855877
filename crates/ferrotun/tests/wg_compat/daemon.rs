//! Daemons under test, started in a [`Sandbox`]: ferrotund and wireguard-go. Both
//! daemonize; the process that serves the socket is found through `/proc` (the socket's
//! inode in `/proc/net/unix`, then the process holding it), and that PID, and only it, is
//! signalled on drop, whatever happened in the test.

use crate::sandbox::{unique_name, Sandbox};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Impl {
    Ferrotund,
    WireguardGo,
}

pub struct Daemon {
    pub name: String,
    pid: Option<u32>,
    socket: PathBuf,
}

/// The ferrotund binary: `$FERROTUND`, or a build in this workspace's target directory.
pub fn ferrotund_bin() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("FERROTUND") {
        return Some(PathBuf::from(path));
    }
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target");
    ["release", "debug"]
        .iter()
        .map(|profile| target.join(profile).join("ferrotund"))
        .find(|path| path.is_file())
}

impl Daemon {
    pub fn start(sandbox: &Sandbox, imp: Impl) -> Daemon {
        let name = unique_name(if imp == Impl::Ferrotund { 'f' } else { 'g' });
        let program = match imp {
            Impl::Ferrotund => ferrotund_bin()
                .expect("ferrotund binary")
                .display()
                .to_string(),
            Impl::WireguardGo => "wireguard-go".to_string(),
        };
        let run = sandbox.shell(
            &format!("exec {program} {name} >/dev/null 2>&1"),
            &[
                ("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1"),
                ("LOG_LEVEL", "error"),
            ],
        );
        let socket = sandbox.socket_dir().join(format!("{name}.sock"));
        let mut daemon = Daemon {
            name,
            pid: None,
            socket,
        };
        // Adopt whatever started before judging, so it is cleaned up on failure too.
        let deadline = Instant::now() + Duration::from_secs(10);
        while daemon.pid.is_none() && Instant::now() < deadline {
            daemon.pid = daemon_pid(&daemon.name);
            if daemon.pid.is_none() {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        assert_eq!(
            run.code, 0,
            "starting {imp:?} {} failed: {run}",
            daemon.name
        );
        assert!(
            daemon.pid.is_some(),
            "no process serves {}",
            daemon.socket.display()
        );
        daemon
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // If the socket never showed who serves it, the unique name on a command line does.
        let Some(pid) = self.pid.or_else(|| pid_with_argument(&self.name)) else {
            return;
        };
        let ours = || owns_socket(pid, &self.name);
        if ours() {
            signal(pid, "TERM");
            let deadline = Instant::now() + Duration::from_secs(3);
            while ours() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if ours() {
                signal(pid, "KILL");
            }
        }
        let _ = std::fs::remove_file(&self.socket);
    }
}

fn signal(pid: u32, name: &str) {
    let _ = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status();
}

/// The inode of the listening socket for `name` (the holder's network namespace is the
/// host's, so the host's table lists it). ferrotund binds in a temporary directory
/// (`.NAME.sock.PID.tmp/s`) and renames; the table keeps the name it was bound to.
fn socket_inode(name: &str) -> Option<String> {
    let table = std::fs::read_to_string("/proc/net/unix").ok()?;
    let direct = format!("/wireguard/{name}.sock");
    let staged = format!("/wireguard/.{name}.sock.");
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let path = fields.get(7)?;
        (path.ends_with(&direct) || path.contains(&staged)).then(|| fields[6].to_string())
    })
}

/// The process that holds the socket for `name` open and has `name` on its command line.
pub fn daemon_pid(name: &str) -> Option<u32> {
    let inode = socket_inode(name)?;
    let target = format!("socket:[{inode}]");
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let holds = std::fs::read_dir(entry.path().join("fd"))
                .ok()?
                .flatten()
                .any(|fd| {
                    std::fs::read_link(fd.path()).is_ok_and(|l| l.as_os_str() == target.as_str())
                });
            (holds && cmdline_has(pid, name)).then_some(pid)
        })
}

fn cmdline_has(pid: u32, name: &str) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|c| c.split(|b| *b == 0).any(|arg| arg == name.as_bytes()))
}

fn owns_socket(pid: u32, name: &str) -> bool {
    daemon_pid(name) == Some(pid)
        || (cmdline_has(pid, name) && std::path::Path::new(&format!("/proc/{pid}")).exists())
}

/// A process with exactly `name` among its arguments (names are unique to this test run).
fn pid_with_argument(name: &str) -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            (pid != std::process::id() && cmdline_has(pid, name)).then_some(pid)
        })
}
