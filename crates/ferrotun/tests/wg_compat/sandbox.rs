//! A private view of `/var/run/wireguard`: a holder process in its own mount namespace with
//! a tmpfs on that directory. Daemons started in it put their sockets there, and `wg` and
//! `ferrotun` run in it see only this test's interfaces, so `show all` and `show interfaces`
//! are deterministic even while other sessions run daemons. Interfaces (TUN devices) and UDP
//! ports still live in the host's network namespace, so names stay unique (they include the
//! PID). Dropping the sandbox ends the holder, which frees the tmpfs.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub code: i32,
}

impl Run {
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.code,
            self.out(),
            self.err()
        )
    }
}

pub struct Sandbox {
    holder: Child,
}

/// An interface name unique to this process: `ft<pid><tag><n>`, at most 15 characters.
pub fn unique_name(tag: char) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = format!("ft{}{tag}{n}", std::process::id());
    assert!(name.len() <= 15, "{name} is too long");
    name
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let script =
            "mkdir -p /var/run/wireguard && mount -t tmpfs -o mode=0755 tmpfs /var/run/wireguard \
                      && echo ready && exec sleep 900";
        let mut holder = Command::new("unshare")
            .args(["--mount", "--propagation", "private", "sh", "-c", script])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("unshare");
        let mut line = String::new();
        let stdout = holder.stdout.take().expect("holder stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("holder output");
        if line.trim() != "ready" {
            let _ = holder.kill();
            let _ = holder.wait();
            panic!("could not set up a private /var/run/wireguard");
        }
        Sandbox { holder }
    }

    pub fn pid(&self) -> u32 {
        self.holder.id()
    }

    /// The sandbox's socket directory as seen from outside (no symlinks on the way, because
    /// an absolute symlink under `/proc/PID/root` would lead back to the host's view).
    pub fn socket_dir(&self) -> PathBuf {
        PathBuf::from(format!("/proc/{}/root/run/wireguard", self.pid()))
    }

    /// Runs `program` (with `argv[0]` set to `argv0`) inside the sandbox, with a clean `WG_*`
    /// environment plus `env`.
    pub fn run_as(
        &self,
        argv0: &str,
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
        stdin: &[u8],
    ) -> Run {
        let mut command = Command::new("nsenter");
        command
            .args([
                "-t",
                &self.pid().to_string(),
                "-m",
                "--",
                "bash",
                "-c",
                "exec -a \"$0\" \"$@\"",
                argv0,
                program,
            ])
            .args(args);
        for var in [
            "WG_COLOR_MODE",
            "WG_HIDE_KEYS",
            "WG_ENDPOINT_RESOLUTION_RETRIES",
        ] {
            command.env_remove(var);
        }
        command.env("WG_ENDPOINT_RESOLUTION_RETRIES", "0");
        for (key, value) in env {
            command.env(key, value);
        }
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("nsenter");
        if let Some(mut input) = child.stdin.take() {
            use std::io::Write as _;
            let _ = input.write_all(stdin);
        }
        let output = child.wait_with_output().expect("wait");
        Run {
            stdout: output.stdout,
            stderr: output.stderr,
            code: output.status.code().unwrap_or(-1),
        }
    }

    /// `wg ARGS` in the sandbox.
    pub fn wg(&self, args: &[&str]) -> Run {
        self.run_as("wg", "wg", args, &[], b"")
    }

    /// `ferrotun ARGS` in the sandbox, with `argv[0]` = `wg` so usage texts compare.
    pub fn ferrotun(&self, args: &[&str]) -> Run {
        self.run_as("wg", ferrotun_bin(), args, &[], b"")
    }

    /// A shell command in the sandbox (for daemons).
    pub fn shell(&self, script: &str, env: &[(&str, &str)]) -> Run {
        self.run_as("sh", "sh", &["-c", script], env, b"")
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}

pub fn ferrotun_bin() -> &'static str {
    env!("CARGO_BIN_EXE_ferrotun")
}
