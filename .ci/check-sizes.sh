#!/usr/bin/env bash
# House rule: no non-test Rust source file over 600 lines (aim for 400).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
while read -r f; do
  n=$(wc -l <"$f")
  if [ "$n" -gt 600 ]; then
    echo "too long: $f ($n lines; split it by sub-concept)"
    status=1
  fi
done < <(git ls-files '*.rs' | grep -v -E '(^|/)(tests|benches|fuzz)/|tests\.rs$')
exit $status
