//! Start-up: the TUN interface and the UAPI socket first (created here, or inherited through
//! `WG_TUN_FD` / `WG_UAPI_FD`), then either continue in a background process that inherits
//! both, or serve in the foreground. Because both exist before the foreground process
//! returns, `ip link set … netns` right after `ferrotund` cannot race it.

use crate::settings::{Offload, Settings};
use crate::tun_port::Packets;
use crate::{engine, logging};
use ferrotun_io::tun::Tun;
use ferrotun_proto::consts::DEFAULT_MTU;
use ferrotun_proto::time::{Duration, WallClock};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixListener;
use std::process::{Command, Stdio};

/// Why the daemon could not start; printed as one line.
#[derive(Debug)]
pub struct StartError(String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn fail(what: &str, e: impl std::fmt::Display) -> StartError {
    StartError(format!("{what}: {e}"))
}

pub(crate) struct SystemWallClock;

impl WallClock for SystemWallClock {
    fn now_since_unix_epoch(&self) -> Duration {
        ferrotun_io::clock::wall_now()
    }
}

/// The descriptor handed over in `var` (`WG_TUN_FD`: a TUN, `WG_UAPI_FD`: a listening Unix
/// socket), checked to be of that kind, or `None` when the variable is not set. We get a
/// duplicate of our own (`inherit_fd`), so a wrong number can never close something else.
fn inherited_fd(var: &str) -> Result<Option<OwnedFd>, StartError> {
    let Ok(text) = std::env::var(var) else {
        return Ok(None);
    };
    let fd: i32 = text
        .parse()
        .map_err(|_| StartError(format!("{var} is not a descriptor number: {text:?}")))?;
    let kind = match var {
        "WG_TUN_FD" => ferrotun_io::sys::FdKind::CharDevice,
        "WG_UAPI_FD" => ferrotun_io::sys::FdKind::UnixListener,
        _ => return Err(StartError(format!("{var} names no known descriptor"))),
    };
    ferrotun_io::sys::inherit_fd(fd, kind)
        .map(Some)
        .map_err(|e| fail(&format!("{var}={fd}"), e))
}

fn open_tun(name: &str, offload: Offload) -> Result<Tun, StartError> {
    if let Some(fd) = inherited_fd("WG_TUN_FD")? {
        return Tun::from_fd(fd).map_err(|e| fail("Failed to use TUN device from WG_TUN_FD", e));
    }
    if !std::path::Path::new("/dev/net/tun").exists() {
        return Err(StartError(
            "Failed to create TUN device: /dev/net/tun does not exist".into(),
        ));
    }
    let created = match offload {
        Offload::Off => Tun::create(name, DEFAULT_MTU as u32),
        Offload::WhenAvailable => Tun::create_with_offload(name, DEFAULT_MTU as u32),
    };
    created.map_err(|e| fail("Failed to create TUN device", e))
}

fn socket_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(ferrotun_uapi::socket::SOCKET_DIR).join(format!("{name}.sock"))
}

fn open_uapi(name: &str) -> Result<UnixListener, StartError> {
    if let Some(fd) = inherited_fd("WG_UAPI_FD")? {
        return Ok(UnixListener::from(fd));
    }
    let bound = ferrotun_uapi::socket::UapiListener::bind(name)
        .map_err(|e| fail("UAPI listen error", e))?;
    // The socket file must outlive this process when a background process takes over; the
    // serving process removes it on exit.
    let listener = bound.into_listener();
    Ok(listener)
}

/// Creates the interface and socket, then serves (foreground) or hands over to a
/// background process and returns.
pub fn run(name: &str, foreground: bool) -> Result<(), StartError> {
    if name.is_empty() || name.len() > 15 || name.contains(['/', ' ', '\0']) {
        return Err(StartError(format!("invalid interface name {name:?}")));
    }
    // Read here, before detaching, so a refused setting is reported to the caller.
    let settings = Settings::from_env().map_err(StartError)?;
    let uapi = open_uapi(name)?;
    let tun = match open_tun(name, settings.offload) {
        Ok(tun) => tun,
        Err(e) => {
            let _ = std::fs::remove_file(socket_path(name));
            return Err(e);
        }
    };
    if foreground {
        serve(tun, uapi, settings)
    } else {
        detach(name, &tun, &uapi)
    }
}

fn detach(name: &str, tun: &Tun, uapi: &UnixListener) -> Result<(), StartError> {
    let exe = std::env::current_exe().map_err(|e| fail("cannot find own executable", e))?;
    for fd in [tun.as_raw_fd(), uapi.as_raw_fd()] {
        ferrotun_io::sys::set_inheritable(fd).map_err(|e| fail("cannot pass descriptors", e))?;
    }
    let output = || {
        if logging::keep_output_in_background() {
            Stdio::inherit()
        } else {
            Stdio::null()
        }
    };
    let mut cmd = Command::new(exe);
    cmd.arg(name)
        .env("WG_TUN_FD", tun.as_raw_fd().to_string())
        .env("WG_UAPI_FD", uapi.as_raw_fd().to_string())
        .env("WG_PROCESS_FOREGROUND", "1")
        .stdin(Stdio::null())
        .stdout(output())
        .stderr(output());
    ferrotun_io::sys::spawn_detached(&mut cmd)
        .map_err(|e| fail("cannot start background process", e))?;
    Ok(())
}

fn serve(tun: Tun, uapi: UnixListener, settings: Settings) -> Result<(), StartError> {
    let name = tun.name().to_string();
    let engine = engine::start(Packets::Kernel(tun), uapi, socket_path(&name), settings)?;
    tracing::info!(interface = %name, "device started");
    let why = engine.wait();
    tracing::info!(interface = %name, reason = ?why, "shutting down");
    // Exiting closes the TUN descriptor, which removes the interface.
    std::process::exit(0)
}
