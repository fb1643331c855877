# The measurements of scripts/bench-proxy.sh, sourced by it: idle cost, connect latency, ping,
# TCP throughput through each client's path, and the impaired path. Results go into the main
# script's array R["client.metric"]; processes are found in PID (see bench-proxy-world.sh).

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

