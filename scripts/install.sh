#!/usr/bin/env bash
# Installs ferrotun: both binaries, the man pages, the shell completions and the systemd units
# from dist/, each where the programs that read it look for it.
#
# Usage: scripts/install.sh [--no-build] [--uninstall] [--list]
#   (default)    build the release binaries with cargo, then install everything
#   --no-build   install the binaries already in $CARGO_TARGET_DIR/release (default target/),
#                for example when root has no cargo: build as yourself, install with sudo
#   --uninstall  remove exactly the files an install with the same settings puts in place
#   --list       print those files, install nothing
#
# Environment (make-style; defaults in brackets):
#   PREFIX                [/usr/local]  /usr for a system-wide install next to wireguard-tools
#   DESTDIR               []            staging root for packages: files go to $DESTDIR$PREFIX/...
#                                       but the units name the final path, $PREFIX/bin/ferrotun
#   BINDIR                [$PREFIX/bin]             ferrotun and ferrotund, side by side: `up`
#                                                   starts the ferrotund next to ferrotun
#   MANDIR                [$PREFIX/share/man]       man8/ferrotun.8, man8/ferrotund.8
#   SYSTEMD_UNIT_DIR      [$PREFIX/lib/systemd/system]  in systemd's search path for both
#                                                   /usr and /usr/local
#   BASH_COMPLETIONS_DIR  [$PREFIX/share/bash-completion/completions]
#   ZSH_COMPLETIONS_DIR   [$PREFIX/share/zsh/site-functions]
#   FISH_COMPLETIONS_DIR  [$PREFIX/share/fish/vendor_completions.d]  fish reads the /usr/local
#                                                   one only if XDG_DATA_DIRS lists /usr/local/share
#
# The units in dist/systemd/ name /usr/bin/ferrotun; they are installed with $BINDIR instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

mode=install build=yes
for arg in "$@"; do
  case "$arg" in
  --no-build) build=no ;;
  --uninstall) mode=uninstall ;;
  --list) mode=list ;;
  -h | --help)
    usage_from_header "$0"
    exit 0
    ;;
  *)
    echo "install.sh: unknown argument $arg (see --help)" >&2
    exit 2
    ;;
  esac
done

PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
BINDIR=${BINDIR:-$PREFIX/bin}
MANDIR=${MANDIR:-$PREFIX/share/man}
SYSTEMD_UNIT_DIR=${SYSTEMD_UNIT_DIR:-$PREFIX/lib/systemd/system}
BASH_COMPLETIONS_DIR=${BASH_COMPLETIONS_DIR:-$PREFIX/share/bash-completion/completions}
ZSH_COMPLETIONS_DIR=${ZSH_COMPLETIONS_DIR:-$PREFIX/share/zsh/site-functions}
FISH_COMPLETIONS_DIR=${FISH_COMPLETIONS_DIR:-$PREFIX/share/fish/vendor_completions.d}
release_dir=${CARGO_TARGET_DIR:-$PWD/target}/release

# Every installed file: "SOURCE MODE DESTINATION" (DESTINATION without DESTDIR).
manifest() {
  cat <<EOF
$release_dir/ferrotun 0755 $BINDIR/ferrotun
$release_dir/ferrotund 0755 $BINDIR/ferrotund
dist/man/ferrotun.8 0644 $MANDIR/man8/ferrotun.8
dist/man/ferrotund.8 0644 $MANDIR/man8/ferrotund.8
dist/completions/ferrotun.bash 0644 $BASH_COMPLETIONS_DIR/ferrotun
dist/completions/_ferrotun 0644 $ZSH_COMPLETIONS_DIR/_ferrotun
dist/completions/ferrotun.fish 0644 $FISH_COMPLETIONS_DIR/ferrotun.fish
dist/systemd/ferrotun@.service 0644 $SYSTEMD_UNIT_DIR/ferrotun@.service
dist/systemd/ferrotun.target 0644 $SYSTEMD_UNIT_DIR/ferrotun.target
dist/systemd/ferrotun-proxy@.service 0644 $SYSTEMD_UNIT_DIR/ferrotun-proxy@.service
EOF
}

case "$mode" in
list)
  manifest | while read -r _ _ dst; do echo "$DESTDIR$dst"; done
  exit 0
  ;;
uninstall)
  manifest | while read -r _ _ dst; do
    if [ -e "$DESTDIR$dst" ]; then
      rm -f "$DESTDIR$dst"
      echo "removed $DESTDIR$dst"
    fi
  done
  exit 0
  ;;
esac

if [ "$build" = yes ]; then
  step "building ferrotun and ferrotund (release; a first build takes several minutes)"
  cargo build --release --locked -q -p ferrotun -p ferrotund
fi
for bin in ferrotun ferrotund; do
  if [ ! -x "$release_dir/$bin" ]; then
    echo "install.sh: $release_dir/$bin is missing: build it first (cargo build --release)" >&2
    exit 1
  fi
done

step "installing into ${DESTDIR:-/} (PREFIX=$PREFIX)"
manifest | while read -r src mode dst; do
  case "$src" in
  dist/systemd/*)
    # The units start ferrotun by absolute path: the one this install puts in place.
    install -d "$(dirname "$DESTDIR$dst")"
    sed "s|/usr/bin/ferrotun|$BINDIR/ferrotun|g" "$src" >"$DESTDIR$dst"
    chmod "$mode" "$DESTDIR$dst"
    ;;
  *) install -D -m "$mode" "$src" "$DESTDIR$dst" ;;
  esac
  echo "  $DESTDIR$dst"
done
if [ -z "$DESTDIR" ] && [ "$(id -u)" = 0 ] && command -v systemctl >/dev/null &&
  [ -d /run/systemd/system ]; then
  systemctl daemon-reload
fi
