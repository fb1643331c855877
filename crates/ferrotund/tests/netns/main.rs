//! Root-only tunnel tests for `ferrotund` in network namespaces, driven by the real `wg`,
//! `wg-quick`, `ip`, `ping` and `iperf3`, with wireguard-go 0.0.20220316 as the reference
//! implementation.
//!
//! Run as root, as scripts/test.sh does: `cargo build --release -p ferrotund -p ferrotun-attack`,
//! then `cargo test --release -p ferrotund --test netns -- --test-threads=2 --skip attack_`
//! (about 75 s on 2 cores) and `... -- --test-threads=1 attack_` (about 30 s; the attacks
//! measure throughput, so they run alone). Without root every test fails under
//! `FERROTUN_REQUIRE_ALL=1` ("needs root") and is logged as a skip otherwise
//! (ferrotun-testkit: `scripts/test.sh` prints the skips at the end). Lint it with
//! `cargo clippy -p ferrotund --test netns` (`--tests` skips it: the target has `test = false`).
//!
//! Tests: `interop` (tunnels ferrotund↔ferrotund/wireguard-go), `config` (the same `wg`
//! commands give the same views as wireguard-go), `errors` (failing `wg` commands), `quiet`
//! (transfer counters), `fwmark`, `roaming`, `wgquick`, `netns_move`, `lifecycle`, `startup`,
//! `busy` (UAPI latency and full-size bursts during a transfer), `variants` (no TUN offloads,
//! crypto workers), `idle`, the `attack_*` tests and the fault tests (`soak`, `restart`,
//! `impair`);
//! `harness` runs the scenarios with wireguard-go only: if those fail, the environment is
//! broken, not ferrotund. Faults: `soak` (rekeys every 3 s under load, with ferrotund's
//! test-only timer scale), `restart` (kill -9 and restart), `impair` (loss and reordering;
//! `seqstream` and `relay` are their helper processes, run from this binary).
//!
//! Environment:
//! * `FERROTUND=/path/to/binary` tests that binary instead of the one Cargo built (a wrapper
//!   script that execs wireguard-go checks the suite against the reference; then only the
//!   tests of documented differences fail: `errors`, `startup`, ferrotund-roams `roaming`);
//! * `FERROTUN_TEST_LOG_LEVEL` (default `verbose`) is passed to the daemons as `LOG_LEVEL`;
//!   their logs are printed with every failure;
//! * `FERROTUN_KEEP_TMP=1` keeps the temporary directories (configs, daemon logs);
//! * `FERROTUN_SOAK_SECS` (default 20) is the length of the rekey soak; the long soak is 120.
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

// Attacks (issue #6): an attacker namespace against a victim whose tunnel is in use, and
// abuse of the UAPI socket; `attack_net` is their shared world. They run the attack tool:
// `cargo build --release -p ferrotun-attack` first (or set FERROTUN_ATTACK).
mod attack_access;
mod attack_flood;
mod attack_garbage;
mod attack_net;
mod attack_replay;
mod attack_spoof;
mod attack_uapi;

mod busy;
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
mod threads;
mod variants;
mod wgquick;

// Faults: rekey soak, restart, loss and reordering (and their helper processes).
mod impair;
// The rootless proxy (`ferrotun proxy`): the same engine on a userspace stack. They run the
// CLI: `cargo build --release -p ferrotun` first (or set FERROTUN_CLI).
mod proxy;
mod proxy_http;
mod proxy_net;
mod proxy_socks;
mod proxy_udp;
mod relay;
mod restart;
mod seqstream;
mod soak;
