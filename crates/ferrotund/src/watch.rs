//! Reasons to stop that arrive from outside: SIGINT/SIGTERM, and removal of our UAPI socket
//! file (wireguard-go stops then too, so `rm` of the socket is a way to end the daemon).

use crate::daemon::Daemon;
use crate::lifecycle::Exit;
use std::io::Read;
use std::sync::Arc;

/// Starts a thread that turns SIGINT and SIGTERM into an exit request.
pub fn signals(daemon: &Arc<Daemon>) -> std::io::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
    ])?;
    let daemon = Arc::clone(daemon);
    std::thread::Builder::new()
        .name("ferrotund-signals".into())
        .spawn(move || {
            if signals.forever().next().is_some() {
                daemon.lifecycle.request_exit(Exit::Signal);
            }
        })?;
    Ok(())
}

/// Starts a thread that requests an exit when `path` disappears. Uses inotify, so an idle
/// daemon makes no periodic wakeups.
pub fn socket_file(daemon: &Arc<Daemon>, path: String) -> std::io::Result<()> {
    let fd = ferrotun_io::sys::watch_path(&path)?;
    let daemon = Arc::clone(daemon);
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
                    daemon.lifecycle.request_exit(Exit::SocketRemoved);
                    return;
                }
            }
        })?;
    Ok(())
}
