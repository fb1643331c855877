#!/usr/bin/env bash
# A/B of two ferrotund binaries: single-stream TCP through the tunnel, in alternating runs on
# the same machine, so drift in the shared VM's speed falls on both alike. Each run builds a
# fresh pair of network namespaces joined by a veth pair (as scripts/bench-tunnel.sh does),
# starts the binary at both ends, configures it with `wg setconf`, and runs iperf3 from A to
# B (and -R, B to A). Traffic only goes to the namespaces this script creates; everything it
# creates is removed on exit.
#
# Usage: scripts/bench-ab.sh [--runs N] [--seconds S] BINARY_A BINARY_B
#   --runs N      runs of each binary (default 6), alternating A, B, A, B, ...
#   --seconds S   iperf3 seconds per direction (default 5)
# Prints one line per run and, per binary, the mean and range of each direction.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

runs=6 secs=5
while [ $# -gt 2 ]; do
  case "$1" in
  --runs) runs=${2:?} && shift ;;
  --seconds) secs=${2:?} && shift ;;
  *) break ;;
  esac
  shift
done
if [ $# -ne 2 ] || [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
  usage_from_header "$0"
  exit 2
fi
bins=("$(realpath "$1")" "$(realpath "$2")")
need_root
for tool in wg iperf3 jq; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2 && exit 1; }
done
start_cleanup "fab$$"

# one_run BINARY TAG: prints "A->B B->A" in Gbit/s.
one_run() {
  local bin=$1 a="${tag}$2a" b="${tag}$2b" ns key_a key_b pids=() started
  created_ns+=("$a" "$b")
  make_underlay "$a" "$b"
  key_a=$(wg genkey) key_b=$(wg genkey)
  printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.0.2/32\nEndpoint = 192.168.241.2:51820\n' \
    "$key_a" "$(wg pubkey <<<"$key_b")" >"$work/$a.conf"
  printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.0.1/32\n' \
    "$key_b" "$(wg pubkey <<<"$key_a")" >"$work/$b.conf"
  for ns in "$a" "$b"; do
    # Not --foreground: ferrotund returns once the interface and socket exist.
    ip netns exec "$ns" "$bin" "$ns" </dev/null >/dev/null 2>&1
    read -ra started <<<"$(ip netns pids "$ns" | tr '\n' ' ')"
    pids+=("${started[@]}")
    ip netns exec "$ns" wg setconf "$ns" "$work/$ns.conf"
    ip -n "$ns" link set "$ns" mtu 1420 up
  done
  ip -n "$a" addr add 10.77.0.1/24 dev "$a"
  ip -n "$b" addr add 10.77.0.2/24 dev "$b"
  ip netns exec "$b" iperf3 -s -D -B 10.77.0.2 --pidfile "$work/$b.iperf" >/dev/null
  ip netns exec "$a" ping -c 3 -i 0.2 -W 1 -q 10.77.0.2 >/dev/null
  local fwd rev
  fwd=$(ip netns exec "$a" iperf3 -c 10.77.0.2 -t "$secs" -J | jq '.end.sum_received.bits_per_second / 1e9')
  rev=$(ip netns exec "$a" iperf3 -c 10.77.0.2 -t "$secs" -R -J | jq '.end.sum_received.bits_per_second / 1e9')
  kill_pids "$(cat "$work/$b.iperf")" "${pids[@]}"
  remove_ns "$a" "$b"
  printf '%.2f %.2f\n' "$fwd" "$rev"
}

echo "A: ${bins[0]}"
echo "B: ${bins[1]}"
echo "$runs runs each, ${secs} s per direction; $(nproc) CPUs; $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
: >"$work/A" && : >"$work/B"
for i in $(seq "$runs"); do
  for which in A B; do
    bin=${bins[0]} && [ "$which" = B ] && bin=${bins[1]}
    result=$(one_run "$bin" "$which$i")
    echo "run $i $which: $result Gbit/s (A->B B->A)"
    echo "$result" >>"$work/$which"
  done
done
for which in A B; do
  awk -v w="$which" '{ f += $1; r += $2; n++
      if (n == 1 || $1 < fmin) fmin = $1; if ($1 > fmax) fmax = $1
      if (n == 1 || $2 < rmin) rmin = $2; if ($2 > rmax) rmax = $2 }
    END { printf "%s: A->B mean %.2f (%.2f-%.2f), B->A mean %.2f (%.2f-%.2f) Gbit/s over %d runs\n",
          w, f / n, fmin, fmax, r / n, rmin, rmax, n }' "$work/$which"
done
