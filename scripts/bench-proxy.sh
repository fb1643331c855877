#!/usr/bin/env bash
# Rootless proxy benchmark: `ferrotun proxy` against the kernel's TCP through ferrotund's TUN
# path and against onetun, in one run, in one setup: two fresh network namespaces joined by a
# veth pair. In S, ferrotund is the WireGuard server (tunnel address 10.77.0.2) with iperf3 and
# a TCP echo server behind it. In C, three clients of that server run side by side, each its
# own peer with freshly generated keys:
#   tun     ferrotund with a TUN device (10.77.0.1): the kernel's TCP, the reference
#   proxy   `ferrotun proxy` (10.77.0.3) as uid 65534 with no capabilities (setpriv), with TCP
#           forwards 127.0.0.1:15201 -> iperf3 and 127.0.0.1:17000 -> the echo server
#   onetun  onetun (10.77.0.4), also as uid 65534, with the same forwards on 25201 and 27000
#           (it buffers what a forward's client sends faster than the tunnel takes, without
#           bound: its RSS reached 4.3 GiB over the 10 s tests; keep that in mind on a small
#           machine)
# MTU 1420 everywhere. Traffic only ever goes to addresses inside the namespaces this script
# creates; everything it creates is removed on exit (also on failure or Ctrl-C).
#
# Per client it measures:
#   * single-stream TCP, C->S and S->C (iperf3, and iperf3 -R); 4 streams (-P 4) for tun and
#     proxy
#   * TCP connect latency, idle: connect() plus a one-byte echo, median and 90th percentile of
#     many short connections (scripts/connect-latency.py)
#   * ping RTT from S to the client's tunnel address, idle (tun and proxy: onetun does not
#     answer ICMP)
#   * idle cost of the client process: RSS (VmRSS), wake-ups per second (context switches of
#     all its threads) and CPU, over a few idle seconds before any traffic; RSS again after
#     the TCP tests
#   * CPU seconds (utime+stime) per GB that the TCP tests delivered, of the client process
#     and of the server's ferrotund
# With --impaired, then: a userspace UDP relay (scripts/impair-relay.py) in S between the
# clients and the server delays every datagram 25 ms each way (50 ms RTT) and drops 0.1 % of
# the WireGuard transport messages each way; tun and proxy switch their endpoint to it, and
# one download (iperf3 -R) each is measured.
# One table has every figure and the ratios the issue's goals name (proxy/tun, proxy/onetun).
#
# Usage: scripts/bench-proxy.sh [--quick] [--impaired] [--seconds N]
#   full mode (default): 10 s per test (15 s impaired), 200 connect probes per client.
#   --quick: 2 s per test (5 s impaired), 50 probes, for CI: the gates below, and every
#            measurement must succeed (a client that does not come up, a test that fails or
#            gives no figure, fails the run).
#   --impaired: add the 50 ms RTT + 0.1 % loss phase (in either mode).
# Gates (quick mode; each prints its measured ratio, its floor and PASS or FAIL; any FAIL makes
# the script exit non-zero). Ratios of figures from the same run, never absolute numbers:
#   proxy/tun:   the proxy's single-stream TCP / the TUN path's, best of 3 runs each, at
#                least GATE_PROXY_FLOOR_UP C->S and GATE_PROXY_FLOOR_DOWN S->C.
#   impaired:    (with --impaired) the proxy's download / the TUN path's, at least
#                GATE_IMPAIRED_FLOOR, and the relay's delay really in place (ping RTT >= 45 ms).
# Environment:
#   FERROTUN_BENCH_SKIP_ONETUN=1  do not build onetun if it is missing (`cargo install`); one
#                                 already installed is used.
#   FERROTUN_BENCH_NO_ONETUN=1    leave onetun out even if it is installed.
#                                 Leaving onetun out on purpose passes quick mode, unless
#                                 FERROTUN_REQUIRE_ALL=1 (CI).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
# shellcheck source=scripts/bench-gates.sh
source scripts/bench-gates.sh

mode=full secs=10 imp_secs=15 probes=200 idle_secs=5 impaired=0
samples=1 # single-stream runs per direction that the gates take the best of
while [ $# -gt 0 ]; do
  case "$1" in
  --quick) mode=quick secs=2 imp_secs=5 probes=50 idle_secs=3 samples=3 ;;
  --impaired) impaired=1 ;;
  --seconds)
    secs=${2:?--seconds needs a number}
    shift
    ;;
  -h | --help)
    usage_from_header "$0"
    exit 0
    ;;
  *)
    echo "unknown argument: $1 (try --help)" >&2
    exit 2
    ;;
  esac
  shift
done
case "$secs" in '' | *[!0-9]* | 0)
  echo "--seconds wants a positive integer" >&2
  exit 2
  ;;
esac

clk_tck=$(getconf CLK_TCK)
nobody=65534
# Tunnel addresses: the server, and one per client.
srv_ip=10.77.0.2
declare -A tun_ip=([tun]=10.77.0.1 [proxy]=10.77.0.3 [onetun]=10.77.0.4)
# Where each client's iperf3 and echo traffic goes: the tunnel address itself through the TUN,
# the host-side listener of a forward otherwise.
declare -A iperf_at=([tun]="$srv_ip 5201" [proxy]="127.0.0.1 15201" [onetun]="127.0.0.1 25201")
declare -A echo_at=([tun]="$srv_ip:7000" [proxy]="127.0.0.1:17000" [onetun]="127.0.0.1:27000")
wg_port=51820 relay_port=51821
srv_underlay=192.168.241.2

start_cleanup "fp$$" # names of everything we create start with this; the PID keeps runs apart
ns_c="${tag}c" ns_s="${tag}s"

declare -A R PID KEY # results ("client.metric"), processes and private keys by name
# shellcheck source=scripts/bench-proxy-world.sh
source scripts/bench-proxy-world.sh
# shellcheck source=scripts/bench-proxy-measure.sh
source scripts/bench-proxy-measure.sh

# ---------------------------------------------------------------------------------------------
# Report.

num() { [[ ${1:-} =~ ^[0-9.]+$ ]]; }

# ratio A B: A/B with two decimals, or "-" if either is missing.
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a !~ /^[0-9.e+]+$/ || b !~ /^[0-9.e+]+$/ || b + 0 == 0) { print "-"; exit }
    printf "%.2f", a / b }'
}

# The latency the proxy (or onetun) adds over the TUN path: the difference of the medians.
added_latency() {
  local c
  for c in proxy onetun; do
    num "${R[$c.conn_med]:-}" && num "${R[tun.conn_med]:-}" &&
      R[$c.conn_add]=$(awk -v a="${R[$c.conn_med]}" -v b="${R[tun.conn_med]}" 'BEGIN { printf "%+.3f", a - b }')
  done
  return 0
}

raw() { echo "${R[$1.$2.bps]:-${R[$1.$2]:-}}"; } # raw CLIENT METRIC: bit/s if recorded

print_table() {
  local row key label better goal cells c
  printf '\n| metric | better | goal | tun (ferrotund + kernel TCP) | proxy (ferrotun proxy) | onetun | proxy/tun | proxy/onetun |\n'
  printf '|---|---|---|---:|---:|---:|---:|---:|\n'
  local rows=(
    "tcp1|TCP 1 stream C->S (upload), Gbit/s|higher|proxy >= 2, >= 0.5 x tun"
    "tcp1r|TCP 1 stream S->C (download, -R), Gbit/s|higher|proxy >= 2, >= 0.5 x tun"
    "tcp4|TCP 4 streams C->S (-P 4), Gbit/s|higher|"
    "tcp4r|TCP 4 streams S->C (-P 4 -R), Gbit/s|higher|"
    "tcp1.retr|TCP 1 stream C->S: retransmits|lower|"
    "conn_med|connect + 1-byte echo, idle: median, ms|lower|"
    "conn_p90|connect + 1-byte echo, idle: 90th percentile, ms|lower|"
    "conn_add|connect + echo: added over the TUN path (medians), ms|lower|proxy < 0.3"
    "rtt_idle|ping from S to the client's tunnel address, idle, ms|lower|"
    "rss_idle|client process RSS, idle, MiB|lower|proxy <= 30"
    "rss_load|client process RSS after the TCP tests, MiB|lower|"
    "wake_idle|client process wake-ups per s, idle|lower|WireGuard's timers only"
    "cpu_idle|client process CPU, idle, ms per s|lower|"
    "cpu_gb|client process CPU s per GB (TCP tests)|lower|"
    "cpu_gb_srv|server's ferrotund CPU s per GB (the same tests)|lower|"
  )
  [ "$impaired" = 1 ] && rows+=(
    "imp_rtt|impaired: ping from S to the client, ms (the relay: 50)|-|"
    "imp_down|impaired: TCP 1 stream S->C (download), Mbit/s|higher|proxy >= 0.5 x tun"
    "imp_retr|impaired: retransmits in that download|lower|"
    "relay_busy|impaired: the relay's CPU during that download, % (100: it limited)|-|"
  )
  for row in "${rows[@]}"; do
    IFS='|' read -r key label better goal <<<"$row"
    cells="| $label | $better | ${goal:--} |"
    for c in tun proxy onetun; do cells+=" ${R[$c.$key]:--} |"; done
    case "$key" in
    *retr | conn_add | imp_rtt | relay_busy) cells+=" - | - |" ;; # counts and differences: no ratio
    *) # throughput ratios from the unrounded bit rates where there are some
      cells+=" $(ratio "$(raw proxy "$key")" "$(raw tun "$key")") | $(ratio "$(raw proxy "$key")" "$(raw onetun "$key")") |"
      ;;
    esac
    echo "$cells"
  done
  echo
  echo "Server's ferrotund idle (serving all three peers): RSS ${R[srv.rss_idle]:-?} MiB, ${R[srv.wake_idle]:-?} wake-ups/s."
  [ "$impaired" = 1 ] && echo "Relay: ${R[relay.counts]:-?}; UDP receive-buffer drops during the impaired downloads: ${R[relay.rcvbuf]:-?}."
  [ -n "$onetun_note" ] && echo "onetun: $onetun_note."
  [ -n "$onetun" ] && echo "onetun: $("$onetun" --version 2>/dev/null || echo "version unknown")."
  return 0
}

# goal TEXT MEASURED LIMIT OP: one of the issue's goals, met or not (information only:
# the machine decides absolute figures; the CI gates are below).
goal() {
  local verdict="not met"
  [[ $2 =~ ^-?[0-9.]+$ ]] && awk -v m="$2" -v l="$3" -v op="$4" 'BEGIN { exit !(op == ">=" ? m >= l : op == "<=" ? m <= l : m < l) }' &&
    verdict=met
  printf '  %-58s %8s %s %-5s %s\n' "$1" "$2" "$4" "$3" "$verdict"
}

print_goals() {
  step "the issue's goals (this run, this machine)"
  goal "proxy 1 stream upload, Gbit/s" "${R[proxy.tcp1]:-}" 2 ">="
  goal "proxy 1 stream download, Gbit/s" "${R[proxy.tcp1r]:-}" 2 ">="
  goal "proxy/tun, 1 stream upload" "$(ratio "${R[proxy.tcp1]:-}" "${R[tun.tcp1]:-}")" 0.5 ">="
  goal "proxy/tun, 1 stream download" "$(ratio "${R[proxy.tcp1r]:-}" "${R[tun.tcp1r]:-}")" 0.5 ">="
  local added=${R[proxy.conn_add]:-}
  goal "connect latency added over the TUN path, ms" "${added#+}" 0.3 "<"
  goal "proxy RSS idle, MiB" "${R[proxy.rss_idle]:-}" 30 "<="
  [ "$impaired" = 1 ] &&
    goal "impaired download, proxy/tun" "$(ratio "${R[proxy.imp_down]:-}" "${R[tun.imp_down]:-}")" 0.5 ">="
  return 0
}

# ---------------------------------------------------------------------------------------------
# Gates (quick mode only).

# The proxy's single-stream TCP as a fraction of the TUN path's, same run, same direction, best
# of 3 runs each; and its download under 50 ms RTT and 0.1 % loss as a fraction of the TUN
# path's. Measured at 2af66d3 (BENCHMARKS.md, "Rootless proxy"): upload 0.85-1.00, download
# 0.86-0.95, impaired download 0.63-0.67 (and at 2134a2a, with smaller stack queues, quiet and
# with a build running beside: 0.88-1.03, 0.62-0.69, 0.63-0.66). Each floor sits under the low
# end: 0.5 each way (the issue's goal), 0.4 impaired.
# Seen to fail: with 512 KiB TCP buffers (commit 1b98a2f) the impaired download measured 0.226
# against a floor of 0.25.
GATE_PROXY_FLOOR_UP=0.5
GATE_PROXY_FLOOR_DOWN=0.5
GATE_IMPAIRED_FLOOR=0.4
# The relay's delay is really on the path: RTT through it at least this, in ms.
GATE_IMPAIRED_RTT=45

run_gates() {
  step "gates (quick mode)"
  local common=(tcp1 tcp1r tcp1.best tcp1r.best conn_med conn_p90 rss_idle rss_load wake_idle
    cpu_idle cpu_gb cpu_gb_srv) m
  require_measured tun "${common[@]}" tcp4 tcp4r rtt_idle
  require_measured proxy "${common[@]}" tcp4 tcp4r rtt_idle conn_add
  if [ -n "$onetun" ]; then
    require_measured onetun "${common[@]}" conn_add
  elif [ "${FERROTUN_REQUIRE_ALL:-0}" = 1 ] || [ "$onetun_optout" != 1 ]; then
    # Left out on purpose is allowed outside CI; not installable is never allowed.
    gate_fail "onetun: $onetun_note"
  fi
  gate "proxy tcp1 (C->S): proxy / tun, best of $samples runs each" \
    "${R[proxy.tcp1.best]:-}" "${R[tun.tcp1.best]:-}" "$GATE_PROXY_FLOOR_UP"
  gate "proxy tcp1r (S->C): proxy / tun, best of $samples runs each" \
    "${R[proxy.tcp1r.best]:-}" "${R[tun.tcp1r.best]:-}" "$GATE_PROXY_FLOOR_DOWN"
  if [ "$impaired" = 1 ]; then
    for m in tun proxy; do
      [ "${R[$m.status]:-}" = ok ] && require_measured "$m" imp_rtt imp_down
      gate "impaired RTT, $m: ms through the relay" "${R[$m.imp_rtt]:-}" 1 "$GATE_IMPAIRED_RTT"
    done
    gate "impaired download: proxy / tun" "${R[proxy.imp_down]:-}" "${R[tun.imp_down]:-}" "$GATE_IMPAIRED_FLOOR"
  fi
  if [ "$gate_failures" -gt 0 ]; then
    echo "quick proxy benchmark: $gate_failures check(s) failed"
    return 1
  fi
  echo "quick proxy benchmark: all gates passed"
}

# ---------------------------------------------------------------------------------------------

need_root
ensure_packages
step "building ferrotund and ferrotun (release)"
cargo build --release -q -p ferrotund -p ferrotun
ferrotund="$PWD/target/release/ferrotund" ferrotun="$PWD/target/release/ferrotun"
ensure_onetun
# The interpreter itself, not a wrapper that starts it (pyenv's shims are shell scripts): the
# relay's PID must be the relay's, for its counts on SIGTERM.
py=$(python3 -c 'import sys; print(sys.executable)')
# The unprivileged clients' user reads its files and creates the proxy's UAPI socket in a
# directory it owns inside $work.
chmod 711 "$work"
mkdir "$work/px"
chown "$nobody:$nobody" "$work/px"

t_start=$SECONDS
echo "mode: $mode ($secs s per test); $(nproc) CPUs; $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD 2>/dev/null || echo ?)"
step "setup: server in $ns_s, clients in $ns_c"
created_ns+=("$ns_c" "$ns_s")
make_underlay "$ns_c" "$ns_s"
start_server
clients=()
up tun
up proxy
if [ -n "$onetun" ]; then up onetun; else R[onetun.status]=skipped; fi
idle_cost
step "connect latency, idle: $probes connections per client"
latency "${clients[@]}"
added_latency
# shellcheck disable=SC2046  # onetun answers no ICMP: ping the others
ping_from_server rtt_idle 20 $(printf '%s\n' "${clients[@]}" | grep -vx onetun)
for c in "${clients[@]}"; do throughput "$c"; done
[ "$impaired" = 1 ] && impaired_phase

step "results ($mode mode, $secs s per test, measured in $((SECONDS - t_start)) s; load average $(cut -d' ' -f1-3 /proc/loadavg))"
print_table
print_goals

if [ "$mode" = quick ]; then
  run_gates
fi
