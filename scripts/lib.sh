#!/usr/bin/env bash
# Shared helpers for ferrotun's scripts.

step() { printf '\n== %s\n' "$*"; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "this needs root (network namespaces, TUN devices)" >&2
    exit 1
  fi
}

# Debian packages the tunnel tests and the demo use: the real wg/wg-quick, wireguard-go as the
# interop peer, iperf3, ping, nft (wg-quick's default-route firewall rules), and the shells
# and groff that check the generated completions and man pages.
ensure_packages() {
  local missing=()
  command -v wg >/dev/null || missing+=(wireguard-tools)
  command -v wireguard-go >/dev/null || missing+=(wireguard-go)
  command -v iperf3 >/dev/null || missing+=(iperf3)
  command -v ping >/dev/null || missing+=(iputils-ping)
  command -v ip >/dev/null || missing+=(iproute2)
  command -v nft >/dev/null || missing+=(nftables)
  # The CLI's completion and man-page tests run the real shells and groff.
  command -v zsh >/dev/null || missing+=(zsh)
  command -v fish >/dev/null || missing+=(fish)
  command -v groff >/dev/null || missing+=(groff-base)
  if [ "${#missing[@]}" -gt 0 ]; then
    step "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# make_underlay NS_A NS_B: two namespaces joined by a veth pair; A is .1, B is .2.
make_underlay() {
  local a=$1 b=$2
  ip netns add "$a"
  ip netns add "$b"
  ip link add "${a}v" netns "$a" type veth peer name "${b}v" netns "$b"
  ip -n "$a" addr add 192.168.241.1/24 dev "${a}v"
  ip -n "$b" addr add 192.168.241.2/24 dev "${b}v"
  ip -n "$a" addr add fd00:241::1/64 dev "${a}v" nodad
  ip -n "$b" addr add fd00:241::2/64 dev "${b}v" nodad
  for ns in "$a" "$b"; do
    ip -n "$ns" link set lo up
    ip -n "$ns" link set "${ns}v" up
  done
}
