//! The commands as the CLI calls them: `up`, `down`, `save`, `strip` (wg-quick's) and
//! `reload`, each taking wg-quick's `CONFIG_FILE | INTERFACE` argument.

use crate::action::Action;
use crate::env::Environment;
use crate::exec::linux::LinuxExecutor;
use crate::exec::{run_down, run_up_until, ExecError};
use crate::interrupt::Trap;
use crate::invocation;
use crate::netns::Namespace;
use crate::plan::{self, Invocation, PlanError};
use crate::probe::{probe, probe_running};
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
    /// `up` could not listen on the file's `ListenPort` (after it rolled back).
    PortInUse {
        /// The port.
        port: u16,
        /// Where the file sets it: `path:line`, or the path if the line is not found.
        at: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(text) => f.write_str(text),
            Error::Config(e) => write!(f, "{e}"),
            Error::Probe(e) => write!(f, "cannot inspect the network configuration: {e}"),
            Error::Plan(e) => write!(f, "{e}"),
            Error::Exec(e) => write!(f, "{e}"),
            Error::PortInUse { port, at } => write!(
                f,
                "{at}: ListenPort = {port}: UDP port {port} is already in use on this host \
                 (`ss -ulpn sport = {port}' shows by what); choose another port, or leave \
                 ListenPort out for a random one"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// What the commands need besides the argument.
#[derive(Debug, Clone)]
pub struct Options {
    /// The userspace daemon program.
    pub daemon: String,
    /// `--netns NAME`: the interface lives (or is to live) in namespace NAME.
    pub netns: Option<String>,
}

impl Options {
    /// Options from the environment (`WG_QUICK_USERSPACE_IMPLEMENTATION`).
    #[must_use]
    pub fn from_env() -> Self {
        let daemon = std::env::var("WG_QUICK_USERSPACE_IMPLEMENTATION")
            .ok()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| DEFAULT_DAEMON.to_string());
        Options {
            daemon,
            netns: None,
        }
    }

    fn namespace(&self) -> Result<Option<Namespace>, Error> {
        self.netns
            .as_deref()
            .map(Namespace::open)
            .transpose()
            .map_err(|e| Error::Usage(e.to_string()))
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
    let config = parse_file(&path, &mut parse).map_err(|e| unreadable(argument, e))?;
    let inv = Invocation {
        interface,
        path,
        daemon: options.daemon.clone(),
        netns: options.netns.clone(),
    };
    Ok((inv, config))
}

/// A config error; one that is about reading the file gets [`invocation::did_you_mean`]'s
/// hint.
fn unreadable(argument: &str, mut error: ferrotun_conf::Error) -> Error {
    if error.kind == ferrotun_conf::ErrorKind::Io {
        let path = invocation::resolve(argument).map(|(_, path)| path);
        if let Some(candidate) = path
            .ok()
            .and_then(|p| invocation::did_you_mean(argument, &p))
        {
            error.message = format!("{} (did you mean {candidate}?)", error.message);
        }
    }
    Error::Config(error)
}

/// Everything a command needs: the invocation, the file, the namespace, a snapshot.
fn prepare(
    argument: &str,
    options: &Options,
) -> Result<(Invocation, Config, Option<Namespace>, Environment), Error> {
    let (inv, config) = load(argument, options)?;
    let netns = options.namespace()?;
    let env = probe(&inv.interface, &config, netns.as_ref()).map_err(Error::Probe)?;
    Ok((inv, config, netns, env))
}

/// The running interface must have its link where we look (`--netns` or here).
fn require_link(inv: &Invocation, env: &Environment) -> Result<(), Error> {
    if env.is_wireguard && !env.link_exists {
        return Err(Error::Plan(PlanError::NoLink(inv.interface.clone())));
    }
    Ok(())
}

/// `up`: plan from a fresh snapshot, execute, roll back on failure or on SIGINT/SIGTERM.
pub fn up(argument: &str, options: &Options) -> Result<(), Error> {
    let (inv, config, netns, env) = prepare(argument, options)?;
    let actions = plan::plan_up(&inv, &config, &env).map_err(Error::Plan)?;
    let mut executor = LinuxExecutor::with_netns(netns).map_err(Error::Probe)?;
    let trap = Trap::install().map_err(Error::Probe)?;
    run_up_until(&mut executor, &actions, trap.flag()).map_err(|e| port_in_use(&inv, &config, e))
}

/// An `up` that failed because the daemon could not bind the file's `ListenPort`, said with
/// the port and the line that sets it rather than as the failed step.
fn port_in_use(inv: &Invocation, config: &Config, error: ExecError) -> Error {
    let port = config.interface.listen_port.filter(|port| *port != 0);
    match port {
        Some(port) if error.cause.raw_os_error() == Some(libc::EADDRINUSE) => {
            let text = std::fs::read(&inv.path).unwrap_or_default();
            let path = inv.path.display();
            let at = match ferrotun_conf::lint::interface_key_line(&text, "ListenPort") {
                Some(line) => format!("{path}:{line}"),
                None => path.to_string(),
            };
            Error::PortInUse { port, at }
        }
        _ => Error::Exec(error),
    }
}

/// `down`.
pub fn down(argument: &str, options: &Options) -> Result<(), Error> {
    let (inv, config, netns, env) = prepare(argument, options)?;
    require_link(&inv, &env)?;
    let actions = plan::plan_down(&inv, &config, &env).map_err(Error::Plan)?;
    let mut executor = LinuxExecutor::with_netns(netns).map_err(Error::Probe)?;
    run_down(&mut executor, &actions).map_err(Error::Exec)
}

/// `reload`: apply the file to the running interface without taking it down: the wg(8)
/// part as `syncconf` does, and addresses, MTU, routes and DNS as `up` would set them.
pub fn reload(argument: &str, options: &Options) -> Result<(), Error> {
    let (inv, config, netns, env) = prepare(argument, options)?;
    if !env.is_wireguard {
        return Err(Error::Plan(PlanError::NotWireGuard(inv.interface)));
    }
    let running = probe_running(&inv.interface, netns.as_ref()).map_err(|e| {
        if e.raw_os_error() == Some(libc::ENODEV) {
            Error::Plan(PlanError::NoLink(inv.interface.clone()))
        } else {
            Error::Probe(e)
        }
    })?;
    let actions = plan::plan_reload(&inv, &config, &env, &running).map_err(Error::Plan)?;
    let mut executor = LinuxExecutor::with_netns(netns).map_err(Error::Probe)?;
    run_down(&mut executor, &actions).map_err(Error::Exec)
}

/// `save`: write the running configuration into the file.
pub fn save(argument: &str, options: &Options) -> Result<(), Error> {
    let (inv, config, netns, env) = prepare(argument, options)?;
    if !env.is_wireguard {
        return Err(Error::Plan(PlanError::NotWireGuard(inv.interface)));
    }
    require_link(&inv, &env)?;
    let action = Action::SaveConfig {
        interface: inv.interface,
        path: inv.path,
        config: Box::new(config),
    };
    let mut executor = LinuxExecutor::with_netns(netns).map_err(Error::Probe)?;
    run_down(&mut executor, &[action]).map_err(Error::Exec)
}

/// `strip`: the file without the wg-quick keys (for `wg syncconf`).
pub fn strip(argument: &str) -> Result<String, Error> {
    let (_, path) = invocation::resolve(argument).map_err(Error::Usage)?;
    let text = std::fs::read_to_string(&path).map_err(|e| {
        let problem = ferrotun_conf::resolve::strip_os_error_suffix(&e.to_string()).to_string();
        Error::Usage(invocation::unreadable(argument, &path, &problem))
    })?;
    Ok(crate::wgconf::strip(&text))
}
