//! `up`, `down`, `save` and `strip`: wg-quick(8), natively (crate `ferrotun-quick`).

use crate::console;
use crate::Invocation;
use ferrotun_quick::cmd::{self, Options};
use std::os::unix::ffi::OsStrExt as _;

/// The daemon to start: `WG_QUICK_USERSPACE_IMPLEMENTATION`, else the `ferrotund` installed
/// beside this program, else `ferrotund` from `PATH`.
fn options() -> Options {
    let mut options = Options::from_env();
    if std::env::var_os("WG_QUICK_USERSPACE_IMPLEMENTATION").is_none() {
        let sibling = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.join("ferrotund")));
        if let Some(path) = sibling.filter(|p| p.is_file()) {
            options.daemon = path.to_string_lossy().into_owned();
        }
    }
    options
}

fn argument(inv: &Invocation<'_>) -> Option<String> {
    match inv.args {
        [_, arg] if arg != "-h" && arg != "--help" => Some(arg.to_string_lossy().into_owned()),
        _ => None,
    }
}

fn fail(inv: &Invocation<'_>, error: &dyn std::fmt::Display) -> u8 {
    let mut text = inv.prog.as_bytes().to_vec();
    text.extend_from_slice(format!(": {error}\n").as_bytes());
    console::err_bytes(&text);
    1
}

/// `ferrotun up|down|save CONFIG_FILE|INTERFACE`.
pub fn run(inv: &Invocation<'_>) -> u8 {
    let Some(arg) = argument(inv) else {
        inv.usage("[ CONFIG_FILE | INTERFACE ]");
        return 1;
    };
    let options = options();
    let result = match inv.command().as_bytes() {
        b"up" => cmd::up(&arg, &options),
        b"down" => cmd::down(&arg, &options),
        _ => cmd::save(&arg, &options),
    };
    match result {
        Ok(()) => 0,
        Err(e) => fail(inv, &e),
    }
}

/// `ferrotun strip CONFIG_FILE|INTERFACE`: the config without wg-quick's keys.
pub fn strip(inv: &Invocation<'_>) -> u8 {
    let Some(arg) = argument(inv) else {
        inv.usage("[ CONFIG_FILE | INTERFACE ]");
        return 1;
    };
    match cmd::strip(&arg) {
        Ok(text) => {
            console::out_bytes(text.as_bytes());
            0
        }
        Err(e) => fail(inv, &e),
    }
}
