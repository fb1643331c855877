//! Root-only tunnel tests for `ferrotund` in network namespaces, driven by the real `wg`,
//! `wg-quick`, `ip`, `ping` and `iperf3`, with wireguard-go 0.0.20220316 as the reference
//! implementation.
//!
//! Run: `cargo test --release -p ferrotund --test netns -- --test-threads=2` as root.
//! Without root every test prints "skipped" and passes, so `cargo test --workspace` works for
//! everyone.
//!
//! Environment:
//! * `FERROTUND=/path/to/binary` tests that binary instead of the one Cargo built (a wrapper
//!   that runs wireguard-go makes the whole suite check itself against the reference);
//! * `FERROTUN_TEST_LOG_LEVEL` (default `verbose`) is passed to the daemons as `LOG_LEVEL`;
//!   their logs are printed with every failure;
//! * `FERROTUN_KEEP_TMP=1` keeps the temporary directories (configs, daemon logs).
//!
//! House rules: every name a test creates is unique (`/var/run/wireguard` is shared by all
//! namespaces), every namespace, interface, socket file and process is removed by a guard
//! (also on failure; processes are killed by PID), traffic only goes to addresses in the
//! namespaces the test created, and waits are loops with deadlines, not fixed sleeps.

mod cmd;
mod daemon;
mod netns;
mod traffic;
mod tunnel;
mod wg;

mod config;
mod errors;
mod harness;
mod interop;
mod lifecycle;
mod netns_move;
mod roaming;
mod startup;
mod wgquick;
