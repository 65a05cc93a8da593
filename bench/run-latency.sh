#!/usr/bin/env bash
# fcpts bench on a shipped model, magnitude-pruned (global) to several sparsities: latency of ONNX Runtime dense,
# our dense engine and our sparse plan in the same run. Usage: bench/run-latency.sh [MODEL] [SPARSITIES] [BATCHES]
#   -> bench/results/latency_<model>.md
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=${1:-$root/examples/models/resnet20_fashion_mnist.onnx}
sparsities=${2:-"0 0.5 0.7 0.9 0.95"}
batches=${3:-"1,32"}
name=$(basename "$model" .onnx)
work=$(mktemp -d)
out="$root/bench/results/latency_${name}.md"
{
  echo "\`fcpts bench\` on \`$name\`, global-magnitude pruning, batches $batches, 30 timed runs after 5 warm-up"
  echo "runs per path; all cores. Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs),"
  echo "$(nproc) cores; commit $(git -C "$root" rev-parse --short HEAD). The per-layer breakdown is for the first batch."
  for s in $sparsities; do
    echo
    echo "### sparsity $s"
    echo
    echo '```'
    if [ "$s" = "0" ]; then cp "$model" "$work/p.onnx"; else
      "$root/fcpts" prune --model "$model" --method global --sparsity "$s" --no-eval --out "$work/p.onnx" 2>/dev/null
    fi
    "$root/fcpts" bench --model "$work/p.onnx" --batch "$batches" 2>&1
    echo '```'
  done
} > "$work/table.md"
mv "$work/table.md" "$out"
grep -E "^(1|32) " "$out"
