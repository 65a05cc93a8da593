#!/usr/bin/env bash
# Runs on a machine with an NVIDIA GPU and no JDK, from the repository root,
# after bench/gpu/make-bundle.sh produced bench/gpu/bundle.tar.xz here:
#   1. unpacks the bundle (jlink'd JRE + jars + test classes),
#   2. finds the CUDA 13 runtime, cuDNN 9, cuBLAS and cuSPARSE libraries (system
#      or the nvidia-* wheels of a Python venv) and puts them on LD_LIBRARY_PATH,
#   3. runs `fcpts backends`, the backend test package (the gpu-tagged classes run
#      on cuda and compare with cpu), the GPU pruning-parity and sparse-plan tests,
#      the fused-kernel benchmark on cuda and cpu, and GpuPruningBench (ResNet-18
#      at 224: iteration phases, a 400-iteration run (FCPTS_BENCH_ITERATIONS), sparse vs cuDNN latency).
# Every stage runs under its own timeout (30 + 200 + 2 x 45 + 150 s = 470 s: the whole suite stays under
# 8 minutes of device time even when a stage hangs; a stage that times out is recorded and the next runs).
# Everything lands in $OUT (the device tool brings it back) or bench/results/gpu-run.
# Then commit the files to bench/results/ with the card named (nvidia-smi.txt).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${OUT:-$root/bench/results/gpu-run}
mkdir -p "$out"
work=$(mktemp -d)
tar -C "$work" -xJf "$root/bench/gpu/bundle.tar.xz"

libdirs=$(find / -xdev \( -name 'libcudart.so.13*' -o -name 'libcudnn.so.9*' -o -name 'libcusparse.so.12*' \
            -o -name 'libcublas.so.13*' -o -name 'libcublasLt.so.13*' -o -name 'libnvJitLink.so.13*' \) \
            -printf '%h\n' 2>/dev/null | sort -u | paste -sd: -)
export LD_LIBRARY_PATH="${libdirs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" | tee "$out/environment.txt"
nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || echo "nvidia-smi failed" >> "$out/nvidia-smi.txt"

java="$work/jre/bin/java"
commit=$(cat "$work/COMMIT")
cp="$work/app/classes:$work/app/test-classes:$(ls "$work"/app/*.jar | grep -v junit-platform-console | paste -sd: -)"
console=$(ls "$work"/app/junit-platform-console-standalone-*.jar)

status=0
timeout 30 "$java" -cp "$cp" io.github.fcpts4j.cli.FcptsCli backends 2>&1 | tee "$out/backends.txt" || status=1
cd "$root/java/core"   # the tests read ../../examples
timeout 200 "$java" -jar "$console" execute --class-path "$cp" --select-package io.github.fcpts4j.backend \
    --select-class io.github.fcpts4j.prune.CudaPruningParityTest \
    --select-class io.github.fcpts4j.sparse.CudaSparsePlanTest \
    --select-class io.github.fcpts4j.engine.CudaRealModelOpsParityTest \
    --reports-dir "$out/junit" --details=tree --disable-banner 2>&1 | tee "$out/tests.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
cd "$root"
for backend in cuda cpu; do
  timeout 45 "$java" -Dfcpts.commit="$commit" -cp "$cp" io.github.fcpts4j.bench.FusedKdeBench --backend "$backend" \
      --out "$out/kde_fused_${backend}" 2>&1 | tee "$out/kde_fused_${backend}.log" || status=1
done
timeout 150 "$java" -Xmx24g -Dfcpts.commit="$commit" -cp "$cp" io.github.fcpts4j.bench.GpuPruningBench --backend cuda \
    --iterations "${FCPTS_BENCH_ITERATIONS:-400}" --out "$out/gpu_pruning_resnet18" 2>&1 \
    | tee "$out/gpu_pruning_resnet18.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
exit $status
