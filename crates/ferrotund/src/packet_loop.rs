//! One packet thread for the TUN and every UDP socket (`FERROTUN_PACKET_THREADS=one`; the
//! default is a thread per source).
//!
//! In a bulk transfer each daemon has one busy direction and one carrying the peer's small
//! replies (TCP ACKs). With a thread per source, every burst of replies wakes the idle
//! thread, which then competes with the busy one for the CPU: thousands of wake-ups and
//! preemptions a second on each side. One thread that polls all sources picks the replies up
//! between two batches of the busy direction instead, at no wake-up: on the receiving end the
//! ACKs the kernel generates while the thread writes to the TUN are already queued when it
//! looks next. Where both tunnel ends and the application share 2 CPUs, that measured 2 %
//! more single-stream throughput than a thread per source once the time slice and the
//! batch-wide coalescing were in, but 4 % less with traffic both ways, where a thread per
//! source seals and opens on two cores at once (BENCHMARKS.md). So it is an option, for
//! one-way bulk traffic on small machines, not the default.
//!
//! The TUN is non-blocking in this mode, with or without offloads (an inherited `WG_TUN_FD`
//! shares that flag with whoever passed it).

use crate::daemon::Daemon;
use crate::lifecycle::Exit;
use crate::offload_send::{BatchEnd, OffloadSend, ReadMode};
use crate::packet_thread::PacketThread;
use crate::plain_send::PlainSend;
use crate::receive::{RxState, Wait};
use crate::tun_port::TunRead;
use ferrotun_io::sys;
use std::os::fd::AsRawFd;
use std::sync::Arc;

/// Packets a TUN without offloads gives per turn, so the sockets get theirs.
const PLAIN_READS_PER_TURN: usize = 64;

/// The TUN side of the packet thread.
enum TunSend {
    Offload(Box<OffloadSend>),
    Plain(PlainSend),
}

/// What a turn at the TUN found.
enum Turn {
    Done,
    Gone,
}

/// The sources the thread polls, in the order of the poll set.
#[derive(Debug, Clone, Copy)]
enum Source {
    Tun = 0,
    V4 = 1,
    V6 = 2,
}

/// Which of the polled sources have something to read.
struct Readiness(u64);

impl Readiness {
    fn has(&self, source: Source) -> bool {
        self.0 & (1 << source as u32) != 0
    }
}

/// Serves the TUN and the sockets from one thread until the interface is gone.
pub fn run(d: Arc<Daemon>) {
    let mut pt = PacketThread::start(&d);
    let mut rx = RxState::new(&d.tun);
    let mut tun = if d.tun.has_offload() {
        // The TUN was made non-blocking before this mode was chosen (`startup.rs`).
        TunSend::Offload(Box::new(OffloadSend::new(ReadMode::Batching)))
    } else {
        TunSend::Plain(PlainSend::new())
    };
    let mut failing = false;
    loop {
        if d.lifecycle.stopping() {
            return;
        }
        // Refreshed here, so dropping a replaced pair lets a listen-port change rebind it.
        let pair = Arc::clone(pt.sockets.get(&d.sockets));
        let fds = [
            d.tun.kernel().map_or(-1, |tun| tun.as_raw_fd()),
            pair.v4.as_ref().map_or(-1, AsRawFd::as_raw_fd),
            pair.v6.as_ref().map_or(-1, AsRawFd::as_raw_fd),
        ];
        let ready = match sys::poll_readable(&fds) {
            Ok(ready) => {
                failing = false;
                Readiness(ready)
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // Once per spell of failures, not a hundred lines a second.
                if !core::mem::replace(&mut failing, true) {
                    tracing::error!(error = %e, "cannot wait for packets; retrying");
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
                continue;
            }
        };
        if ready.has(Source::Tun) {
            if let Turn::Gone = tun_turn(&d, &mut tun, &mut pt) {
                break;
            }
        }
        for (source, socket) in [(Source::V4, &pair.v4), (Source::V6, &pair.v6)] {
            if let Some(socket) = socket.as_ref().filter(|_| ready.has(source)) {
                let _ = rx.receive_batch(&d, &mut pt, socket, Wait::No);
            }
        }
    }
    d.lifecycle.request_exit(Exit::InterfaceGone);
}

/// Sends what the TUN has queued: one batch with offloads, a bounded number of packets
/// without.
fn tun_turn(d: &Daemon, tun: &mut TunSend, pt: &mut PacketThread) -> Turn {
    match tun {
        TunSend::Offload(send) => match d.tun.read_now(send.read_buf()) {
            TunRead::Packet(n) => {
                if send.send_batch(d, pt, n) == BatchEnd::InterfaceGone {
                    return Turn::Gone;
                }
            }
            TunRead::Empty => {}
            TunRead::Gone => return Turn::Gone,
        },
        TunSend::Plain(send) => {
            for _ in 0..PLAIN_READS_PER_TURN {
                match d.tun.read_now(&mut send.buf) {
                    TunRead::Packet(n) => send.send_one(d, pt, n),
                    TunRead::Empty => break,
                    TunRead::Gone => return Turn::Gone,
                }
            }
        }
    }
    Turn::Done
}
