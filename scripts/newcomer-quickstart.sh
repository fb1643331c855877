# shellcheck shell=bash disable=SC2154  # work is newcomer-test.sh's
# Sourced by scripts/newcomer-test.sh (which defines clone, work, fail, section, step): the
# README's Quick start, run as written with the binaries scripts/install.sh staged in
# $work/stage, in a namespace of its own. Inside it /etc/wireguard and /run/wireguard are fresh
# tmpfs mounts (`ip netns exec` gives the command its own mount namespace), so the name wg0 and
# the config file touch nothing of the host's. Three changes to the text: `sudo` is a no-op
# (we are root), the peer's key is a real one, and the peer's endpoint is on the namespace's
# loopback instead of peer.example.net. The systemctl line is left out (no systemd here).
check_quickstart() {
  step "README Quick start, as written, in a namespace of its own with the staged install"
  local ns="ftq$$" dir=$work/quickstart peer_key
  peer_key=$("$work/stage/usr/local/bin/ferrotun" genkey | "$work/stage/usr/local/bin/ferrotun" pubkey)
  mkdir -p "$dir"
  {
    echo 'sudo() { "$@"; }'
    echo 'set -e'
    awk '/^```sh$/ {on = 1; next} /^```$/ {on = 0} on' <(section "Quick start") |
      grep -v '^sudo systemctl ' |
      sed -e "s|PEER_PUBLIC_KEY_HERE|$peer_key|" -e 's|peer\.example\.net:51820|127.0.0.1:51821|'
  } >"$dir/quickstart.sh"
  grep -q '^sudo systemctl enable --now ferrotun@wg0' <(section "Quick start") ||
    fail "README Quick start does not enable the systemd unit"
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  if ! (cd "$dir" && ip netns exec "$ns" env PATH="$work/stage/usr/local/bin:$PATH" bash -c \
    'mkdir -p /etc/wireguard /run/wireguard &&
     mount -t tmpfs tmpfs /etc/wireguard && mount -t tmpfs tmpfs /run/wireguard &&
     exec bash quickstart.sh') >"$dir/out" 2>&1; then
    fail "the README's Quick start failed"
    cat "$dir/out" >&2
  elif ! grep -q '^interface: wg0$' "$dir/out" || ! grep -q "^peer: $peer_key\$" "$dir/out"; then
    fail "the README's Quick start did not show wg0 and its peer"
    cat "$dir/out" >&2
  elif ip -n "$ns" link show wg0 >/dev/null 2>&1; then
    fail "wg0 is still there after the Quick start's ferrotun down"
  else
    echo "up, show and down of wg0 as the Quick start says: $(grep -c . "$dir/out") lines of output"
  fi
  remove_ns "$ns"
}
