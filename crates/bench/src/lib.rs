//! ferrotun-bench: ferrotun-proto against boringtun 0.7 (and OpenSSL's AEAD) in one binary.
//!
//! Run with `cargo bench -p ferrotun-bench`; set `FERROTUN_BENCH_QUICK=1` for a ~0.3 s per
//! measurement run (CI prints the numbers, never fails on them), and `FERROTUN_BENCH_ONLY=seal`
//! (or `handshake`, `open`, `lookup`, comma-separated) to run some groups only, e.g. under
//! `perf record`. Each module documents how its workload is made fair to both sides; the
//! results and the method are in BENCHMARKS.md at the repository root.

pub mod handshake;
pub mod harness;
pub mod lookup;
pub mod machine;
pub mod openssl;
pub mod report;
pub mod rng;
pub mod suite;
pub mod transport;

use harness::Config;

/// Runs everything and prints the summary table.
pub fn main() {
    let cfg = Config::from_env();
    let mode = if cfg.quick {
        "quick (FERROTUN_BENCH_QUICK)"
    } else {
        "full"
    };
    println!(
        "ferrotun-bench, {mode} mode: {} CPU(s), {}",
        machine::cpus(),
        machine::cpu_model().unwrap_or_else(|| "unknown CPU".into())
    );
    let rows = suite::run(&cfg);
    println!("\nSummary (ours/theirs > 1 is better for Gbit/s and handshakes/s, < 1 for ns):\n");
    print!("{}", report::markdown(&rows));
}
