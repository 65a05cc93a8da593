#!/usr/bin/env bash
# Fused KDE-CDF pass vs copy of the same bytes on ResNet-50's weights, on this
# machine; writes bench/results/kde_fused_<backend>.{md,json}.
# Usage: bench/run-kde-bench.sh [cpu|cuda|auto] [extra FusedKdeBench options]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
backend=${1:-cpu}
shift || true
mvn -B -q -DskipTests package -pl bench -am >&2
java -Dfcpts.commit="$(git rev-parse --short HEAD)" -cp bench/target/fcpts4j-bench.jar \
    io.github.fcpts4j.bench.FusedKdeBench --backend "$backend" --out "bench/results/kde_fused_${backend}" "$@"
