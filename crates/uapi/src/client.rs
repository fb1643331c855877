//! The client side of the UAPI, as wireguard-tools' `wg` speaks it (`ipc-uapi.h`,
//! `ipc-uapi-unix.h`):
//!
//! * [`list_interfaces`] scans [`SOCKET_DIR`] for `*.sock` files that accept a connection,
//!   in directory order, unlinking sockets whose daemon is gone (`ECONNREFUSED`);
//! * [`get`] sends `get=1` and reads the reply into a [`DeviceInfo`], accepting and
//!   refusing exactly what `wg` does;
//! * [`set`] sends a [`SetRequest`] and returns the daemon's verdict.
//!
//! Failures are an [`Error`] holding the C `errno` `wg` would have set, so a front end can
//! print the same `strerror` text. One connection is used per request, as `wg` does.
//! Unix only.
#![cfg(unix)]

use crate::model::SetRequest;
use ferrotun_proto::keys::{PresharedKey, PrivateKey, PublicKey};
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{BufReader, Write as _};
use std::net::{IpAddr, SocketAddr};
use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
use std::os::unix::fs::FileTypeExt as _;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use zeroize::Zeroize as _;

mod reply;

pub use reply::resolve_numeric;

/// Where daemons put their sockets (`RUNSTATEDIR "/wireguard/"` in wireguard-tools).
pub const SOCKET_DIR: &str = "/var/run/wireguard";

/// `sizeof(sockaddr_un.sun_path) - 1`: `wg` formats the path into that buffer and silently
/// cuts what does not fit.
const SUN_PATH_MAX: usize = 107;

/// A failed request: the `errno` value `wg` would report (usually positive; a daemon that
/// answers `set` with a positive code makes it negative, which `strerror` shows as
/// "Unknown error -N").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Error(i32);

impl Error {
    /// An error with this `errno`.
    #[must_use]
    pub const fn from_errno(errno: i32) -> Self {
        Error(errno)
    }

    /// The `errno` of an I/O error (`EIO` if it has none).
    #[must_use]
    pub fn from_io(error: &std::io::Error) -> Self {
        Error(error.raw_os_error().unwrap_or(libc::EIO))
    }

    /// The `errno` value.
    #[must_use]
    pub const fn errno(self) -> i32 {
        self.0
    }

    pub(crate) const PROTO: Error = Error(libc::EPROTO);
}

impl fmt::Display for Error {
    /// The `strerror` text, as `perror` prints it after the colon.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = std::io::Error::from_raw_os_error(self.0).to_string();
        let text = match text.rfind(" (os error ") {
            Some(at) => &text[..at],
            None => &text,
        };
        f.write_str(text)
    }
}

impl std::error::Error for Error {}

/// A device as a `get` reply describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The private key, if the daemon has one (stored clamped).
    pub private_key: Option<PrivateKey>,
    /// Derived from the private key, as `wg` derives it.
    pub public_key: Option<PublicKey>,
    /// The listening port (0 if none was reported).
    pub listen_port: u16,
    /// The firewall mark (0 is off).
    pub fwmark: u32,
    /// The peers in reply order.
    pub peers: Vec<PeerInfo>,
}

/// One peer of a `get` reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerInfo {
    /// The peer's public key.
    pub public_key: PublicKey,
    /// The preshared key, if one is set (an all-zero key in the reply means none).
    pub preshared_key: Option<PresharedKey>,
    /// The current endpoint, if known.
    pub endpoint: Option<SocketAddr>,
    /// Wall-clock seconds of the last handshake (0: never).
    pub last_handshake_sec: u64,
    /// Nanoseconds part of the last handshake time.
    pub last_handshake_nsec: u64,
    /// Bytes received.
    pub rx_bytes: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
    /// Persistent keepalive interval in seconds (0: off).
    pub persistent_keepalive: u16,
    /// Allowed IPs as address and prefix length, in reply order.
    pub allowed_ips: Vec<(IpAddr, u8)>,
}

impl PeerInfo {
    /// A peer with nothing but its key.
    #[must_use]
    pub fn new(public_key: PublicKey) -> Self {
        PeerInfo {
            public_key,
            preshared_key: None,
            endpoint: None,
            last_handshake_sec: 0,
            last_handshake_nsec: 0,
            rx_bytes: 0,
            tx_bytes: 0,
            persistent_keepalive: 0,
            allowed_ips: Vec::new(),
        }
    }
}

/// The socket path for `name`, cut to what `wg`'s fixed buffer holds. A name with a slash
/// is already a path: the socket of a `ferrotun proxy`, which runs without root and so
/// serves its UAPI outside `/var/run/wireguard` (`wg` refuses such names with `EINVAL`).
#[must_use]
pub fn socket_path(name: &OsStr) -> PathBuf {
    if name.as_bytes().contains(&b'/') {
        return PathBuf::from(name);
    }
    let mut path = format!("{SOCKET_DIR}/").into_bytes();
    path.extend_from_slice(name.as_bytes());
    path.extend_from_slice(b".sock");
    path.truncate(SUN_PATH_MAX);
    PathBuf::from(OsString::from_vec(path))
}

/// Connects to `name`'s socket (`userspace_interface_file`): `EBADF` if the path is not a
/// socket, and the socket is unlinked on `ECONNREFUSED`. A name with a slash is the
/// socket's path ([`socket_path`]).
pub fn connect(name: &OsStr) -> Result<UnixStream, Error> {
    let path = socket_path(name);
    let meta = std::fs::metadata(&path).map_err(|e| Error::from_io(&e))?;
    if !meta.file_type().is_socket() {
        return Err(Error(libc::EBADF));
    }
    UnixStream::connect(&path).map_err(|e| {
        if e.raw_os_error() == Some(libc::ECONNREFUSED) {
            // The daemon is gone; clean up after it as `wg` does.
            let _ = std::fs::remove_file(&path);
        }
        Error::from_io(&e)
    })
}

/// Whether `name` has a userspace socket (`userspace_has_wireguard_interface`). A socket
/// that refuses connections is unlinked and does not count; one that fails otherwise (for
/// example with `EACCES`) still counts.
#[must_use]
pub fn has_interface(name: &OsStr) -> bool {
    let path = socket_path(name);
    match std::fs::metadata(&path) {
        Ok(meta) if meta.file_type().is_socket() => {}
        _ => return false,
    }
    match UnixStream::connect(&path) {
        Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => {
            let _ = std::fs::remove_file(&path);
            false
        }
        _ => true,
    }
}

/// The userspace interfaces, in directory order. A missing directory means none.
pub fn list_interfaces() -> Result<Vec<OsString>, Error> {
    let entries = match std::fs::read_dir(SOCKET_DIR) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::from_io(&e)),
    };
    let mut names = Vec::new();
    for entry in entries.map_while(Result::ok) {
        let file = entry.file_name();
        let Some(name) = file.as_bytes().strip_suffix(b".sock") else {
            continue;
        };
        let name = OsStr::from_bytes(name);
        if !name.is_empty() && has_interface(name) {
            names.push(name.to_os_string());
        }
    }
    Ok(names)
}

/// Reads `name`'s configuration and state. `resolve` turns an endpoint's host and port
/// into an address (`wg` uses `getaddrinfo`; [`resolve_numeric`] needs no libc).
pub fn get(
    name: &OsStr,
    resolve: &dyn Fn(&str, &str) -> Option<SocketAddr>,
) -> Result<DeviceInfo, Error> {
    let mut stream = connect(name)?;
    stream
        .write_all(b"get=1\n\n")
        .map_err(|e| Error::from_io(&e))?;
    reply::read_get_reply(&mut BufReader::new(stream), resolve)
}

/// Applies `request` to `name`. `Err` carries the daemon's `errno` (negated back to
/// positive), or `EPROTO` for a malformed reply.
pub fn set(name: &OsStr, request: &SetRequest) -> Result<(), Error> {
    let mut stream = connect(name)?;
    let mut body = request.encode();
    // A failed write shows up as a missing reply, as it does for `wg`.
    let _ = stream.write_all(&body);
    body.zeroize();
    reply::read_set_reply(&mut BufReader::new(stream))
}

#[cfg(test)]
mod tests;
