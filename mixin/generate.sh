#!/bin/sh
# Renders rules/, grafana/dashboards/, deploy/kubernetes/prometheusrule.yaml and
# deploy/global/edgewatch-global.rules.yml from the mixin.
#   mixin/generate.sh           rewrite them
#   mixin/generate.sh --check   exit 1 if a committed file differs or is not rendered any more
#                               (run by the tests)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=$(mktemp -d)
mkdir -p "$out/rules" "$out/grafana/dashboards" "$out/deploy/kubernetes" "$out/deploy/global"
trap 'rm -rf "$out"' EXIT
{
  jsonnet -J "$here" -S -m "$out" "$here/rule-files.jsonnet"
  jsonnet -J "$here" -m "$out" "$here/dashboard-files.jsonnet"
} >"$out.list"
files=$(sed "s|^$out/||" "$out.list")
rm -f "$out.list"
case "${1:-}" in
--check)
  stale=""
  for f in $files; do
    cmp -s "$out/$f" "$root/$f" || stale="$stale $f"
  done
  # A rendered directory holds only rendered files: a group or board removed from the mixin
  # must not leave its old file behind for Prometheus or Grafana to load.
  for f in "$root"/rules/*.rules.yml "$root"/grafana/dashboards/*.json; do
    [ -e "$out/${f#"$root"/}" ] || stale="$stale ${f#"$root"/}(not rendered)"
  done
  if [ -n "$stale" ]; then
    echo "out of date (run mixin/generate.sh):$stale" >&2
    exit 1
  fi
  ;;
"")
  for f in $files; do
    mkdir -p "$(dirname "$root/$f")"
    cp "$out/$f" "$root/$f"
  done
  ;;
*)
  echo "usage: $0 [--check]" >&2
  exit 2
  ;;
esac
