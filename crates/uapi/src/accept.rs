//! The accept loop of a UAPI socket, hardened against clients that hold on to connections
//! (issue #6). Hand each accepted stream to [`serve`](crate::server::serve) on a thread of
//! its own, together with its [`Slot`].
//!
//! * At most [`AcceptLimits::max_connections`] connections are served at once; further
//!   clients wait in the listen backlog until one ends, so idle clients cannot make the
//!   daemon start threads without bound.
//! * Every stream gets read and write timeouts of [`AcceptLimits::idle_timeout`]: a client
//!   that stops sending in the middle of a request, never sends one, or never reads its
//!   reply is dropped after that long, and frees its slot. `wg` and wgctrl write a whole
//!   request at once and read the reply at once, so only stalled clients ever wait that long.
//! * When `accept` fails because the process or the system has no descriptors (`EMFILE`,
//!   `ENFILE`) or no memory left, the connection stays in the backlog and `accept` would fail
//!   again at once: the loop backs off (up to 250 ms) instead of spinning on a core, and
//!   serves the backlog as soon as a descriptor is free.
//!
//! wireguard-go has none of this: it serves every connection with a goroutine without
//! timeouts, and shuts the whole device down when `accept` fails.

use std::io;
use std::ops::ControlFlow;
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Bounds on the connections [`accept_loop`] serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptLimits {
    /// Connections served at once (each costs a thread and a read buffer).
    pub max_connections: usize,
    /// Longest a connection may go without reading or writing a byte.
    pub idle_timeout: Duration,
}

impl Default for AcceptLimits {
    fn default() -> Self {
        AcceptLimits {
            max_connections: 256,
            idle_timeout: Duration::from_secs(30),
        }
    }
}

/// Live connections, and a condition variable signalled when one ends.
#[derive(Default)]
struct Live {
    count: Mutex<usize>,
    ended: Condvar,
}

impl Live {
    fn lock(&self) -> std::sync::MutexGuard<'_, usize> {
        self.count
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One connection's place among the [`AcceptLimits::max_connections`]; dropping it (when
/// the connection is done) lets the loop accept another.
pub struct Slot {
    live: Arc<Live>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut count = self.live.lock();
        *count = count.saturating_sub(1);
        self.live.ended.notify_one();
    }
}

/// Whether an `accept` error means "out of resources, try again later".
fn exhausted(e: &io::Error) -> bool {
    let code = e.raw_os_error();
    [libc::EMFILE, libc::ENFILE, libc::ENOBUFS, libc::ENOMEM]
        .iter()
        .any(|&c| code == Some(c))
}

/// Whether an `accept` error means the listener itself is unusable.
fn fatal(e: &io::Error) -> bool {
    let code = e.raw_os_error();
    [libc::EBADF, libc::EINVAL, libc::ENOTSOCK, libc::EOPNOTSUPP]
        .iter()
        .any(|&c| code == Some(c))
}

const MAX_BACKOFF: Duration = Duration::from_millis(250);

/// Accepts connections on `listener` and passes each, with its timeouts set, to
/// `on_connection` together with its [`Slot`], until `on_connection` breaks or the listener
/// fails for good (that error is returned).
pub fn accept_loop(
    listener: &UnixListener,
    limits: &AcceptLimits,
    mut on_connection: impl FnMut(UnixStream, Slot) -> ControlFlow<()>,
) -> io::Result<()> {
    let live = Arc::new(Live::default());
    let max = limits.max_connections.max(1);
    let mut backoff = Duration::ZERO;
    loop {
        wait_for_room(&live, max);
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if fatal(&e) => return Err(e),
            Err(e) => {
                // Out of descriptors or memory, or a transient error (ECONNABORTED, EINTR,
                // EPROTO): never retry in a tight loop.
                backoff = if exhausted(&e) {
                    (backoff * 2).clamp(Duration::from_millis(10), MAX_BACKOFF)
                } else {
                    Duration::from_millis(1)
                };
                std::thread::sleep(backoff);
                continue;
            }
        };
        backoff = Duration::ZERO;
        // A stream without timeouts could be held forever; refuse it instead.
        let timeouts = stream
            .set_read_timeout(Some(limits.idle_timeout))
            .and_then(|()| stream.set_write_timeout(Some(limits.idle_timeout)));
        if timeouts.is_err() {
            continue;
        }
        *live.lock() += 1;
        let slot = Slot {
            live: Arc::clone(&live),
        };
        if on_connection(stream, slot).is_break() {
            return Ok(());
        }
    }
}

/// Blocks while `max` connections are live.
fn wait_for_room(live: &Live, max: usize) {
    let mut count = live.lock();
    while *count >= max {
        count = live
            .ended
            .wait(count)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
    }
}

#[cfg(test)]
mod tests;
