#!/usr/bin/env bash
# Shared helpers for ferrotun's scripts.

step() { printf '\n== %s\n' "$*"; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "this needs root (network namespaces, TUN devices)" >&2
    exit 1
  fi
}

# What each script runs, as TOOL:DEBIAN_PACKAGE; ensure_packages installs the package of every
# tool missing from PATH. The README lists the same packages for each script, and
# scripts/newcomer-test.sh checks that it does.
#
# The demo: the real wg (one line of it reads our daemon), ip and ss (namespaces, veth, and who
# owns the UAPI socket), ping and iperf3.
# shellcheck disable=SC2034  # read by the scripts that source this file
demo_tools=(wg:wireguard-tools ip:iproute2 ss:iproute2 ping:iputils-ping iperf3:iperf3)
# The tests (under FERROTUN_REQUIRE_ALL=1 a missing one fails the tests that need it): the real
# wg/wg-quick, wireguard-go as the interop peer, iperf3, ping, ip/ss/tc, nft (wg-quick's
# default-route firewall rules), sysctl and kill, unshare/nsenter/setpriv (the CLI's
# differential tests and the UAPI access test), `script` (a terminal for the colour test), jq
# (the tunnel benchmark), and the shells, groff and systemd-analyze that check the generated
# completions, man pages and systemd units, and curl, python3 (a web server) and dnsmasq (a DNS
# server inside the tunnel) for the rootless proxy's tests.
test_tools=(wg:wireguard-tools wg-quick:wireguard-tools wireguard-go:wireguard-go
  iperf3:iperf3 ping:iputils-ping ip:iproute2 ss:iproute2 tc:iproute2 nft:nftables
  sysctl:procps kill:procps unshare:util-linux nsenter:util-linux setpriv:util-linux
  script:bsdutils jq:jq bash:bash zsh:zsh fish:fish groff:groff-base
  systemd-analyze:systemd curl:curl python3:python3 dnsmasq:dnsmasq-base)

# ensure_packages [TOOL:PACKAGE...]: install (apt) the packages of the tools missing from PATH;
# without arguments, those of test_tools.
ensure_packages() {
  local missing=() tool package
  [ "$#" -gt 0 ] || set -- "${test_tools[@]}"
  for tool in "$@"; do
    package=${tool#*:}
    tool=${tool%%:*}
    # `kill` is also a shell builtin; the tests run the program.
    if ! type -P "$tool" >/dev/null && [[ " ${missing[*]} " != *" $package "* ]]; then
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    step "installing ${missing[*]} (apt-get; about a minute)"
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

# What a test run can leave behind, one thing per line: network namespaces, /etc/netns entries
# (`ip netns exec` and DNS with --netns), entries in the UAPI socket directory (shared by all
# namespaces), links of this namespace, and processes. A run that exports FERROTUN_TEST_RUN
# (test.sh does) marks every process it starts, whatever the program, through the environment
# they inherit; without a mark, the programs the tests start are looked for by name. This
# shell and its ancestors (which may carry the mark) are not leftovers, nor are zombies: they
# hold nothing, and their parent, not us, reaps them.
leftover_state() {
  # (each `|| true`: a directory that does not exist is nothing left behind)
  { ip netns list 2>/dev/null || true; } | awk '{print "network namespace " $1}'
  { find /etc/netns -mindepth 1 -maxdepth 1 2>/dev/null || true; } | sed 's/^/directory /'
  { find /var/run/wireguard -mindepth 1 -maxdepth 1 2>/dev/null || true; } |
    sed 's/^/socket directory entry /'
  # (tunnel modules add their fallback devices, such as sit0, to every namespace when they load)
  { ip -o link show 2>/dev/null || true; } | awk -F': ' '{sub(/@.*/, "", $2)}
    $2 !~ /^(sit0|tunl0|ip6tnl0|gre0|gretap0|erspan0|ip6gre0|ip_vti0|ip6_vti0)$/ {print "link " $2}'
  local ours=" $BASHPID " pid=$$ ppid dir comm stat state
  while [ "$pid" -gt 1 ]; do
    ours+="$pid "
    ppid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    pid=${ppid:-0}
  done
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [[ "$ours" == *" $pid "* ]] && continue
    read -r comm 2>/dev/null <"$dir/comm" || continue
    read -r stat 2>/dev/null <"$dir/stat" || continue
    state=${stat##*) }
    [ "${state%% *}" = Z ] && continue
    if [ -n "${FERROTUN_TEST_RUN:-}" ]; then
      grep -qzx "FERROTUN_TEST_RUN=$FERROTUN_TEST_RUN" "$dir/environ" 2>/dev/null || continue
    else
      case "$comm" in
      ferrotund | ferrotun | ferrotun-attack | wireguard-go | boringtun-cli | iperf3) ;;
      *) continue ;;
      esac
    fi
    echo "process $pid ($comm: $(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null))"
  done
  return 0
}

# leftovers_snapshot FILE: record what exists now, so leftovers_check blames only what came after.
leftovers_snapshot() {
  leftover_state >"$1.unsorted"
  sort "$1.unsorted" >"$1"
  rm -f "$1.unsorted"
}

# leftovers_check FILE WHO: fail, listing them, if things exist that FILE's snapshot did not have.
leftovers_check() {
  local new
  leftovers_snapshot "$1.now"
  new=$(comm -13 "$1" "$1.now")
  rm -f "$1.now"
  if [ -n "$new" ]; then
    echo "FAIL: $2 left these behind (they were not there at its start):" >&2
    sed 's/^/  /' <<<"$new" >&2
    return 1
  fi
  echo "nothing left behind: no new namespace, /etc/netns entry, UAPI socket, link or process"
}
