#!/usr/bin/env bash
# Sparse (CSR) vs dense (oneDNN) convolution on ResNet-18 layer shapes -> bench/results/sparse_conv_cpu.md
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mvn -B -q -DskipTests package -pl bench -am >&2
java -Dfcpts.commit="$(git rev-parse --short HEAD)" -cp bench/target/fcpts4j-bench.jar \
    io.github.fcpts4j.bench.SparseConvBench --out bench/results/sparse_conv_cpu "$@"
