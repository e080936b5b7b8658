#!/usr/bin/env bash
# Runs every benchmark and prints its figures; docs/benchmarks.md records them with the machine.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
for b in "$build"/bench/*_bench; do
  [ -x "$b" ] || continue
  echo "## $(basename "$b")"
  "$b" --benchmark_min_time=1
done
for s in bench/*.sh bench/*.py bench/*.mjs; do
  [ -e "$s" ] || continue
  [ "$(basename "$s")" = run.sh ] && continue
  echo "## $(basename "$s")"
  "$s" "$build"
done
