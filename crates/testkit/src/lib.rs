//! What a test needs from the machine (root, a program on `PATH`, a built binary, a kernel
//! feature), and what happens when it is missing: a check that did not run must never look
//! like one that passed.
//!
//! A test asks first and returns when told no:
//!
//! ```no_run
//! use ferrotun_testkit::{require, Need};
//! if !require(&[Need::Root, Need::Tool("wg")]) {
//!     return;
//! }
//! ```
//!
//! or calls [`skip`] for something it finds out later (a kernel feature, one part of a test).
//! What a missing prerequisite does depends on [`REQUIRE_ALL`] (`FERROTUN_REQUIRE_ALL`):
//!
//! * `1` (CI: `.ci/run` sets it): the test **fails**, its message naming what is missing
//!   ("needs root", "`wg` not on PATH", ...).
//! * unset, empty or `0` (a contributor's `cargo test`): the test passes, and the skip is
//!   appended to the skip log as a line `CRATE/BINARY test: reason`. libtest hides what a
//!   passing test prints, so the log is how a skip gets seen: `scripts/test.sh` empties it
//!   first and prints the count and the reasons at the end. The log is [`SKIP_LOG`]
//!   (`FERROTUN_SKIP_LOG`) if set, else `ferrotun-skips.log` in the Cargo target directory
//!   (next to `debug/` and `release/`). A skip that cannot be written there fails the test
//!   rather than vanish.

mod log;
mod need;

pub use need::{which, Need};

/// The environment variable that turns every missing prerequisite into a failure.
pub const REQUIRE_ALL: &str = "FERROTUN_REQUIRE_ALL";
/// The environment variable naming the skip log.
pub const SKIP_LOG: &str = "FERROTUN_SKIP_LOG";

/// What a missing prerequisite does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The test fails (`FERROTUN_REQUIRE_ALL=1`).
    RequireAll,
    /// The test passes and the skip goes to the skip log.
    RecordSkips,
}

impl Mode {
    /// The mode `FERROTUN_REQUIRE_ALL` asks for. Any value but unset, empty, `0` or `1` is a
    /// mistake, and it fails the test instead of being guessed at.
    #[track_caller]
    pub fn from_env() -> Mode {
        let value = std::env::var(REQUIRE_ALL).ok();
        Mode::parse(value.as_deref())
            .unwrap_or_else(|| panic!("{REQUIRE_ALL}={value:?}: expected 1, 0 or unset"))
    }

    fn parse(value: Option<&str>) -> Option<Mode> {
        match value {
            None | Some("" | "0") => Some(Mode::RecordSkips),
            Some("1") => Some(Mode::RequireAll),
            Some(_) => None,
        }
    }
}

/// Whether everything in `needs` is there. When something is not, the test fails (under
/// `FERROTUN_REQUIRE_ALL=1`) or the skip is logged, naming every missing piece, and this
/// returns false: the caller returns at once.
#[track_caller]
#[must_use = "the test must return when a prerequisite is missing"]
pub fn require(needs: &[Need<'_>]) -> bool {
    let missing: Vec<String> = needs.iter().filter_map(Need::missing).collect();
    if missing.is_empty() {
        return true;
    }
    skip(&missing.join("; "));
    false
}

/// [`require`] of root alone.
#[track_caller]
#[must_use = "the test must return when not root"]
pub fn require_root() -> bool {
    require(&[Need::Root])
}

/// [`require`] of one program on `PATH`.
#[track_caller]
#[must_use = "the test must return when the tool is missing"]
pub fn require_tool(tool: &str) -> bool {
    require(&[Need::Tool(tool)])
}

/// The current test cannot check something because of `reason` (which names what is
/// missing): it fails under `FERROTUN_REQUIRE_ALL=1`, else the skip is logged.
#[track_caller]
pub fn skip(reason: &str) {
    let test = format!(
        "{} {}",
        test_binary(std::panic::Location::caller()),
        test_name()
    );
    skip_as(Mode::from_env(), &log::path(), &test, reason);
}

#[track_caller]
fn skip_as(mode: Mode, log: &std::path::Path, test: &str, reason: &str) {
    match mode {
        Mode::RequireAll => {
            panic!("{test}: {reason} ({REQUIRE_ALL}=1: a test that cannot run fails)")
        }
        Mode::RecordSkips => {
            eprintln!("skipped {test}: {reason}");
            log::append(log, test, reason);
        }
    }
}

/// Which test binary runs, as `CRATE/BINARY` (`quick/netns`, `ferrotun/wg_compat`): test
/// names repeat across binaries. The crate comes from the source file that asked (a path
/// under `crates/`), the binary from the executable's name without Cargo's hash.
fn test_binary(caller: &std::panic::Location<'_>) -> String {
    let krate = caller
        .file()
        .strip_prefix("crates/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("?");
    let exe = std::env::current_exe().ok();
    let name = exe
        .as_deref()
        .and_then(std::path::Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let binary = match name.rsplit_once('-') {
        Some((stem, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            stem.to_string()
        }
        _ => name,
    };
    format!("{krate}/{binary}")
}

/// The running test's name: libtest runs each test on a thread named after it.
fn test_name() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.to_string(),
        _ => "(a test outside libtest's threads)".to_string(),
    }
}

#[cfg(test)]
mod tests;
