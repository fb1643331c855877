//! `ferrotund [-f|--foreground] INTERFACE`: the userspace WireGuard daemon, a drop-in for
//! wireguard-go. It creates the TUN interface, listens on the UAPI socket
//! `/var/run/wireguard/INTERFACE.sock`, and (unless told to stay in the foreground) continues
//! in the background once both exist, so the interface can be configured and moved at once.

use ferrotund::{logging, startup};
use std::process::ExitCode;

const USAGE: &str = "Usage: ferrotund [-f/--foreground] INTERFACE-NAME";

fn main() -> ExitCode {
    let mut foreground = std::env::var("WG_PROCESS_FOREGROUND").is_ok_and(|v| v == "1");
    let mut name = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "-f" | "--foreground" => foreground = true,
            "-v" | "--version" => {
                println!("ferrotund v{}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ if name.is_none() && !arg.starts_with('-') => name = Some(arg),
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(1);
            }
        }
    }
    let Some(name) = name else {
        eprintln!("{USAGE}");
        return ExitCode::from(1);
    };
    logging::init();
    match startup::run(&name, foreground) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ferrotund: {e}");
            ExitCode::from(1)
        }
    }
}
