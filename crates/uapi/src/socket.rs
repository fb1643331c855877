//! The listening socket `/var/run/wireguard/<name>.sock` (docs/protocol.md §13.1).
//!
//! * The directory is created with mode 0755 if missing (wireguard-go `ipc/uapi_unix.go`;
//!   boringtun#389 failed without it).
//! * The socket ends up with mode 0600 and is never reachable with looser permissions: it is
//!   bound inside a private (0700) scratch directory, restricted, and only then linked into
//!   place. (wireguard-go changes the process umask instead, which needs a raw libc call here and
//!   would race with other threads creating files.)
//! * An existing socket file is removed only if connecting to it is refused (its daemon
//!   is gone), which is also what `wg` does. If a daemon answers, binding fails with
//!   [`io::ErrorKind::AddrInUse`] and a message naming the interface.
//! * Dropping the [`UapiListener`] removes the socket file, but only if it is still the one
//!   this listener created ([`UapiListener::into_listener`] keeps it).

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

/// Where `wg` looks for userspace interfaces (tools `RUNSTATEDIR "/wireguard/"`).
pub const SOCKET_DIR: &str = "/var/run/wireguard";

/// A bound UAPI socket. Accept connections from [`listener`](UapiListener::listener) and
/// hand each to [`serve`](crate::server::serve), one thread (or task) per connection.
#[derive(Debug)]
pub struct UapiListener {
    listener: UnixListener,
    file: SocketFile,
}

impl UapiListener {
    /// Binds `/var/run/wireguard/<name>.sock`.
    pub fn bind(name: &str) -> io::Result<Self> {
        Self::bind_in(Path::new(SOCKET_DIR), name)
    }

    /// Binds `<dir>/<name>.sock`, creating `dir` (0755) if needed.
    pub fn bind_in(dir: &Path, name: &str) -> io::Result<Self> {
        check_name(name)?;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(dir)?;
        let path = dir.join(format!("{name}.sock"));
        remove_stale(&path, name)?;
        let scratch = dir.join(format!(".{name}.sock.{}.tmp", std::process::id()));
        let bound = bind_private(&scratch, &path, name);
        // The scratch directory goes whatever happened.
        let _ = fs::remove_dir_all(&scratch);
        let listener = bound?;
        let meta = fs::symlink_metadata(&path)?;
        let file = SocketFile {
            path,
            identity: (meta.dev(), meta.ino()),
            remove_on_drop: true,
        };
        Ok(UapiListener { listener, file })
    }

    /// The listening socket.
    #[must_use]
    pub fn listener(&self) -> &UnixListener {
        &self.listener
    }

    /// The socket file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.file.path
    }

    /// Whether the socket file is still ours. wireguard-go exits when its socket file is
    /// deleted (`rm` of the socket is a documented way to stop it); a daemon can poll this.
    #[must_use]
    pub fn is_current(&self) -> bool {
        self.file.is_current()
    }

    /// The listener alone; the socket file then stays when it is dropped (for a daemon that
    /// hands the socket to a background process, which removes the file itself on exit).
    #[must_use]
    pub fn into_listener(self) -> UnixListener {
        let UapiListener { listener, mut file } = self;
        file.remove_on_drop = false;
        listener
    }
}

/// The socket file, removed on drop if it is still the one we created.
#[derive(Debug)]
struct SocketFile {
    path: PathBuf,
    /// Device and inode of the socket file we created, to recognise it later.
    identity: (u64, u64),
    remove_on_drop: bool,
}

impl SocketFile {
    fn is_current(&self) -> bool {
        fs::symlink_metadata(&self.path).is_ok_and(|m| (m.dev(), m.ino()) == self.identity)
    }
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        if self.remove_on_drop && self.is_current() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Interface names become file names: refuse anything that could leave the directory (`wg`
/// itself refuses names containing `/`).
fn check_name(name: &str) -> io::Result<()> {
    let bad = name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']);
    if bad {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("invalid interface name {name:?}"),
        ));
    }
    Ok(())
}

/// Removes a socket left behind by a daemon that is gone; fails if one is still running.
fn remove_stale(path: &Path, name: &str) -> io::Result<()> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if !meta.file_type().is_socket() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not a socket", path.display()),
        ));
    }
    match UnixStream::connect(path) {
        Ok(_) => Err(in_use(path, name)),
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => match fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("cannot tell whether {} is in use: {e}", path.display()),
        )),
    }
}

/// Binds inside a fresh 0700 directory, sets 0600, then hard-links the socket to `path`;
/// the link fails rather than replace a socket another daemon created meanwhile.
fn bind_private(scratch: &Path, path: &Path, name: &str) -> io::Result<UnixListener> {
    match fs::remove_dir_all(scratch) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    fs::DirBuilder::new().mode(0o700).create(scratch)?;
    fs::set_permissions(scratch, fs::Permissions::from_mode(0o700))?;
    let temp = scratch.join("s");
    let listener = UnixListener::bind(&temp)?;
    fs::set_permissions(&temp, fs::Permissions::from_mode(0o600))?;
    match fs::hard_link(&temp, path) {
        Ok(()) => Ok(listener),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(in_use(path, name)),
        Err(e) => Err(e),
    }
}

fn in_use(path: &Path, name: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::AddrInUse,
        format!(
            "{} is in use: another daemon is already serving interface {name}",
            path.display()
        ),
    )
}

#[cfg(test)]
mod tests;
