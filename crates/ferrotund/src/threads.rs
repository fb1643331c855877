//! Starting the packet, handshake and timer threads (the UAPI and watch threads are started
//! by `control.rs` and `watch.rs`). Which packet threads run is decided once at start-up:
//! a thread per source, or one for all (`packet_loop.rs`).

use crate::daemon::Daemon;
use crate::settings::PacketThreads;
use crate::sockets::SocketCache;
use crate::{handshake_thread, packet_loop, timer_thread, tun_thread, udp_thread};
use std::sync::Arc;

/// Starts the TUN, UDP, handshake and timer threads.
pub fn start(d: &Arc<Daemon>) {
    match d.settings.packet_threads {
        PacketThreads::One => spawn(d, "packets", packet_loop::run),
        PacketThreads::Split => {
            if d.tun.reads_vnet() {
                spawn(d, "tun", tun_thread::run_offload);
            } else {
                spawn(d, "tun", tun_thread::run_plain);
            }
            start_socket_readers(d, d.sockets.cache());
        }
    }
    spawn(d, "timers", timer_thread::run);
    spawn(d, "handshake", handshake_thread::run);
}

/// Starts the readers of a new socket pair (unless one thread polls every source, which
/// picks the new pair up by itself).
pub fn start_socket_readers(d: &Arc<Daemon>, pair: SocketCache) {
    if d.settings.packet_threads == PacketThreads::One {
        return;
    }
    let families: Vec<_> = udp_thread::families(pair.held()).collect();
    for family in families {
        let own = pair.clone();
        spawn(d, "udp", move |d| udp_thread::run(d, own, family));
    }
}

fn spawn(d: &Arc<Daemon>, name: &str, f: impl FnOnce(Arc<Daemon>) + Send + 'static) {
    let d = Arc::clone(d);
    if let Err(e) = std::thread::Builder::new()
        .name(format!("ferrotund-{name}"))
        .spawn(move || f(d))
    {
        tracing::error!(error = %e, "cannot start thread");
        std::process::exit(1);
    }
}
