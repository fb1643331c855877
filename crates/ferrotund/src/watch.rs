//! Reasons to stop that arrive from outside: SIGINT/SIGTERM, and removal of our UAPI socket
//! file (wireguard-go stops then too, so `rm` of the socket is a way to end the daemon).

use crate::engine::{Exit, Shared};
use std::io::Read;
use std::sync::Arc;

/// Starts a thread that turns SIGINT and SIGTERM into an exit request.
pub fn signals(shared: &Arc<Shared>) -> std::io::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
    ])?;
    let shared = Arc::clone(shared);
    std::thread::Builder::new()
        .name("ferrotund-signals".into())
        .spawn(move || {
            if signals.forever().next().is_some() {
                shared.request_exit(Exit::Signal);
            }
        })?;
    Ok(())
}

/// Starts a thread that requests an exit when `path` disappears. Uses inotify, so an idle
/// daemon makes no periodic wakeups.
pub fn socket_file(shared: &Arc<Shared>, path: String) -> std::io::Result<()> {
    let fd = ferrotun_io::sys::watch_path(&path)?;
    let shared = Arc::clone(shared);
    std::thread::Builder::new()
        .name("ferrotund-watch".into())
        .spawn(move || {
            let mut file = std::fs::File::from(fd);
            let mut buf = [0u8; 4096];
            loop {
                let gone = match file.read(&mut buf) {
                    Ok(0) | Err(_) => true,
                    Ok(_) => std::fs::symlink_metadata(&path).is_err(),
                };
                if gone {
                    shared.request_exit(Exit::SocketRemoved);
                    return;
                }
            }
        })?;
    Ok(())
}
