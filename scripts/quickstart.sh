#!/usr/bin/env bash
# Installs what builds and runs edgewatch (no test packages: see install-deps.sh), builds it
# (Release) and starts it on the embedded default configuration, serving
# http://localhost:10123/metrics. Extra arguments go to edgewatch,
# e.g. scripts/quickstart.sh --config.file=examples/edgewatch.yml
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DEDGEWATCH_BUILD_TESTS=OFF
cmake --build build/release -j"$(nproc)"
echo "starting edgewatch: http://localhost:10123/metrics (Ctrl-C stops it)" >&2
exec build/release/exporter/edgewatch "$@"
