//! The handshake thread's whole life: it takes handshake messages (initiations, responses,
//! cookie replies) from the bounded queue the UDP readers fill (`handshake_queue.rs`) and
//! hands them to the device in batches, one device lock per batch.
//!
//! It runs at a lower scheduling priority than the data path (nice +5), so on a small
//! machine a flood takes CPU time from handshakes first, not from tunnels; under load it also
//! lets messages gather for a millisecond between batches.

use crate::daemon::Daemon;
use crate::handshake_queue::BATCH;
use crate::transmit;
use std::sync::Arc;
use std::time::Duration;

/// How much the handshake thread yields to the data path (see the module docs).
const NICENESS: i32 = 5;
/// Under load, how long messages gather after a partial batch before the thread looks
/// again (a flood then costs about a thousand wake-ups a second, not one per message).
const LINGER: Duration = Duration::from_millis(1);

/// Handles queued messages until the daemon stops.
pub fn run(d: Arc<Daemon>) {
    if let Err(e) = ferrotun_io::sys::lower_thread_priority(NICENESS) {
        tracing::debug!(error = %e, "handshake thread keeps normal priority");
    }
    let mut batch = Vec::with_capacity(BATCH);
    while !d.lifecycle.stopping() {
        batch.clear();
        d.handshakes.pop_batch(&mut batch);
        let under_load = d.handshakes.under_load();
        let partial = batch.len() < BATCH;
        let stepped = d.device.step(None, |dev, now| {
            dev.set_under_load(under_load);
            for msg in &mut batch {
                if let Err(reason) = dev.handle_datagram(now, msg.from, &mut msg.data) {
                    tracing::trace!(from = %msg.from.addr, %reason, "dropped handshake message");
                }
            }
        });
        if !stepped.transmits.is_empty() {
            let failed = transmit::send_all(&d.sockets.current(), &stepped.transmits);
            d.device.send_failed(&failed);
        }
        if under_load && partial {
            std::thread::sleep(LINGER);
        }
    }
}
