#!/usr/bin/env bash
# The main job, with our own tools: build ferrotun (the CLI) and ferrotund (the daemon), join
# two fresh network namespaces with a veth pair, bring up a WireGuard tunnel between them with
# `ferrotun up` from two wg-quick config files, check that ferrotund serves both interfaces,
# ping through the tunnel, show its status with `ferrotun show` (and once with the real `wg`,
# which reads our daemon unchanged), measure throughput with iperf3, and take it all down with
# `ferrotun down`. Needs root. Installs only what it runs (scripts/lib.sh, demo_tools).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

need_root
ensure_packages "${demo_tools[@]}"
step "building ferrotun and ferrotund (release; about 2 minutes the first time, then seconds)"
cargo build --release --locked -q -p ferrotun -p ferrotund
release_dir=${CARGO_TARGET_DIR:-$PWD/target}/release
ferrotun="$release_dir/ferrotun"
ferrotund=$(realpath "$release_dir/ferrotund")

tag="ftd$$"
ns_a="${tag}a" ns_b="${tag}b"
work=$(mktemp -d)
cleanup() {
  set +e
  for ns in "$ns_a" "$ns_b"; do
    # Only if the tunnel is still up (a failed run): `down` of a missing interface is an error.
    if [ -S "/var/run/wireguard/${ns}.sock" ]; then
      ip netns exec "$ns" "$ferrotun" down "$work/${ns}.conf" >/dev/null 2>&1
    fi
  done
  remove_ns "$ns_a" "$ns_b"
  rm -rf "$work"
}
trap cleanup EXIT

# served_by_ferrotund NS: the interface NS (named after its namespace) is a TUN device whose UAPI
# socket is held by the ferrotund just built, not a kernel WireGuard link or another daemon.
# ferrotund binds the socket under a temporary name and renames it into place, so ss shows
# /var/run/wireguard/.NS.sock.PID.tmp/s or /var/run/wireguard/NS.sock; in NS, the only one.
served_by_ferrotund() {
  local ns=$1 sock="/var/run/wireguard/$1.sock" pid exe
  pid=$(ip netns exec "$ns" ss -xlpnH |
    sed -n "s|.* /var/run/wireguard/\.\{0,1\}$ns\.sock[ .].*users:((\"[^\"]*\",pid=\([0-9]*\),.*|\1|p" |
    head -1)
  exe=$(readlink "/proc/${pid:-0}/exe" || true)
  if [ -z "$pid" ] || [ "$exe" != "$ferrotund" ]; then
    echo "FAIL: $sock is held by PID ${pid:-none} (${exe:-no such process}), not $ferrotund" >&2
    exit 1
  fi
  if ! ip -n "$ns" -d link show dev "$ns" | grep -qw tun; then
    echo "FAIL: $ns in namespace $ns is not a TUN device: $(ip -n "$ns" -d link show dev "$ns")" >&2
    exit 1
  fi
  echo "$ns: TUN device; $sock held by ferrotund, PID $pid ($exe)"
  daemons+=("$pid")
}
daemons=()

step "two network namespaces, $ns_a and $ns_b, joined by a veth pair (underlay 192.168.241.0/24, fd00:241::/64)"
make_underlay "$ns_a" "$ns_b"
echo "ok"

step "keys from ferrotun genkey and ferrotun pubkey, and a wg-quick config file for each end ($ns_a's shown)"
key_a=$("$ferrotun" genkey) key_b=$("$ferrotun" genkey)
write_conf() { # NS KEY ADDRESS PEER_KEY PEER_ADDRESS PEER_UNDERLAY
  (
    umask 077
    cat >"$work/$1.conf" <<CONF
[Interface]
PrivateKey = $2
Address = 10.241.0.$3/24, fd10:241::$3/64
ListenPort = 51820

[Peer]
PublicKey = $(echo "$4" | "$ferrotun" pubkey)
AllowedIPs = 10.241.0.$5/32, fd10:241::$5/128
Endpoint = 192.168.241.$5:51820
CONF
  )
}
write_conf "$ns_a" "$key_a" 1 "$key_b" 2
write_conf "$ns_b" "$key_b" 2 "$key_a" 1
sed 's/^PrivateKey = .*/PrivateKey = (hidden)/' "$work/${ns_a}.conf"

step "ferrotun up in each namespace: starts ferrotund, then sets keys, addresses and routes through netlink"
for ns in "$ns_a" "$ns_b"; do
  ip netns exec "$ns" "$ferrotun" up "$work/${ns}.conf"
done

step "who serves the interfaces: ferrotund, our daemon (checked: the UAPI socket's owner and the link type)"
served_by_ferrotund "$ns_a"
served_by_ferrotund "$ns_b"

step "ping through the tunnel, IPv4 then IPv6 (the first packet starts the handshake)"
ip netns exec "$ns_a" ping -c 3 -i 0.2 -W 2 10.241.0.2
ip netns exec "$ns_a" ping -c 2 -i 0.2 -W 2 fd10:241::2

step "status: ferrotun show $ns_a (the same output as wg show)"
ip netns exec "$ns_a" "$ferrotun" show "$ns_a"

step "the real wg (wireguard-tools) reading our daemon's UAPI socket: the latest handshake, in seconds since 1970"
ip netns exec "$ns_a" wg show "$ns_a" latest-handshakes

step "throughput: iperf3, one TCP stream for 5 seconds, $ns_a -> $ns_b"
ip netns exec "$ns_b" iperf3 -s -1 -D -B 10.241.0.2 >/dev/null
sleep 0.5
ip netns exec "$ns_a" iperf3 -c 10.241.0.2 -t 5 -f g | tail -4

step "ferrotun down in each namespace: removes the interface, and its ferrotund exits"
for ns in "$ns_a" "$ns_b"; do
  ip netns exec "$ns" "$ferrotun" down "$work/${ns}.conf"
done
# The daemon sees its interface go, removes its UAPI socket and exits: give it 5 s.
for pid in "${daemons[@]}"; do
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "FAIL: ferrotund PID $pid still runs 5 s after down" >&2
    exit 1
  fi
done
for ns in "$ns_a" "$ns_b"; do
  if [ -e "/var/run/wireguard/${ns}.sock" ] || ip -n "$ns" link show dev "$ns" >/dev/null 2>&1; then
    echo "FAIL: $ns's interface or /var/run/wireguard/${ns}.sock is still there after down" >&2
    exit 1
  fi
done
echo "both interfaces, their UAPI sockets and both ferrotund processes are gone"
echo "demo finished"
