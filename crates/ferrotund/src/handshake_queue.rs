//! Handshake messages (initiations, responses, cookie replies) wait in a bounded queue for
//! their own thread, as in the kernel driver, so that a flood of them never sits between the
//! UDP reader and the transport packets behind it: the reader only copies them out, and
//! when the queue is full it drops them (counted) instead of falling behind.
//!
//! The queue also meters the rate of handshake messages, which decides when the device is
//! "under load" (`load.rs`). The thread that empties it is `handshake_thread.rs`.

use crate::load::LoadMeter;
use ferrotun_proto::peer::Endpoint;
use ferrotun_proto::time::Instant;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

/// The kernel's MAX_QUEUED_INCOMING_HANDSHAKES.
const MAX_QUEUED: usize = 4096;
/// Messages handled per lock of the device.
pub const BATCH: usize = 64;

/// A received handshake message and its sender.
pub struct Queued {
    pub from: Endpoint,
    pub data: Box<[u8]>,
}

/// The bounded queue between the UDP readers and the handshake thread.
#[derive(Default)]
pub struct HandshakeQueue {
    queue: Mutex<VecDeque<Queued>>,
    ready: Condvar,
    load: LoadMeter,
    /// Whether the load meter says "under load" (set by the readers, read by the thread).
    under_load: AtomicBool,
    /// Messages dropped because the queue was full (also reported with the device's drops).
    dropped: Arc<AtomicU64>,
}

impl HandshakeQueue {
    /// Queues a handshake message received at `now`: initiations and responses count
    /// towards the load; cookie replies do not, as in the kernel driver.
    pub fn push_received(&self, from: Endpoint, data: &[u8], now: Instant) -> bool {
        if matches!(data.first(), Some(1 | 2)) {
            let busy = self.load.record(now);
            self.under_load.store(busy, Ordering::Relaxed);
        }
        self.push(from, data)
    }

    /// Whether the device is under load, as the readers last measured.
    pub fn under_load(&self) -> bool {
        self.under_load.load(Ordering::Relaxed)
    }

    /// The counter of messages a full queue turned away.
    pub fn dropped(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.dropped)
    }

    /// Queues a copy of `data`; `false` (and counted) if the queue is full.
    fn push(&self, from: Endpoint, data: &[u8]) -> bool {
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
    pub fn pop_batch(&self, out: &mut Vec<Queued>) {
        let mut queue = self
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while queue.is_empty() {
            queue = self
                .ready
                .wait(queue)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        let n = queue.len().min(BATCH);
        out.extend(queue.drain(..n));
    }
}

#[cfg(test)]
mod tests {
    use super::{HandshakeQueue, Queued, BATCH, MAX_QUEUED};
    use ferrotun_proto::peer::Endpoint;
    use std::sync::atomic::Ordering;

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
        assert_eq!(q.dropped().load(Ordering::Relaxed), 10);
        let mut batch: Vec<Queued> = Vec::new();
        q.pop_batch(&mut batch);
        assert_eq!(batch.len(), BATCH);
        for (i, msg) in batch.iter().enumerate() {
            assert_eq!(&msg.data[..], &(i as u32).to_le_bytes());
        }
    }
}
