//! Where the AEAD runs: the batches of one read (a TSO super-packet's segments, a UDP GRO
//! receive) are sealed or opened on all cores, while the thread that read them waits and then
//! sends or writes them in the order it prepared them, so no flow is reordered (the
//! wireguard-go recipe, docs/performance.md §3.3, with a fork-join per batch instead of queues).
//!
//! `FERROTUN_CRYPTO_THREADS` sets the number of worker threads: `0` runs everything on the
//! reading thread. The default is one worker per CPU on machines with 4 or more CPUs and none
//! below: on 2 CPUs that also run both tunnel ends and the application, workers measured
//! 30-50 % more CPU time per GB for no throughput gain (BENCHMARKS.md), because every core is
//! already busy. Small batches always run inline, where waking a worker costs more than it
//! saves.

use rayon::prelude::*;

/// Batches shorter than this are processed on the calling thread.
const MIN_PARALLEL_BATCH: usize = 16;
/// Items each worker takes at once (about 13 µs of ChaCha20-Poly1305 at 1420 bytes).
const CHUNK: usize = 16;

/// A pool of crypto workers, or none.
pub struct CryptoPool {
    pool: Option<rayon::ThreadPool>,
}

impl CryptoPool {
    /// The pool `FERROTUN_CRYPTO_THREADS` asked for (`None`: see the module docs for the
    /// default).
    pub fn new(threads: Option<usize>) -> Self {
        CryptoPool::with_threads(threads.unwrap_or_else(default_threads))
    }

    /// A pool of `threads` workers (`0`: none).
    pub fn with_threads(threads: usize) -> Self {
        let pool = (threads > 0)
            .then(|| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .thread_name(|i| format!("ferrotund-crypto{i}"))
                    .build()
            })
            .and_then(|built| match built {
                Ok(pool) => Some(pool),
                Err(e) => {
                    tracing::warn!(error = %e, "no crypto workers; sealing inline");
                    None
                }
            });
        CryptoPool { pool }
    }

    /// Runs `f` on every item, in parallel when the batch is large enough; returns when all
    /// are done.
    pub fn for_each<T: Send>(&self, items: &mut [T], f: impl Fn(&mut T) + Sync + Send) {
        match &self.pool {
            Some(pool) if items.len() >= MIN_PARALLEL_BATCH => pool.install(|| {
                items.par_iter_mut().with_min_len(CHUNK).for_each(&f);
            }),
            _ => items.iter_mut().for_each(f),
        }
    }
}

fn default_threads() -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if cpus >= MIN_CPUS_FOR_WORKERS {
        cpus
    } else {
        0
    }
}

/// Below this many CPUs the default is to seal and open inline.
const MIN_CPUS_FOR_WORKERS: usize = 4;

#[cfg(test)]
mod tests {
    use super::CryptoPool;

    #[test]
    fn every_item_is_processed_once_inline_and_in_parallel() {
        for threads in [0, 1, 2, 4] {
            let pool = CryptoPool::with_threads(threads);
            for n in [0, 1, 15, 16, 17, 100, 1000] {
                let mut items: Vec<u64> = (0..n).collect();
                pool.for_each(&mut items, |x| *x = *x * 2 + 1);
                assert!(items
                    .iter()
                    .enumerate()
                    .all(|(i, x)| *x == i as u64 * 2 + 1));
            }
        }
    }
}
