//! The TUN thread's whole life: read what the kernel routed into the interface, seal it and
//! send it, until the interface is gone (then the daemon exits, as wireguard-go does after
//! `ip link del`). With offloads a read may be a 64 KiB super-packet and one batch takes
//! every read already queued (`offload_send.rs`); without, it is one packet
//! (`plain_send.rs`).

use crate::daemon::Daemon;
use crate::lifecycle::Exit;
use crate::offload_send::{BatchEnd, OffloadSend, ReadMode};
use crate::packet_thread::PacketThread;
use crate::plain_send::PlainSend;
use crate::tun_port::{Backlog, TunRead};
use std::sync::Arc;

/// The thread over a TUN without offloads.
pub fn run_plain(d: Arc<Daemon>) {
    let mut pt = PacketThread::start(&d);
    let mut send = PlainSend::new();
    loop {
        match d.tun.read_waiting(&mut send.buf, Backlog::Unknown) {
            TunRead::Packet(n) => send.send_one(&d, &mut pt, n),
            TunRead::Empty => {}
            TunRead::Gone => break,
        }
    }
    d.lifecycle.request_exit(Exit::InterfaceGone);
}

/// The thread over a TUN with offloads, or the stack port.
pub fn run_offload(d: Arc<Daemon>) {
    let mode = match d.tun.set_nonblocking() {
        Ok(()) => ReadMode::Batching,
        Err(_) => ReadMode::OneAtATime,
    };
    let mut send = OffloadSend::new(mode);
    let mut pt = PacketThread::start(&d);
    let mut backlog = Backlog::Unknown;
    loop {
        let n = match d.tun.read_waiting(send.read_buf(), backlog) {
            TunRead::Packet(n) => n,
            TunRead::Empty => continue,
            TunRead::Gone => break,
        };
        backlog = match send.send_batch(&d, &mut pt, n) {
            BatchEnd::TunEmpty => Backlog::Empty,
            BatchEnd::MoreQueued => Backlog::Unknown,
            BatchEnd::InterfaceGone => break,
        };
    }
    d.lifecycle.request_exit(Exit::InterfaceGone);
}
