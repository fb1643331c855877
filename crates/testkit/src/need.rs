//! The prerequisites a test can name, and how each is checked.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

/// One thing a test needs from the machine.
#[derive(Debug, Clone, Copy)]
pub enum Need<'a> {
    /// Effective user id 0: network namespaces, TUN devices, mount namespaces.
    Root,
    /// A program on `PATH` (or, if the name holds a `/`, at that path).
    Tool(&'a str),
    /// A file the test runs, such as a release build; `hint` says how to make it.
    File { path: &'a Path, hint: &'a str },
}

impl Need<'_> {
    /// What is missing, in words, or `None` if it is there.
    pub fn missing(&self) -> Option<String> {
        match *self {
            Need::Root => match effective_uid() {
                Some(0) => None,
                Some(uid) => Some(format!("needs root (running as uid {uid})")),
                None => Some("needs root (no Uid line in /proc/self/status)".to_string()),
            },
            Need::Tool(tool) => which(tool)
                .is_none()
                .then(|| format!("`{tool}` not on PATH")),
            Need::File { path, hint } => {
                (!path.is_file()).then(|| format!("no file {}: {hint}", path.display()))
            }
        }
    }
}

/// The effective user id, from `/proc/self/status` (its `Uid:` line: real, effective,
/// saved, filesystem).
fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("Uid:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Where `tool` runs from: the first executable file of that name in a `PATH` directory, or
/// `tool` itself if it holds a `/`.
pub fn which(tool: &str) -> Option<PathBuf> {
    let executable = |path: &Path| {
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if tool.contains('/') {
        let path = PathBuf::from(tool);
        return executable(&path).then_some(path);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|candidate| executable(candidate))
}
