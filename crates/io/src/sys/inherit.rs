//! Descriptors another process hands to this one by number (`WG_TUN_FD`, `WG_UAPI_FD`): the
//! number is checked to be open and of the kind the variable promises, and then duplicated.
//! Nothing can prove that a number read from the environment is nobody else's in this
//! process, so taking it over (an `OwnedFd` that closes it) would need the caller's promise.
//! A duplicate (`F_DUPFD_CLOEXEC`) is a new descriptor this process owns whatever the number
//! was, so the hand-over is a safe function; the inherited number itself stays open for the
//! life of the process (one descriptor each, which shares the open file with the duplicate:
//! the TUN interface and the listening socket still go away when the process exits). The
//! check makes a wrong or stale number a clear error instead of a TUN that is a socket or a
//! listener that is a file.
#![allow(unsafe_code)]

use super::cvt;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// What an inherited descriptor must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdKind {
    /// A character device: an open `/dev/net/tun` (a TUN descriptor).
    CharDevice,
    /// A Unix stream socket in the listening state (a UAPI socket).
    UnixListener,
}

/// A descriptor of our own for the open file behind `fd`, after checking that `fd` is open,
/// of `kind`, and not a standard stream (0, 1, 2); refuses (`InvalidInput`, or the OS error,
/// e.g. `EBADF` for a closed number) otherwise. `fd` itself is left as it is (see the module
/// docs).
pub fn inherit_fd(fd: RawFd, kind: FdKind) -> io::Result<OwnedFd> {
    check(fd, kind)?;
    // SAFETY: F_DUPFD_CLOEXEC only reads the descriptor table and, on success, creates a new
    // descriptor (at 3 or above, close-on-exec) that nothing else in the process knows of.
    let dup = cvt(unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) })?;
    // SAFETY: `dup` was just created by the kernel for us and is owned by nothing else.
    Ok(unsafe { OwnedFd::from_raw_fd(dup) })
}

/// Whether `fd` is an open descriptor of `kind`. Only queries the kernel: no memory or
/// descriptor is touched, so any number is safe to check.
fn check(fd: RawFd, kind: FdKind) -> io::Result<()> {
    if fd < 0 {
        return Err(refused(format!("{fd} is not a descriptor number")));
    }
    // std owns the standard streams (`std::io::stdin()` and the rest use them for the life of
    // the process), so they are never another process's hand-over.
    if fd <= libc::STDERR_FILENO {
        return Err(refused(format!(
            "descriptor {fd} is a standard stream (stdin, stdout or stderr)"
        )));
    }
    // SAFETY: all-zero is a valid `stat` (plain integers).
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `stat` is valid and writable for the call; fstat on any number only reads the
    // descriptor table (EBADF when it is not open).
    cvt(unsafe { libc::fstat(fd, &mut stat) })?;
    let file_type = stat.st_mode & libc::S_IFMT;
    match kind {
        FdKind::CharDevice if file_type == libc::S_IFCHR => Ok(()),
        FdKind::CharDevice => Err(refused(format!(
            "descriptor {fd} is {}, not a character device",
            describe(file_type)
        ))),
        FdKind::UnixListener if file_type != libc::S_IFSOCK => Err(refused(format!(
            "descriptor {fd} is {}, not a socket",
            describe(file_type)
        ))),
        FdKind::UnixListener => check_unix_listener(fd),
    }
}

fn check_unix_listener(fd: RawFd) -> io::Result<()> {
    let domain = socket_option(fd, libc::SO_DOMAIN)?;
    let kind = socket_option(fd, libc::SO_TYPE)?;
    let listening = socket_option(fd, libc::SO_ACCEPTCONN)?;
    if domain != libc::AF_UNIX || kind != libc::SOCK_STREAM {
        return Err(refused(format!(
            "descriptor {fd} is a socket of domain {domain} and type {kind}, not a Unix \
             stream socket"
        )));
    }
    if listening == 0 {
        return Err(refused(format!(
            "descriptor {fd} is a Unix stream socket that does not listen"
        )));
    }
    Ok(())
}

/// An integer socket option at `SOL_SOCKET` level.
fn socket_option(fd: RawFd, name: libc::c_int) -> io::Result<libc::c_int> {
    let mut value: libc::c_int = 0;
    let mut len = size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `value` and `len` are valid and writable for the call, and `len` says how
    // many bytes `value` holds; the kernel writes at most that many.
    cvt(unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            name,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    })?;
    Ok(value)
}

fn describe(file_type: libc::mode_t) -> &'static str {
    match file_type {
        libc::S_IFREG => "a regular file",
        libc::S_IFDIR => "a directory",
        libc::S_IFCHR => "a character device",
        libc::S_IFBLK => "a block device",
        libc::S_IFIFO => "a pipe",
        libc::S_IFSOCK => "a socket",
        libc::S_IFLNK => "a symbolic link",
        _ => "of an unknown type",
    }
}

fn refused(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

#[cfg(test)]
mod tests;
