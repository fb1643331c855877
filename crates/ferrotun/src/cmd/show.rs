//! `show { <interface> | all | interfaces } [field | dump]` (`show.c` `show_main`), and
//! ferrotun's `--json` (see [`super::json`]).
//!
//! Exit status as in `wg`: `show all` fails only if it listed interfaces and could read
//! none of them, or on an unknown field; `show interfaces` and an empty `show` succeed.

use super::{fields, is, json, pretty, report};
use crate::console::{err_bytes, out_bytes};
use crate::device::{self, DeviceError};
use crate::terminal::{colour_wanted, Terminal};
use crate::Invocation;
use std::ffi::{OsStr, OsString};
use std::io::Write as _;
use std::os::unix::ffi::OsStrExt as _;

const USAGE: &str = "{ <interface> | all | interfaces } [public-key | private-key | listen-port | fwmark | peers | preshared-keys | endpoints | allowed-ips | latest-handshakes | transfer | persistent-keepalive | dump]";

/// `show`.
pub fn run(inv: &Invocation<'_>) -> u8 {
    // `--json` may stand anywhere after `show`; it is ours, so it is taken out first.
    let json_flag = inv.args.iter().skip(1).any(|a| is(a, "--json"));
    let args: Vec<&OsStr> = inv
        .args
        .iter()
        .enumerate()
        .filter(|(i, a)| *i == 0 || !is(a, "--json"))
        .map(|(_, a)| a.as_os_str())
        .collect();
    if args.len() > 3 {
        inv.usage(USAGE);
        return 1;
    }
    let target = args.get(1).copied();
    let field = args.get(2).copied();
    match target {
        None => show_all(inv, None, json_flag),
        Some(t) if is(t, "all") => show_all(inv, field, json_flag),
        Some(t) if is(t, "interfaces") => {
            if args.len() > 2 {
                inv.usage(USAGE);
                return 1;
            }
            show_interfaces(json_flag)
        }
        Some(t) if args.len() == 2 && ["-h", "--help", "help"].iter().any(|h| is(t, h)) => {
            inv.usage(USAGE);
            0
        }
        Some(name) => show_one(inv, name, field, json_flag),
    }
}

fn list_or_report() -> Option<Vec<OsString>> {
    match device::list_devices() {
        Ok(names) => Some(names),
        Err(e) => {
            report("Unable to list interfaces", &e);
            None
        }
    }
}

fn show_interfaces(json_flag: bool) -> u8 {
    let Some(names) = list_or_report() else {
        return 1;
    };
    if json_flag {
        out_bytes(&json::interface_names(&names));
        return 0;
    }
    let mut text = Vec::new();
    for (i, name) in names.iter().enumerate() {
        text.extend_from_slice(name.as_bytes());
        text.push(if i + 1 < names.len() { b' ' } else { b'\n' });
    }
    out_bytes(&text);
    0
}

/// `Unable to access interface NAME: problem`.
fn report_named(name: &OsStr, error: &DeviceError) {
    let mut text = b"Unable to access interface ".to_vec();
    text.extend_from_slice(name.as_bytes());
    text.extend_from_slice(format!(": {error}\n").as_bytes());
    err_bytes(&text);
}

fn show_all(inv: &Invocation<'_>, field: Option<&OsStr>, json_flag: bool) -> u8 {
    let Some(names) = list_or_report() else {
        return 1;
    };
    let mut status = u8::from(!names.is_empty());
    let mut documents = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let device = match device::get_device(name) {
            Ok(device) => device,
            Err(e) => {
                report_named(name, &e);
                continue;
            }
        };
        let shown = device::truncated(name);
        if json_flag {
            let Some(document) = json_form(shown, &device, field) else {
                invalid_field(inv, field.unwrap_or_default());
                return 1;
            };
            documents.push(document);
        } else if let Some(field) = field {
            let mut text = Vec::new();
            let known = fields::print(&mut text, shown, &device, field, true);
            out_bytes(&text);
            if !known {
                invalid_field(inv, field);
                return 1;
            }
        } else {
            let mut stdout = std::io::stdout().lock();
            pretty::print(
                &mut Terminal::new(&mut stdout, colour_wanted()),
                shown,
                device,
            );
            if i + 1 < names.len() {
                let _ = stdout.write_all(b"\n");
            }
            let _ = stdout.flush();
        }
        status = 0;
    }
    if json_flag {
        out_bytes(&json::document_list(documents));
    }
    status
}

fn show_one(inv: &Invocation<'_>, name: &OsStr, field: Option<&OsStr>, json_flag: bool) -> u8 {
    let device = match device::get_device(name) {
        Ok(device) => device,
        Err(e) => {
            // `wg`'s line first, unchanged, for scripts that look for it.
            report("Unable to access interface", &e);
            if let Some(plain) = device::explain_missing(name, &e).filter(|_| !inv.as_wg()) {
                crate::console::err_line(&format!("{}: {plain}", inv.prog.to_string_lossy()));
            }
            return 1;
        }
    };
    let shown = device::truncated(name);
    if json_flag {
        let Some(document) = json_form(shown, &device, field) else {
            invalid_field(inv, field.unwrap_or_default());
            return 1;
        };
        out_bytes(&json::single(&document));
        return 0;
    }
    let Some(field) = field else {
        let mut stdout = std::io::stdout().lock();
        pretty::print(
            &mut Terminal::new(&mut stdout, colour_wanted()),
            shown,
            device,
        );
        let _ = stdout.flush();
        return 0;
    };
    let mut text = Vec::new();
    let known = fields::print(&mut text, shown, &device, field, false);
    out_bytes(&text);
    if known {
        0
    } else {
        invalid_field(inv, field);
        1
    }
}

/// The JSON for the whole interface or one field form; `None` for an unknown field.
fn json_form(
    name: &OsStr,
    device: &ferrotun_uapi::client::DeviceInfo,
    field: Option<&OsStr>,
) -> Option<serde_json::Value> {
    match field {
        None => Some(json::device(name, device)),
        Some(field) => json::field(name, device, field),
    }
}

fn invalid_field(inv: &Invocation<'_>, field: &OsStr) {
    let mut text = b"Invalid parameter: `".to_vec();
    text.extend_from_slice(field.as_bytes());
    text.extend_from_slice(b"'\n");
    err_bytes(&text);
    inv.usage(USAGE);
}
