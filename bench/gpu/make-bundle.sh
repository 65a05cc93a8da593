#!/usr/bin/env bash
# Builds, on this (GPU-less) machine, everything the GPU suite needs on a
# machine that has a GPU but no JDK, as one archive small enough to carry
# (the device tool carries at most 64 MiB):
#   bench/gpu/bundle.tar.xz  =  jre/ (jlink: java.base, java.logging, java.xml for JUnit's XML reports,
#     jdk.unsupported, java.management) + app/ (fcpts4j jar, the runtime jars the
#     backends need, native jars exploded so that xz can compress the .so files,
#     bench jar, test classes, JUnit console launcher) + run-gpu-suite.sh
# Usage: bench/gpu/make-bundle.sh   (then carry bench/gpu/bundle.tar.xz and
#        run: bash bench/gpu/run-gpu-suite.sh on the GPU machine)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mvn -B -q -DskipTests install
mvn -B -q -pl java/core test-compile
platform_version=$(sed -n 's:.*<junit.platform.version>\(.*\)</junit.platform.version>.*:\1:p' pom.xml)
mvn -B -q -N dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:${platform_version}" \
    -DoutputDirectory="$stage/app"

jlink --add-modules java.base,java.logging,jdk.unsupported,java.management,java.xml \
      --strip-debug --no-header-files --no-man-pages --compress=0 --output "$stage/jre"

mkdir -p "$stage/app/classes" "$stage/app/test-classes"
cp java/cli/target/fcpts4j.jar bench/target/fcpts4j-bench.jar "$stage/app/"
cp -r java/core/target/test-classes/. "$stage/app/test-classes/"
# The GPU suite runs the backend package (kernels, tensors, backends) and the fused-kernel benchmark:
# ONNX Runtime, DJL and libtorch jars (hundreds of MB) stay out of the bundle.
for jar in java/cli/target/lib/*.jar; do
  case "$(basename "$jar")" in
    onnxruntime-*|api-*|onnxruntime-engine-*|pytorch-*|slf4j-*) ;;
    *-linux-x86_64.jar) (cd "$stage/app/classes" && unzip -q -o "$root/$jar" -x 'META-INF/*') ;;
    *) cp "$jar" "$stage/app/" ;;
  esac
done
cp bench/gpu/run-gpu-suite.sh "$stage/"
git rev-parse --short HEAD > "$stage/COMMIT"

tar -C "$stage" -cJf bench/gpu/bundle.tar.xz .
size=$(stat -c %s bench/gpu/bundle.tar.xz)
echo "bench/gpu/bundle.tar.xz: $((size / 1048576)) MiB (carry limit 64 MiB)"
[ "$size" -lt $((64 * 1048576)) ] || { echo "bundle too large to carry" >&2; exit 1; }
