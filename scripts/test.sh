#!/usr/bin/env bash
# Every test ferrotun has. Installs what it needs (scripts/lib.sh test_tools, cargo-fuzz,
# boringtun-cli, Python's cryptography), cleans up what it creates, and fails at the end if
# anything it created is still there (a namespace, an /etc/netns entry, a UAPI socket, a link,
# a process). FERROTUN_FUZZ_SECONDS (default 20) bounds each fuzz target's run.
#
# A test whose prerequisite is missing (root, a tool on PATH, a kernel feature) is a skip:
# it is logged to FERROTUN_SKIP_LOG (default target/ferrotun-skips.log, emptied here) and the
# count and reasons are printed at the end. With FERROTUN_REQUIRE_ALL=1 (.ci/run sets it)
# every such skip is a failure that names what is missing, and this script refuses to run
# without root.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

if [ "$(id -u)" = 0 ]; then
  root=yes
else
  root=no
fi
if [ "${FERROTUN_REQUIRE_ALL:-}" = 1 ] && [ "$root" = no ]; then
  echo "FERROTUN_REQUIRE_ALL=1, but not root: the namespace tests and the tunnel benchmark" \
    "need root" >&2
  exit 1
fi

export FERROTUN_SKIP_LOG="${FERROTUN_SKIP_LOG:-${CARGO_TARGET_DIR:-$PWD/target}/ferrotun-skips.log}"
mkdir -p "$(dirname "$FERROTUN_SKIP_LOG")"
: >"$FERROTUN_SKIP_LOG"
# What did not run, printed however the script ends: a skip must never go unseen.
skip_summary() {
  local n
  n=$(sort -u "$FERROTUN_SKIP_LOG" | grep -c . || true)
  step "skipped: $n (log: $FERROTUN_SKIP_LOG)"
  sort -u "$FERROTUN_SKIP_LOG" | sed 's/^/  /'
}
trap 'skip_summary; rm -f "${before_run:-}"' EXIT
# skipped WHAT REASON: a skip of this script's own, logged like the tests' skips.
skipped() { printf '%s: %s\n' "$1" "$2" >>"$FERROTUN_SKIP_LOG"; }

# What exists now is not ours to blame at the end. Every process this run starts carries the mark
# in its environment, which is how the final check recognises one that outlived its test.
FERROTUN_TEST_RUN="test.sh-$$-$(date +%s)"
export FERROTUN_TEST_RUN
before_run=$(mktemp "/tmp/ferrotun-test-run.XXXXXX")
leftovers_snapshot "$before_run"

if [ "$root" = yes ]; then
  ensure_packages "${test_tools[@]}"
fi

step "formatting, lints (clippy builds the workspace: several minutes the first time), file sizes"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -q -- -D warnings
cargo clippy -q -p ferrotund --test netns -- -D warnings
# fuzz/ is a workspace of its own, which the commands above do not see. Its dependencies are
# the workspace's crates (checked above) and compile into the same target directory.
(cd fuzz && cargo fmt -- --check)
(cd fuzz && CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/../target}" \
  cargo clippy --all-targets -q -- -D warnings)
.ci/check-sizes.sh

# The daemon first: the CLI and wg-quick tests drive the real binary when they run as root.
step "building ferrotund, ferrotun and the attack tool (release; a few minutes the first time)"
cargo build --release -q -p ferrotund -p ferrotun-attack -p ferrotun
export FERROTUND="$PWD/target/release/ferrotund"

step "unit, vector, property, simulation and CLI tests (builds the test binaries first)"
cargo test --workspace -q
step "test vectors recomputed by a second implementation (scripts/wg-vectors.py, Python)"
python3 -c 'import cryptography' 2>/dev/null || python3 -m pip install -q cryptography
python3 scripts/wg-vectors.py
step "simulation scenarios again, through the device alone instead of the data path"
FERROTUN_SIM_PATH=device cargo test -q -p ferrotun-sim

if [ "$root" = yes ]; then
  step "tunnel tests in network namespaces (real wg, wg-quick, wireguard-go)"
  cargo test --release -q -p ferrotund --test netns -- --test-threads=2 --skip attack_
  step "attacks from a hostile namespace (one at a time: they measure throughput under load)"
  cargo test --release -q -p ferrotund --test netns -- --test-threads=1 attack_
else
  skipped "ferrotund --test netns (every tunnel and attack test)" "needs root"
fi

if [ "$root" = yes ]; then
  step "the README as a newcomer follows it, in a copy of the tree: install.sh into a staging root, cargo install, the demo (about 2 minutes)"
  scripts/newcomer-test.sh
else
  skipped "scripts/newcomer-test.sh (the README's install and demo commands)" "needs root"
fi

if [ -x .ci/fuzz.sh ]; then
  step "bounded fuzzing (cargo-fuzz installed if missing and every target built: about 1.5 minutes; then ${FERROTUN_FUZZ_SECONDS:-20} s per target)"
  .ci/fuzz.sh "${FERROTUN_FUZZ_SECONDS:-20}"
fi

if [ -d crates/bench ]; then
  step "quick protocol micro-benchmark (builds the bench binary first; prints ratios, never fails on speed)"
  FERROTUN_BENCH_QUICK=1 cargo bench -q -p ferrotun-bench 2>&1 | tail -20
fi

if [ "$root" = yes ]; then
  step "quick tunnel benchmark (gates: ferrotund single-stream TCP >= 0.14x plain veth and >= 4x wireguard-go, both directions, best of 3; any missing figure fails)"
  scripts/bench-tunnel.sh --quick
  step "quick rootless proxy benchmark against the TUN path and onetun (cargo install onetun if missing: several minutes the first time; gates: the proxy's single stream >= 0.5x the TUN path's each way, and >= 0.4x under 50 ms RTT and 0.1 % loss)"
  scripts/bench-proxy.sh --quick --impaired
else
  skipped "scripts/bench-tunnel.sh --quick" "needs root"
  skipped "scripts/bench-proxy.sh --quick --impaired" "needs root"
fi
step "nothing left behind (compared with what existed at the start)"
leftovers_check "$before_run" "scripts/test.sh"
step "all tests passed"
