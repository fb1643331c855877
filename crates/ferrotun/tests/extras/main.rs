//! ferrotun's own commands, run as a user runs them: `check` ([`check`], for proxy files
//! [`check_proxy`]), `qr` ([`qr`]), and the files in `dist/`: completions ([`completion`]),
//! man pages and systemd unit ([`dist`]); how a file name on the command line is read
//! ([`arguments`]), and the messages for bad values and missing interfaces ([`messages`]).
//!
//! None of them needs root or a daemon. A test that drives a tool (bash, zsh, fish, groff,
//! systemd-analyze) and finds it missing fails under `FERROTUN_REQUIRE_ALL=1`, naming it, and
//! is logged as a skip otherwise (ferrotun-testkit). `FERROTUN_UPDATE_DIST=1` rewrites the generated files in `dist/` instead of
//! comparing them.

mod arguments;
mod check;
mod check_proxy;
mod completion;
mod dist;
mod messages;
mod qr;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a run of `ferrotun` printed and returned.
#[derive(Debug)]
pub struct Run {
    pub out: String,
    pub err: String,
    pub code: i32,
}

/// Runs `ferrotun args...` with extra environment, standard output a pipe.
pub fn ferrotun(args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_ferrotun"))
        .args(args)
        .env_remove("WG_COLOR_MODE")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("ferrotun runs");
    Run {
        out: String::from_utf8_lossy(&output.stdout).into_owned(),
        err: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}

/// [`ferrotun`] run from directory `dir`.
pub fn ferrotun_in(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_ferrotun"))
        .args(args)
        .current_dir(dir)
        .env_remove("WG_COLOR_MODE")
        .stdin(Stdio::null())
        .output()
        .expect("ferrotun runs");
    Run {
        out: String::from_utf8_lossy(&output.stdout).into_owned(),
        err: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}

/// A private directory (mode 0700) that is removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("ferrotun-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `name` (mode 0600) and returns its path as a string.
    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path.display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether `tool` is on `PATH`. When it is not, the test fails under
/// `FERROTUN_REQUIRE_ALL=1` and the skip is logged otherwise (ferrotun-testkit).
#[track_caller]
pub fn have(tool: &str) -> bool {
    ferrotun_testkit::require_tool(tool)
}

/// The repository's `dist/` directory.
pub fn dist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist")
}

pub const KEY1: &str = "jfw84P2V2ofy8SqprSFTLlminUGUguAsnKOfArz2S0w=";
pub const KEY2: &str = "Dc4KBWL3qfFjh2q36U+dwFQYHztU+ZS/Vd9cssjM0Ho=";
pub const PRIV: &str = "E2mzhd39E1UXjmTR5Csthlkb5h2x0P6Boh8lK4q4Cnw=";

/// A clean wg-quick file with two peers.
pub fn good_config() -> String {
    format!(
        "[Interface]\nPrivateKey = {PRIV}\nAddress = 10.9.0.1/24, fd09::1/64\nListenPort = 51820\n\
         DNS = 10.9.0.53\nPostUp = echo up # on %i\n\n\
         [Peer]\n# laptop\nPublicKey = {KEY1}\nAllowedIPs = 10.9.0.2/32, fd09::2/128\n\
         Endpoint = vpn.example.com:51820\nPersistentKeepalive = 25\n\n\
         [Peer]\nPublicKey = {KEY2}\nAllowedIPs = 10.9.0.3/32\nEndpoint = [2001:db8::1]:51820\n"
    )
}

/// Called as `wg`, the usage text is wg's: ferrotun's own commands are not listed, though
/// they still run.
#[test]
fn hidden_when_called_as_wg() {
    let dir = TempDir::new("as-wg");
    let wg = dir.path().join("wg");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ferrotun"), &wg).unwrap();
    let run = |args: &[&str]| Command::new(&wg).args(args).output().unwrap();
    let help = String::from_utf8_lossy(&run(&["help"]).stdout).into_owned();
    assert!(help.contains("  pubkey: "), "{help}");
    for hidden in ["up", "check", "qr", "completion", "man"] {
        assert!(
            !help.contains(&format!("  {hidden}: ")),
            "{hidden} in:\n{help}"
        );
    }
    let ours = ferrotun(&["help"], &[]).out;
    for listed in ["check", "qr", "completion", "man"] {
        assert!(
            ours.contains(&format!("  {listed}: ")),
            "{listed} in:\n{ours}"
        );
    }
    assert!(run(&["completion", "bash"]).status.success());
}
