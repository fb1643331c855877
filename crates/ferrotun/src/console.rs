//! Writing to standard output and standard error without ever panicking.
//!
//! `print!` and `eprint!` panic when the stream is closed; `wg` would instead die of
//! SIGPIPE or carry on. These helpers ignore write errors, which is the closest safe match.

use std::ffi::OsStr;
use std::io::Write as _;
use std::os::unix::ffi::OsStrExt as _;

/// Writes bytes to standard error.
pub fn err_bytes(bytes: &[u8]) {
    let _ = std::io::stderr().lock().write_all(bytes);
}

/// Writes a line (a newline is added) to standard error.
pub fn err_line(text: &str) {
    let mut line = Vec::with_capacity(text.len() + 1);
    line.extend_from_slice(text.as_bytes());
    line.push(b'\n');
    err_bytes(&line);
}

/// Writes bytes to standard output.
pub fn out_bytes(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}

/// `Usage: PROG CMD REST` on standard error (`REST` may be empty, then no space follows).
pub fn usage(prog: &OsStr, command: &OsStr, rest: &str) {
    let mut line = b"Usage: ".to_vec();
    line.extend_from_slice(prog.as_bytes());
    line.push(b' ');
    line.extend_from_slice(command.as_bytes());
    if !rest.is_empty() {
        line.push(b' ');
        line.extend_from_slice(rest.as_bytes());
    }
    line.push(b'\n');
    err_bytes(&line);
}
