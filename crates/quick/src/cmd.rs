//! The four commands as the CLI calls them: `up`, `down`, `save`, `strip`, each taking
//! wg-quick's `CONFIG_FILE | INTERFACE` argument.

use crate::action::Action;
use crate::exec::linux::LinuxExecutor;
use crate::exec::{run_down, run_up, ExecError};
use crate::invocation;
use crate::plan::{self, Invocation, PlanError};
use crate::probe::probe;
use ferrotun_conf::{parse_file, Config, Dialect, ParseOptions, SystemResolver};
use std::fmt;
use std::io;

/// The daemon started when `WG_QUICK_USERSPACE_IMPLEMENTATION` is not set.
pub const DEFAULT_DAEMON: &str = "ferrotund";

/// Why a command failed; the text is what the user sees after `ferrotun: `.
#[derive(Debug)]
pub enum Error {
    /// A bad argument.
    Usage(String),
    /// The file did not parse.
    Config(ferrotun_conf::Error),
    /// The host could not be inspected.
    Probe(io::Error),
    /// The command makes no sense here (exists already, IPv6 off, ...).
    Plan(PlanError),
    /// A step failed (after `up` rolled back).
    Exec(ExecError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(text) => f.write_str(text),
            Error::Config(e) => write!(f, "{e}"),
            Error::Probe(e) => write!(f, "cannot inspect the network configuration: {e}"),
            Error::Plan(e) => write!(f, "{e}"),
            Error::Exec(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

/// What the commands need besides the argument.
#[derive(Debug, Clone)]
pub struct Options {
    /// The userspace daemon program.
    pub daemon: String,
}

impl Options {
    /// Options from the environment (`WG_QUICK_USERSPACE_IMPLEMENTATION`).
    #[must_use]
    pub fn from_env() -> Self {
        let daemon = std::env::var("WG_QUICK_USERSPACE_IMPLEMENTATION")
            .ok()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| DEFAULT_DAEMON.to_string());
        Options { daemon }
    }
}

/// Resolves the argument, warns about permissions, and parses the file.
fn load(argument: &str, options: &Options) -> Result<(Invocation, Config), Error> {
    let (interface, path) = invocation::resolve(argument).map_err(Error::Usage)?;
    if let Some(warning) = invocation::permission_warning(&path) {
        eprintln!("{warning}");
    }
    let mut notify = |line: &str| eprintln!("{line}");
    let mut warn = |w: &ferrotun_conf::Warning| eprintln!("{w}");
    let mut resolver = SystemResolver::new(&mut notify);
    let mut parse = ParseOptions {
        dialect: Dialect::WgQuick,
        resolver: &mut resolver,
        warn: &mut warn,
    };
    let config = parse_file(&path, &mut parse).map_err(Error::Config)?;
    let daemon = options.daemon.clone();
    Ok((
        Invocation {
            interface,
            path,
            daemon,
        },
        config,
    ))
}

/// `up`: plan from a fresh snapshot, execute, roll back on failure.
pub fn up(argument: &str, options: &Options) -> Result<(), Error> {
    let (inv, config) = load(argument, options)?;
    let env = probe(&inv.interface, &config).map_err(Error::Probe)?;
    let actions = plan::plan_up(&inv, &config, &env).map_err(Error::Plan)?;
    let mut executor = LinuxExecutor::new().map_err(Error::Probe)?;
    run_up(&mut executor, &actions).map_err(Error::Exec)
}

/// `down`.
pub fn down(argument: &str, options: &Options) -> Result<(), Error> {
    let (inv, config) = load(argument, options)?;
    let env = probe(&inv.interface, &config).map_err(Error::Probe)?;
    let actions = plan::plan_down(&inv, &config, &env).map_err(Error::Plan)?;
    let mut executor = LinuxExecutor::new().map_err(Error::Probe)?;
    run_down(&mut executor, &actions).map_err(Error::Exec)
}

/// `save`: write the running configuration back to the file.
pub fn save(argument: &str, options: &Options) -> Result<(), Error> {
    let (inv, config) = load(argument, options)?;
    if !ferrotun_uapi::client::has_interface(std::ffi::OsStr::new(&inv.interface)) {
        return Err(Error::Plan(PlanError::NotWireGuard(inv.interface)));
    }
    let action = Action::SaveConfig {
        interface: inv.interface,
        path: inv.path,
        quick: config.interface.quick,
    };
    let mut executor = LinuxExecutor::new().map_err(Error::Probe)?;
    run_down(&mut executor, &[action]).map_err(Error::Exec)
}

/// `strip`: the file without the wg-quick keys (for `wg syncconf`).
pub fn strip(argument: &str) -> Result<String, Error> {
    let (_, path) = invocation::resolve(argument).map_err(Error::Usage)?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
    Ok(crate::wgconf::strip(&text))
}
