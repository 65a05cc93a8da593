# Sourced by the accuracy scripts (ablation, seeds); prune_top1 needs $root, $model, $iters and $work set.
# FCPTS (optional): the launcher to run instead of ./fcpts, e.g. a wrapper around a jar built earlier.
# prune_top1 ARGS...: runs `fcpts prune` on $model with ARGS and prints the ORT top-1 of the pruned model in %.
prune_top1() {
  local json
  json=$("${FCPTS:-$root/fcpts}" prune --model "$model" --iters "$iters" --out "$work/m.onnx" --json "$@" \
         2>"$work/err.log") || { cat "$work/err.log" >&2; exit 1; }
  python3 -c 'import json,sys; print("%.2f" % (100*json.loads(sys.argv[1])["pruned_top1"]))' "$json"
}

# table_header FIRST SPARSITIES: the Markdown header and rule of a table with a FIRST column and one per sparsity.
table_header() {
  local header="| $1 |" rule="|---|" s
  for s in $2; do header="$header $s |"; rule="$rule---:|"; done
  echo "$header"
  echo "$rule"
}
