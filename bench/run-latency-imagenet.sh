#!/usr/bin/env bash
# End-to-end latency of ResNet-18 / ResNet-50 at 3x224x224 (seeded weights, magnitude-pruned: timing does not
# depend on trained values) at 0-95 % weight sparsity, batches 1 and 32: ONNX Runtime dense (DJL), our dense
# engine and our sparse plan, all in one fcpts bench run per architecture and allocation (global magnitude,
# or uniform = the same sparsity in every layer).
# Usage: bench/run-latency-imagenet.sh [ARCHS] [ALLOCATIONS] [SPARSITIES]
#   -> bench/results/latency_<arch>_<allocation>.{md,json,png}
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
archs=${1:-"resnet18 resnet50"}
allocations=${2:-"global uniform"}
sparsities=${3:-"0 0.5 0.7 0.8 0.9 0.95"}
cd "$root"
mvn -B -q -o -DskipTests package -pl java/cli,bench -am >&2 2>/dev/null || mvn -B -q -DskipTests package -pl java/cli,bench -am >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for arch in $archs; do
  for alloc in $allocations; do
    models=()
    for s in $sparsities; do
      java -cp bench/target/fcpts4j-bench.jar io.github.fcpts4j.bench.ImageNetModels --arch "$arch" \
          --sparsity "$s" --allocation "$alloc" --out "$work/${arch}_${s}.onnx"
      models+=(--model "$work/${arch}_${s}.onnx")
    done
    out="bench/results/latency_${arch}_${alloc}"
    {
      echo "\`fcpts bench\` on $arch (3x224x224, seeded weights, $alloc magnitude pruning to $sparsities),"
      echo "batches 1 and 32, 10 timed runs after 3 warm-up runs per path, in 6 rounds that time every path in turn, all cores, one process."
      echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores;"
      echo "commit $(git rev-parse --short HEAD). Per-layer breakdown (batch 1): chain timed alone (median of 5,"
      echo "alternating dense / sparse) and inside the network (median of 10)."
      echo
      echo '```'
      java ${FCPTS_JAVA_OPTS:-} -Dfcpts.home="$root" -jar java/cli/target/fcpts4j.jar bench "${models[@]}" \
          --batch 1,32 --runs 10 --warmup 3 --chart "$work/chart.png" --json 2>&1 >"$work/out.json" \
          | grep -v '^chart: '
      echo '```'
    } > "$work/table.md"
    mv "$work/out.json" "$out.json"
    mv "$work/chart.png" "$out.png"
    mv "$work/table.md" "$out.md"
    grep -E "^(model|1 |32 )" "$out.md" >&2
  done
done
