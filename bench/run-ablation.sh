#!/usr/bin/env bash
# Ablation of the FCPTS loop on a shipped model, ORT-scored on the 10,000 test images: each row switches one
# design choice off (FcptsConfig documents them). Usage: bench/run-ablation.sh [MODEL] [SPARSITIES] [ITERS]
#   -> bench/results/ablation_<model>.md
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=${1:-$root/examples/models/resnet20_fashion_mnist.onnx}
sparsities=${2:-"0.7 0.8 0.9"}
iters=${3:-150}
name=$(basename "$model" .onnx)
work=$(mktemp -d)
out="$root/bench/results/ablation_${name}.md"
# shellcheck source=bench/prune-top1.sh
source "$root/bench/prune-top1.sh"
top1() { # sparsity args...
  local s=$1
  shift
  prune_top1 --sparsity "$s" "$@"
}
variants=(
  "FCPTS (project defaults)|"
  "BatchNorm frozen in inference mode (the old default)|--batch-norm frozen"
  "weight lr 0.001 (the old default, tuned under frozen BatchNorm)|--weight-lr 0.001"
  "global-magnitude initialization (the old default) instead of ERK|--init global"
  "published sparsity penalty abs(S - S*), lambda 1|--constraint-loss abs --lambda 1"
  "straight-through term off (published code)|--no-straight-through"
  "no polish at the exact mask|--polish 0"
)
{
  echo "FCPTS ablation: top-1 (%) on the 10,000 Fashion-MNIST test images, scored by ONNX Runtime (DJL) on the"
  echo "exported files; model \`$name\`, $iters steps, batch 64, 1,024 calibration samples, seed 1, exact global sparsity."
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; commit $(git -C "$root" rev-parse --short HEAD)."
  echo
  table_header variant "$sparsities"
  for v in "${variants[@]}"; do
    label=${v%%|*}
    args=${v#*|}
    line="| $label |"
    for s in $sparsities; do
      # shellcheck disable=SC2086
      line="$line $(top1 "$s" $args) |"
    done
    echo "$line"
  done
} > "$work/table.md"
mv "$work/table.md" "$out"
cat "$out"
