//! The daemon's parts, wired together. Each part owns its state and has one job; this struct
//! only holds them, so a thread can be handed the parts it needs. The threads themselves,
//! each in its own file, are started by `startup.rs`:
//!
//! | thread | file | what it does |
//! |---|---|---|
//! | `ferrotund-tun` | `tun_thread.rs` | reads the TUN, seals, sends |
//! | `ferrotund-udp` (one per socket) | `udp_thread.rs` | receives, opens, writes to the TUN |
//! | `ferrotund-packets` (instead of both, if asked) | `packet_loop.rs` | polls all of them |
//! | `ferrotund-handshake` | `handshake_thread.rs` | handshake messages, at lower priority |
//! | `ferrotund-timers` | `timer_thread.rs` | sleeps until the device's next deadline |
//! | `ferrotund-uapi`, `-uapi-conn` | `control.rs` | the UAPI socket |
//! | `ferrotund-signals`, `-watch` | `watch.rs` | SIGTERM, removal of the socket file |
//!
//! They share the sans-IO device behind one lock (`device_cell.rs`), held only for the
//! protocol step itself, never across a system call; the packet threads take it only when
//! their data path cannot go on alone (`packet_thread.rs`).

use crate::crypto_pool::CryptoPool;
use crate::device_cell::DeviceCell;
use crate::handshake_queue::HandshakeQueue;
use crate::lifecycle::Lifecycle;
use crate::settings::Settings;
use crate::sockets::Sockets;
use crate::tun_port::TunPort;

/// Size of every packet buffer: the largest UDP payload.
pub const BUF: usize = 65_536;

/// Every part of a running daemon.
pub struct Daemon {
    pub device: DeviceCell,
    pub sockets: Sockets,
    pub tun: TunPort,
    pub handshakes: HandshakeQueue,
    pub crypto: CryptoPool,
    pub lifecycle: Lifecycle,
    pub settings: Settings,
}
