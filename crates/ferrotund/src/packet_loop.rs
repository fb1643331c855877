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

use crate::data_path::PlainSend;
use crate::engine::Shared;
use crate::offload_path::OffloadSend;
use crate::receive::RxState;
use ferrotun_io::sys;
use ferrotun_proto::device::DataPath;
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Packets a TUN without offloads gives per turn, so the sockets get theirs.
const PLAIN_READS_PER_TURN: usize = 64;

/// Whether the daemon runs one packet thread (see the module docs): `FERROTUN_PACKET_THREADS`
/// is `one` or `split` (the default).
pub(crate) fn one_packet_thread() -> bool {
    match std::env::var("FERROTUN_PACKET_THREADS").as_deref() {
        Ok("one") => true,
        Ok("split") | Err(_) => false,
        Ok(other) => {
            tracing::warn!(
                value = other,
                "FERROTUN_PACKET_THREADS is one or split; ignored"
            );
            false
        }
    }
}

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

impl Shared {
    /// Serves the TUN and the sockets from one thread until the interface is gone.
    pub(crate) fn packet_loop(self: Arc<Self>) {
        let mut dp = self.start_packet_thread();
        let mut rx = RxState::new(&self);
        let mut tun = if self.tun.offload().is_some() {
            TunSend::Offload(Box::new(OffloadSend::new(true)))
        } else {
            TunSend::Plain(PlainSend::new())
        };
        let mut pair = self.sockets();
        let mut failing = false;
        loop {
            if self.stopping.load(Ordering::Acquire) {
                return;
            }
            let current = self.sockets();
            if !Arc::ptr_eq(&pair, &current) {
                // Dropping the old pair lets a listen-port change rebind it.
                pair = current;
            }
            let sockets = [pair.v4.as_ref(), pair.v6.as_ref()];
            let fds = [
                self.tun.as_raw_fd(),
                sockets[0].map_or(-1, AsRawFd::as_raw_fd),
                sockets[1].map_or(-1, AsRawFd::as_raw_fd),
            ];
            let ready = match sys::poll_readable(&fds) {
                Ok(ready) => {
                    failing = false;
                    ready
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
            if ready & 1 != 0 {
                if let Turn::Gone = self.tun_turn(&mut tun, &mut dp) {
                    return;
                }
            }
            for (i, socket) in sockets.into_iter().enumerate() {
                if let Some(socket) = socket.filter(|_| ready & (2 << i) != 0) {
                    let _ = self.receive_batch(&mut rx, &mut dp, socket, false);
                }
            }
        }
    }

    /// Sends what the TUN has queued: one batch with offloads, a bounded number of packets
    /// without.
    fn tun_turn(&self, tun: &mut TunSend, dp: &mut DataPath) -> Turn {
        match tun {
            TunSend::Offload(send) => match self.read_tun_now(send.read_buf()) {
                Some(Some(n)) => {
                    if send.send_batch(self, dp, n).is_none() {
                        return Turn::Gone;
                    }
                }
                Some(None) => {}
                None => return Turn::Gone,
            },
            TunSend::Plain(send) => {
                for _ in 0..PLAIN_READS_PER_TURN {
                    match self.read_tun_now(&mut send.buf) {
                        Some(Some(n)) => send.send_one(self, dp, n),
                        Some(None) => break,
                        None => return Turn::Gone,
                    }
                }
            }
        }
        Turn::Done
    }
}
