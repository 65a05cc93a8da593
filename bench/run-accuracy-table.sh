#!/usr/bin/env bash
# Accuracy of FCPTS and the magnitude baselines (with and without the same net-wise
# reconstruction) on a shipped model, scored by ONNX Runtime on the 10,000 test images.
# FCPTS (optional): the launcher to run instead of ./fcpts (a wrapper around a jar built earlier).
# Usage: bench/run-accuracy-table.sh [MODEL] [SPARSITIES] [ITERS]  -> bench/results/accuracy_<model>.md
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=${1:-$root/examples/models/resnet20_fashion_mnist.onnx}
sparsities=${2:-"0.5 0.7 0.8 0.9"}
iters=${3:-150}
name=$(basename "$model" .onnx)
work=$(mktemp -d)
out="$root/bench/results/accuracy_${name}.md"
rows=()
run() { # method sparsity [--reconstruct]
  local json
  json=$("${FCPTS:-$root/fcpts}" prune --model "$model" --method "$1" --sparsity "$2" --iters "$iters" ${3:-} \
         --out "$work/m.onnx" --json 2>"$work/err.log") || { cat "$work/err.log" >&2; exit 1; }
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("%.2f|%.2f|%.1f" % (100*r["pruned_top1"], 100*r["dense_top1"], r["seconds"]))' "$json"
}
{
  echo "Top-1 (%) on the 10,000 Fashion-MNIST test images, scored by ONNX Runtime (DJL) on the exported files;"
  echo "model \`$name\`, $iters optimization steps (FCPTS and reconstruction), batch 64, 1,024 calibration samples,"
  echo "seed 1, exact global sparsity for every entry; wall time of the pruning step on this machine in brackets."
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; commit $(git -C "$root" rev-parse --short HEAD)."
  echo
  echo "| sparsity | dense | FCPTS | uniform | uniform + rec | global | global + rec | ERK | ERK + rec | LAMP | LAMP + rec |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for s in $sparsities; do
    IFS='|' read -r f dense ft <<<"$(run fcpts "$s")"
    line="| $s | $dense | $f ($ft s)"
    for m in uniform global erk lamp; do
      IFS='|' read -r a _ _ <<<"$(run "$m" "$s")"
      IFS='|' read -r b _ bt <<<"$(run "$m" "$s" --reconstruct)"
      line="$line | $a | $b ($bt s)"
    done
    echo "$line |"
  done
} > "$work/table.md"
mv "$work/table.md" "$out"
cat "$out"
