//! Errors as the UAPI reports them: a negative errno in the `errno=` reply line, plus a
//! message for the daemon's log.
//!
//! wireguard-go (`ipc/uapi_unix.go`) uses exactly five codes, all negated host errno values:
//! `-EIO`, `-EPROTO`, `-EINVAL`, `-EADDRINUSE` and `-55` for anything unexpected. `wg` negates
//! the number before calling `strerror`, so the sign matters: a positive value prints as
//! "Unknown error -22" (docs/compatibility.md UAPI-1).

use core::fmt;

/// A UAPI status code as written after `errno=`: 0 for success, a negated errno otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(i32);

// The host's numbers, because `wg` on the same host passes them to its own `strerror`.
// wireguard-go on Windows (`ipc/uapi_windows.go`) hard-codes the Linux numbers; so do we
// wherever there is no libc.
#[cfg(unix)]
mod host {
    pub(super) const EIO: i32 = libc::EIO;
    pub(super) const EPROTO: i32 = libc::EPROTO;
    pub(super) const EINVAL: i32 = libc::EINVAL;
    pub(super) const EADDRINUSE: i32 = libc::EADDRINUSE;
}
#[cfg(not(unix))]
mod host {
    pub(super) const EIO: i32 = 5;
    pub(super) const EPROTO: i32 = 71;
    pub(super) const EINVAL: i32 = 22;
    pub(super) const EADDRINUSE: i32 = 98;
}

impl Errno {
    /// Success.
    pub const OK: Errno = Errno(0);
    /// `-EIO`: reading the request or writing the reply failed, or a line was too long.
    pub const EIO: Errno = Errno(-host::EIO);
    /// `-EPROTO`: a `set` line without `=`.
    pub const EPROTO: Errno = Errno(-host::EPROTO);
    /// `-EINVAL`: an unknown key, a malformed value, or too many peers.
    pub const EINVAL: Errno = Errno(-host::EINVAL);
    /// `-EADDRINUSE`: wireguard-go's code for a failed rebind (`listen_port`) and for a
    /// failed `fwmark`.
    pub const EADDRINUSE: Errno = Errno(-host::EADDRINUSE);
    /// `-55`: wireguard-go's code for an error of no known kind (`IpcErrorUnknown`).
    pub const UNKNOWN: Errno = Errno(-55);

    /// A status from a raw value; a positive errno is negated so it reaches `wg` correctly.
    #[must_use]
    pub const fn from_raw(code: i32) -> Errno {
        if code > 0 {
            Errno(-code)
        } else {
            Errno(code)
        }
    }

    /// The status for an OS error: its negated errno, or [`Errno::EIO`] if it has none.
    #[must_use]
    pub fn from_io(err: &std::io::Error) -> Errno {
        err.raw_os_error().map_or(Errno::EIO, Errno::from_raw)
    }

    /// The number written after `errno=` (0 or negative).
    #[must_use]
    pub const fn code(self) -> i32 {
        self.0
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A failed UAPI operation: the code for the client and a message for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    errno: Errno,
    message: String,
}

impl Error {
    /// An error with the given code and log message. A code of 0 would tell the client the
    /// request succeeded, so it becomes [`Errno::UNKNOWN`].
    #[must_use]
    pub fn new(errno: Errno, message: impl Into<String>) -> Self {
        Error {
            errno: if errno == Errno::OK {
                Errno::UNKNOWN
            } else {
                errno
            },
            message: message.into(),
        }
    }

    /// `-EINVAL` with a message.
    #[must_use]
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(Errno::EINVAL, message)
    }

    /// The code the client receives.
    #[must_use]
    pub fn errno(&self) -> Errno {
        self.errno
    }

    /// The log message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    // The same shape as wireguard-go's log line, so logs of the two read alike.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IPC error {}: {}", self.errno, self.message)
    }
}

impl std::error::Error for Error {}
