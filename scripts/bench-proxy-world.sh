# The world of scripts/bench-proxy.sh, sourced by it: onetun's installation, the server in S and
# the three clients in C, each checked to carry an echo before it counts. It uses the main
# script's settings (addresses, ports, $work, the namespaces) and fills its arrays R (results),
# PID (processes by name) and KEY (private keys by name).

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
# The world.

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

# ferrotund_if WHO NS ADDR CONF: ferrotund as PID[WHO] with an interface named after NS (unique
# on the machine: the UAPI socket directory is shared by all namespaces) up in NS with CONF.
ferrotund_if() {
  local who=$1 ns=$2 addr=$3 conf=$4 name=$2
  bg "$who" "$ns" "$ferrotund" --foreground "$name"
  if ! wait_until 5 test -S "/var/run/wireguard/$name.sock"; then
    echo "ferrotund did not create /var/run/wireguard/$name.sock; its log:" >&2
    cat "$work/$who.log" >&2
    return 1
  fi
  ip netns exec "$ns" wg setconf "$name" "$conf"
  ip -n "$ns" addr add "$addr/24" dev "$name"
  ip -n "$ns" link set "$name" mtu 1420 up
}

# peer_conf PUBLIC ALLOWED [ENDPOINT]: one wg(8) [Peer] section. A client's (with ENDPOINT)
# keeps the tunnel alive every 25 s as a client behind NAT does; all three clients have the same
# timer, so that their idle wake-ups compare.
peer_conf() {
  printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = %s\n' "$1" "$2"
  [ -z "${3:-}" ] || printf 'Endpoint = %s\nPersistentKeepalive = 25\n' "$3"
}

start_server() {
  local c
  KEY[srv]=$(wg genkey)
  for c in tun proxy onetun; do KEY[$c]=$(wg genkey); done
  {
    printf '[Interface]\nPrivateKey = %s\nListenPort = %s\n' "${KEY[srv]}" "$wg_port"
    for c in tun proxy onetun; do peer_conf "$(wg pubkey <<<"${KEY[$c]}")" "${tun_ip[$c]}/32"; done
  } >"$work/srv.conf"
  ferrotund_if srv "$ns_s" "$srv_ip" "$work/srv.conf"
  bg iperf3 "$ns_s" iperf3 -s -B "$srv_ip"
  bg echo "$ns_s" "$py" scripts/connect-latency.py serve "$srv_ip:7000"
  wait_until 5 listening "$ns_s" t 5201 && wait_until 5 listening "$ns_s" t 7000 && return 0
  echo "iperf3 or the echo server does not listen in $ns_s:" >&2
  cat "$work/iperf3.log" "$work/echo.log" >&2
  return 1
}

srv_pub() { wg pubkey <<<"${KEY[srv]}"; }

start_tun() {
  { printf '[Interface]\nPrivateKey = %s\n' "${KEY[tun]}" &&
    peer_conf "$(srv_pub)" "$srv_ip/32" "$srv_underlay:$wg_port"; } >"$work/tun.conf"
  ferrotund_if tun "$ns_c" "${tun_ip[tun]}" "$work/tun.conf"
}

start_proxy() {
  { printf '[Interface]\nPrivateKey = %s\nAddress = %s/32\n' "${KEY[proxy]}" "${tun_ip[proxy]}" &&
    peer_conf "$(srv_pub)" "$srv_ip/32" "$srv_underlay:$wg_port"; } >"$work/px/proxy.conf"
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

