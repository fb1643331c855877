//! The UAPI server: one thread accepts on the socket, one thread per connection speaks the
//! protocol (ferrotun-uapi), taking the device lock only around `get` and `set`.

use crate::daemon::Daemon;
use crate::threads;
use crate::transmit;
use ferrotun_io::udp::UdpPair;
use ferrotun_uapi::accept::{accept_loop, AcceptLimits};
use ferrotun_uapi::{server, Errno, Error, Interface, SetRequest};
use std::ops::ControlFlow;
use std::os::unix::net::UnixListener;
use std::sync::Arc;

/// The daemon-owned settings `wg` can change: listen port and fwmark.
struct Settings<'a> {
    daemon: &'a Arc<Daemon>,
}

impl Interface for Settings<'_> {
    fn listen_port(&self) -> u16 {
        self.daemon.sockets.current().port()
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
                .daemon
                .sockets
                .wait_for_retired(std::time::Duration::from_millis(500))
        {
            bound = UdpPair::bind(port, fwmark);
        }
        let sockets = bound.map_err(|e| {
            tracing::error!(port, error = %e, "cannot bind listen port");
            Errno::EADDRINUSE
        })?;
        let new = self.daemon.sockets.replace(sockets);
        threads::start_socket_readers(self.daemon, new);
        Ok(())
    }

    fn fwmark(&self) -> u32 {
        self.daemon.sockets.fwmark()
    }

    fn set_fwmark(&mut self, mark: u32) -> Result<(), Errno> {
        self.daemon.sockets.set_fwmark(mark).map_err(|e| {
            tracing::error!(error = %e, "cannot set fwmark");
            Errno::EADDRINUSE
        })
    }

    fn resolve_zone(&self, name: &str) -> Option<u32> {
        ferrotun_io::sys::if_nametoindex(name)
    }
}

struct Connection {
    daemon: Arc<Daemon>,
}

impl server::Handler for Connection {
    fn get(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        let dev = self.daemon.device.lock();
        ferrotun_uapi::write_get(
            &dev,
            &Settings {
                daemon: &self.daemon,
            },
            out,
        );
        Ok(())
    }

    fn set(&mut self, request: SetRequest) -> Result<(), Error> {
        apply(&self.daemon, request)
    }

    fn resolve_zone(&self, name: &str) -> Option<u32> {
        ferrotun_io::sys::if_nametoindex(name)
    }

    fn log_error(&mut self, error: &Error) {
        tracing::error!(%error, "UAPI request failed");
    }
}

/// Applies a UAPI `set` request, as a connection to the socket does.
pub fn apply(d: &Arc<Daemon>, request: SetRequest) -> Result<(), Error> {
    let stepped = d.device.step(d.tun.poll_mtu(), |dev, now| {
        ferrotun_uapi::apply(dev, &mut Settings { daemon: d }, now, request)
    });
    if !stepped.transmits.is_empty() {
        let failed = transmit::send_all(&d.sockets.current(), &stepped.transmits);
        d.device.send_failed(&failed);
    }
    stepped.result?;
    Ok(())
}

/// Starts the accept thread: at most 256 connections at once, each dropped after 30 s
/// without a byte, and a back-off instead of a busy loop when descriptors run out.
pub fn serve(daemon: &Arc<Daemon>, listener: UnixListener) {
    let daemon = Arc::clone(daemon);
    let spawned = std::thread::Builder::new()
        .name("ferrotund-uapi".into())
        .spawn(move || {
            let limits = AcceptLimits::default();
            let accepted = accept_loop(&listener, &limits, |stream, slot| {
                let mut conn = Connection {
                    daemon: Arc::clone(&daemon),
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
