//! The engine: the protocol device, the UDP sockets and the packet, handshake, timer, UAPI
//! and watch threads around one packet source. The daemon starts it on a kernel TUN
//! (`startup.rs`); the rootless proxy on a userspace stack (`stack_port.rs`). Both are
//! configured through the UAPI socket, as `wg` configures wireguard-go.

use crate::crypto_pool::CryptoPool;
use crate::daemon::Daemon;
use crate::device_cell::DeviceCell;
use crate::handshake_queue::HandshakeQueue;
use crate::lifecycle::{Exit, Lifecycle};
use crate::settings::{PacketThreads, Settings};
use crate::sockets::Sockets;
use crate::startup::{fail, StartError, SystemWallClock};
use crate::tun_port::{Packets, TunPort};
use crate::{control, threads, watch};
use ferrotun_io::udp::UdpPair;
use ferrotun_proto::consts::DEFAULT_MTU;
use ferrotun_proto::device::Device;
use rand_core::SeedableRng as _;
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::sync::Arc;

/// A running engine.
pub struct Engine {
    daemon: Arc<Daemon>,
    exit: Receiver<Exit>,
    socket_path: PathBuf,
}

/// Starts the engine on `packets`, serving the UAPI on `uapi` (bound at `socket_path`, whose
/// removal stops the engine).
pub fn start(
    packets: Packets,
    uapi: UnixListener,
    socket_path: PathBuf,
    mut settings: Settings,
) -> Result<Engine, StartError> {
    let sockets = UdpPair::bind(0, 0).map_err(|e| fail("cannot bind UDP socket", e))?;
    let device = new_device(&settings)?;
    let one_thread_possible = match &packets {
        Packets::Kernel(tun) => tun.set_nonblocking().is_ok(),
        // The stack's queue has no descriptor to poll beside the sockets.
        Packets::Stack(_) => false,
    };
    if settings.packet_threads == PacketThreads::One && !one_thread_possible {
        tracing::warn!("this packet source cannot be polled; a thread per packet source");
        settings.packet_threads = PacketThreads::Split;
    }
    let (exit_tx, exit) = std::sync::mpsc::channel();
    let handshakes = HandshakeQueue::default();
    let daemon = Arc::new(Daemon {
        device: DeviceCell::new(device, handshakes.dropped()),
        sockets: Sockets::new(sockets),
        tun: TunPort::new(packets),
        handshakes,
        crypto: CryptoPool::new(settings.crypto_threads),
        lifecycle: Lifecycle::new(exit_tx),
        settings,
    });
    threads::start(&daemon);
    watch::signals(&daemon).map_err(|e| fail("cannot install signal handlers", e))?;
    watch::socket_file(&daemon, socket_path.to_string_lossy().into_owned())
        .map_err(|e| fail("cannot watch UAPI socket", e))?;
    control::serve(&daemon, uapi);
    Ok(Engine {
        daemon,
        exit,
        socket_path,
    })
}

impl Engine {
    /// Waits until something asks the engine to stop (a signal, the packet source or the
    /// socket file gone, [`Engine::stop`]), removes the socket file and says why.
    pub fn wait(&self) -> Exit {
        let why = self.exit.recv().unwrap_or(Exit::Signal);
        let _ = std::fs::remove_file(&self.socket_path);
        why
    }

    /// Asks the engine to stop.
    pub fn stop(&self) {
        self.daemon.lifecycle.request_exit(Exit::Stopped);
    }

    /// Applies a UAPI `set` request (the configuration `wg setconf` would send).
    pub fn apply(&self, request: ferrotun_uapi::SetRequest) -> Result<(), ferrotun_uapi::Error> {
        control::apply(&self.daemon, request)
    }

    /// A handle that answers whether an address has a peer to go to.
    pub fn router(&self) -> Router {
        Router {
            daemon: Arc::clone(&self.daemon),
        }
    }

    /// A handle that stops the engine from another thread.
    pub fn stopper(&self) -> Stopper {
        Stopper {
            daemon: Arc::clone(&self.daemon),
        }
    }

    /// The UDP port WireGuard listens on.
    pub fn listen_port(&self) -> u16 {
        self.daemon.sockets.current().port()
    }
}

/// Cryptokey routing, asked from another thread: whether a destination has a peer (its
/// allowed IPs cover it), so a proxy can refuse a connection at once, as a kernel without a
/// route does, instead of letting it time out.
#[derive(Clone)]
pub struct Router {
    daemon: Arc<Daemon>,
}

impl Router {
    /// Whether some peer's allowed IPs cover `ip`.
    pub fn has_route(&self, ip: std::net::IpAddr) -> bool {
        self.daemon.device.lock().lookup_allowed_ip(ip).is_some()
    }
}

/// Stops the engine from another thread (the proxy's, when its standard-input tunnel ends).
#[derive(Clone)]
pub struct Stopper {
    daemon: Arc<Daemon>,
}

impl Stopper {
    /// Asks the engine to stop, as [`Engine::stop`] does; `Exit::Failed` says it is because
    /// something failed.
    pub fn stop(&self, why: Exit) {
        self.daemon.lifecycle.request_exit(why);
    }
}

/// The protocol device, with its own CSPRNG and the test timers if asked for.
fn new_device(settings: &Settings) -> Result<Device, StartError> {
    // A ChaCha20 CSPRNG seeded from the OS: the data path draws timer jitter, and a
    // getrandom(2) call per draw showed up at 3-5 % of the sending thread.
    let rng = rand_chacha::ChaCha20Rng::from_rng(rand_core::OsRng)
        .map_err(|e| fail("cannot seed the random number generator", e))?;
    let mut device = Device::new(Box::new(rng), Box::new(SystemWallClock));
    device.set_mtu(DEFAULT_MTU);
    if let Some(timing) = settings.timing {
        tracing::warn!(
            ?timing,
            "TEST ONLY: protocol timers shortened by FERROTUN_TEST_TIME_SCALE"
        );
        device.set_timing(timing);
    }
    Ok(device)
}
