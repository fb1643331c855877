//! `ferrotun`: the wg(8) commands of ferrotun, byte for byte compatible with
//! wireguard-tools' `wg`: `show`, `showconf`, `set`, `setconf`, `addconf`, `syncconf`,
//! `genkey`, `genpsk` and `pubkey`, plus `show --json` (see [`cmd::json`]); and wg-quick(8)'s
//! `up`, `down`, `save` and `strip`, natively (crate `ferrotun-quick`); and its own `check`,
//! `qr`, `completion` and `man`.
//!
//! As in `wg.c`, the first argument picks a subcommand from a table; no argument means
//! `show`. Every subcommand receives the program name (`argv[0]`, used in usage texts) and
//! its own arguments with its name first, and returns the exit status.

mod cmd;
mod console;
mod device;
mod format;
mod terminal;

use std::ffi::{OsStr, OsString};
use std::process::ExitCode;

/// What a subcommand receives: the program name and its arguments, its own name first.
pub struct Invocation<'a> {
    /// `argv[0]`.
    pub prog: &'a OsStr,
    /// The subcommand's name and arguments.
    pub args: &'a [OsString],
}

impl Invocation<'_> {
    /// The subcommand's name.
    #[must_use]
    pub fn command(&self) -> &OsStr {
        self.args
            .first()
            .map_or(OsStr::new(""), OsString::as_os_str)
    }

    /// Whether the program runs as `wg` (see [`called_as_wg`]).
    #[must_use]
    pub fn as_wg(&self) -> bool {
        called_as_wg(self.prog)
    }

    /// Writes this subcommand's usage line (`rest` follows its name).
    pub fn usage(&self, rest: &str) {
        console::usage(self.prog, self.command(), rest);
    }
}

type Handler = fn(&Invocation<'_>) -> u8;

/// The subcommands, in `wg`'s order, with `wg`'s descriptions.
const SUBCOMMANDS: &[(&str, Handler, &str)] = &[
    (
        "show",
        cmd::show::run,
        "Shows the current configuration and device information",
    ),
    (
        "showconf",
        cmd::showconf::run,
        "Shows the current configuration of a given WireGuard interface, for use with `setconf'",
    ),
    (
        "set",
        cmd::set::run,
        "Change the current configuration, add peers, remove peers, or change peers",
    ),
    (
        "setconf",
        cmd::setconf::run,
        "Applies a configuration file to a WireGuard interface",
    ),
    (
        "addconf",
        cmd::setconf::run,
        "Appends a configuration file to a WireGuard interface",
    ),
    (
        "syncconf",
        cmd::setconf::run,
        "Synchronizes a configuration file to a WireGuard interface",
    ),
    (
        "genkey",
        cmd::keys::genkey,
        "Generates a new private key and writes it to stdout",
    ),
    (
        "genpsk",
        cmd::keys::genkey,
        "Generates a new preshared key and writes it to stdout",
    ),
    (
        "pubkey",
        cmd::keys::pubkey,
        "Reads a private key from stdin and writes a public key to stdout",
    ),
];

/// ferrotun's wg-quick(8) commands, listed after `wg`'s unless the program runs as `wg`
/// (then its usage text is `wg`'s, byte for byte).
const QUICK_SUBCOMMANDS: &[(&str, Handler, &str)] = &[
    (
        "up",
        cmd::quick::run,
        "Brings up an interface from a wg-quick(8) config file, like `wg-quick up'",
    ),
    (
        "down",
        cmd::quick::run,
        "Takes down an interface brought up with `up', like `wg-quick down'",
    ),
    (
        "save",
        cmd::quick::run,
        "Saves an interface's configuration to its config file, like `wg-quick save'",
    ),
    (
        "reload",
        cmd::quick::run,
        "Applies a changed config file to a running interface without taking it down",
    ),
    (
        "strip",
        cmd::quick::strip,
        "Prints a config file without the wg-quick(8) keys, like `wg-quick strip'",
    ),
];

/// ferrotun's own additions, listed last and, like [`QUICK_SUBCOMMANDS`], not when the
/// program runs as `wg`.
const EXTRA_SUBCOMMANDS: &[(&str, Handler, &str)] = &[
    (
        "check",
        cmd::check::run,
        "Checks a config file and reports every problem as file:line: problem",
    ),
    (
        "proxy",
        cmd::proxy::run,
        "Runs WireGuard without root or TUN, as port forwards into the tunnel",
    ),
    (
        "qr",
        cmd::qr::run,
        "Prints a config file as a QR code for the WireGuard apps on phones",
    ),
    (
        "completion",
        cmd::completion::run,
        "Prints a completion script for bash, zsh or fish",
    ),
    ("man", cmd::man::run, "Prints the ferrotun(8) manual page"),
];

/// Whether the program runs as `wg`: then its texts are `wg`'s, byte for byte, without
/// ferrotun's additions.
fn called_as_wg(prog: &OsStr) -> bool {
    std::path::Path::new(prog)
        .file_name()
        .is_some_and(|n| n == "wg")
}

fn top_usage(prog: &OsStr) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt as _;
    let mut text = b"Usage: ".to_vec();
    text.extend_from_slice(prog.as_bytes());
    text.extend_from_slice(b" <cmd> [<args>]\n\nAvailable subcommands:\n");
    let as_wg = called_as_wg(prog);
    let quick = if as_wg { &[][..] } else { QUICK_SUBCOMMANDS };
    let extra = if as_wg { &[][..] } else { EXTRA_SUBCOMMANDS };
    for (name, _, description) in SUBCOMMANDS.iter().chain(quick).chain(extra) {
        text.extend_from_slice(format!("  {name}: {description}\n").as_bytes());
    }
    text.extend_from_slice(b"You may pass `--help' to any of these subcommands to view usage.\n");
    text
}

fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let prog = argv
        .first()
        .map_or(OsStr::new("ferrotun"), OsString::as_os_str);
    let args = argv.get(1..).unwrap_or_default();
    if let [only] = args {
        if ["-v", "--version", "version"].iter().any(|v| only == v) {
            console::out_bytes(format!("ferrotun v{}\n", env!("CARGO_PKG_VERSION")).as_bytes());
            return ExitCode::SUCCESS;
        }
        if ["-h", "--help", "help"].iter().any(|h| only == h) {
            console::out_bytes(&top_usage(prog));
            return ExitCode::SUCCESS;
        }
    }
    if args.is_empty() {
        let show = [OsString::from("show")];
        return ExitCode::from(cmd::show::run(&Invocation { prog, args: &show }));
    }
    let mut all = SUBCOMMANDS
        .iter()
        .chain(QUICK_SUBCOMMANDS)
        .chain(EXTRA_SUBCOMMANDS);
    if let Some((_, handler, _)) = all.find(|(name, _, _)| args[0] == **name) {
        return ExitCode::from(handler(&Invocation { prog, args }));
    }
    let mut text = b"Invalid subcommand: `".to_vec();
    text.extend_from_slice(std::os::unix::ffi::OsStrExt::as_bytes(args[0].as_os_str()));
    text.extend_from_slice(b"'\n");
    text.extend_from_slice(&top_usage(prog));
    console::err_bytes(&text);
    ExitCode::from(1)
}
