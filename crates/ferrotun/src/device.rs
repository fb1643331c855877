//! Reaching an interface, as `wg`'s `ipc.c` does on Linux: the userspace socket when there
//! is one, otherwise the kernel's netlink interface.
//!
//! ferrotun has no netlink backend yet. Where `wg` would talk to the kernel, this module
//! reports the error `wg` would get when the kernel has no such WireGuard device, and says
//! plainly that kernel interfaces are not supported when there is one. Kernel WireGuard
//! devices are recognised from sysfs (`DEVTYPE=wireguard`), without netlink.

use ferrotun_uapi::client::{self, DeviceInfo};
use ferrotun_uapi::SetRequest;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::net::SocketAddr;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};

/// Interface names are at most this long (`IFNAMSIZ - 1`).
pub const IFNAME_MAX: usize = 15;

const SYS_NET: &str = "/sys/class/net";

/// Why an interface could not be read or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceError {
    /// An `errno`, printed with its `strerror` text as `wg` prints it.
    Errno(client::Error),
    /// A kernel WireGuard interface: ferrotun cannot drive it yet.
    KernelUnsupported,
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceError::Errno(e) => e.fmt(f),
            DeviceError::KernelUnsupported => f.write_str(
                "this is a kernel WireGuard interface, and ferrotun does not support the \
                 kernel (netlink) backend yet",
            ),
        }
    }
}

/// What a failed [`get_device`] means in plain words, for ferrotun's own line on standard
/// error after `wg`'s: `wg` says "Protocol not supported" (no kernel module) or "No such
/// device" for a name that simply does not exist, which sends a new user looking for the
/// wrong problem. `None` when `wg`'s text is already clear.
#[must_use]
pub fn explain_missing(name: &OsStr, error: &DeviceError) -> Option<String> {
    let DeviceError::Errno(e) = error else {
        return None;
    };
    let shown = name.to_string_lossy();
    let socket = client::SOCKET_DIR;
    match e.errno() {
        libc::EPROTONOSUPPORT | libc::ENODEV
            if sys_net_dir(name).is_none_or(|dir| !dir.exists()) =>
        {
            Some(format!(
                "no interface {shown} (no WireGuard socket in {socket}, no kernel link)"
            ))
        }
        libc::EPROTONOSUPPORT | libc::EOPNOTSUPP => Some(format!(
            "{shown} is not a WireGuard interface (no WireGuard socket in {socket}, and the \
             kernel link of that name is not WireGuard)"
        )),
        _ => None,
    }
}

fn errno(code: i32) -> DeviceError {
    DeviceError::Errno(client::Error::from_errno(code))
}

/// Reads `name`'s configuration and state.
pub fn get_device(name: &OsStr) -> Result<DeviceInfo, DeviceError> {
    if client::has_interface(name) {
        return client::get(name, &resolve_endpoint).map_err(DeviceError::Errno);
    }
    // The kernel path checks the length first (libmnl does not).
    if name.len() > IFNAME_MAX {
        return Err(errno(libc::ENAMETOOLONG));
    }
    Err(kernel_error(name))
}

/// Applies `request` to `name` (already cut to [`IFNAME_MAX`] bytes, as `wg` does).
pub fn set_device(name: &OsStr, request: &SetRequest) -> Result<(), DeviceError> {
    if client::has_interface(name) {
        return client::set(name, request).map_err(DeviceError::Errno);
    }
    Err(kernel_error(name))
}

/// The name as `wg` keeps it in its device structure: at most [`IFNAME_MAX`] bytes. A name
/// with a slash is a UAPI socket's path (a `ferrotun proxy`'s) and stays whole.
#[must_use]
pub fn truncated(name: &OsStr) -> &OsStr {
    let bytes = name.as_bytes();
    if bytes.contains(&b'/') {
        return name;
    }
    OsStr::from_bytes(&bytes[..bytes.len().min(IFNAME_MAX)])
}

/// What the kernel would answer for a device that has no userspace socket.
fn kernel_error(name: &OsStr) -> DeviceError {
    if is_kernel_wireguard(name) {
        return DeviceError::KernelUnsupported;
    }
    if !Path::new("/sys/module/wireguard").exists() {
        // No WireGuard generic netlink family at all.
        return errno(libc::EPROTONOSUPPORT);
    }
    match sys_net_dir(name) {
        Some(dir) if dir.exists() => errno(libc::EOPNOTSUPP),
        _ => errno(libc::ENODEV),
    }
}

/// `/sys/class/net/NAME`, unless the name could leave that directory.
fn sys_net_dir(name: &OsStr) -> Option<PathBuf> {
    let bytes = name.as_bytes();
    let unsafe_name = bytes.is_empty() || bytes.contains(&b'/') || bytes == b"." || bytes == b"..";
    (!unsafe_name).then(|| Path::new(SYS_NET).join(name))
}

/// Whether sysfs shows `name` as a kernel WireGuard device.
fn is_kernel_wireguard(name: &OsStr) -> bool {
    sys_net_dir(name)
        .and_then(|dir| std::fs::read_to_string(dir.join("uevent")).ok())
        .is_some_and(|uevent| uevent.lines().any(|line| line == "DEVTYPE=wireguard"))
}

/// Every interface `wg` would list: kernel WireGuard devices first (by interface index, as
/// a netlink dump returns them), then userspace sockets in directory order.
pub fn list_devices() -> Result<Vec<OsString>, DeviceError> {
    let mut kernel: Vec<(u32, OsString)> = std::fs::read_dir(SYS_NET)
        .into_iter()
        .flatten()
        .map_while(Result::ok)
        .map(|entry| entry.file_name())
        .filter(|name| is_kernel_wireguard(name))
        .map(|name| (if_index(&name), name))
        .collect();
    kernel.sort();
    let mut names: Vec<OsString> = kernel.into_iter().map(|(_, name)| name).collect();
    names.extend(client::list_interfaces().map_err(DeviceError::Errno)?);
    Ok(names)
}

fn if_index(name: &OsStr) -> u32 {
    sys_net_dir(name)
        .and_then(|dir| std::fs::read_to_string(dir.join("ifindex")).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(u32::MAX)
}

/// Resolves a `get` reply's endpoint as `wg` does: `getaddrinfo` for UDP, so a zone may be
/// an interface name; the first result must be IPv4 or IPv6.
fn resolve_endpoint(host: &str, port: &str) -> Option<SocketAddr> {
    ferrotun_conf::resolve::first_inet(Some(host), port, 0)
        .ok()
        .flatten()
}
