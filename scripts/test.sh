#!/usr/bin/env bash
# Every test ferrotun has. Installs what it needs, cleans up what it creates.
# FERROTUN_FUZZ_SECONDS (default 20) bounds each fuzz target's run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

if [ "$(id -u)" = 0 ]; then
  ensure_packages
fi

step "formatting, lints, file sizes"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -q -- -D warnings
cargo clippy -q -p ferrotund --test netns -- -D warnings
.ci/check-sizes.sh

# The daemon first: the CLI and wg-quick tests drive the real binary when they run as root.
cargo build --release -q -p ferrotund -p ferrotun-attack
export FERROTUND="$PWD/target/release/ferrotund"

step "unit, vector, property, simulation and CLI tests"
cargo test --workspace -q
step "simulation scenarios again, through the device alone instead of the data path"
FERROTUN_SIM_PATH=device cargo test -q -p ferrotun-sim

if [ "$(id -u)" = 0 ]; then
  step "tunnel tests in network namespaces (real wg, wg-quick, wireguard-go)"
  cargo test --release -q -p ferrotund --test netns -- --test-threads=2 --skip attack_
  step "attacks from a hostile namespace (one at a time: they measure throughput under load)"
  cargo test --release -q -p ferrotund --test netns -- --test-threads=1 attack_
else
  step "skipping namespace tests: they need root"
fi

if [ -x .ci/fuzz.sh ]; then
  step "bounded fuzzing"
  .ci/fuzz.sh "${FERROTUN_FUZZ_SECONDS:-20}"
fi

if [ -d crates/bench ]; then
  step "quick protocol micro-benchmark (prints ratios; never fails on speed)"
  FERROTUN_BENCH_QUICK=1 cargo bench -q -p ferrotun-bench 2>&1 | tail -20
fi

if [ "$(id -u)" = 0 ]; then
  step "quick tunnel benchmark (fails only if ferrotund is slower than wireguard-go)"
  scripts/bench-tunnel.sh --quick
fi
step "all tests passed"
