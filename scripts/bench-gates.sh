# Shared by the benchmarks' quick (CI) modes (scripts/bench-tunnel.sh, scripts/bench-proxy.sh),
# sourced after they fill the associative array R with their figures: ratio gates against
# floors, the rule that every figure is measured, and the best of repeated runs.

gate_failures=0
gate_fail() {
  echo "FAIL: $*"
  gate_failures=$((gate_failures + 1))
}

# gate NAME NUMERATOR DENOMINATOR FLOOR: one gate's ratio against its floor, one line.
gate() {
  local name=$1 q
  q=$(awk -v a="$2" -v b="$3" 'BEGIN {
    if (a !~ /^[0-9.e+]+$/ || b !~ /^[0-9.e+]+$/ || b + 0 == 0) { print "-"; exit }
    printf "%.3f", a / b }')
  if [ "$q" != - ] && awk -v q="$q" -v f="$4" 'BEGIN { exit !(q >= f) }'; then
    echo "PASS: gate $name: measured $q, floor $4"
  else
    gate_fail "gate $name: measured $q, floor $4"
  fi
}

# require_measured WHO METRIC...: WHO came up, and every figure is there and a number (a
# difference may be negative); a missing one is a measurement that was skipped or failed,
# which quick mode does not let pass.
require_measured() {
  local who=$1 m v
  shift
  if [ "${R[$who.status]:-}" != ok ]; then
    gate_fail "$who: did not come up (it, or the iperf3 server behind it); nothing measured"
    return
  fi
  for m in "$@"; do
    v=${R[$who.$m]:-}
    [[ $v =~ ^[+-]?[0-9.e+]+$ ]] || gate_fail "$who: no figure for $m (${v:-missing})"
  done
}

# Single-stream figures are the best of several runs in quick mode: on a shared machine other
# processes take CPU from a 2 s run at random; a real regression lowers every run.
# keep_best WHO METRIC BPS: R[WHO.METRIC.best] becomes the larger of itself and BPS; a run
# without a figure makes it "fail" for good.
keep_best() {
  local key=$1.$2.best
  if [[ ! $3 =~ ^[0-9.e+]+$ ]] || [ "${R[$key]:-}" = fail ]; then
    R[$key]=fail
    return
  fi
  R[$key]=$(awk -v a="${R[$key]:-0}" -v b="$3" 'BEGIN { print (b + 0 > a + 0 ? b : a) }')
}
