//! The subcommands, one module each (`pretty`, `fields` and `json` are `show`'s outputs).

pub mod check;
pub mod completion;
pub mod json;
pub mod keys;
pub mod man;
pub mod proxy;
pub mod qr;
pub mod quick;
pub mod set;
pub mod setconf;
pub mod show;
pub mod showconf;

mod fields;
mod pretty;
mod spec;
mod sync;

use std::ffi::OsStr;

/// Whether secrets are shown in full: only with `WG_HIDE_KEYS=never`.
fn keys_shown() -> bool {
    std::env::var_os("WG_HIDE_KEYS").is_some_and(|v| v == "never")
}

/// `perror(prefix)` for a device error.
fn report(prefix: &str, error: &crate::device::DeviceError) {
    crate::console::err_line(&format!("{prefix}: {error}"));
}

/// `name` compared with an ASCII literal.
fn is(arg: &OsStr, literal: &str) -> bool {
    arg == literal
}
