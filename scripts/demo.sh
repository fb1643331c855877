#!/usr/bin/env bash
# The main job: build ferrotund, join two fresh network namespaces with a veth pair, bring
# up a WireGuard tunnel between them from two standard wg-quick config files (using
# wg-quick's userspace mode with ferrotund as the implementation), show the status, ping,
# measure throughput with iperf3, and tear everything down. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

need_root
ensure_packages
cargo build --release -q -p ferrotund
DAEMON="$PWD/target/release/ferrotund"

tag="ftd$$"
ns_a="${tag}a" ns_b="${tag}b"
work=$(mktemp -d)
cleanup() {
  set +e
  for ns in "$ns_a" "$ns_b"; do
    ip netns exec "$ns" wg-quick down "$work/${ns}.conf" >/dev/null 2>&1
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  rm -f "/var/run/wireguard/${ns_a}.sock" "/var/run/wireguard/${ns_b}.sock"
  rm -rf "$work"
}
trap cleanup EXIT

step "two namespaces joined by a veth pair (underlay 192.168.241.0/24, fd00:241::/64)"
make_underlay "$ns_a" "$ns_b"

step "standard wg-quick config files"
key_a=$(wg genkey) key_b=$(wg genkey)
cat >"$work/${ns_a}.conf" <<CONF
[Interface]
PrivateKey = $key_a
Address = 10.241.0.1/24, fd10:241::1/64
ListenPort = 51820

[Peer]
PublicKey = $(echo "$key_b" | wg pubkey)
AllowedIPs = 10.241.0.2/32, fd10:241::2/128
Endpoint = 192.168.241.2:51820
CONF
cat >"$work/${ns_b}.conf" <<CONF
[Interface]
PrivateKey = $key_b
Address = 10.241.0.2/24, fd10:241::2/64
ListenPort = 51820

[Peer]
PublicKey = $(echo "$key_a" | wg pubkey)
AllowedIPs = 10.241.0.1/32, fd10:241::1/128
Endpoint = 192.168.241.1:51820
CONF
chmod 600 "$work"/*.conf
sed 's/^PrivateKey = .*/PrivateKey = (hidden)/' "$work/${ns_a}.conf"

step "wg-quick up in both namespaces (WG_QUICK_USERSPACE_IMPLEMENTATION=ferrotund)"
for ns in "$ns_a" "$ns_b"; do
  ip netns exec "$ns" env WG_QUICK_USERSPACE_IMPLEMENTATION="$DAEMON" WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
    wg-quick up "$work/${ns}.conf"
done

step "ping through the tunnel (IPv4 and IPv6)"
ip netns exec "$ns_a" ping -c 3 -i 0.2 -W 2 10.241.0.2
ip netns exec "$ns_a" ping -c 2 -i 0.2 -W 2 fd10:241::2

step "status (wg show)"
ip netns exec "$ns_a" wg show "$ns_a"

step "throughput: iperf3, one TCP stream, 5 seconds"
ip netns exec "$ns_b" iperf3 -s -1 -D -B 10.241.0.2 >/dev/null
sleep 0.5
ip netns exec "$ns_a" iperf3 -c 10.241.0.2 -t 5 -f g | tail -4

step "tear down"
for ns in "$ns_a" "$ns_b"; do
  ip netns exec "$ns" wg-quick down "$work/${ns}.conf"
done
echo "demo finished"
