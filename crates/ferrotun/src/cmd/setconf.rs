//! `setconf`, `addconf` and `syncconf <interface> <file>` (`setconf.c`).
//!
//! * `setconf` replaces everything: a setting the file leaves out becomes empty (no private
//!   key, port 0, fwmark off) and the peer list becomes the file's.
//! * `addconf` changes only what the file mentions and adds or updates its peers.
//! * `syncconf` is `setconf` without disturbing peers that stay: see [`super::sync`].
//!
//! Parse errors are `file:line: problem` (the problem in `wg`'s words), followed by `wg`'s
//! "Configuration parsing error" or "Invalid configuration".

use super::report;
use crate::console::err_line;
use crate::device;
use crate::Invocation;
use ferrotun_conf::{
    parse_file, Config, Dialect, ErrorKind, ParseOptions, SystemResolver, Warning,
};
use ferrotun_quick::wgconf;
use std::path::Path;

/// `setconf`, `addconf` and `syncconf`.
pub fn run(inv: &Invocation<'_>) -> u8 {
    if inv.args.len() != 3 {
        inv.usage("<interface> <configuration filename>");
        return 1;
    }
    let command = inv.command();
    let Some(config) = read_config(Path::new(&inv.args[2])) else {
        return 1;
    };
    let mut request = if command == "addconf" {
        wgconf::addconf_request(&config)
    } else {
        wgconf::setconf_request(&config)
    };
    let name = device::truncated(&inv.args[1]);
    if command == "syncconf" {
        if let Err(e) = super::sync::diff_against_device(&mut request, name) {
            report("Unable to retrieve current interface configuration", &e);
            return 1;
        }
    }
    match device::set_device(name, &request) {
        Ok(()) => 0,
        Err(e) => {
            report("Unable to modify interface", &e);
            1
        }
    }
}

/// Parses the file for wg(8), printing warnings as they come and any error with `wg`'s
/// trailer.
fn read_config(path: &Path) -> Option<Config> {
    let mut notify = |line: &str| err_line(line);
    let mut resolver = SystemResolver::new(&mut notify);
    let mut warn = |w: &Warning| err_line(&w.to_string());
    let mut options = ParseOptions {
        dialect: Dialect::Wg,
        resolver: &mut resolver,
        warn: &mut warn,
    };
    match parse_file(path, &mut options) {
        Ok(config) => Some(config),
        Err(e) => {
            let text = match e.kind {
                ErrorKind::Syntax => format!("{e}\nConfiguration parsing error\n"),
                ErrorKind::Invalid => format!("{e}\nInvalid configuration\n"),
                ErrorKind::Io => format!("{e}\n"),
                // `wg` exits at once with just this message.
                ErrorKind::Environment => format!("{}\n", e.message),
            };
            crate::console::err_bytes(text.as_bytes());
            None
        }
    }
}
