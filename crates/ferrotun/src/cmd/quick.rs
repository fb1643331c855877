//! `up`, `down`, `save` and `strip`: wg-quick(8), natively (crate `ferrotun-quick`); and
//! `reload`, which applies a changed file to a running interface without taking it down.
//! `up`, `down`, `save` and `reload` take `--netns NAME` for an interface that lives in
//! network namespace NAME while its daemon stays in the caller's.

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

/// `[--netns NAME | --netns=NAME] CONFIG_FILE|INTERFACE`, the option before or after.
fn netns_and_argument(inv: &Invocation<'_>) -> Option<(Option<String>, String)> {
    let mut netns = None;
    let mut argument = None;
    let mut rest = inv.args.get(1..)?.iter().map(|a| a.to_string_lossy());
    while let Some(arg) = rest.next() {
        if let Some(name) = arg.strip_prefix("--netns=") {
            netns = Some(name.to_string());
        } else if arg == "--netns" {
            netns = Some(rest.next()?.into_owned());
        } else if arg.starts_with('-') || argument.is_some() {
            return None;
        } else {
            argument = Some(arg.into_owned());
        }
    }
    if netns.as_deref() == Some("") {
        return None;
    }
    Some((netns, argument?))
}

fn fail(inv: &Invocation<'_>, error: &dyn std::fmt::Display) -> u8 {
    let mut text = inv.prog.as_bytes().to_vec();
    text.extend_from_slice(format!(": {error}\n").as_bytes());
    console::err_bytes(&text);
    1
}

/// `ferrotun up|down|save|reload [--netns NAME] CONFIG_FILE|INTERFACE`.
pub fn run(inv: &Invocation<'_>) -> u8 {
    let Some((netns, arg)) = netns_and_argument(inv) else {
        inv.usage("[ --netns NAME ] [ CONFIG_FILE | INTERFACE ]");
        return 1;
    };
    let mut options = options();
    options.netns = netns;
    let result = match inv.command().as_bytes() {
        b"up" => cmd::up(&arg, &options),
        b"down" => cmd::down(&arg, &options),
        b"reload" => cmd::reload(&arg, &options),
        _ => cmd::save(&arg, &options),
    };
    match result {
        Ok(()) => 0,
        Err(cmd::Error::Config(first)) => config_errors(inv, &arg, &first),
        Err(e) => fail(inv, &e),
    }
}

/// A file that does not parse: every error `check` finds, with its hints, rather than only
/// the first one, which is what stopped the command. The first one leads when `check`,
/// which resolves no names, does not see it (a host name that did not resolve).
fn config_errors(inv: &Invocation<'_>, arg: &str, first: &ferrotun_conf::Error) -> u8 {
    let path = ferrotun_quick::invocation::resolve(arg).map(|(_, path)| path);
    let found = match (&first.kind, path) {
        (ferrotun_conf::ErrorKind::Io, _) | (_, Err(_)) => Vec::new(),
        (_, Ok(path)) => super::check::errors_with_hints(&path, ferrotun_conf::Dialect::WgQuick),
    };
    let first_text = first.to_string();
    if !found.iter().any(|line| line.starts_with(&first_text)) {
        fail(inv, first);
    }
    for line in &found {
        fail(inv, line);
    }
    1
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
