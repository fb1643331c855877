//! Parse errors and warnings, located as `file:line: problem`.
//!
//! The problem texts are wireguard-tools' own (`config.c`), so that a user who knows `wg`'s
//! messages recognises them; the location in front is ferrotun's addition.

use std::fmt;

/// What kind of failure an [`Error`] is, so a caller can phrase its trailer as `wg` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The file could not be opened or read.
    Io,
    /// A line is wrong (unknown key, bad value, misplaced or duplicate section).
    Syntax,
    /// The file parsed, but the whole is invalid (a peer without a public key).
    Invalid,
    /// The environment is wrong (`WG_ENDPOINT_RESOLUTION_RETRIES`), whatever the file says.
    Environment,
}

/// A configuration error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The file as the caller named it, if the text came from a file.
    pub path: Option<String>,
    /// The 1-based line, if the problem has one.
    pub line: Option<usize>,
    /// The kind.
    pub kind: ErrorKind,
    /// The problem, without location.
    pub message: String,
}

impl Error {
    /// A problem of `kind` at `line`, with no file yet (the parser adds it).
    #[must_use]
    pub fn at(line: usize, kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            path: None,
            line: Some(line),
            kind,
            message: message.into(),
        }
    }

    /// A problem with no line.
    #[must_use]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            path: None,
            line: None,
            kind,
            message: message.into(),
        }
    }

    /// The same error, located in `path`.
    #[must_use]
    pub fn in_file(mut self, path: &str) -> Self {
        self.path = Some(path.to_string());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_located(f, self.path.as_deref(), self.line, &self.message)
    }
}

impl std::error::Error for Error {}

/// A non-fatal finding, such as an allowed IP with host bits set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The file, if any.
    pub path: Option<String>,
    /// The 1-based line, if any.
    pub line: Option<usize>,
    /// The text, as `wg` prints it (`Warning: ...`).
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_located(f, self.path.as_deref(), self.line, &self.message)
    }
}

fn write_located(
    f: &mut fmt::Formatter<'_>,
    path: Option<&str>,
    line: Option<usize>,
    message: &str,
) -> fmt::Result {
    match (path, line) {
        (Some(path), Some(line)) => write!(f, "{path}:{line}: {message}"),
        (Some(path), None) => write!(f, "{path}: {message}"),
        (None, Some(line)) => write!(f, "line {line}: {message}"),
        (None, None) => f.write_str(message),
    }
}
