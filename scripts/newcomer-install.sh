# shellcheck shell=bash disable=SC2154  # clone and work are newcomer-test.sh's
# Sourced by scripts/newcomer-test.sh (which defines clone, work, fail, section, shell_lines):
# the README's Install section, run as written, and what it installed, checked file by file.

# What scripts/install.sh puts in place under PREFIX=/usr/local, written out independently of
# its own list so that a file it forgets (or adds) fails here.
expected_install_files() {
  cat <<'EOF' | sort
usr/local/bin/ferrotun
usr/local/bin/ferrotund
usr/local/share/man/man8/ferrotun.8
usr/local/share/man/man8/ferrotund.8
usr/local/share/bash-completion/completions/ferrotun
usr/local/share/zsh/site-functions/_ferrotun
usr/local/share/fish/vendor_completions.d/ferrotun.fish
usr/local/lib/systemd/system/ferrotun@.service
usr/local/lib/systemd/system/ferrotun.target
usr/local/lib/systemd/system/ferrotun-proxy@.service
EOF
}

# run_readme_install KIND: run the Install section's shell lines of one kind in the copy, as
# written except for where they install: `cargo install` gets a scratch --root, and
# scripts/install.sh runs without sudo into the staging DESTDIR $work/stage.
run_readme_install() {
  local kind=$1 line ran=0
  while IFS= read -r line; do
    case "$kind:$line" in
    cargo-install:"cargo install "*) line="$line --root \"$work/cargo-root\"" ;;
    install-sh:"cargo build "*) ;;
    install-sh:"sudo scripts/install.sh"*) line="DESTDIR=\"$work/stage\" ${line#sudo }" ;;
    *) continue ;;
    esac
    # (its output only on failure: cargo install's advice to extend PATH is for a real user)
    echo "\$ $line"
    if ! (cd "$clone" && eval "$line") >"$work/install.log" 2>&1; then
      cat "$work/install.log" >&2
      fail "README Install command failed: $line"
    fi
    ran=$((ran + 1))
  done < <(section Install | shell_lines)
  [ "$ran" -ge 2 ] || fail "README Install has $ran $kind command(s), expected at least 2"
}

# check_binary PATH: runs, and carries no debug info or symbol table.
check_binary() {
  local sections
  "$1" --version >/dev/null || fail "$1 --version failed"
  sections=$(readelf -SW "$1" | { grep -o ' \.\(debug_[a-z_]*\|symtab\) ' || true; } | tr -d ' ' | tr '\n' ' ')
  [ -z "$sections" ] || fail "$1 is not stripped: it has $sections"
}

check_staged_units() {
  local stage=$1 bindir=$2 unit programs
  for unit in ferrotun@.service ferrotun.target; do
    if [ ! -f "$stage$bindir/../lib/systemd/system/$unit" ]; then
      fail "$unit is not installed under $bindir/../lib/systemd/system"
      continue
    fi
    programs=$(sed -n 's/^Exec[A-Za-z]*=\([^ ]*\).*/\1/p' "$stage$bindir/../lib/systemd/system/$unit" | sort -u)
    if [ -n "$programs" ] && [ "$programs" != "$bindir/ferrotun" ]; then
      fail "$unit runs $programs, not the installed $bindir/ferrotun"
    fi
    # Apart from that path, the unit is dist's.
    sed "s|$bindir/ferrotun|/usr/bin/ferrotun|g" "$stage$bindir/../lib/systemd/system/$unit" |
      cmp -s - "$clone/dist/systemd/$unit" || fail "installed $unit differs from dist/systemd/$unit"
  done
}

check_install() {
  step "README Install: cargo install --locked --path ... into a scratch --root (each package built alone: about 1.5 minutes the first time)"
  run_readme_install cargo-install
  check_binary "$work/cargo-root/bin/ferrotun"
  check_binary "$work/cargo-root/bin/ferrotund"

  step "README Install: the release build, then scripts/install.sh into a staging DESTDIR"
  run_readme_install install-sh
  local stage=$work/stage found
  found=$(cd "$stage" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort)
  if [ "$found" != "$(expected_install_files)" ]; then
    fail "scripts/install.sh installed a different set of files:"
    diff <(expected_install_files) <(echo "$found") >&2 || true
  fi
  check_binary "$stage/usr/local/bin/ferrotun"
  check_binary "$stage/usr/local/bin/ferrotund"
  check_staged_units "$stage" /usr/local/bin
  local f
  for f in man/ferrotun.8:share/man/man8/ferrotun.8 man/ferrotund.8:share/man/man8/ferrotund.8 \
    completions/ferrotun.bash:share/bash-completion/completions/ferrotun \
    completions/_ferrotun:share/zsh/site-functions/_ferrotun \
    completions/ferrotun.fish:share/fish/vendor_completions.d/ferrotun.fish; do
    cmp -s "$clone/dist/${f%%:*}" "$stage/usr/local/${f#*:}" ||
      fail "installed ${f#*:} differs from dist/${f%%:*}"
  done
}

check_prefix_usr_and_uninstall() {
  local stage=$work/stage found
  step "scripts/install.sh with PREFIX=/usr: the units exactly as dist/ has them; then --uninstall"
  (cd "$clone" && PREFIX=/usr DESTDIR="$work/stage-usr" scripts/install.sh --no-build >/dev/null) ||
    fail "PREFIX=/usr scripts/install.sh failed"
  check_staged_units "$work/stage-usr" /usr/bin
  [ -x "$work/stage-usr/usr/bin/ferrotund" ] || fail "PREFIX=/usr did not install /usr/bin/ferrotund"
  (cd "$clone" && DESTDIR="$stage" scripts/install.sh --uninstall >/dev/null) ||
    fail "scripts/install.sh --uninstall failed"
  found=$(find "$stage" \( -type f -o -type l \))
  [ -z "$found" ] || fail "--uninstall left: $found"
  echo "install checks done"
}
