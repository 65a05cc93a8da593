#!/usr/bin/env bash
# Accuracy of the published FCPTS recipe (PyTorch peer, bench/peers/fcpts_published.py) on a shipped model,
# for comparison with bench/results/accuracy_<model>.md. Each pruned model is written back to ONNX and the
# written file is scored again (top-1 of the file must equal the in-memory top-1).
# Usage: bench/peers/run-peer-table.sh [MODEL] [SPARSITIES] [ITERS] -> bench/results/peer_fcpts_published_<model>.md
# Needs Debian's python3-torch and python3-onnx (/usr/bin/python3); PYTHON overrides the interpreter.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
py=${PYTHON:-/usr/bin/python3}
model=${1:-$root/examples/models/resnet20_fashion_mnist.onnx}
sparsities=${2:-"0.7 0.8 0.9"}
iters=${3:-150}
name=$(basename "$model" .onnx)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="$root/bench/results/peer_fcpts_published_${name}.md"
{
  echo "Top-1 (%) on the 10,000 Fashion-MNIST test images of the published FCPTS recipe (ModelTC/FCPTS main.py +"
  echo "msbench FCPTSFakeSparse, ported to PyTorch in \`bench/peers/fcpts_published.py\`), model \`$name\`, $iters steps,"
  echo "batch 64, 1,024 calibration samples, seed 1. \"pruned\": after the exact projection to round(S* N) zeros (as"
  echo "fcpts4j does), scored again from the written ONNX file; \"unprojected\": the model as the published code"
  echo "validates it (fake-sparse mask at the learned thresholds), with the sparsity it reached. Seconds: init +"
  echo "training + projection (no evaluation). Another engineer's Java benchmarks ran on the same 2 cores, so the"
  echo "wall times are noisy upper bounds. PyTorch $("$py" -c 'import torch; print(torch.__version__)'), CPU, 2 threads."
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; commit $(git -C "$root" rev-parse --short HEAD)."
  echo
  echo "| sparsity | dense | pruned (exact) | unprojected | unprojected sparsity | seconds | s / step |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  for s in $sparsities; do
    "$py" "$root/bench/peers/fcpts_published.py" --model "$model" --sparsity "$s" --iters "$iters" --seed 1 \
          --out "$work/m.onnx" --json > "$work/r.json" 2> "$work/err.log" || { cat "$work/err.log" >&2; exit 1; }
    "$py" - "$work/r.json" "$s" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
if r["onnx_top1"] != r["pruned_top1"]:
    sys.exit("written ONNX scores %.4f, in-memory model %.4f" % (r["onnx_top1"], r["pruned_top1"]))
print("| %s | %.2f | %.2f | %.2f | %.4f | %.1f | %.3f |" % (sys.argv[2], 100 * r["dense_top1"], 100 * r["onnx_top1"],
      100 * r["unprojected_top1"], r["unprojected_sparsity"], r["seconds"], r["seconds_per_step"]))
EOF
  done
} > "$work/table.md"
mkdir -p "$root/bench/results"
mv "$work/table.md" "$out"
cat "$out"
