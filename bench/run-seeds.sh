#!/usr/bin/env bash
# Seed spread of FCPTS against the strongest reconstructed baselines (same steps, same reconstruction), ORT-scored
# on the 10,000 test images: mean and sample standard deviation of top-1 over seeds.
# Usage: bench/run-seeds.sh [MODEL] [SPARSITIES] [SEEDS] [ITERS] -> bench/results/seeds_<model>.md
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=${1:-$root/examples/models/resnet20_fashion_mnist.onnx}
sparsities=${2:-"0.7 0.8 0.9"}
seeds=${3:-"1 2 3"}
iters=${4:-150}
name=$(basename "$model" .onnx)
work=$(mktemp -d)
out="$root/bench/results/seeds_${name}.md"
# shellcheck source=bench/prune-top1.sh
source "$root/bench/prune-top1.sh"
top1() { # sparsity seed args...
  local s=$1 seed=$2
  shift 2
  prune_top1 --sparsity "$s" --seed "$seed" "$@"
}
methods=("FCPTS|--method fcpts" "global + rec|--method global --reconstruct" "LAMP + rec|--method lamp --reconstruct")
{
  echo "Seed spread (seeds: $seeds; the seed drives calibration order and augmentation): top-1 (%) mean +- sample"
  echo "standard deviation, individual runs in brackets; model \`$name\`, $iters steps, batch 64, 1,024 calibration"
  echo "samples, ORT-scored. Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores;"
  echo "commit $(git -C "$root" rev-parse --short HEAD)."
  echo
  table_header method "$sparsities"
  for m in "${methods[@]}"; do
    label=${m%%|*}
    args=${m#*|}
    line="| $label |"
    for s in $sparsities; do
      runs=()
      # shellcheck disable=SC2086
      for seed in $seeds; do runs+=("$(top1 "$s" "$seed" $args)"); done
      line="$line $(python3 -c 'import statistics as st,sys; v=[float(x) for x in sys.argv[1:]]; print("%.2f +- %.2f (%s)" % (st.mean(v), st.stdev(v) if len(v)>1 else 0, ", ".join(sys.argv[1:])))' "${runs[@]}") |"
    done
    echo "$line"
  done
} > "$work/table.md"
mv "$work/table.md" "$out"
cat "$out"
