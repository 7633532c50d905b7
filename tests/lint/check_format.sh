#!/usr/bin/env bash
# Fails when a C++ file of ours is not clang-formatted (.clang-format: Google, 100 columns).
set -euo pipefail
root=$1
command -v clang-format >/dev/null || { echo "clang-format is not installed" >&2; exit 1; }
mapfile -t files < <(cd "$root" && find exporter tests bench -name '*.cc' -o -name '*.h' 2>/dev/null | sort)
[ ${#files[@]} -gt 0 ] || { echo "no C++ files found under $root" >&2; exit 1; }
bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$root/$f" >/dev/null 2>&1; then
    echo "not clang-formatted: $f (run clang-format -i $f)" >&2
    bad=1
  fi
done
echo "checked ${#files[@]} files"
exit $bad
