#!/usr/bin/env bash
# File size of the compact export (pruned weights as ONNX sparse initializers) against the dense ONNX file,
# for global-magnitude pruning at several sparsities. Usage: bench/run-compact-export.sh [MODEL] [SPARSITIES]
#   -> bench/results/compact_export_<model>.md
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=${1:-$root/examples/models/resnet20_fashion_mnist.onnx}
sparsities=${2:-"0.5 0.7 0.8 0.9 0.95"}
name=$(basename "$model" .onnx)
work=$(mktemp -d)
out="$root/bench/results/compact_export_${name}.md"
{
  echo "Compact export (\`fcpts export --format sparse-onnx\`): pruned Conv / Gemm weights stored as ONNX sparse"
  echo "initializers (COO, int64 linear indices: 12 bytes per non-zero, so a tensor moves only above 2/3 zeros);"
  echo "ONNX Runtime densifies them at load (outputs bit-identical, CompactExportTest). Model \`$name\`, global"
  echo "magnitude pruning; commit $(git -C "$root" rev-parse --short HEAD)."
  echo
  echo "| sparsity | dense file (bytes) | compact file (bytes) | ratio | tensors stored sparse |"
  echo "|---:|---:|---:|---:|---:|"
  for s in $sparsities; do
    "$root/fcpts" prune --model "$model" --method global --sparsity "$s" --no-eval --out "$work/p.onnx" 2>/dev/null
    json=$("$root/fcpts" export --model "$work/p.onnx" --out "$work/c.onnx" --json 2>/dev/null)
    python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("| %s | %d | %d | %.2f | %d |" % (sys.argv[2], r["bytes_before"], r["bytes_after"], r["bytes_after"]/r["bytes_before"], len(r["sparse_tensors"])))' "$json" "$s"
  done
} > "$work/table.md"
mv "$work/table.md" "$out"
cat "$out"
