#!/usr/bin/env bash
# Configures and builds the native libraries with CMake + Ninja and copies them
# to an output folder. Called by Maven (java/core/pom.xml, generate-resources phase);
# can be run by hand:  cmake/build-native.sh BUILD_DIR OUT_DIR DNNL_ROOT VERSION
set -euo pipefail
build_dir=$1 out_dir=$2 dnnl_root=$3 version=$4
here=$(cd "$(dirname "$0")" && pwd)
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
cmake -S "$here" -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DDNNL_ROOT="$dnnl_root" -DFCPTS_VERSION="$version" ${FCPTS_CMAKE_ARGS:-}
cmake --build "$build_dir" --parallel
mkdir -p "$out_dir"
cp -f "$build_dir"/libfcpts_cpu.so "$build_dir"/libfcpts_cuda.so "$out_dir"/
