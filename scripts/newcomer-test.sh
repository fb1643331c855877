#!/usr/bin/env bash
# The README as a newcomer follows it, in a fresh copy of the tree (the files git tracks or
# would track, as they are now, without target/): checks that
#   * the README starts with the two commands, says how long they take, lists every package
#     and tool each script installs, and has Install and Quick start sections;
#   * the demo (the first command) passes, prints no error text, prints a step header before
#     every silence longer than 5 s, shows that ferrotund serves the interfaces, fails when
#     another daemon serves them, and leaves nothing behind;
#   * the Install section's commands work: `cargo install --path` puts both binaries in place,
#     scripts/install.sh puts every file where its readers look (into a DESTDIR), the units
#     name the installed ferrotun, the binaries carry no debug info or symbols, and
#     --uninstall removes it all;
#   * the Quick start's commands bring wg0 up, show it and take it down (in a namespace with
#     its own /etc/wireguard and /run/wireguard).
# Needs root (the demo). scripts/test.sh runs it. The dependencies' build is shared with the
# tree's (CARGO_TARGET_DIR, default target/), so only the workspace's own crates are rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_root
export LC_ALL=C

repo=$PWD
# Every process the demo starts carries the mark, so a leftover one is found whatever its name
# (test.sh sets the mark for its whole run).
export FERROTUN_TEST_RUN=${FERROTUN_TEST_RUN:-newcomer-test.sh-$$-$(date +%s)}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
work=$(mktemp -d /tmp/ferrotun-newcomer.XXXXXX)
trap 'rm -rf "$work"' EXIT
clone=$work/clone
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# section TITLE: the README's lines from "## TITLE" to the next "## " heading.
section() { awk -v t="## $1" '$0 == t {on = 1; next} /^## / {on = 0} on' "$clone/README.md"; }

# shell_lines: the lines inside ```sh blocks of stdin, comments and blank lines dropped.
shell_lines() { awk '/^```sh$/ {on = 1; next} /^```$/ {on = 0} on' | sed 's/ *#.*//' | grep -v '^$'; }

# bullet NAME: the README's bullet "* `NAME`, ..." with its continuation lines, as one line.
bullet() {
  awk -v start="* \`$1\`," 'index($0, start) == 1 {on = 1; print; next}
    on && /^  / {print; next} {on = 0}' "$clone/README.md" | tr '\n' ' '
}

# listed BULLET WORD...: fail for each WORD not in BULLET as `WORD`.
listed() {
  local text=$1 word
  shift
  for word in "$@"; do
    [[ "$text" == *"\`$word\`"* ]] || fail "README does not list \`$word\` in: ${text:0:60}..."
  done
}

copy_tree() {
  step "a fresh copy of the tree in $clone (what git tracks or would track; no target/)"
  mkdir "$clone"
  git -C "$repo" ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$repo/$f" ] && printf '%s\0' "$f"; done |
    tar -C "$repo" --null -T - -cf - | tar -C "$clone" -xf -
  echo "$(find "$clone" -type f | wc -l) files"
}

check_readme() {
  step "README: the two commands first, their durations, what each installs, Install and Quick start"
  local first
  first=$(shell_lines <"$clone/README.md" | head -2 | awk '{print $1}' | tr '\n' ' ')
  [ "$first" = "./scripts/demo.sh ./scripts/test.sh " ] ||
    fail "README's first commands are not ./scripts/demo.sh and ./scripts/test.sh: $first"
  local flat
  flat=$(tr '\n' ' ' <"$clone/README.md")
  [[ "$flat" =~ demo\ takes\ about\ [0-9.]+\ minutes ]] ||
    fail "README does not say how long the demo takes"
  [[ "$flat" =~ tests\ take\ +about\ [0-9]+\ minutes ]] ||
    fail "README does not say how long the tests take"
  section Install | grep -q . || fail "README has no ## Install section"
  section "Quick start" | grep -q . || fail "README has no ## Quick start section"

  # Every package each script installs, taken from the scripts themselves.
  local demo_pkgs=() test_pkgs=() t tool
  for t in "${demo_tools[@]}"; do demo_pkgs+=("${t#*:}"); done
  for t in "${test_tools[@]}"; do test_pkgs+=("${t#*:}"); done
  mapfile -t -O "${#test_pkgs[@]}" test_pkgs < <(
    cd "$clone" && grep -ho 'cargo install [a-z][a-z0-9-]*\|pip install -q [a-z][a-z0-9-]*\|no-install-recommends [a-z][a-z0-9.+-]*' \
      scripts/test.sh scripts/bench-tunnel.sh scripts/bench-proxy*.sh .ci/fuzz.sh | awk '{print $NF}')
  listed "$(bullet demo.sh)" "${demo_pkgs[@]}"
  listed "$(bullet test.sh)" "${test_pkgs[@]}"
  # The demo installs only what it runs.
  # shellcheck disable=SC2016  # the text of the call, not its expansion
  grep -q 'ensure_packages "${demo_tools\[@\]}"' "$clone/scripts/demo.sh" ||
    fail "demo.sh does not install demo_tools"
  for t in "${demo_tools[@]}"; do
    tool=${t%%:*}
    grep -qw -- "$tool" "$clone/scripts/demo.sh" "$clone/scripts/lib.sh" ||
      fail "demo_tools has $tool, which the demo does not run"
  done
}

# stamp: each line of stdin prefixed with the time it arrived (seconds, microseconds).
stamp() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }

# silent_gaps FILE START: every wait of more than 5 s that no "== " step header announced.
silent_gaps() {
  awk -v t0="$2" 'BEGIN {prev = t0; line = "(the start)"}
    {t = $1; sub(/^[^ ]* /, "")
     if (t - prev > 5 && line !~ /^== /) printf "%.0f s of silence after: %s\n", t - prev, line
     prev = t; line = $0}' "$1"
}

# run_demo OUT [VAR=VALUE...]: the README's first command in the copy, output time-stamped
# into OUT; its exit status (stamp's is 0, and pipefail is on).
run_demo() {
  local out=$1
  shift
  (cd "$clone" && env "$@" ./scripts/demo.sh) 2>&1 </dev/null | stamp >"$out"
}

check_demo() {
  step "README's first command, ./scripts/demo.sh, in the copy (its release build first, if not yet done; then about 10 s)"
  leftovers_snapshot "$work/before-demo"
  local out=$work/demo.out t0=$EPOCHREALTIME rc=0 errors gaps before=$failures
  run_demo "$out" || rc=$?
  echo "demo: exit status $rc after $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.0f", b - a}') s"
  errors=$(cut -d' ' -f2- "$out" |
    grep -Ei 'error|warn|fail|unknown|missing|falling back|\[!\]|no such|not found|denied|usage|unable|cannot|panic' || true)
  gaps=$(silent_gaps "$out" "$t0")
  [ "$rc" = 0 ] || fail "the demo exited with status $rc"
  [ -z "$errors" ] || fail "the demo printed error text: $errors"
  [ -z "$gaps" ] || fail "the demo was silent without a step header: $gaps"
  [ "$(grep -c 'held by ferrotund, PID' "$out")" = 2 ] ||
    fail "the demo did not show ferrotund serving both interfaces"
  grep -q '== the real wg' "$out" || fail "the demo has no line of the real wg"
  grep -q '== ferrotun up' "$out" || fail "the demo does not bring the tunnel up with ferrotun up"
  grep -q 'demo finished$' "$out" || fail "the demo did not finish"
  if [ "$failures" -gt "$before" ]; then
    echo "--- the demo's output (seconds since the epoch, line)" >&2
    cat "$out" >&2
  fi
  leftovers_check "$work/before-demo" "the demo" || fail "the demo left things behind"
}

check_demo_can_fail() {
  step "the demo with wireguard-go serving the interfaces instead: its ferrotund check must stop it"
  local out=$work/demo-wggo.out rc=0
  if ! type -P wireguard-go >/dev/null; then
    fail "wireguard-go is not installed (test.sh installs it)"
    return
  fi
  run_demo "$out" WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go || rc=$?
  if [ "$rc" = 0 ] || ! grep -q 'FAIL: .* held by PID [0-9]* (.*wireguard-go), not ' "$out"; then
    fail "the demo did not notice wireguard-go (exit status $rc)"
    cat "$out" >&2
  else
    grep 'FAIL:' "$out" | cut -d' ' -f2- | sed 's/^FAIL: /as expected, the demo stopped: /'
  fi
  leftovers_check "$work/before-demo" "the failed demo" || fail "the failed demo left things behind"
}

source "$repo/scripts/newcomer-install.sh"
source "$repo/scripts/newcomer-quickstart.sh"

copy_tree
check_readme
check_demo
check_demo_can_fail
check_install
check_quickstart
check_prefix_usr_and_uninstall
if [ "$failures" -gt 0 ]; then
  echo "newcomer test: $failures failure(s)" >&2
  exit 1
fi
echo "newcomer test: passed"
