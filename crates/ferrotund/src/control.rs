//! The UAPI server: one thread accepts on the socket, one thread per connection speaks the
//! protocol (ferrotun-uapi), taking the device lock only around `get` and `set`.

use crate::engine::Shared;
use ferrotun_io::udp::UdpPair;
use ferrotun_uapi::accept::{accept_loop, AcceptLimits};
use ferrotun_uapi::{server, Errno, Error, Interface, SetRequest};
use std::ops::ControlFlow;
use std::os::unix::net::UnixListener;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// The daemon-owned settings `wg` can change: listen port and fwmark.
struct Settings<'a> {
    shared: &'a Arc<Shared>,
}

impl Interface for Settings<'_> {
    fn listen_port(&self) -> u16 {
        self.shared.sockets().port()
    }

    fn set_listen_port(&mut self, port: u16) -> Result<(), Errno> {
        if port != 0 && port == self.listen_port() {
            return Ok(());
        }
        let fwmark = self.fwmark();
        let mut bound = UdpPair::bind(port, fwmark);
        // Our own previous sockets on this port may still be closing.
        if matches!(&bound, Err(e) if e.kind() == std::io::ErrorKind::AddrInUse)
            && self
                .shared
                .wait_for_retired_sockets(std::time::Duration::from_millis(500))
        {
            bound = UdpPair::bind(port, fwmark);
        }
        let sockets = bound.map_err(|e| {
            tracing::error!(port, error = %e, "cannot bind listen port");
            Errno::EADDRINUSE
        })?;
        self.shared.replace_sockets(sockets);
        Ok(())
    }

    fn fwmark(&self) -> u32 {
        u32::try_from(self.shared.fwmark.load(Ordering::Relaxed)).unwrap_or(0)
    }

    fn set_fwmark(&mut self, mark: u32) -> Result<(), Errno> {
        self.shared.sockets().set_fwmark(mark).map_err(|e| {
            tracing::error!(error = %e, "cannot set fwmark");
            Errno::EADDRINUSE
        })?;
        self.shared.fwmark.store(u64::from(mark), Ordering::Relaxed);
        Ok(())
    }

    fn resolve_zone(&self, name: &str) -> Option<u32> {
        ferrotun_io::sys::if_nametoindex(name)
    }
}

struct Connection {
    shared: Arc<Shared>,
}

impl server::Handler for Connection {
    fn get(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        let dev = self.shared.lock();
        ferrotun_uapi::write_get(
            &dev,
            &Settings {
                shared: &self.shared,
            },
            out,
        );
        Ok(())
    }

    fn set(&mut self, request: SetRequest) -> Result<(), Error> {
        let shared = Arc::clone(&self.shared);
        self.shared.step(|dev, now| {
            ferrotun_uapi::apply(dev, &mut Settings { shared: &shared }, now, request)
        })?;
        Ok(())
    }

    fn resolve_zone(&self, name: &str) -> Option<u32> {
        ferrotun_io::sys::if_nametoindex(name)
    }

    fn log_error(&mut self, error: &Error) {
        tracing::error!(%error, "UAPI request failed");
    }
}

/// Starts the accept thread: at most 256 connections at once, each dropped after 30 s
/// without a byte, and a back-off instead of a busy loop when descriptors run out.
pub fn serve(shared: &Arc<Shared>, listener: UnixListener) {
    let shared = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name("ferrotund-uapi".into())
        .spawn(move || {
            let limits = AcceptLimits::default();
            let accepted = accept_loop(&listener, &limits, |stream, slot| {
                let mut conn = Connection {
                    shared: Arc::clone(&shared),
                };
                let _ = std::thread::Builder::new()
                    .name("ferrotund-uapi-conn".into())
                    .spawn(move || {
                        let _slot = slot;
                        let limits = server::Limits::default();
                        if let Err(e) = server::serve(stream, &mut conn, &limits) {
                            tracing::debug!(error = %e, "UAPI connection ended");
                        }
                    });
                ControlFlow::Continue(())
            });
            if let Err(e) = accepted {
                tracing::error!(error = %e, "UAPI socket failed");
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start UAPI thread");
    }
}
