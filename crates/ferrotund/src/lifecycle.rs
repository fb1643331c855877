//! How the daemon stops: a reason sent once to the main thread, which removes the socket
//! file and exits, and a flag the threads look at between batches.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Mutex;

/// Why the daemon stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// SIGINT or SIGTERM.
    Signal,
    /// The TUN interface is gone (`ip link del`).
    InterfaceGone,
    /// The UAPI socket file was removed.
    SocketRemoved,
    /// The program that started the engine stopped it.
    Stopped,
    /// The program that started the engine stopped it because what it served failed.
    Failed,
}

/// The stop flag and the way to the main thread.
pub struct Lifecycle {
    stopping: AtomicBool,
    exit: Mutex<Sender<Exit>>,
}

impl Lifecycle {
    pub fn new(exit: Sender<Exit>) -> Self {
        Lifecycle {
            stopping: AtomicBool::new(false),
            exit: Mutex::new(exit),
        }
    }

    /// Asks the main thread to stop the daemon.
    pub fn request_exit(&self, why: Exit) {
        self.stopping.store(true, Ordering::Release);
        let sender = self
            .exit
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // The main thread only stops listening when the process exits.
        let _ = sender.send(why);
    }

    /// Whether an exit was requested.
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }
}
