//! Root-only tunnel tests for `ferrotund` in network namespaces, driven by the real `wg`,
//! `wg-quick`, `ip`, `ping` and `iperf3`, with wireguard-go 0.0.20220316 as the reference
//! implementation.
//!
//! Run: `cargo test --release -p ferrotund --test netns -- --test-threads=2` as root (about
//! 40 s on 2 cores). Without root every test prints "skipped" and passes. Lint it with
//! `cargo clippy -p ferrotund --test netns` (`--tests` skips it: the target has `test = false`).
//!
//! Tests: `interop` (tunnels ferrotund↔ferrotund/wireguard-go), `config` (the same `wg`
//! commands give the same views as wireguard-go), `errors` (failing `wg` commands), `quiet`
//! (transfer counters), `fwmark`, `roaming`, `wgquick`, `netns_move`, `lifecycle`, `startup`;
//! `harness` runs the scenarios with wireguard-go only: if those fail, the environment is
//! broken, not ferrotund.
//!
//! Environment:
//! * `FERROTUND=/path/to/binary` tests that binary instead of the one Cargo built (a wrapper
//!   script that execs wireguard-go checks the suite against the reference; then only the
//!   tests of documented differences fail: `errors`, `startup`, ferrotund-roams `roaming`);
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
mod fwmark;
mod harness;
mod idle;
mod interop;
mod lifecycle;
mod netns_move;
mod quiet;
mod roaming;
mod startup;
mod wgquick;
