//! Running commands with deadlines, and the small pieces every test needs: unique names,
//! temporary directories, wait-for loops, the root check.
//!
//! Output goes to files, never pipes: a daemon started by a command (wireguard-go, ferrotund,
//! wg-quick's fallback) inherits the command's stdout/stderr, and a pipe it holds open would
//! make a reader wait forever.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Default deadline of a command that should return at once.
pub const QUICK: Duration = Duration::from_secs(15);

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn next() -> u32 {
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// A name unique among all concurrently running tests and test processes:
/// `TAG` + process id + `x` + counter. Used for interfaces (at most 15 characters).
pub fn unique(tag: &str) -> String {
    let name = format!("{tag}{}x{}", std::process::id(), next());
    assert!(
        name.len() <= 15,
        "interface name {name:?} is longer than 15 characters; use a shorter tag"
    );
    name
}

/// True when running as root. When not, the test fails under `FERROTUN_REQUIRE_ALL=1` and
/// the skip is logged otherwise (ferrotun-testkit); the caller returns at once.
#[track_caller]
pub fn root() -> bool {
    ferrotun_testkit::require_root()
}

/// What a finished (or killed) command did.
pub struct Out {
    pub cmd: String,
    pub code: Option<i32>,
    pub timed_out: bool,
    pub elapsed: Duration,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn success(&self) -> bool {
        self.code == Some(0) && !self.timed_out
    }

    /// Panics with the whole record unless the command exited with 0.
    #[track_caller]
    pub fn ok(self) -> Out {
        assert!(self.success(), "command failed: {self}");
        self
    }

    pub fn stdout_trim(&self) -> &str {
        self.stdout.trim()
    }
}

impl fmt::Display for Out {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = match (self.timed_out, self.code) {
            (true, _) => format!("was killed after its deadline of {:.1?}", self.elapsed),
            (false, Some(c)) => format!("exited with {c} after {:.1?}", self.elapsed),
            (false, None) => "was killed by a signal".to_string(),
        };
        write!(
            f,
            "`{}` {how}\n--- stdout ---\n{}\n--- stderr ---\n{}\n---",
            self.cmd,
            self.stdout.trim_end(),
            self.stderr.trim_end()
        )
    }
}

/// Fails the test at once, naming `program`, when it is not on `PATH`: a tool missing deep
/// in a test would otherwise show as a timeout or a bare "No such file or directory".
#[track_caller]
fn on_path(program: &str) {
    assert!(
        ferrotun_testkit::which(program).is_some(),
        "`{program}` not on PATH (scripts/lib.sh's ensure_packages installs what the tests run)"
    );
}

fn quote(arg: &str) -> String {
    if !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,+@%[]".contains(c))
    {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// A command to run: argv, extra environment, stdin, deadline, where output goes.
pub struct Cmd {
    argv: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
    log: Option<PathBuf>,
}

impl Cmd {
    #[track_caller]
    pub fn new<S: AsRef<str>>(argv: &[S]) -> Cmd {
        let argv: Vec<String> = argv.iter().map(|s| s.as_ref().to_string()).collect();
        assert!(!argv.is_empty(), "empty command");
        on_path(&argv[0]);
        Cmd {
            argv,
            env: Vec::new(),
            stdin: None,
            timeout: QUICK,
            log: None,
        }
    }

    /// The same command, run inside network namespace `ns` with `ip netns exec`.
    #[track_caller]
    pub fn netns<S: AsRef<str>>(ns: &str, argv: &[S]) -> Cmd {
        if let Some(program) = argv.first() {
            on_path(program.as_ref());
        }
        let mut full = vec![
            "ip".to_string(),
            "netns".into(),
            "exec".into(),
            ns.to_string(),
        ];
        full.extend(argv.iter().map(|s| s.as_ref().to_string()));
        Cmd::new(&full)
    }

    pub fn env(mut self, key: &str, value: &str) -> Cmd {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    pub fn stdin(mut self, data: &str) -> Cmd {
        self.stdin = Some(data.as_bytes().to_vec());
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Cmd {
        self.timeout = timeout;
        self
    }

    /// Appends stdout and stderr to `path` (kept; `Out::stderr` then holds the whole file).
    pub fn log_to(mut self, path: &Path) -> Cmd {
        self.log = Some(path.to_path_buf());
        self
    }

    pub fn describe(&self) -> String {
        let env = self
            .env
            .iter()
            .map(|(k, v)| format!("{k}={} ", quote(v)))
            .collect::<String>();
        let argv = self
            .argv
            .iter()
            .map(|a| quote(a))
            .collect::<Vec<_>>()
            .join(" ");
        format!("{env}{argv}")
    }

    /// Starts the command in the background.
    pub fn spawn(self) -> Bg {
        let (out, err) = match &self.log {
            Some(path) => (path.clone(), path.clone()),
            None => (scratch_file("out"), scratch_file("err")),
        };
        let open = |p: &Path| {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .unwrap_or_else(|e| panic!("open {}: {e}", p.display()))
        };
        let mut command = Command::new(&self.argv[0]);
        command
            .args(&self.argv[1..])
            .stdout(open(&out))
            .stderr(open(&err));
        command.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        for (k, v) in &self.env {
            command.env(k, v);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start `{}`: {e}", self.describe()));
        if let (Some(data), Some(mut pipe)) = (&self.stdin, child.stdin.take()) {
            let _ = pipe.write_all(data);
        }
        Bg {
            child: Some(child),
            cmd: self.describe(),
            out,
            err,
            keep: self.log.is_some(),
            started: Instant::now(),
            timeout: self.timeout,
        }
    }

    /// Runs the command to completion (or kills it at its deadline).
    pub fn run(self) -> Out {
        self.spawn().finish()
    }
}

fn scratch_file(kind: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "ferrotun-netns-{}-{}.{kind}",
        std::process::id(),
        next()
    ))
}

/// A running command. Dropping it kills the process (by its PID) and removes its output files.
pub struct Bg {
    child: Option<Child>,
    cmd: String,
    out: PathBuf,
    err: PathBuf,
    keep: bool,
    started: Instant,
    timeout: Duration,
}

impl Bg {
    /// The process's PID.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Waits for the command until its deadline (counted from its start), then kills it.
    pub fn finish(mut self) -> Out {
        let mut child = self.child.take().expect("finished twice");
        let deadline = self.started + self.timeout;
        let mut pause = Duration::from_millis(2);
        let (code, timed_out) = loop {
            match child.try_wait() {
                Ok(Some(status)) => break (status.code(), false),
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break (None, true);
                }
                Ok(None) => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                Err(e) => panic!("waiting for `{}`: {e}", self.cmd),
            }
        };
        let read =
            |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
        let stderr = read(&self.err);
        let stdout = if self.keep {
            String::new()
        } else {
            read(&self.out)
        };
        Out {
            cmd: self.cmd.clone(),
            code,
            timed_out,
            elapsed: self.started.elapsed(),
            stdout,
            stderr,
        }
    }
}

impl Drop for Bg {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if !self.keep {
            let _ = std::fs::remove_file(&self.out);
            let _ = std::fs::remove_file(&self.err);
        }
    }
}

/// Calls `probe` every 50 ms until it returns `Ok`, and panics with the last error (and
/// what was waited for) once `within` has passed.
#[track_caller]
pub fn wait_until<T>(
    what: &str,
    within: Duration,
    mut probe: impl FnMut() -> Result<T, String>,
) -> T {
    let start = Instant::now();
    loop {
        match probe() {
            Ok(v) => return v,
            Err(e) if start.elapsed() >= within => {
                panic!("timed out after {within:?} waiting for {what}; last check said:\n{e}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Checks for `during` that `probe` keeps returning `Ok`; panics at the first error.
#[track_caller]
pub fn holds_for(what: &str, during: Duration, mut probe: impl FnMut() -> Result<(), String>) {
    let start = Instant::now();
    while start.elapsed() < during {
        if let Err(e) = probe() {
            panic!("{what} stopped holding after {:.1?}:\n{e}", start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A private temporary directory (mode 0700), removed on drop unless `FERROTUN_KEEP_TMP=1`.
pub struct TempDir {
    pub path: PathBuf,
}

impl TempDir {
    pub fn new() -> TempDir {
        use std::os::unix::fs::DirBuilderExt;
        let path =
            std::env::temp_dir().join(format!("ferrotun-netns-{}-{}", std::process::id(), next()));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .unwrap_or_else(|e| panic!("mkdir {}: {e}", path.display()));
        TempDir { path }
    }

    /// Writes `name` (mode 0600) and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        use std::os::unix::fs::OpenOptionsExt;
        let path = self.path.join(name);
        let mut file: File = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        file.write_all(text.as_bytes())
            .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }

    /// `write`, returning the path as a string for command lines.
    pub fn file(&self, name: &str, text: &str) -> String {
        self.write(name, text).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var("FERROTUN_KEEP_TMP").is_ok_and(|v| v == "1") {
            eprintln!("kept {}", self.path.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Current Unix time in seconds.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
