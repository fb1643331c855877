#!/usr/bin/env bash
# Tunnel benchmark: ferrotund against wireguard-go (Debian's package) and boringtun-cli, in one
# run, in the same setup: two fresh network namespaces joined by a veth pair, the same
# implementation at both ends, configured with `wg setconf` from freshly generated keys, tunnel
# 10.77.0.1 <-> 10.77.0.2 with MTU 1420. Traffic only ever goes to addresses inside the
# namespaces this script creates; everything it creates is removed on exit (also on failure or
# Ctrl-C).
#
# Per implementation it measures:
#   * single-stream TCP, A->B and B->A (iperf3, and iperf3 -R)
#   * 4-stream TCP, both directions (-P 4)
#   * UDP at a fixed high offered rate (-u -b 2G): delivered rate and loss %
#   * ping RTT through the idle tunnel (20 pings) and while a TCP stream runs
#   * CPU seconds of both daemon processes (utime+stime from /proc/PID/stat) per GB that the
#     TCP tests delivered
# and prints one table with every implementation's figures and ferrotund's ratio to each rival.
#
# Usage: scripts/bench-tunnel.sh [--quick] [--seconds N]
#   full mode (default): 10 s per test, about 3.5 minutes in all (plus building).
#   --quick: 2 s per test, about a minute (80 s with boringtun), for CI: the speed gates (see "Gates" below), and
#            every measurement must succeed (any implementation it runs whose tunnel does not
#            come up, any test that fails or gives no figure, fails the run).
# Gates (quick mode; each prints its measured ratio, its floor and PASS or FAIL, and any FAIL
# makes the script exit non-zero). Ratios of figures measured in the same run, never absolute
# numbers: the machine is shared and absolute figures drift.
#   veth:         ferrotund's single-stream TCP / plain veth's (no tunnel), A->B and B->A, at
#                 least GATE_VETH_FLOOR. The floor sits under the low end of a measured spread;
#                 the measurements and the reasoning are in BENCHMARKS.md ("The CI gates").
#   wireguard-go: ferrotund's single-stream TCP / Debian's wireguard-go's, A->B and B->A, at
#                 least GATE_WGGO_FLOOR.
# Environment:
#   FERROTUN_BENCH_SKIP_BORINGTUN=1  do not build boringtun-cli if it is missing (`cargo install`
#                                    took 69 s on the 2-core VM); one already installed is used.
#   FERROTUN_BENCH_NO_BORINGTUN=1    leave boringtun out even if it is installed.
#                                    Leaving boringtun out on purpose (either variable) passes
#                                    quick mode, unless FERROTUN_REQUIRE_ALL=1 (CI), under which
#                                    every implementation must be measured.
#   FERROTUN_BENCH_UDP_RATE          offered UDP rate (default 2G).
#   FERROTUN_BENCH_UDP_ARGS          extra iperf3 arguments for the UDP test.
#   FERROTUN_BENCH_PROFILE           cargo profile ferrotund is built with (default release,
#                                    which is stripped); `profiling` keeps the symbols that
#                                    `perf record -a` during a run needs.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
# shellcheck source=scripts/bench-gates.sh
source scripts/bench-gates.sh

mode=full
secs=10
samples=1 # single-stream runs per direction that the gates take the best of
while [ $# -gt 0 ]; do
  case "$1" in
  --quick) mode=quick secs=2 samples=3 ;;
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

udp_rate=${FERROTUN_BENCH_UDP_RATE:-2G}
read -ra udp_args <<<"${FERROTUN_BENCH_UDP_ARGS:-}"
# iperf3's own UDP sockets get 4 MiB buffers (or the most the sysctls allow: iperf3 fails if it
# gets less than it asked for). With the 208 KiB default, iperf3's receiving socket overflowed
# and the loss figure measured iperf3 rather than the tunnel.
udp_window=$(sort -n /proc/sys/net/core/rmem_max /proc/sys/net/core/wmem_max <(echo 4194304) | head -1)
ping_count=20
ping_interval=0.1
clk_tck=$(getconf CLK_TCK)

# ---------------------------------------------------------------------------------------------
# Cleanup. Every namespace and process we create is recorded here, and removed on any exit.
# Processes are killed by PID (those we started, plus whatever is left inside our namespaces),
# never by name, because other tests may be running the same binaries on this machine.
start_cleanup "fb$$" # names of everything we create start with this; the PID keeps runs apart

# ---------------------------------------------------------------------------------------------
# Installation (idempotent).

ensure_jq() { # iperf3's JSON output is read with jq
  command -v jq >/dev/null && return
  step "installing jq"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends jq >/dev/null
}

# boringtun_note says why boringtun is left out; boringtun_optout=1 if the caller asked for it.
boringtun="" boringtun_note="" boringtun_optout=0
ensure_boringtun() {
  if [ "${FERROTUN_BENCH_NO_BORINGTUN:-0}" = 1 ]; then
    boringtun_note="skipped: FERROTUN_BENCH_NO_BORINGTUN=1" boringtun_optout=1
    return
  fi
  local cargo_bin=${CARGO_HOME:-$HOME/.cargo}/bin
  boringtun=$(command -v boringtun-cli || true)
  [ -z "$boringtun" ] && [ -x "$cargo_bin/boringtun-cli" ] && boringtun=$cargo_bin/boringtun-cli
  [ -n "$boringtun" ] && return
  if [ "${FERROTUN_BENCH_SKIP_BORINGTUN:-0}" = 1 ]; then
    boringtun_note="skipped: not installed and FERROTUN_BENCH_SKIP_BORINGTUN=1" boringtun_optout=1
    return
  fi
  step "installing boringtun-cli with cargo (takes a few minutes; FERROTUN_BENCH_SKIP_BORINGTUN=1 skips it)"
  local t0=$SECONDS
  if cargo install boringtun-cli --locked >"$work/boringtun-install.log" 2>&1; then
    echo "cargo install boringtun-cli took $((SECONDS - t0)) s"
    boringtun=$cargo_bin/boringtun-cli
  else
    tail -5 "$work/boringtun-install.log" >&2
    boringtun_note="skipped: cargo install boringtun-cli failed"
  fi
}

# ---------------------------------------------------------------------------------------------
# One tunnel: namespaces "<tag><letter>a" and "<tag><letter>b"; each namespace's WireGuard
# interface carries the namespace's name (so its UAPI socket name is unique on the machine).

# start_daemon IMPL NS LOG: start IMPL in the foreground inside NS, in the background of this
# shell, so that $! is the daemon's own PID (`ip netns exec` and `env` both exec).
start_daemon() {
  local impl=$1 ns=$2 log=$3
  case "$impl" in
  ferrotund) ip netns exec "$ns" "$ferrotund" --foreground "$ns" </dev/null >"$log" 2>&1 & ;;
  wireguard-go)
    ip netns exec "$ns" env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
      wireguard-go --foreground "$ns" </dev/null >"$log" 2>&1 &
    ;;
  boringtun)
    # Keep root: with privileges dropped it could not be reconfigured; default thread count,
    # i.e. boringtun as shipped.
    ip netns exec "$ns" "$boringtun" --foreground --disable-drop-privileges \
      --log "$log.boringtun" "$ns" </dev/null >"$log" 2>&1 &
    ;;
  esac
  started_pids+=("$!")
  daemon_pids+=("$!")
}

wait_for_file() {
  for _ in $(seq 50); do
    [ -S "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

# up_tunnel IMPL LETTER: both ends up and handshaken; sets ns_a, ns_b, daemon_pids.
up_tunnel() {
  local impl=$1 letter=$2 key_a key_b
  ns_a="${tag}${letter}a" ns_b="${tag}${letter}b"
  daemon_pids=()
  created_ns+=("$ns_a" "$ns_b")
  make_underlay "$ns_a" "$ns_b"
  key_a=$(wg genkey) key_b=$(wg genkey)
  # wg setconf files: A listens on .1, B on .2, each knows the other's endpoint.
  printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.0.2/32\nEndpoint = 192.168.241.2:51820\n' \
    "$key_a" "$(wg pubkey <<<"$key_b")" >"$work/$ns_a.conf"
  printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.0.1/32\nEndpoint = 192.168.241.1:51820\n' \
    "$key_b" "$(wg pubkey <<<"$key_a")" >"$work/$ns_b.conf"
  local ns addr
  for ns in "$ns_a" "$ns_b"; do
    start_daemon "$impl" "$ns" "$work/$ns.log"
  done
  for ns in "$ns_a" "$ns_b"; do
    if ! wait_for_file "/var/run/wireguard/$ns.sock"; then
      echo "$impl did not create /var/run/wireguard/$ns.sock; its log:" >&2
      cat "$work/$ns.log" >&2
      return 1
    fi
    [ "$ns" = "$ns_a" ] && addr=10.77.0.1 || addr=10.77.0.2
    ip netns exec "$ns" wg setconf "$ns" "$work/$ns.conf"
    ip -n "$ns" addr add "$addr/24" dev "$ns"
    ip -n "$ns" link set "$ns" mtu 1420 up
  done
  # The first ping triggers the handshake; give it a few seconds.
  for _ in $(seq 10); do
    ip netns exec "$ns_a" ping -c 1 -W 1 -q 10.77.0.2 >/dev/null 2>&1 && return 0
  done
  echo "$impl: no ping through the tunnel" >&2
  return 1
}

# ---------------------------------------------------------------------------------------------
# Measurements. Results go into the associative array R["impl.metric"].
declare -A R

cpu_ticks() { # utime+stime of the given PIDs (all threads), in clock ticks
  local p stat total=0
  for p in "$@"; do
    stat=$(cat "/proc/$p/stat")
    stat=${stat##*) } # the command name may contain spaces; fields resume after ") "
    # shellcheck disable=SC2086
    set -- $stat
    total=$((total + ${12} + ${13})) # fields 14 and 15 of stat; "state" (field 3) is $1 here
  done
  echo "$total"
}

start_iperf_server() { # in ns_b, bound to the tunnel address only
  ip netns exec "$ns_b" iperf3 -s -B 10.77.0.2 </dev/null >"$work/iperf-server-$ns_b.log" 2>&1 &
  started_pids+=("$!")
  for _ in $(seq 30); do
    ip netns exec "$ns_b" ss -ltn 2>/dev/null | grep -q '10.77.0.2:5201' && return 0
    sleep 0.1
  done
  return 1
}

# iperf OUT ARGS...: one iperf3 client run from ns_a, JSON into OUT. A hung test must not hang
# the benchmark, hence the timeout.
iperf() {
  local out=$1
  shift
  timeout $((secs + 20)) ip netns exec "$ns_a" iperf3 -c 10.77.0.2 -J -t "$secs" \
    --connect-timeout 3000 "$@" >"$out" 2>"$out.err"
}

# jget FILE FILTER: a number from iperf3's JSON, or "fail" (never aborts the run).
jget() { jq -e -r "$2" "$1" 2>/dev/null || echo fail; }

gbps() { awk -v b="$1" 'BEGIN { if (b ~ /^[0-9.e+]+$/) printf "%.2f", b / 1e9; else print "fail" }'; }

# tcp_test IMPL METRIC ARGS...: records Gbit/s, retransmits, and adds bytes + daemon CPU to
# the implementation's totals for the CPU-per-GB figure.
tcp_test() {
  local impl=$1 metric=$2 out t0 t1 bytes
  shift 2
  out="$work/$impl.$metric.json"
  t0=$(cpu_ticks "${daemon_pids[@]}")
  if ! iperf "$out" "$@"; then
    echo "  $metric: iperf3 failed: $(jget "$out" .error) $(head -c 300 "$out.err")" >&2
    R[$impl.$metric]=fail
    return
  fi
  t1=$(cpu_ticks "${daemon_pids[@]}")
  R[$impl.$metric.bps]=$(jget "$out" '.end.sum_received.bits_per_second')
  R[$impl.$metric]=$(gbps "${R[$impl.$metric.bps]}")
  R[$impl.$metric.retr]=$(jget "$out" '.end.sum_sent.retransmits // 0')
  cpu_total=$((cpu_total + t1 - t0))
  bytes=$(jget "$out" '.end.sum_received.bytes // 0')
  [[ $bytes =~ ^[0-9]+$ ]] || bytes=0
  bytes_total=$((bytes_total + bytes))
  printf '  %-8s %6s Gbit/s  %6s retransmits\n' "$metric" "${R[$impl.$metric]}" "${R[$impl.$metric.retr]}"
}

# Where UDP loss happens, from kernel counters (all of them exist per namespace):
#   tun_txdrop NS: packets the kernel dropped on the way into the daemon (its TUN queue was full)
#   sock_drops NS: drops of the daemon's own encrypted-UDP socket(s) on port 51820
#   udp_rcvbuf NS: all UDP receive-buffer drops in NS (the daemon's and iperf3's sockets)
tun_txdrop() { ip -n "$1" -s -j link show dev "$1" | jq '.[0].stats64.tx.dropped'; }
sock_drops() {
  # shellcheck disable=SC2016  # awk's own $ fields
  ip netns exec "$1" awk 'FNR > 1 && $2 ~ /:CA6C$/ { d += $NF } END { print d + 0 }' /proc/net/udp /proc/net/udp6
}
udp_rcvbuf() {
  # shellcheck disable=SC2016  # awk's own $ fields
  ip netns exec "$1" awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["RcvbufErrors"] }' /proc/net/snmp
}
loss_counters() { echo "$(tun_txdrop "$ns_a") $(sock_drops "$ns_b") $(udp_rcvbuf "$ns_b")"; }

udp_test() {
  local impl=$1 out="$work/$1.udp.json" c0 c1
  read -ra c0 <<<"$(loss_counters)"
  if ! iperf "$out" -u -b "$udp_rate" -l 1392 -w "$udp_window" "${udp_args[@]}"; then # 1392 = 1420 - 20 (IPv4) - 8 (UDP)
    echo "  udp: iperf3 failed: $(jget "$out" .error) $(head -c 300 "$out.err")" >&2
    R[$impl.udp]=fail R[$impl.udp_loss]=fail
    return
  fi
  # iperf3 3.12 reports the sender's rate and the receiver's loss count in .end.sum;
  # delivered = sent x (1 - loss).
  R[$impl.udp_sent]=$(gbps "$(jget "$out" '.end.sum.bits_per_second')")
  R[$impl.udp]=$(gbps "$(jget "$out" '.end.sum | .bits_per_second * (1 - .lost_percent / 100)')")
  R[$impl.udp_loss]=$(awk -v l="$(jget "$out" '.end.sum.lost_percent')" 'BEGIN { if (l ~ /^[0-9.e+-]+$/) printf "%.1f", l; else print "fail" }')
  printf '  udp      offered %s (iperf3 -w %s), sent %s Gbit/s, delivered %s Gbit/s, loss %s %%\n' \
    "$udp_rate" "$udp_window" "${R[$impl.udp_sent]}" "${R[$impl.udp]}" "${R[$impl.udp_loss]}"
  read -ra c1 <<<"$(loss_counters)"
  printf '  udp loss, packets: %s dropped before the sending daemon read them (A TUN tx drops), %s at the receiving daemon'"'"'s socket, %s at other UDP sockets in B (iperf3'"'"'s)\n' \
    "$((c1[0] - c0[0]))" "$((c1[1] - c0[1]))" "$((c1[2] - c0[2] - (c1[1] - c0[1])))"
}

# ping_avg COUNT: average RTT in ms of COUNT pings A -> B through the tunnel.
ping_avg() {
  ip netns exec "$ns_a" ping -q -c "$1" -i "$ping_interval" -W 2 10.77.0.2 |
    awk -F/ '/^rtt|^round-trip/ { printf "%.3f", $5 }'
}

# Idle RTT is measured first, on the fresh tunnel, so that nothing left over from a load test
# (queues still draining, other processes still busy) can count against it.
ping_idle() {
  R[$1.rtt_idle]=$(ping_avg "$ping_count")
  printf '  ping     idle %s ms (%s pings, every %s s)\n' "${R[$1.rtt_idle]:-?}" "$ping_count" "$ping_interval"
}

ping_load() {
  local impl=$1 out="$work/$1.load.json" n
  # Under load: one TCP stream A -> B, pings from A in the same direction, queued behind it.
  iperf "$out" &
  local iperf_pid=$!
  sleep 0.5
  n=$(awk -v s="$secs" -v i="$ping_interval" 'BEGIN { n = int((s - 1) / i); print (n < 5 ? 5 : n) }')
  R[$impl.rtt_load]=$(ping_avg "$n")
  wait "$iperf_pid" || true
  printf '  ping     under load %s ms (%s pings)\n' "${R[$impl.rtt_load]:-?}" "$n"
}

bench_impl() {
  local impl=$1 letter=$2
  step "$impl: tunnel between two namespaces, $secs s per test"
  cpu_total=0 bytes_total=0
  if ! up_tunnel "$impl" "$letter" || ! start_iperf_server; then
    R[$impl.status]=failed
    remove_ns "$ns_a" "$ns_b"
    return
  fi
  ping_idle "$impl"
  tcp_test "$impl" tcp1 # single stream A -> B
  tcp_test "$impl" tcp1r -R
  gate_samples "$impl"
  tcp_test "$impl" tcp4 -P 4
  tcp_test "$impl" tcp4r -P 4 -R
  R[$impl.rcvbuf]=$(($(udp_rcvbuf "$ns_a") + $(udp_rcvbuf "$ns_b"))) # only the daemons' UDP so far
  if [ "$bytes_total" -gt 0 ]; then
    R[$impl.cpu_gb]=$(awk -v t="$cpu_total" -v hz="$clk_tck" -v b="$bytes_total" 'BEGIN { printf "%.2f", t / hz / (b / 1e9) }')
  fi
  printf '  daemons: %s CPU s per GB over the TCP tests; UdpRcvbufErrors during them: %s\n' \
    "${R[$impl.cpu_gb]:-?}" "${R[$impl.rcvbuf]}"
  udp_test "$impl"
  ping_load "$impl"
  R[$impl.status]=ok
  remove_ns "$ns_a" "$ns_b"
}

# The same veth path without a tunnel: for scale, and the denominator of the veth gate. Single
# stream in both directions, like the tunnels' tcp1 and tcp1r; in quick mode GATE_SAMPLES runs
# each way for the gate (the table shows the first, as for the tunnels).
bench_plain() {
  step "plain veth, no tunnel (for scale and the veth gate)"
  local a="${tag}pa" b="${tag}pb" m i bps out dir
  created_ns+=("$a" "$b")
  make_underlay "$a" "$b"
  ip netns exec "$b" iperf3 -s -B 192.168.241.2 </dev/null >/dev/null 2>&1 &
  started_pids+=("$!")
  sleep 0.5
  for m in tcp1 tcp1r; do
    dir=()
    [ "$m" = tcp1r ] && dir=(-R)
    for ((i = 0; i < samples; i++)); do
      out="$work/plain.$m.$i.json"
      if timeout $((secs + 20)) ip netns exec "$a" iperf3 -c 192.168.241.2 -J -t "$secs" \
        --connect-timeout 3000 "${dir[@]}" >"$out" 2>/dev/null; then
        bps=$(jget "$out" '.end.sum_received.bits_per_second')
      else
        bps=fail
      fi
      [ "$i" = 0 ] && R[plain.$m]=$(gbps "$bps")
      keep_best plain "$m" "$bps"
    done
    printf '  %-8s %6s Gbit/s%s\n' "$m" "${R[plain.$m]}" "$(best_note plain "$m")"
  done
  R[plain.status]=ok
  remove_ns "$a" "$b"
}

# best_note IMPL METRIC: ", best of N: X Gbit/s" in quick mode, nothing in full mode.
best_note() {
  [ "$samples" -gt 1 ] || return 0
  printf ', best of %s: %s' "$samples" "$(gbps "${R[$1.$2.best]:-fail}")"
}

# gate_samples IMPL: the single-stream runs after tcp_test's first, for the gates.
gate_samples() {
  local impl=$1 m i out dir
  for m in tcp1 tcp1r; do
    keep_best "$impl" "$m" "${R[$impl.$m.bps]:-fail}"
    dir=()
    [ "$m" = tcp1r ] && dir=(-R)
    for ((i = 1; i < samples; i++)); do
      out="$work/$impl.$m.$i.json"
      if iperf "$out" "${dir[@]}"; then
        keep_best "$impl" "$m" "$(jget "$out" '.end.sum_received.bits_per_second')"
      else
        keep_best "$impl" "$m" fail
      fi
    done
    [ "$samples" -gt 1 ] && printf '  %-8s %s\n' "$m" "$(best_note "$impl" "$m" | sed 's/^, //') Gbit/s"
  done
  return 0
}

# ---------------------------------------------------------------------------------------------
# Report.

# ratio OURS THEIRS: ours/theirs with two decimals, or "-" if either is missing.
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) { print "-"; exit }
    printf "%.2f", a / b }'
}

print_table() {
  local rivals=() r impl row cells
  for r in wireguard-go boringtun; do
    [ "${R[$r.status]:-}" = ok ] && rivals+=("$r")
  done
  local impls=(ferrotund "${rivals[@]}")
  printf '\n| metric | better |'
  for impl in "${impls[@]}"; do printf ' %s |' "$impl"; done
  for r in "${rivals[@]}"; do printf ' ferrotund/%s |' "$r"; done
  printf '\n|---|---|'
  for _ in "${impls[@]}" "${rivals[@]}"; do printf -- '---:|'; done
  printf '\n'
  local rows=(
    "tcp1|TCP 1 stream A->B, Gbit/s|higher"
    "tcp1r|TCP 1 stream B->A (-R), Gbit/s|higher"
    "tcp4|TCP 4 streams A->B (-P 4), Gbit/s|higher"
    "tcp4r|TCP 4 streams B->A (-P 4 -R), Gbit/s|higher"
    "udp|UDP offered $udp_rate: delivered Gbit/s|higher"
    "udp_loss|UDP offered $udp_rate: loss %|lower"
    "rtt_idle|ping RTT idle, ms|lower"
    "rtt_load|ping RTT under 1 TCP stream, ms|lower"
    "cpu_gb|daemon CPU s per GB (TCP tests, both ends)|lower"
    "tcp1.retr|TCP 1 stream A->B: retransmits|lower"
    "rcvbuf|UdpRcvbufErrors during TCP tests|lower"
  )
  for row in "${rows[@]}"; do
    IFS='|' read -r key label better <<<"$row"
    cells="| $label | $better |"
    for impl in "${impls[@]}"; do cells+=" ${R[$impl.$key]:--} |"; done
    for r in "${rivals[@]}"; do
      case "$key" in
      *retr | rcvbuf) cells+=" - |" ;; # counts: a ratio of small integers says nothing
      *) cells+=" $(ratio "${R[ferrotund.$key]:-}" "${R[$r.$key]:-}") |" ;;
      esac
    done
    echo "$cells"
  done
  echo
  echo "Plain veth without a tunnel, TCP 1 stream: ${R[plain.tcp1]:-?} Gbit/s A->B, ${R[plain.tcp1r]:-?} Gbit/s B->A."
  [ -n "$boringtun_note" ] && echo "boringtun-cli: $boringtun_note."
  return 0
}

# ---------------------------------------------------------------------------------------------

need_root
ensure_packages
ensure_jq
profile=${FERROTUN_BENCH_PROFILE:-release}
step "building ferrotund ($profile)"
cargo build --profile "$profile" -q -p ferrotund
ferrotund="${CARGO_TARGET_DIR:-$PWD/target}/$profile/ferrotund"
ensure_boringtun

t_start=$SECONDS
echo "mode: $mode ($secs s per test); $(nproc) CPUs; $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC')"
bench_plain
bench_impl ferrotund f
bench_impl wireguard-go g
[ -n "$boringtun" ] && bench_impl boringtun b

step "results ($mode mode, $secs s per test, measured in $((SECONDS - t_start)) s)"
print_table

# ---------------------------------------------------------------------------------------------
# Gates (quick mode only). The figures behind each floor are in BENCHMARKS.md ("The CI gates").

# ferrotund's single-stream TCP as a fraction of plain veth's, same run, same direction, best of
# 3 runs each: on a quiet machine 20 figures over 10 runs measured 0.266-0.335, but 0.212-0.224
# in a spell when the VM's host took CPU time (steal) from it; with other sessions compiling,
# 0.249-0.347 but for one disturbed run at 0.148. The floor is under all of them: it catches
# ferrotund losing about half its speed, where the old gate (slower than wireguard-go) let an
# 85 % loss pass.
GATE_VETH_FLOOR=0.14
# ferrotund's single-stream TCP as a multiple of Debian's wireguard-go's, same run, best of 3
# runs each (issue 12's floor; quiet runs measured 9.8-12.2, busy ones 8.0-13.1 but for one
# disturbed run at 4.2).
GATE_WGGO_FLOOR=4

run_gates() {
  step "gates (quick mode)"
  local all=(tcp1 tcp1r tcp1.best tcp1r.best tcp4 tcp4r udp udp_loss rtt_idle rtt_load cpu_gb) m dir
  require_measured plain tcp1 tcp1r tcp1.best tcp1r.best
  require_measured ferrotund "${all[@]}"
  require_measured wireguard-go "${all[@]}"
  if [ -n "$boringtun" ]; then
    require_measured boringtun "${all[@]}"
  elif [ "${FERROTUN_REQUIRE_ALL:-0}" = 1 ] || [ "$boringtun_optout" != 1 ]; then
    # Left out on purpose (FERROTUN_BENCH_NO_BORINGTUN=1 or FERROTUN_BENCH_SKIP_BORINGTUN=1)
    # is allowed outside CI; not installable is never allowed.
    gate_fail "boringtun-cli: $boringtun_note"
  fi
  for m in tcp1 tcp1r; do
    [ "$m" = tcp1 ] && dir="A->B" || dir="B->A"
    gate "veth $m ($dir): ferrotund / plain veth, best of $samples runs each" \
      "${R[ferrotund.$m.best]:-}" "${R[plain.$m.best]:-}" "$GATE_VETH_FLOOR"
    gate "wireguard-go $m ($dir): ferrotund / wireguard-go, best of $samples runs each" \
      "${R[ferrotund.$m.best]:-}" "${R[wireguard-go.$m.best]:-}" "$GATE_WGGO_FLOOR"
  done
  if [ "$gate_failures" -gt 0 ]; then
    echo "quick tunnel benchmark: $gate_failures check(s) failed"
    return 1
  fi
  echo "quick tunnel benchmark: all gates passed"
}

if [ "$mode" = quick ]; then
  run_gates
fi
