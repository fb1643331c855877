#!/usr/bin/env bash
# Shared helpers for ferrotun's scripts.

step() { printf '\n== %s\n' "$*"; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "this needs root (network namespaces, TUN devices)" >&2
    exit 1
  fi
}

# Debian packages for everything a test runs (under FERROTUN_REQUIRE_ALL=1 a missing one
# fails the tests that need it): the real wg/wg-quick, wireguard-go as the interop peer,
# iperf3, ping, ip/ss/tc, nft (wg-quick's default-route firewall rules), sysctl and kill,
# unshare/nsenter/setpriv (the CLI's differential tests and the UAPI access test), `script`
# (a terminal for the colour test), jq (the tunnel benchmark), and the shells, groff and
# systemd-analyze that check the generated completions, man pages and systemd units, and
# curl and python3 (a web server) for the rootless proxy's tests.
ensure_packages() {
  local missing=() tool package
  for tool in wg:wireguard-tools wg-quick:wireguard-tools wireguard-go:wireguard-go \
    iperf3:iperf3 ping:iputils-ping ip:iproute2 ss:iproute2 tc:iproute2 nft:nftables \
    sysctl:procps kill:procps unshare:util-linux nsenter:util-linux setpriv:util-linux \
    script:bsdutils jq:jq bash:bash zsh:zsh fish:fish groff:groff-base \
    systemd-analyze:systemd curl:curl python3:python3; do
    package=${tool#*:}
    tool=${tool%%:*}
    # `kill` is also a shell builtin; the tests run the program.
    if ! type -P "$tool" >/dev/null && [[ " ${missing[*]} " != *" $package "* ]]; then
      missing+=("$package")
    fi
  done
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

# usage_from_header SCRIPT: the script's leading comment block, as its --help text.
usage_from_header() { sed -n '2,/^set -euo/p' "$1" | sed '$d' | sed 's/^# \{0,1\}//'; }

# kill_pids PID...: SIGTERM, up to 3 s to go, then SIGKILL. By PID, never by name.
kill_pids() {
  local p
  for p in "$@"; do kill "$p" 2>/dev/null || true; done
  for p in "$@"; do
    for _ in $(seq 30); do
      kill -0 "$p" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$p" 2>/dev/null || true
  done
}

# remove_ns NS...: kill what runs inside, delete the namespace and its interface's UAPI socket
# (the socket directory is shared by all namespaces; our interfaces are named after the namespace).
remove_ns() {
  local ns
  for ns in "$@"; do
    # shellcheck disable=SC2046  # one PID per word
    kill_pids $(ip netns pids "$ns" 2>/dev/null)
    ip netns del "$ns" 2>/dev/null || true
    rm -f "/var/run/wireguard/${ns}.sock"
  done
}

# start_cleanup TAG: a scratch directory $work, and the arrays created_ns and started_pids
# whose namespaces and processes are removed when the script exits (also on failure or
# Ctrl-C). Names the script creates should start with TAG.
start_cleanup() {
  tag=$1
  work=$(mktemp -d "/tmp/${tag}.XXXXXX")
  created_ns=()
  started_pids=()
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

cleanup() {
  set +e
  trap - EXIT INT TERM
  kill_pids "${started_pids[@]}"
  remove_ns "${created_ns[@]}"
  rm -rf "$work"
}
