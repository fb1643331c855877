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
#   proxy/tun:   the proxy's single-stream TCP / the TUN path's, C->S and S->C, best of 3
#                runs each, at least GATE_PROXY_FLOOR.
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

# ---------------------------------------------------------------------------------------------
# Installation (idempotent).

# onetun_note says why onetun is left out; onetun_optout=1 if the caller asked for it.
onetun="" onetun_note="" onetun_optout=0
ensure_onetun() {
  if [ "${FERROTUN_BENCH_NO_ONETUN:-0}" = 1 ]; then
    onetun_note="skipped: FERROTUN_BENCH_NO_ONETUN=1" onetun_optout=1
    return
  fi
  local cargo_bin=${CARGO_HOME:-$HOME/.cargo}/bin
  onetun=$(command -v onetun || true)
  [ -z "$onetun" ] && [ -x "$cargo_bin/onetun" ] && onetun=$cargo_bin/onetun
  [ -n "$onetun" ] && return
  if [ "${FERROTUN_BENCH_SKIP_ONETUN:-0}" = 1 ]; then
    onetun_note="skipped: not installed and FERROTUN_BENCH_SKIP_ONETUN=1" onetun_optout=1
    return
  fi
  step "installing onetun with cargo (takes a few minutes; FERROTUN_BENCH_SKIP_ONETUN=1 skips it)"
  local t0=$SECONDS
  if cargo install onetun --locked >"$work/onetun-install.log" 2>&1; then
    echo "cargo install onetun took $((SECONDS - t0)) s"
    onetun=$cargo_bin/onetun
  else
    tail -5 "$work/onetun-install.log" >&2
    onetun_note="skipped: cargo install onetun failed"
  fi
}

# ---------------------------------------------------------------------------------------------
# The world. Results go into the associative array R["client.metric"]; PIDs into PID[name].
declare -A R PID KEY

# bg NAME NS ARGV...: ARGV in NS, in the background of this shell, so that $! is the program's
# own PID (`ip netns exec`, `setpriv` and `env` all exec); output into $work/NAME.log.
bg() {
  local name=$1 ns=$2
  shift 2
  ip netns exec "$ns" "$@" </dev/null >"$work/$name.log" 2>&1 &
  PID[$name]=$!
  started_pids+=("$!")
}

# as_nobody: the command prefix that runs a program as uid/gid 65534 with every capability
# dropped, as a user without root would run it.
as_nobody=(setpriv "--reuid=$nobody" "--regid=$nobody" --clear-groups --inh-caps=-all)

wait_until() { # wait_until SECONDS COMMAND...: COMMAND succeeds within SECONDS
  local end=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.1
  done
}

listening() { ip netns exec "$1" ss "-Hl$2n" sport = ":$3" | grep -q .; }

# ferrotund_if NS NAME ADDR CONF: a ferrotund interface NAME up in NS with CONF (wg setconf).
ferrotund_if() {
  local ns=$1 name=$2 addr=$3 conf=$4
  bg "$name" "$ns" "$ferrotund" --foreground "$name"
  if ! wait_until 5 test -S "/var/run/wireguard/$name.sock"; then
    echo "ferrotund did not create /var/run/wireguard/$name.sock; its log:" >&2
    cat "$work/$name.log" >&2
    return 1
  fi
  ip netns exec "$ns" wg setconf "$name" "$conf"
  ip -n "$ns" addr add "$addr/24" dev "$name"
  ip -n "$ns" link set "$name" mtu 1420 up
}

peer_conf() { # peer_conf PUBLIC ALLOWED [ENDPOINT]: one wg(8) [Peer] section
  printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = %s\n' "$1" "$2"
  [ -z "${3:-}" ] || printf 'Endpoint = %s\n' "$3"
}

start_server() {
  local c
  KEY[srv]=$(wg genkey)
  for c in tun proxy onetun; do KEY[$c]=$(wg genkey); done
  {
    printf '[Interface]\nPrivateKey = %s\nListenPort = %s\n' "${KEY[srv]}" "$wg_port"
    for c in tun proxy onetun; do peer_conf "$(wg pubkey <<<"${KEY[$c]}")" "${tun_ip[$c]}/32"; done
  } >"$work/srv.conf"
  ferrotund_if "$ns_s" "$ns_s" "$srv_ip" "$work/srv.conf"
  PID[srv]=${PID[$ns_s]}
  bg iperf3 "$ns_s" iperf3 -s -B "$srv_ip"
  bg echo "$ns_s" "$py" scripts/connect-latency.py serve "$srv_ip:7000"
  wait_until 5 listening "$ns_s" t 5201 && wait_until 5 listening "$ns_s" t 7000
}

srv_pub() { wg pubkey <<<"${KEY[srv]}"; }

start_tun() {
  { printf '[Interface]\nPrivateKey = %s\n' "${KEY[tun]}" &&
    peer_conf "$(srv_pub)" "$srv_ip/32" "$srv_underlay:$wg_port"; } >"$work/tun.conf"
  ferrotund_if "$ns_c" "$ns_c" "${tun_ip[tun]}" "$work/tun.conf"
  PID[tun]=${PID[$ns_c]}
}

start_proxy() {
  { printf '[Interface]\nPrivateKey = %s\nAddress = %s/32\n' "${KEY[proxy]}" "${tun_ip[proxy]}" &&
    peer_conf "$(srv_pub)" "$srv_ip/32" "$srv_underlay:$wg_port" &&
    printf 'PersistentKeepalive = 25\n'; } >"$work/px/proxy.conf"
  chmod 600 "$work/px/proxy.conf"
  chown "$nobody:$nobody" "$work/px/proxy.conf"
  px_sock=$work/px/px.sock
  bg proxy "$ns_c" "${as_nobody[@]}" "$ferrotun" proxy --uapi "$px_sock" \
    --tcp-forward "127.0.0.1:15201=$srv_ip:5201" --tcp-forward "127.0.0.1:17000=$srv_ip:7000" \
    "$work/px/proxy.conf"
  wait_until 10 ip netns exec "$ns_c" "$ferrotun" show "$px_sock" || return 1
  local cap
  cap=$(awk '/^CapEff:/ { print $2 }' "/proc/${PID[proxy]}/status")
  echo "  proxy: pid ${PID[proxy]}, uid $(awk '/^Uid:/ { print $2 }' "/proc/${PID[proxy]}/status"), CapEff $cap"
  [ "$cap" = 0000000000000000 ] || {
    echo "the proxy runs with capabilities ($cap)" >&2
    return 1
  }
}

start_onetun() {
  printf '%s\n' "${KEY[onetun]}" >"$work/px/onetun.key"
  chmod 600 "$work/px/onetun.key"
  chown "$nobody:$nobody" "$work/px/onetun.key"
  bg onetun "$ns_c" "${as_nobody[@]}" "$onetun" \
    "127.0.0.1:25201:$srv_ip:5201:TCP" "127.0.0.1:27000:$srv_ip:7000:TCP" \
    --endpoint-addr "$srv_underlay:$wg_port" --endpoint-public-key "$(srv_pub)" \
    --private-key-file "$work/px/onetun.key" --source-peer-ip "${tun_ip[onetun]}" --keep-alive 25 \
    --log info
  wait_until 5 listening "$ns_c" t 25201
}

# reachable CLIENT: one echo through the client's path answers (the first may wait for the
# handshake), within 15 s.
probe_one() { ip netns exec "$ns_c" python3 scripts/connect-latency.py probe "$1" --count 1 --gap-ms 0; }
reachable() {
  wait_until 15 probe_one "${echo_at[$1]}" && return 0
  echo "$1: no echo through its path within 15 s; its log:" >&2
  tail -20 "$work/$1.log" >&2
  return 1
}

# up CLIENT: start it and check its path; a client that fails is marked and left out.
up() {
  local c=$1
  if "start_$c" && reachable "$c"; then
    R[$c.status]=ok clients+=("$c")
  else
    R[$c.status]=failed
    echo "  $c: did not come up" >&2
  fi
}

# ---------------------------------------------------------------------------------------------
# Measurements.

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

# wakeups PID: context switches (voluntary and not) of all its threads so far: each one is a
# time the thread ran after sleeping or being preempted.
wakeups() { cat /proc/"$1"/task/*/status | awk '/ctxt_switches:/ { n += $2 } END { print n + 0 }'; }

rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# jget FILE FILTER: a number from iperf3's JSON, or "fail" (never aborts the run).
jget() { jq -e -r "$2" "$1" 2>/dev/null || echo fail; }
# Gbit/s with two decimals, three below 1 (onetun's figures would round to nothing).
gbps() {
  awk -v b="$1" 'BEGIN { if (b !~ /^[0-9.e+]+$/) print "fail"; else printf (b < 1e9 ? "%.3f" : "%.2f"), b / 1e9 }'
}
mbps() { awk -v b="$1" 'BEGIN { if (b ~ /^[0-9.e+]+$/) printf "%.1f", b / 1e6; else print "fail" }'; }

# idle_cost: every client process (and the server) left alone for idle_secs, after the paths
# were checked and before any load: RSS, wake-ups per second, CPU milliseconds per second.
idle_cost() {
  step "idle cost over $idle_secs s"
  local c names=("${clients[@]}" srv)
  local -A w0=() t0=()
  sleep 1 # let the reachability probes' connections close
  for c in "${names[@]}"; do w0[$c]=$(wakeups "${PID[$c]}") t0[$c]=$(cpu_ticks "${PID[$c]}"); done
  sleep "$idle_secs"
  for c in "${names[@]}"; do
    R[$c.wake_idle]=$(awk -v a="${w0[$c]}" -v b="$(wakeups "${PID[$c]}")" -v s="$idle_secs" 'BEGIN { printf "%.1f", (b - a) / s }')
    R[$c.cpu_idle]=$(awk -v a="${t0[$c]}" -v b="$(cpu_ticks "${PID[$c]}")" -v s="$idle_secs" -v hz="$clk_tck" 'BEGIN { printf "%.1f", (b - a) * 1000 / hz / s }')
    R[$c.rss_idle]=$(rss_mib "${PID[$c]}")
    printf '  %-7s RSS %6s MiB, %6s wake-ups/s, %5s CPU ms/s\n' "$c" "${R[$c.rss_idle]}" "${R[$c.wake_idle]}" "${R[$c.cpu_idle]}"
  done
}

# latency CLIENT...: connect + one-byte echo through each client's path, many times, the
# clients in turn (see scripts/connect-latency.py).
latency() {
  local c targets=() out line
  for c in "$@"; do targets+=("${echo_at[$c]}"); done
  out=$(ip netns exec "$ns_c" python3 scripts/connect-latency.py probe "${targets[@]}" --count "$probes" || true)
  for c in "$@"; do
    line=$(grep -F "${echo_at[$c]} " <<<"$out" || true)
    R[$c.conn_med]=$(sed -n 's/.*median_ms=\([^ ]*\).*/\1/p' <<<"$line")
    R[$c.conn_p90]=$(sed -n 's/.*p90_ms=\([^ ]*\).*/\1/p' <<<"$line")
    [[ $line == *" failed=0" ]] || R[$c.conn_med]=fail
    printf '  %-7s connect + echo: %s\n' "$c" "${line:-no output}"
  done
}

# ping_from_server KEY COUNT CLIENT...: average RTT from S to each client's tunnel address,
# all at once so that load from elsewhere falls on them alike.
ping_from_server() {
  local key=$1 count=$2 c pids=()
  shift 2
  [ $# -gt 0 ] || return 0
  for c in "$@"; do
    ip netns exec "$ns_s" ping -q -c "$count" -i 0.1 -W 2 "${tun_ip[$c]}" >"$work/ping.$c" 2>&1 &
    pids+=("$!")
  done
  wait "${pids[@]}" || true # a ping that got no answer shows as "fail" below
  for c in "$@"; do
    R[$c.$key]=$(awk -F/ '/^rtt|^round-trip/ { printf "%.3f", $5 }' "$work/ping.$c")
    [ -n "${R[$c.$key]}" ] || R[$c.$key]=fail
    printf '  %-7s ping from S to %s: %s ms avg (%s pings)\n' "$c" "${tun_ip[$c]}" "${R[$c.$key]}" "$count"
  done
}

# iperf CLIENT OUT SECONDS ARGS...: one iperf3 client run in C through the client's path, JSON
# into OUT. A hung test must not hang the benchmark, hence the timeout.
iperf() {
  local c=$1 out=$2 t=$3 host port
  shift 3
  read -r host port <<<"${iperf_at[$c]}"
  timeout $((t + 20)) ip netns exec "$ns_c" iperf3 -c "$host" -p "$port" -J -t "$t" \
    --connect-timeout 3000 "$@" >"$out" 2>"$out.err"
}

# tcp_test CLIENT METRIC ARGS...: records Gbit/s and retransmits, and adds the bytes and the CPU
# of the client process and of the server to the client's totals for the CPU-per-GB figures.
tcp_test() {
  local c=$1 metric=$2 out c0 s0 bytes
  shift 2
  out="$work/$c.$metric.json"
  c0=$(cpu_ticks "${PID[$c]}") s0=$(cpu_ticks "${PID[srv]}")
  if ! iperf "$c" "$out" "$secs" "$@"; then
    echo "  $metric: iperf3 failed: $(jget "$out" .error) $(head -c 300 "$out.err")" >&2
    R[$c.$metric]=fail
    return
  fi
  cpu_client[$c]=$((cpu_client[$c] + $(cpu_ticks "${PID[$c]}") - c0))
  cpu_server[$c]=$((cpu_server[$c] + $(cpu_ticks "${PID[srv]}") - s0))
  R[$c.$metric.bps]=$(jget "$out" '.end.sum_received.bits_per_second')
  R[$c.$metric]=$(gbps "${R[$c.$metric.bps]}")
  R[$c.$metric.retr]=$(jget "$out" '.end.sum_sent.retransmits // 0')
  bytes=$(jget "$out" '.end.sum_received.bytes // 0')
  [[ $bytes =~ ^[0-9]+$ ]] || bytes=0
  bytes_total[$c]=$((bytes_total[$c] + bytes))
  printf '  %-7s %-6s %7s Gbit/s  %6s retransmits\n' "$c" "$metric" "${R[$c.$metric]}" "${R[$c.$metric.retr]}"
}

# The gates compare the best of `samples` single-stream runs per direction (quick mode: 3): on a
# shared machine other processes take CPU from a 2 s run at random; a real regression lowers
# every run. keep_best CLIENT METRIC BPS: R[CLIENT.METRIC.best] becomes the larger of itself
# and BPS; a run without a figure makes it "fail" for good.
keep_best() {
  local key=$1.$2.best
  if [[ ! $3 =~ ^[0-9.e+]+$ ]] || [ "${R[$key]:-}" = fail ]; then
    R[$key]=fail
    return
  fi
  R[$key]=$(awk -v a="${R[$key]:-0}" -v b="$3" 'BEGIN { print (b + 0 > a + 0 ? b : a) }')
}

# gate_samples CLIENT: the single-stream runs after tcp_test's first, for the gates.
gate_samples() {
  local c=$1 m i out dir
  for m in tcp1 tcp1r; do
    keep_best "$c" "$m" "${R[$c.$m.bps]:-fail}"
    dir=()
    [ "$m" = tcp1r ] && dir=(-R)
    for ((i = 1; i < samples; i++)); do
      out="$work/$c.$m.$i.json"
      if iperf "$c" "$out" "$secs" "${dir[@]}"; then
        keep_best "$c" "$m" "$(jget "$out" '.end.sum_received.bits_per_second')"
      else
        keep_best "$c" "$m" fail
      fi
    done
    [ "$samples" -gt 1 ] && printf '  %-7s %-6s best of %s: %s Gbit/s\n' "$c" "$m" "$samples" "$(gbps "${R[$c.$m.best]}")"
  done
  return 0
}

declare -A cpu_client cpu_server bytes_total
throughput() {
  local c=$1
  step "$c: TCP through its path, $secs s per test"
  cpu_client[$c]=0 cpu_server[$c]=0 bytes_total[$c]=0
  tcp_test "$c" tcp1 # single stream C -> S
  tcp_test "$c" tcp1r -R
  gate_samples "$c"
  if [ "$c" != onetun ]; then
    tcp_test "$c" tcp4 -P 4
    tcp_test "$c" tcp4r -P 4 -R
  fi
  if [ "${bytes_total[$c]}" -gt 0 ]; then
    R[$c.cpu_gb]=$(awk -v t="${cpu_client[$c]}" -v hz="$clk_tck" -v b="${bytes_total[$c]}" 'BEGIN { printf "%.2f", t / hz / (b / 1e9) }')
    R[$c.cpu_gb_srv]=$(awk -v t="${cpu_server[$c]}" -v hz="$clk_tck" -v b="${bytes_total[$c]}" 'BEGIN { printf "%.2f", t / hz / (b / 1e9) }')
  fi
  R[$c.rss_load]=$(rss_mib "${PID[$c]}")
  printf '  %-7s CPU s per GB: %s (client process), %s (server); RSS after the tests %s MiB\n' \
    "$c" "${R[$c.cpu_gb]:-?}" "${R[$c.cpu_gb_srv]:-?}" "${R[$c.rss_load]}"
}

# ---------------------------------------------------------------------------------------------
# The impaired path. The relay is Python (scripts/impair-relay.py) rather than the netns tests'
# relay, whose loss is a whole percent; it forwards a few hundred thousand datagrams a second,
# far above what TCP gets through 50 ms and 0.1 % loss, and the phase prints the UDP
# receive-buffer drops in both namespaces so that a relay which could not keep up shows.

udp_rcvbuf() { # all UDP receive-buffer drops in NS so far
  # shellcheck disable=SC2016  # awk's own $ fields
  ip netns exec "$1" awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["RcvbufErrors"] }' /proc/net/snmp
}

# set_endpoint CLIENT ENDPOINT: the client's one peer (the server) at ENDPOINT, at run time.
set_endpoint() {
  case "$1" in
  tun) ip netns exec "$ns_c" wg set "$ns_c" peer "$(srv_pub)" endpoint "$2" ;;
  proxy) ip netns exec "$ns_c" "$ferrotun" set "$px_sock" peer "$(srv_pub)" endpoint "$2" ;;
  esac
}

# via_relay CLIENT: the server sees the client at the relay's address (127.0.0.1), i.e. the
# client's traffic really goes through the relay, both ways.
via_relay() {
  local pub
  pub=$(wg pubkey <<<"${KEY[$1]}")
  ip netns exec "$ns_s" wg show "$ns_s" endpoints | awk -v p="$pub" '$1 == p { print $2 }' | grep -q '^127\.0\.0\.1:'
}

impaired_phase() {
  local via="$srv_underlay:$relay_port" c out rb0 rb1 t0 imp=()
  step "impaired path: 25 ms each way (50 ms RTT), 0.1 % loss each way; one download, $imp_secs s"
  for c in tun proxy; do [ "${R[$c.status]}" = ok ] && imp+=("$c"); done
  bg relay "$ns_s" "$py" scripts/impair-relay.py --listen "$via" --target "127.0.0.1:$wg_port" \
    --delay-ms 25 --loss-percent 0.1
  if ! wait_until 5 listening "$ns_s" u "$relay_port"; then
    echo "the relay did not start; its log:" >&2
    cat "$work/relay.log" >&2
    return
  fi
  for c in "${imp[@]}"; do
    if set_endpoint "$c" "$via" && reachable "$c" && wait_until 5 via_relay "$c"; then
      R[$c.imp_status]=ok
    else
      echo "  $c: its traffic does not go through the relay" >&2
      R[$c.imp_status]=failed
    fi
  done
  ping_from_server imp_rtt 10 "${imp[@]}"
  rb0=$(($(udp_rcvbuf "$ns_s") + $(udp_rcvbuf "$ns_c")))
  for c in "${imp[@]}"; do
    [ "${R[$c.imp_status]}" = ok ] || continue
    out="$work/$c.imp.json"
    t0=$(cpu_ticks "${PID[relay]}")
    if iperf "$c" "$out" "$imp_secs" -R; then
      R[$c.imp_down.bps]=$(jget "$out" '.end.sum_received.bits_per_second')
      R[$c.imp_down]=$(mbps "${R[$c.imp_down.bps]}")
      R[$c.imp_retr]=$(jget "$out" '.end.sum_sent.retransmits // 0')
    else
      echo "  $c: iperf3 failed: $(jget "$out" .error) $(head -c 300 "$out.err")" >&2
      R[$c.imp_down]=fail
    fi
    # The relay's CPU share during the download: near 100 % would mean the relay, one Python
    # thread, was the bottleneck rather than the impairment.
    R[$c.relay_busy]=$(awk -v t="$(($(cpu_ticks "${PID[relay]}") - t0))" -v hz="$clk_tck" -v s="$imp_secs" 'BEGIN { printf "%.0f", t / hz / s * 100 }')
    printf '  %-7s download %s Mbit/s, %s retransmits; the relay busy %s %% of the time\n' \
      "$c" "${R[$c.imp_down]}" "${R[$c.imp_retr]:-?}" "${R[$c.relay_busy]}"
  done
  rb1=$(($(udp_rcvbuf "$ns_s") + $(udp_rcvbuf "$ns_c")))
  R[relay.rcvbuf]=$((rb1 - rb0))
  kill_pids "${PID[relay]}"
  R[relay.counts]=$(tail -1 "$work/relay.log")
  echo "  relay: ${R[relay.counts]}; UDP receive-buffer drops in C and S during the downloads: ${R[relay.rcvbuf]}"
}

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
# of 3 runs each. Set low on purpose until the spread is measured on a quiet machine: it catches
# a proxy that lost most of its speed, not a small regression.
GATE_PROXY_FLOOR=0.25
# The proxy's download under 50 ms RTT and 0.1 % loss as a fraction of the TUN path's: the
# first runs (at commit 1b98a2f, on a busy machine) measured 0.21 and 0.23, under the goal of
# 0.5; the floor sits below that until the proxy's loss recovery improves and the spread is
# measured.
GATE_IMPAIRED_FLOOR=0.1
# The relay's delay is really on the path: RTT through it at least this, in ms.
GATE_IMPAIRED_RTT=45

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

# require_measured CLIENT METRIC...: every figure is there and a number; a missing one is a
# measurement that was skipped or failed, which quick mode does not let pass.
require_measured() {
  local c=$1 m v
  shift
  if [ "${R[$c.status]:-}" != ok ]; then
    gate_fail "$c: did not come up; nothing measured"
    return
  fi
  for m in "$@"; do
    v=${R[$c.$m]:-}
    [[ $v =~ ^[+-]?[0-9.e+]+$ ]] || gate_fail "$c: no figure for $m (${v:-missing})"
  done
}

run_gates() {
  step "gates (quick mode)"
  local common=(tcp1 tcp1r tcp1.best tcp1r.best conn_med conn_p90 rss_idle rss_load wake_idle
    cpu_idle cpu_gb cpu_gb_srv) m dir
  require_measured tun "${common[@]}" tcp4 tcp4r rtt_idle
  require_measured proxy "${common[@]}" tcp4 tcp4r rtt_idle conn_add
  if [ -n "$onetun" ]; then
    require_measured onetun "${common[@]}" conn_add
  elif [ "${FERROTUN_REQUIRE_ALL:-0}" = 1 ] || [ "$onetun_optout" != 1 ]; then
    # Left out on purpose is allowed outside CI; not installable is never allowed.
    gate_fail "onetun: $onetun_note"
  fi
  for m in tcp1 tcp1r; do
    [ "$m" = tcp1 ] && dir="C->S" || dir="S->C"
    gate "proxy $m ($dir): proxy / tun, best of $samples runs each" \
      "${R[proxy.$m.best]:-}" "${R[tun.$m.best]:-}" "$GATE_PROXY_FLOOR"
  done
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
