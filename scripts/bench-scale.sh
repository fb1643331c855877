#!/usr/bin/env bash
# Scale benchmark: many peers configured through the UAPI, ferrotund against wireguard-go and
# boringtun-cli in one run (issue #6, "Scale"). Each daemon runs alone in a fresh network
# namespace; its configuration is one `wg setconf` file of N peers with one /32 allowed IP each
# and no endpoint (so nothing is ever sent). Per implementation it measures:
#   * the wall time of `wg setconf IF FILE` (parsing in `wg` included, the same for everyone)
#   * the wall time of `wg show all dump` and of `wg show IF dump` (to /dev/null)
#   * the daemon's resident memory (VmRSS) and peak (VmHWM) after both
# then 2^20 peers on ferrotund alone (the kernel's limit; must be accepted), and 1,000 idle
# peers per implementation: context switches of the daemon's threads over 10 s (ferrotund's
# UAPI threads are listed apart: other programs' `wg show all` wake them, no timer does).
#
# wireguard-go refuses more than 65,536 peers, so it gets 65,536 (ratios are also given per
# peer). boringtun-cli is used if installed (`command -v boringtun-cli`, or ~/.cargo/bin); this
# script never installs it.
#
# Usage: scripts/bench-scale.sh [--peers N] [--big N] [--no-big] [--idle-peers N] [--idle-secs S]
#   defaults: --peers 100000 --big 1048576 --idle-peers 1000 --idle-secs 10
# Environment: FERROTUND=/path/to/ferrotund (default: target/release/ferrotund, built if absent);
#   FERROTUN_BENCH_NO_BORINGTUN=1 leaves boringtun out.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

peers=100000 big=1048576 idle_peers=1000 idle_secs=10
while [ $# -gt 0 ]; do
  case "$1" in
  --peers) peers=${2:?} && shift ;;
  --big) big=${2:?} && shift ;;
  --no-big) big=0 ;;
  --idle-peers) idle_peers=${2:?} && shift ;;
  --idle-secs) idle_secs=${2:?} && shift ;;
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
for n in "$peers" "$big" "$idle_peers" "$idle_secs"; do
  case "$n" in '' | *[!0-9]*)
    echo "numbers only: $n" >&2
    exit 2
    ;;
  esac
done
need_root
WGGO_MAX=65536

ferrotund=${FERROTUND:-$PWD/target/release/ferrotund}
if [ ! -x "$ferrotund" ]; then
  step "building ferrotund"
  cargo build --release -q -p ferrotund
fi
boringtun=""
if [ "${FERROTUN_BENCH_NO_BORINGTUN:-0}" != 1 ]; then
  boringtun=$(command -v boringtun-cli || true)
  [ -z "$boringtun" ] && [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/boringtun-cli" ] &&
    boringtun=${CARGO_HOME:-$HOME/.cargo}/bin/boringtun-cli
fi

# Cleanup: every namespace and process this script creates, killed by PID, never by name.
start_cleanup "fs$$"

# gen_conf N FILE: a private key and N peers with random public keys, one /32 each.
gen_conf() {
  python3 - "$1" "$(wg genkey)" >"$2" <<'EOF'
import base64, os, sys
n, private = int(sys.argv[1]), sys.argv[2]
out = [f"[Interface]\nPrivateKey = {private}\n"]
for i in range(n):
    key = base64.b64encode(os.urandom(32)).decode()
    out.append(f"[Peer]\nPublicKey = {key}\nAllowedIPs = 10.{i >> 16}.{(i >> 8) & 255}.{i & 255}/32\n")
sys.stdout.write("\n".join(out))
EOF
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# start IMPL NS: the daemon in the foreground inside NS, in the background here ($! is its PID).
start() {
  local impl=$1 ns=$2
  ip netns add "$ns"
  created_ns+=("$ns")
  case "$impl" in
  ferrotund) ip netns exec "$ns" "$ferrotund" --foreground "$ns" </dev/null >"$work/$ns.log" 2>&1 & ;;
  wireguard-go)
    ip netns exec "$ns" env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
      wireguard-go --foreground "$ns" </dev/null >"$work/$ns.log" 2>&1 &
    ;;
  boringtun)
    ip netns exec "$ns" "$boringtun" --foreground --disable-drop-privileges \
      --log "$work/$ns.bt.log" "$ns" </dev/null >"$work/$ns.log" 2>&1 &
    ;;
  esac
  pid=$!
  started_pids+=("$pid")
  for _ in $(seq 100); do
    [ -S "/var/run/wireguard/$ns.sock" ] && return 0
    sleep 0.1
  done
  echo "$impl did not create its UAPI socket" >&2
  cat "$work/$ns.log" >&2
  exit 1
}

stop() {
  local ns=$1
  kill_pids "$pid"
  ip netns del "$ns" 2>/dev/null || true
  rm -f "/var/run/wireguard/$ns.sock"
}

kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$pid/status"; }

declare -A R # R[impl,field]

# measure KEY IMPL LETTER N: setconf, dumps, memory, recorded as R[KEY,…].
measure() {
  local key=$1 impl=$2 ns="${tag}$3" n=$4 t0 got out
  step "$impl: $n peers"
  [ -f "$work/conf.$n" ] || gen_conf "$n" "$work/conf.$n"
  start "$impl" "$ns"
  t0=$(now_ms)
  if ! out=$(ip netns exec "$ns" wg setconf "$ns" "$work/conf.$n" 2>&1); then
    echo "  wg setconf failed: $out"
    R[$key,setconf]="refused"
    stop "$ns"
    return 0
  fi
  R[$key,setconf]=$(($(now_ms) - t0))
  got=$(ip netns exec "$ns" wg show "$ns" peers | wc -l)
  t0=$(now_ms)
  ip netns exec "$ns" wg show all dump >/dev/null
  R[$key,dump_all]=$(($(now_ms) - t0))
  t0=$(now_ms)
  ip netns exec "$ns" wg show "$ns" dump >/dev/null
  R[$key,dump]=$(($(now_ms) - t0))
  R[$key,peers]=$got R[$key,rss]=$(kib VmRSS) R[$key,hwm]=$(kib VmHWM)
  printf '  %s peers accepted; setconf %s ms, show all dump %s ms, show IF dump %s ms, RSS %s KiB (peak %s)\n' \
    "$got" "${R[$key,setconf]}" "${R[$key,dump_all]}" "${R[$key,dump]}" "${R[$key,rss]}" "${R[$key,hwm]}"
  [ "$got" = "$n" ] || echo "  WARNING: $n configured, $got listed"
  stop "$ns"
}

# switches: voluntary + involuntary context switches of $pid's threads, as "ALL NON_UAPI"
# (threads whose name contains "uapi" only wake for UAPI clients).
switches() {
  local all=0 other=0 t comm v
  for t in /proc/"$pid"/task/*; do
    comm=$(cat "$t/comm" 2>/dev/null || true)
    v=$(awk '/ctxt_switches/ { s += $2 } END { print s + 0 }' "$t/status" 2>/dev/null || echo 0)
    all=$((all + v))
    [[ $comm == *uapi* ]] || other=$((other + v))
  done
  echo "$all $other"
}

idle() {
  local impl=$1 ns="${tag}$2" a b c d
  step "$impl: $idle_peers idle peers, $idle_secs s"
  [ -f "$work/conf.$idle_peers" ] || gen_conf "$idle_peers" "$work/conf.$idle_peers"
  start "$impl" "$ns"
  ip netns exec "$ns" wg setconf "$ns" "$work/conf.$idle_peers"
  sleep 1
  read -r a c < <(switches)
  sleep "$idle_secs"
  read -r b d < <(switches)
  R[$impl,idle]=$((b - a)) R[$impl,idle_no_uapi]=$((d - c))
  echo "  context switches in ${idle_secs} s: $((b - a)) (without UAPI threads: $((d - c)))"
  stop "$ns"
}

impls=(ferrotund wireguard-go)
[ -n "$boringtun" ] && impls+=(boringtun)
[ -z "$boringtun" ] && echo "boringtun-cli is not installed: left out (this script does not install it)"

measure ferrotund ferrotund a "$peers"
measure wireguard-go wireguard-go b "$((peers > WGGO_MAX ? WGGO_MAX : peers))"
[ -n "$boringtun" ] && measure boringtun boringtun c "$peers"
[ "$big" -gt 0 ] && measure big ferrotund d "$big"
letter=e
for impl in "${impls[@]}"; do
  idle "$impl" "$letter"
  letter=$(echo "$letter" | tr 'a-y' 'b-z')
done

step "summary ($(nproc) cores, $(uname -r))"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a ~ /^[0-9]+$/) printf "%.2f", a / b; else print "-" }'; }
printf '%-13s %9s %12s %10s %10s %11s %11s %10s\n' impl peers "setconf ms" "dump_all" "dump IF" "RSS MiB" "peak MiB" "idle cs"
for impl in "${impls[@]}"; do
  printf '%-13s %9s %12s %10s %10s %11s %11s %10s\n' "$impl" "${R[$impl,peers]:-0}" "${R[$impl,setconf]}" \
    "${R[$impl,dump_all]:--}" "${R[$impl,dump]:--}" "$(ratio "${R[$impl,rss]:-0}" 1024)" \
    "$(ratio "${R[$impl,hwm]:-0}" 1024)" "${R[$impl,idle]}"
done
if [ "$big" -gt 0 ]; then
  printf '%-13s %9s %12s %10s %10s %11s %11s\n' "ferrotund" "${R[big,peers]}" "${R[big,setconf]}" \
    "${R[big,dump_all]:--}" "-" "$(ratio "${R[big,rss]:-0}" 1024)" "$(ratio "${R[big,hwm]:-0}" 1024)"
fi
echo
echo "ratios (rival / ferrotund; >1 means ferrotund is faster or smaller):"
for impl in "${impls[@]:1}"; do
  per=$(awk -v a="${R[ferrotund,peers]:-0}" -v b="${R[$impl,peers]:-0}" 'BEGIN { if (b > 0) printf "%.4f", a / b; else print 0 }')
  printf '  %-12s setconf %s (per peer %s), show all dump %s, RSS %s (per peer %s)\n' "$impl" \
    "$(ratio "${R[$impl,setconf]}" "${R[ferrotund,setconf]}")" \
    "$(ratio "$(awk -v a="${R[$impl,setconf]}" -v p="$per" 'BEGIN { if (a ~ /^[0-9]+$/) printf "%d", a * p; else print a }')" "${R[ferrotund,setconf]}")" \
    "$(ratio "${R[$impl,dump_all]:-0}" "${R[ferrotund,dump_all]}")" \
    "$(ratio "${R[$impl,rss]:-0}" "${R[ferrotund,rss]}")" \
    "$(ratio "$(awk -v a="${R[$impl,rss]:-0}" -v p="$per" 'BEGIN { printf "%d", a * p }')" "${R[ferrotund,rss]}")"
done
