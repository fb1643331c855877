//! The UDP sockets: one pair (IPv4 and IPv6) at a time, replaced when `wg` changes the
//! listen port. The packet threads keep their own reference to the pair and check a
//! generation counter (one atomic load) instead of taking a lock shared by every thread for
//! each packet; the lock is taken only when the generation moved.

use ferrotun_io::udp::UdpPair;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

/// The current socket pair, and the sockets it replaced.
pub struct Sockets {
    current: RwLock<Arc<UdpPair>>,
    /// Bumped after every replacement.
    generation: AtomicU64,
    /// Replaced pairs whose reader threads may not have let go of them yet.
    retired: Mutex<Vec<Weak<UdpPair>>>,
    /// The fwmark `wg` set, applied to every new pair.
    fwmark: AtomicU32,
}

/// A thread's reference to a pair, and the generation it was current in.
#[derive(Clone)]
pub struct SocketCache {
    pair: Arc<UdpPair>,
    generation: u64,
}

impl Sockets {
    pub fn new(pair: UdpPair) -> Self {
        Sockets {
            current: RwLock::new(Arc::new(pair)),
            generation: AtomicU64::new(0),
            retired: Mutex::new(Vec::new()),
            fwmark: AtomicU32::new(0),
        }
    }

    /// The current pair (takes the lock: for the UAPI, the timer and handshake threads).
    pub fn current(&self) -> Arc<UdpPair> {
        Arc::clone(
            &self
                .current
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// A cache of the current pair for a packet thread.
    pub fn cache(&self) -> SocketCache {
        // Generation first: a replacement in between only makes the cache refresh once more.
        let generation = self.generation.load(Ordering::Acquire);
        SocketCache {
            pair: self.current(),
            generation,
        }
    }

    /// Whether `cache` still holds the current pair.
    pub fn is_current(&self, cache: &SocketCache) -> bool {
        self.generation.load(Ordering::Acquire) == cache.generation
    }

    /// Replaces the pair (listen port change) and returns the new one. The old pair is shut
    /// down, so its blocked readers return and see that they are no longer current.
    pub fn replace(&self, pair: UdpPair) -> SocketCache {
        let new = Arc::new(pair);
        let (old, generation) = {
            let mut slot = self
                .current
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Bumped under the write lock, so generation and pair always change together.
            let generation = self.generation.fetch_add(1, Ordering::AcqRel) + 1;
            (core::mem::replace(&mut *slot, Arc::clone(&new)), generation)
        };
        old.shutdown();
        let mut retired = self
            .retired
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        retired.retain(|w| w.strong_count() > 0);
        retired.push(Arc::downgrade(&old));
        SocketCache {
            pair: new,
            generation,
        }
    }

    /// Waits (up to `limit`) until every replaced pair is closed, so its port can be bound
    /// again: the threads that still hold one drop it as soon as the scheduler runs them.
    pub fn wait_for_retired(&self, limit: Duration) -> bool {
        let deadline = std::time::Instant::now() + limit;
        loop {
            let mut retired = self
                .retired
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            retired.retain(|w| w.strong_count() > 0);
            if retired.is_empty() {
                return true;
            }
            drop(retired);
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    pub fn fwmark(&self) -> u32 {
        self.fwmark.load(Ordering::Relaxed)
    }

    pub fn set_fwmark(&self, mark: u32) -> std::io::Result<()> {
        // Unchanged, nothing to do (wireguard-go's BindSetMark returns early too): setting
        // SO_MARK needs CAP_NET_ADMIN even for 0, and `setconf` always sends a mark, so an
        // unprivileged engine (the rootless proxy) must not try.
        if mark == self.fwmark() {
            return Ok(());
        }
        self.current().set_fwmark(mark)?;
        self.fwmark.store(mark, Ordering::Relaxed);
        Ok(())
    }
}

impl SocketCache {
    /// The current pair, refreshed if it was replaced since the last call.
    pub fn get(&mut self, sockets: &Sockets) -> &Arc<UdpPair> {
        if !sockets.is_current(self) {
            // Dropping the old pair lets a listen-port change rebind its port.
            *self = sockets.cache();
        }
        &self.pair
    }

    /// The pair as last refreshed, without looking for a replacement.
    pub fn held(&self) -> &Arc<UdpPair> {
        &self.pair
    }
}
