//! `save` (and `SaveConfig = true` on `down`): the running interface written into the file
//! by [`crate::saveedit`], then swapped in atomically.

use super::netlink::Netlink;
use super::rtnl;
use crate::action::Prefix;
use crate::saveedit::{edit, Saved};
use ferrotun_conf::Config;
use std::ffi::OsStr;
use std::io::{self, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

/// Edits `path` (as parsed into `config`) to describe `interface` as it runs now.
pub fn save(nl: &mut Netlink, interface: &str, path: &Path, config: &Config) -> io::Result<()> {
    let index = rtnl::index_of(nl, interface)?;
    let device = ferrotun_uapi::client::get(
        OsStr::new(interface),
        &ferrotun_uapi::client::resolve_numeric,
    )
    .map_err(|e| io::Error::from_raw_os_error(e.errno()))?;
    // Link-scope IPv6 addresses are the kernel's own (a TUN device gets an fe80::
    // address); written into the file they would be added again on the next `up`.
    let addresses: Vec<Prefix> = rtnl::addresses(nl, index)?
        .into_iter()
        .filter(|a| !(a.link_scope && a.prefix.ip.is_ipv6()))
        .map(|a| a.prefix)
        .collect();
    let mtu = match config.interface.quick.mtu {
        Some(_) => rtnl::link_mtu(nl, index)?,
        None => None,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let saved = Saved {
        addresses: &addresses,
        mtu,
        device: &device,
    };
    write_atomically(path, edit(&text, config, &saved).as_bytes(), 0o600)
}

/// Writes `<path>.tmp` with `mode`, syncs it, renames it over `path` and syncs the
/// directory, so `path` is always either the old file or the whole new one.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(".tmp");
    // A stale temporary file could carry a wider mode than ours; start afresh.
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&tmp)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::File::open(dir)?.sync_all()
}
