//! `set <interface> [listen-port P] [fwmark M] [private-key FILE] [peer KEY [remove]
//! [preshared-key FILE] [endpoint HOST:PORT] [persistent-keepalive N|off]
//! [allowed-ips [+|-]IP/CIDR,...]]...` (`set.c`, `config.c` `config_read_cmd`).
//!
//! Arguments are read in order, device settings only before the first `peer`. Problems are
//! reported with `wg`'s words before anything is sent.

use super::{is, report};
use crate::console::{err_bytes, err_line};
use crate::device;
use crate::Invocation;
use ferrotun_conf::resolve::{Resolver, SystemResolver};
use ferrotun_conf::value;
use ferrotun_conf::{AllowedIpOp, Error};
use ferrotun_proto::keys::PresharedKey;
use ferrotun_uapi::{AllowedIpChange, PeerChange, SetRequest};
use std::ffi::{OsStr, OsString};
use std::io::Read as _;
use std::os::unix::ffi::OsStrExt as _;
use zeroize::Zeroize as _;

const USAGE: &str = "<interface> [listen-port <port>] [fwmark <mark>] [private-key <file path>] [peer <base64 public key> [remove] [preshared-key <file path>] [endpoint <ip>:<port>] [persistent-keepalive <interval seconds>] [allowed-ips [+|-]<ip1>/<cidr1>[,[+|-]<ip2>/<cidr2>]...] ]...";

/// `set`.
pub fn run(inv: &Invocation<'_>) -> u8 {
    if inv.args.len() < 3 {
        inv.usage(USAGE);
        return 1;
    }
    let Some(request) = parse_args(&inv.args[2..]) else {
        return 1;
    };
    let name = device::truncated(&inv.args[1]);
    match device::set_device(name, &request) {
        Ok(()) => 0,
        Err(e) => {
            report("Unable to modify interface", &e);
            1
        }
    }
}

/// Prints a value error as `wg` does (its text alone).
fn complain(error: &Error) {
    err_line(&error.message);
}

/// The arguments after the interface name as a request; `None` after reporting a problem.
fn parse_args(args: &[OsString]) -> Option<SetRequest> {
    let mut notify = |line: &str| err_line(line);
    let mut resolver = SystemResolver::new(&mut notify);
    let mut request = SetRequest::default();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_os_str();
        let value = args.get(i + 1);
        let consumed = if request.peers.is_empty() {
            device_argument(&mut request, arg, value, &mut resolver)
        } else {
            None
        };
        let consumed = match consumed {
            Some(result) => result?,
            None if value.is_some() && is(arg, "peer") => {
                let text = value.map(|v| v.to_string_lossy()).unwrap_or_default();
                let key = reported(value::parse_public_key(&text))?;
                request.peers.push(PeerChange::new(key));
                2
            }
            None => match request.peers.last_mut() {
                Some(peer) => match peer_argument(peer, arg, value, &mut resolver) {
                    Some(result) => result?,
                    None => return invalid(arg),
                },
                None => return invalid(arg),
            },
        };
        i += consumed;
    }
    Some(request)
}

/// `Some(value)`, or `None` after printing the problem.
fn reported<T>(result: Result<T, Error>) -> Option<T> {
    result.map_err(|e| complain(&e)).ok()
}

fn invalid(arg: &OsStr) -> Option<SetRequest> {
    let mut text = b"Invalid argument: ".to_vec();
    text.extend_from_slice(arg.as_bytes());
    text.push(b'\n');
    err_bytes(&text);
    None
}

/// A device argument (before the first `peer`): `Some(Some(n))` consumed `n` arguments,
/// `Some(None)` is a reported problem, `None` an argument that is not a device setting.
fn device_argument(
    request: &mut SetRequest,
    arg: &OsStr,
    value: Option<&OsString>,
    resolver: &mut dyn Resolver,
) -> Option<Option<usize>> {
    let raw_value = value?;
    let text = raw_value.to_string_lossy();
    if is(arg, "listen-port") {
        let Some(port) = reported(resolver.resolve_port(&text)) else {
            return Some(None);
        };
        request.listen_port = Some(port);
    } else if is(arg, "fwmark") {
        let Some(mark) = reported(value::parse_fwmark(&text)) else {
            return Some(None);
        };
        request.fwmark = Some(mark);
    } else if is(arg, "private-key") {
        let Some(raw) = read_key_file(raw_value) else {
            return Some(None);
        };
        request.private_key = Some(value::private_key_from_raw(&raw));
    } else {
        return None;
    }
    Some(Some(2))
}

/// A peer argument, with the same result convention as [`device_argument`].
fn peer_argument(
    peer: &mut PeerChange,
    arg: &OsStr,
    value: Option<&OsString>,
    resolver: &mut dyn Resolver,
) -> Option<Option<usize>> {
    if is(arg, "remove") {
        peer.remove = true;
        return Some(Some(1));
    }
    let raw_value = value?;
    let text = raw_value.to_string_lossy();
    if is(arg, "endpoint") {
        let Some(addr) = reported(endpoint(&text, resolver)) else {
            return Some(None);
        };
        peer.endpoint = Some(addr);
    } else if is(arg, "allowed-ips") {
        if reported(allowed_ips(peer, &value::strip_spaces(&text))).is_none() {
            return Some(None);
        }
    } else if is(arg, "persistent-keepalive") {
        let Some(seconds) = reported(value::parse_keepalive(&text)) else {
            return Some(None);
        };
        peer.persistent_keepalive = Some(seconds);
    } else if is(arg, "preshared-key") {
        let Some(psk) = read_key_file(raw_value) else {
            return Some(None);
        };
        peer.preshared_key = Some(psk);
    } else {
        return None;
    }
    Some(Some(2))
}

fn endpoint(text: &str, resolver: &mut dyn Resolver) -> Result<std::net::SocketAddr, Error> {
    let (host, service) = value::split_endpoint(text)?;
    resolver.resolve_endpoint(host, service, text)
}

/// `allowed-ips`: the last list decides whether the peer's list is replaced, as in `wg`.
fn allowed_ips(peer: &mut PeerChange, text: &str) -> Result<(), Error> {
    let list = value::parse_allowed_ips(text)?;
    for warning in &list.warnings {
        err_line(warning);
    }
    peer.replace_allowed_ips = list.replace;
    peer.allowed_ips
        .extend(list.entries.iter().map(|a| AllowedIpChange {
            op: match a.op {
                AllowedIpOp::Add => ferrotun_uapi::AllowedIpOp::Add,
                AllowedIpOp::Remove => ferrotun_uapi::AllowedIpOp::Remove,
            },
            // Sent as written, host bits and all, as `wg` does; the daemon masks them.
            ip: a.ip,
            cidr: a.cidr,
        }));
    Ok(())
}

/// A key file (`parse_keyfile`): 44 base64 characters and only whitespace after them; an
/// empty file (such as `/dev/null`) is the all-zero key. Problems are reported here.
fn read_key_file(path: &OsStr) -> Option<PresharedKey> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) => {
            err_line(&format!(
                "fopen: {}",
                ferrotun_uapi::client::Error::from_io(&e)
            ));
            return None;
        }
    };
    let mut text = [0u8; 44];
    let (filled, failed) = fill(&mut file, &mut text);
    if filled < text.len() {
        if filled == 0 && !failed {
            return Some(PresharedKey::from_bytes([0; 32]));
        }
        err_line("Invalid length key in key file");
        return None;
    }
    if let Some(stray) = first_non_space(&mut file) {
        text.zeroize();
        let mut line = b"Found trailing character in key file: `".to_vec();
        line.extend_from_slice(&[stray, b'\'', b'\n']);
        err_bytes(&line);
        return None;
    }
    // A NUL byte ends the C string early.
    let end = text.iter().position(|b| *b == 0).unwrap_or(text.len());
    let shown = String::from_utf8_lossy(&text[..end]).into_owned();
    let key = value::parse_key(&shown);
    text.zeroize();
    key.map_err(|e| complain(&e)).ok()
}

/// Reads until `buf` is full or the file ends: (bytes read, whether a read failed).
fn fill(file: &mut std::fs::File, buf: &mut [u8]) -> (usize, bool) {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => return (filled, false),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return (filled, true),
        }
    }
    (filled, false)
}

/// The first byte after the key that is not whitespace, if any.
fn first_non_space(file: &mut std::fs::File) -> Option<u8> {
    let mut chunk = [0u8; 512];
    loop {
        match file.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => {
                if let Some(b) = chunk[..n].iter().find(|b| !value::is_wg_space(**b)) {
                    return Some(*b);
                }
            }
        }
    }
}
