#!/usr/bin/env bash
# Coverage-guided fuzzing of ferrotun-proto, the UAPI server and the configuration parser on
# the stable toolchain (cargo-fuzz, libFuzzer, no sanitizer): every target `cargo fuzz list`
# shows, currently wire_parse, noise_consume, device_datagram, replay_ratelimiter,
# uapi_request, conf_parse, and the rootless proxy's socks5_request, http_request and
# proxy_conf_parse. Builds every target in fuzz/, runs each for a bounded time
# starting from the committed seeds (fuzz/corpus/<target>) and the known crash inputs
# (fuzz/regressions/<target>), prints one summary line per target, and exits non-zero if any
# target crashed, hung or failed to build.
#
# Usage: .ci/fuzz.sh [SECONDS_PER_TARGET]      (default 20)
#   FUZZ_TARGETS="wire_parse noise_consume"  runs only those targets.
#
# New corpus entries go to a temporary directory, so the committed corpus is never modified.
# A crash input is kept in fuzz/artifacts/<target>/ and also printed in base64.
set -euo pipefail

secs="${1:-20}"
case "$secs" in
'' | *[!0-9]*)
    echo "usage: $0 [SECONDS_PER_TARGET]" >&2
    exit 2
    ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fuzz_dir="$root/fuzz"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never
exec </dev/null

# cargo-fuzz from crates.io, only if absent (any installed version is accepted).
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --version 0.13.2 --locked --quiet
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$fuzz_dir"
start_build=$(date +%s)
if ! cargo fuzz build --sanitizer none >"$work/build.log" 2>&1; then
    tail -n 60 "$work/build.log"
    echo "fuzz: build FAILED"
    exit 1
fi
echo "fuzz: built all targets in $(($(date +%s) - start_build)) s (stable $(rustc --version | cut -d' ' -f2), sanitizer none)"

targets="${FUZZ_TARGETS:-$(cargo fuzz list)}"

passed=0
failed=0
for t in $targets; do
    mkdir -p "$work/$t"
    dirs=("$work/$t")
    [ -d "corpus/$t" ] && dirs+=("corpus/$t")
    if [ -d "regressions/$t" ] && [ -n "$(ls -A "regressions/$t")" ]; then
        dirs+=("regressions/$t")
    fi
    log="$work/$t.log"
    rc=0
    cargo fuzz run --sanitizer none "$t" "${dirs[@]}" -- \
        -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$log" 2>&1 || rc=$?
    # (a run that crashes while loading its corpus prints no stats: hence the `|| true`s)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$({ grep -oE 'cov: [0-9]+' "$log" || true; } | tail -n 1 | cut -d' ' -f2)
    corp=$({ grep -oE 'corp: [0-9]+' "$log" || true; } | tail -n 1 | cut -d' ' -f2)
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        echo "fuzz $t: ok, ${runs:-?} runs in ${secs} s, coverage ${cov:-?} edges, corpus ${corp:-?} inputs"
    else
        failed=$((failed + 1))
        why=$(grep -m1 -E "panicked at|ERROR: libFuzzer|SUMMARY|^Error" "$log" || true)
        echo "fuzz $t: FAILED (exit $rc) ${why}"
        # Enough of the log to see the panic message and the backtrace.
        { grep -A 40 -m1 -E "panicked at|ERROR: libFuzzer" "$log" || tail -n 20 "$log"; } |
            sed 's/^/    /' | head -n 50
        artifact=$({ grep -oE "Test unit written to [^ ]+" "$log" || true; } | tail -n 1 | cut -d' ' -f5)
        if [ -n "$artifact" ] && [ -f "$artifact" ]; then
            echo "    input: $artifact ($(wc -c <"$artifact") bytes), base64:"
            base64 -w 76 "$artifact" | head -n 60 | sed 's/^/    /'
            echo "    reproduce: cd fuzz && cargo fuzz run -s none $t <file>"
        fi
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
