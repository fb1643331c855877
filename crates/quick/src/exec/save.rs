//! `wg-quick save` (and `SaveConfig = true` on `down`): the running configuration plus the
//! wg-quick keys, written atomically over the file.

use super::netlink::Netlink;
use super::rtnl;
use ferrotun_conf::QuickSettings;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

/// Builds the file for `interface` and replaces `path` with it.
pub fn save(
    nl: &mut Netlink,
    interface: &str,
    path: &Path,
    quick: &QuickSettings,
) -> io::Result<()> {
    let index = rtnl::index_of(nl, interface)?;
    let info = ferrotun_uapi::client::get(
        OsStr::new(interface),
        &ferrotun_uapi::client::resolve_numeric,
    )
    .map_err(|e| io::Error::from_raw_os_error(e.errno()))?;
    let mut text = String::from("[Interface]\n");
    // Link-scope IPv6 addresses are the kernel's own (a TUN device gets an fe80::
    // address); written into the file they would be added again on the next `up`.
    for address in rtnl::addresses(nl, index)? {
        if !(address.link_scope && address.prefix.ip.is_ipv6()) {
            let _ = writeln!(text, "Address = {}", address.prefix);
        }
    }
    let dns: Vec<&String> = quick.dns_servers.iter().chain(&quick.dns_search).collect();
    if !dns.is_empty() {
        let joined: Vec<&str> = dns.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(text, "DNS = {}", joined.join(", "));
    }
    if quick.mtu.is_some() {
        if let Some(mtu) = rtnl::link_mtu(nl, index)? {
            let _ = writeln!(text, "MTU = {mtu}");
        }
    }
    if let Some(table) = &quick.table {
        let _ = writeln!(text, "Table = {table}");
    }
    for (key, commands) in [
        ("PreUp", &quick.pre_up),
        ("PostUp", &quick.post_up),
        ("PreDown", &quick.pre_down),
        ("PostDown", &quick.post_down),
    ] {
        for command in commands {
            let _ = writeln!(text, "{key} = {command}");
        }
    }
    text.push_str("SaveConfig = true\n");
    text.push_str(&crate::wgconf::showconf_interface_keys(&info));
    text.push_str(&crate::wgconf::showconf_peers(&info));
    write_atomically(path, text.as_bytes())
}

/// Writes `<path>.tmp` readable by the owner only, syncs it, and renames it over `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(".tmp");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}
