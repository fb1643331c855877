//! A small timing harness: warm up, size the samples, take the median of several samples.
//!
//! A workload is a closure that performs `iters` operations and returns the time its timed part
//! took, so untimed setup (such as sealing the batch an open benchmark consumes) stays out of the
//! figure.

use std::time::{Duration, Instant};

/// Environment variable that selects the quick mode used in CI.
pub const QUICK_ENV: &str = "FERROTUN_BENCH_QUICK";

/// How long to warm up and measure each workload.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Whether this is the quick (CI) mode.
    pub quick: bool,
    /// Warm-up time, which also estimates the cost of one operation.
    pub warmup: Duration,
    /// Total time of the measured samples.
    pub measure: Duration,
    /// Number of samples; the median is reported.
    pub samples: u32,
}

impl Config {
    /// The full configuration: 3 s of samples per measurement.
    #[must_use]
    pub fn full() -> Self {
        Config {
            quick: false,
            warmup: Duration::from_millis(500),
            measure: Duration::from_secs(3),
            samples: 21,
        }
    }

    /// The quick configuration: about 0.3 s per measurement.
    #[must_use]
    pub fn quick() -> Self {
        Config {
            quick: true,
            warmup: Duration::from_millis(50),
            measure: Duration::from_millis(250),
            samples: 5,
        }
    }

    /// Quick when `FERROTUN_BENCH_QUICK` is set to anything but `0` or the empty string.
    #[must_use]
    pub fn from_env() -> Self {
        match std::env::var(QUICK_ENV) {
            Ok(v) if !v.is_empty() && v != "0" => Self::quick(),
            _ => Self::full(),
        }
    }
}

/// The result of measuring one workload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    /// Median nanoseconds per operation.
    pub ns_per_op: f64,
    /// Fastest sample, nanoseconds per operation.
    pub min_ns: f64,
    /// Slowest sample, nanoseconds per operation.
    pub max_ns: f64,
}

impl Measurement {
    /// Operations per second at the median.
    #[must_use]
    pub fn ops_per_sec(&self) -> f64 {
        1e9 / self.ns_per_op
    }

    /// Throughput in Gbit/s when each operation carries `bytes` bytes.
    #[must_use]
    pub fn gbit_per_sec(&self, bytes: usize) -> f64 {
        bytes as f64 * 8.0 / self.ns_per_op
    }
}

/// A workload: performs `iters` operations, returns the time of the timed part.
pub type Workload<'a> = &'a mut dyn FnMut(u64) -> Duration;

/// Measures each workload as configured by `cfg`. After warming each one up, the samples are
/// interleaved (A, B, C, A, B, C, …) so that load from other processes on the machine hits every
/// workload alike instead of biasing whichever ran during a noisy moment.
pub fn measure_interleaved(cfg: &Config, workloads: &mut [Workload<'_>]) -> Vec<Measurement> {
    let per_sample = cfg.measure.as_nanos() as f64 / f64::from(cfg.samples);
    let iters: Vec<u64> = workloads
        .iter_mut()
        .map(|w| (per_sample / warm_up(cfg.warmup, w)).max(1.0) as u64)
        .collect();
    let mut samples = vec![Vec::new(); workloads.len()];
    for _ in 0..cfg.samples {
        for ((w, &n), out) in workloads.iter_mut().zip(&iters).zip(&mut samples) {
            out.push(w(n).as_nanos() as f64 / n as f64);
        }
    }
    samples.into_iter().map(summarize).collect()
}

/// Measures one workload (see [`measure_interleaved`]).
pub fn measure<F: FnMut(u64) -> Duration>(cfg: &Config, mut workload: F) -> Measurement {
    measure_interleaved(cfg, &mut [&mut workload])[0]
}

fn summarize(mut samples: Vec<f64>) -> Measurement {
    samples.sort_by(f64::total_cmp);
    Measurement {
        ns_per_op: samples[samples.len() / 2],
        min_ns: samples[0],
        max_ns: samples[samples.len() - 1],
    }
}

/// Runs the workload with doubling iteration counts until `warmup` has passed; returns the last
/// estimate of nanoseconds per operation.
fn warm_up(warmup: Duration, workload: &mut Workload<'_>) -> f64 {
    let start = Instant::now();
    let mut iters = 1u64;
    loop {
        let took = workload(iters).as_nanos().max(1) as f64;
        if start.elapsed() >= warmup {
            return took / iters as f64;
        }
        iters = iters.saturating_mul(2);
    }
}

/// Times `iters` calls of `op`, passing each result through [`std::hint::black_box`].
pub fn time_each<T, F: FnMut() -> T>(iters: u64, mut op: F) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        std::hint::black_box(op());
    }
    start.elapsed()
}

#[cfg(test)]
mod tests;
