//! The skip log: one line `CRATE/BINARY test: reason` per skip, appended by every test
//! process.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// `$FERROTUN_SKIP_LOG`, else `ferrotun-skips.log` in the Cargo target directory: a test
/// binary is `TARGET/PROFILE/deps/NAME-HASH`. A binary that is not there logs to the
/// temporary directory.
pub fn path() -> PathBuf {
    if let Some(path) = std::env::var_os(crate::SKIP_LOG).filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().ok();
    let deps = exe.as_deref().and_then(Path::parent);
    let target = deps
        .filter(|d| d.file_name().is_some_and(|n| n == "deps"))
        .and_then(Path::parent)
        .and_then(Path::parent);
    target
        .map_or_else(std::env::temp_dir, Path::to_path_buf)
        .join("ferrotun-skips.log")
}

/// Appends `test: reason` (`test` names the binary too) as one line, in one `write` with
/// `O_APPEND`, so concurrent tests do not mix their lines. Panics if it cannot: a skip nobody
/// can see is what this prevents.
#[track_caller]
pub fn append(log: &Path, test: &str, reason: &str) {
    let line = format!("{test}: {}\n", reason.replace('\n', " "));
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(e) = written {
        panic!(
            "cannot log the skip of {test} ({reason}) to {}: {e}; set {} to a writable file",
            log.display(),
            crate::SKIP_LOG
        );
    }
}
