//! Handshake messages (initiations, responses, cookie replies) wait in a bounded queue for
//! their own thread, as in the kernel driver, so that a flood of them never sits between the
//! UDP reader and the transport packets behind it: the reader only copies them out, and
//! when the queue is full it drops them (counted) instead of falling behind.
//!
//! The handshake thread runs at a lower scheduling priority than the data path (nice +5),
//! so on a small machine a flood takes CPU time from handshakes first, not from tunnels;
//! under load it also lets messages gather for a millisecond between batches.

use crate::engine::Shared;
use ferrotun_proto::peer::Endpoint;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

/// The kernel's MAX_QUEUED_INCOMING_HANDSHAKES.
const MAX_QUEUED: usize = 4096;
/// Messages handled per lock of the device.
const BATCH: usize = 64;
/// How much the handshake thread yields to the data path (see the module docs).
const NICENESS: i32 = 5;
/// Under load, how long messages gather after a partial batch before the thread looks
/// again (a flood then costs about a thousand wake-ups a second, not one per message).
const LINGER: std::time::Duration = std::time::Duration::from_millis(1);

/// A received handshake message and its sender.
pub struct Queued {
    from: Endpoint,
    data: Box<[u8]>,
}

/// The bounded queue between the UDP readers and the handshake thread.
#[derive(Default)]
pub struct HandshakeQueue {
    queue: Mutex<VecDeque<Queued>>,
    ready: Condvar,
    /// Whether the load meter says "under load" (set by the readers, read by the thread).
    pub(crate) under_load: AtomicBool,
    /// Messages dropped because the queue was full.
    pub(crate) dropped: AtomicU64,
}

impl HandshakeQueue {
    /// Queues a copy of `data`; `false` (and counted) if the queue is full.
    pub fn push(&self, from: Endpoint, data: &[u8]) -> bool {
        let mut queue = self
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if queue.len() >= MAX_QUEUED {
            drop(queue);
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        let was_empty = queue.is_empty();
        queue.push_back(Queued {
            from,
            data: data.into(),
        });
        drop(queue);
        // The thread only ever waits on an empty queue: one wake-up per burst, not per
        // message (a flood would otherwise cost a futex call each).
        if was_empty {
            self.ready.notify_one();
        }
        true
    }

    /// Waits for messages, then moves up to [`BATCH`] of them into `out`.
    fn pop_batch(&self, out: &mut Vec<Queued>, stopping: &AtomicBool) {
        let mut queue = self
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while queue.is_empty() && !stopping.load(Ordering::Acquire) {
            queue = self
                .ready
                .wait(queue)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        let n = queue.len().min(BATCH);
        out.extend(queue.drain(..n));
    }

    /// Wakes the thread so it can see that the daemon stops.
    pub fn wake(&self) {
        self.ready.notify_all();
    }
}

impl Shared {
    /// The handshake thread: handles queued messages in batches, one device lock each.
    pub(crate) fn handshake_loop(self: Arc<Self>) {
        if let Err(e) = ferrotun_io::sys::lower_thread_priority(NICENESS) {
            tracing::debug!(error = %e, "handshake thread keeps normal priority");
        }
        let mut batch = Vec::with_capacity(BATCH);
        while !self.stopping.load(Ordering::Acquire) {
            batch.clear();
            self.handshakes.pop_batch(&mut batch, &self.stopping);
            if batch.is_empty() {
                continue;
            }
            let under_load = self.handshakes.under_load.load(Ordering::Relaxed);
            let partial = batch.len() < BATCH;
            self.step(|dev, now| {
                dev.set_under_load(under_load);
                for msg in &mut batch {
                    if let Err(reason) = dev.handle_datagram(now, msg.from, &mut msg.data) {
                        tracing::trace!(from = %msg.from.addr, %reason, "dropped handshake message");
                    }
                }
            });
            if under_load && partial {
                std::thread::sleep(LINGER);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{HandshakeQueue, Queued, BATCH, MAX_QUEUED};
    use ferrotun_proto::peer::Endpoint;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn from() -> Endpoint {
        Endpoint::from("127.0.0.1:1".parse::<std::net::SocketAddr>().unwrap())
    }

    #[test]
    fn a_full_queue_drops_and_counts_and_batches_come_out_in_order() {
        let q = HandshakeQueue::default();
        for i in 0..MAX_QUEUED + 10 {
            let pushed = q.push(from(), &(i as u32).to_le_bytes());
            assert_eq!(pushed, i < MAX_QUEUED);
        }
        assert_eq!(q.dropped.load(Ordering::Relaxed), 10);
        let stopping = AtomicBool::new(false);
        let mut batch: Vec<Queued> = Vec::new();
        q.pop_batch(&mut batch, &stopping);
        assert_eq!(batch.len(), BATCH);
        for (i, msg) in batch.iter().enumerate() {
            assert_eq!(&msg.data[..], &(i as u32).to_le_bytes());
        }
    }

    #[test]
    fn a_stopping_daemon_never_waits_on_an_empty_queue() {
        let q = HandshakeQueue::default();
        let stopping = AtomicBool::new(true);
        let mut batch = Vec::new();
        q.pop_batch(&mut batch, &stopping);
        assert!(batch.is_empty());
    }
}
