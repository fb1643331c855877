//! The TUN device's in-process stand-in, for a userspace TCP/IP stack (the rootless proxy):
//! two packet queues between the engine's threads and the stack's one thread, as a TUN
//! device's two directions are between the daemon and the kernel. The engine reads what
//! the stack sends ([`StackPort::try_recv`], [`StackPort::recv_waiting`]) and writes what
//! it opened ([`StackPort::send`]); the stack does the reverse through its [`StackEnd`].
//!
//! Why not a socketpair, which would make the stack look exactly like a TUN descriptor: it
//! costs a system call per packet on each side. Here a packet costs a lock and a copy, and a
//! wake-up only when the other side sleeps. Buffers go back to a pool, so a steady transfer
//! allocates nothing.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

/// Packets each queue holds, like a TUN's transmit queue (`txqueuelen`, 500 by default).
/// The engine hands over whole receive batches (up to 64 GRO runs of up to 64 datagrams), and
/// with 1024 four downloads through the proxy overflowed it: 1.1-1.6 Gbit/s, against
/// 4.1-4.5 with 4096 in the same alternating runs. At most twice this many buffers of an MTU
/// each are kept for reuse (about 12 MiB when all are out).
pub const QUEUE_PACKETS: usize = 4096;

/// How the stack's thread is woken when a packet arrives while it sleeps.
pub type Wake = Box<dyn Fn() + Send + Sync>;

/// What a read of a queue found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recv {
    /// A packet of this many bytes.
    Packet(usize),
    /// Nothing queued.
    Empty,
    /// The other side closed the port.
    Closed,
}

/// The stack's packets for the engine, and how many engine threads wait for one (so a
/// packet costs a wake-up only when one does).
#[derive(Default)]
struct ToEngine {
    packets: VecDeque<Vec<u8>>,
    waiters: usize,
}

struct Shared {
    to_engine: Mutex<ToEngine>,
    engine_ready: Condvar,
    to_stack: Mutex<VecDeque<Vec<u8>>>,
    stack_sleeping: AtomicBool,
    wake_stack: Wake,
    free: Mutex<Vec<Vec<u8>>>,
    closed: AtomicBool,
    mtu: usize,
    /// Packets for the stack dropped because its queue was full.
    dropped: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn buffer(&self, packet: &[u8]) -> Vec<u8> {
        let mut buf = lock(&self.free).pop().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(packet);
        buf
    }

    fn recycle(&self, buf: Vec<u8>) {
        let mut free = lock(&self.free);
        if free.len() < 2 * QUEUE_PACKETS {
            free.push(buf);
        }
    }

    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        // Taking the lock orders the flag before a waiter's next check.
        drop(lock(&self.to_engine));
        self.engine_ready.notify_all();
        (self.wake_stack)();
    }
}

/// Copies `packet` into `buf` (truncating to its length) and returns the length.
fn deliver(packet: &[u8], buf: &mut [u8]) -> usize {
    let n = packet.len().min(buf.len());
    buf[..n].copy_from_slice(&packet[..n]);
    n
}

/// The engine's end: what the packet threads use in place of a TUN.
pub struct StackPort {
    shared: Arc<Shared>,
}

/// The stack's end.
pub struct StackEnd {
    shared: Arc<Shared>,
}

/// A connected pair of ends for packets of at most `mtu` bytes; `wake` is called (from an
/// engine thread) when a packet arrives for a stack that said it would sleep.
pub fn pair(mtu: usize, wake: Wake) -> (StackPort, StackEnd) {
    let shared = Arc::new(Shared {
        to_engine: Mutex::new(ToEngine::default()),
        engine_ready: Condvar::new(),
        to_stack: Mutex::new(VecDeque::with_capacity(QUEUE_PACKETS)),
        stack_sleeping: AtomicBool::new(false),
        wake_stack: wake,
        free: Mutex::new(Vec::new()),
        closed: AtomicBool::new(false),
        mtu,
        dropped: AtomicU64::new(0),
    });
    let port = StackPort {
        shared: Arc::clone(&shared),
    };
    (port, StackEnd { shared })
}

impl StackPort {
    /// The stack's MTU: the largest packet it sends.
    pub fn mtu(&self) -> usize {
        self.shared.mtu
    }

    /// Takes the next packet the stack sent, if any.
    pub fn try_recv(&self, buf: &mut [u8]) -> Recv {
        let popped = lock(&self.shared.to_engine).packets.pop_front();
        match popped {
            Some(packet) => {
                let n = deliver(&packet, buf);
                self.shared.recycle(packet);
                Recv::Packet(n)
            }
            None if self.shared.closed.load(Ordering::SeqCst) => Recv::Closed,
            None => Recv::Empty,
        }
    }

    /// Takes the next packet the stack sends, waiting for it.
    pub fn recv_waiting(&self, buf: &mut [u8]) -> Recv {
        let mut queue = lock(&self.shared.to_engine);
        loop {
            if let Some(packet) = queue.packets.pop_front() {
                drop(queue);
                let n = deliver(&packet, buf);
                self.shared.recycle(packet);
                return Recv::Packet(n);
            }
            if self.shared.closed.load(Ordering::SeqCst) {
                return Recv::Closed;
            }
            queue.waiters += 1;
            queue = self
                .shared
                .engine_ready
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
            queue.waiters -= 1;
        }
    }

    /// Hands an opened packet to the stack; dropped (and counted) when its queue is full, as
    /// a TUN drops when its queue is.
    pub fn send(&self, packet: &[u8]) -> std::io::Result<usize> {
        let buf = self.shared.buffer(packet);
        {
            let mut queue = lock(&self.shared.to_stack);
            if queue.len() >= QUEUE_PACKETS {
                self.shared.dropped.fetch_add(1, Ordering::Relaxed);
                return Err(std::io::ErrorKind::WouldBlock.into());
            }
            queue.push_back(buf);
        }
        if self.shared.stack_sleeping.swap(false, Ordering::SeqCst) {
            (self.shared.wake_stack)();
        }
        Ok(packet.len())
    }

    /// Packets dropped because the stack's queue was full.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }
}

impl Drop for StackPort {
    fn drop(&mut self) {
        self.shared.close();
    }
}

impl StackEnd {
    /// The MTU both ends agreed on.
    pub fn mtu(&self) -> usize {
        self.shared.mtu
    }

    /// Takes the next packet from the engine, if any: the caller hands it back with
    /// [`StackEnd::recycle`] when done.
    pub fn try_recv(&self) -> Option<Vec<u8>> {
        lock(&self.shared.to_stack).pop_front()
    }

    /// Returns a buffer from [`StackEnd::try_recv`] to the pool.
    pub fn recycle(&self, buf: Vec<u8>) {
        self.shared.recycle(buf);
    }

    /// Whether the engine's queue has room for another packet.
    pub fn can_send(&self) -> bool {
        lock(&self.shared.to_engine).packets.len() < QUEUE_PACKETS
    }

    /// Sends a packet of `len` bytes that `fill` writes, to be sealed by the engine. The
    /// caller asks [`StackEnd::can_send`] first: only the stack's thread fills this queue,
    /// so the room it found is still there.
    pub fn send_with<R>(&self, len: usize, fill: impl FnOnce(&mut [u8]) -> R) -> R {
        let mut buf = lock(&self.shared.free).pop().unwrap_or_default();
        buf.clear();
        buf.resize(len, 0);
        let result = fill(&mut buf);
        let waiting = {
            let mut queue = lock(&self.shared.to_engine);
            queue.packets.push_back(buf);
            queue.waiters > 0
        };
        if waiting {
            self.shared.engine_ready.notify_one();
        }
        result
    }

    /// Says the stack is about to sleep: returns `false` if a packet is already queued
    /// (then it must not), else arranges for the next packet to wake it.
    pub fn prepare_sleep(&self) -> bool {
        self.shared.stack_sleeping.store(true, Ordering::SeqCst);
        if lock(&self.shared.to_stack).is_empty() {
            return true;
        }
        self.shared.stack_sleeping.store(false, Ordering::SeqCst);
        false
    }

    /// Whether the engine has gone.
    pub fn closed(&self) -> bool {
        self.shared.closed.load(Ordering::SeqCst)
    }
}

impl Drop for StackEnd {
    fn drop(&mut self) {
        self.shared.close();
    }
}

#[cfg(test)]
mod tests;
