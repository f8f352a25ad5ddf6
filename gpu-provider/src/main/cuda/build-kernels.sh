#!/usr/bin/env bash
# Compiles attune_kernels.cu with nvcc into the bundle's resources (run by the Maven build, generate-resources):
#   <out>/attune_kernels.compute_80.ptx   PTX for Ampere and newer (JIT-compiled by the driver at load)
#   <out>/attune_kernels.compute_90.ptx   PTX for Hopper and newer
#   <out>/attune_kernels.sm_90.cubin      ready machine code for H100/H200 (no JIT at load)
#   <out>/kernels.properties              compiled=true|false, and the nvcc version or why nothing was compiled
# nvcc is taken from $NVCC, the PATH, $CUDA_HOME/bin or /usr/local/cuda/bin. Without one the script says so, writes
# compiled=false and succeeds: the bundle then builds without kernels and reports that at run time.
# No sm_90a image: the kernels use WMMA (mma.sync), which runs on sm_90 as is; sm_90a would pay only for wgmma/TMA.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:?usage: build-kernels.sh <output directory>}"
mkdir -p "$OUT"
PROPS="$OUT/kernels.properties"

nvcc="${NVCC:-}"
if [ -z "$nvcc" ]; then
  if command -v nvcc >/dev/null 2>&1; then
    nvcc="$(command -v nvcc)"
  else
    for d in "${CUDA_HOME:-}" /usr/local/cuda; do
      if [ -n "$d" ] && [ -x "$d/bin/nvcc" ]; then nvcc="$d/bin/nvcc"; break; fi
    done
  fi
fi
if [ -z "$nvcc" ] || [ ! -x "$nvcc" ]; then
  echo "[gpu-provider] nvcc not found (NVCC, PATH, CUDA_HOME/bin, /usr/local/cuda/bin): skipping kernel compilation;" \
    "the bundle will register no GPU backend" >&2
  printf 'compiled=false\nreason=the bundle was built without nvcc, so it holds no GPU kernels\n' >"$PROPS"
  exit 0
fi

newest_source="$(ls -t "$SRC"/*.cu "$SRC"/*.cuh | head -n 1)"
if [ -f "$PROPS" ] && grep -q '^compiled=true' "$PROPS" && [ "$PROPS" -nt "$newest_source" ]; then
  echo "[gpu-provider] kernels up to date"
  exit 0
fi

version="$("$nvcc" --version | sed -n 's/.*release \([0-9.]*\), \(V[0-9.]*\).*/\1 (\2)/p')"
echo "[gpu-provider] compiling kernels with $nvcc, CUDA $version"
flags=(-O3 -std=c++17 -I"$SRC")
"$nvcc" "${flags[@]}" -ptx -arch=compute_80 -o "$OUT/attune_kernels.compute_80.ptx" "$SRC/attune_kernels.cu" &
p1=$!
"$nvcc" "${flags[@]}" -ptx -arch=compute_90 -o "$OUT/attune_kernels.compute_90.ptx" "$SRC/attune_kernels.cu"
"$nvcc" "${flags[@]}" -cubin -arch=sm_90 -o "$OUT/attune_kernels.sm_90.cubin" "$SRC/attune_kernels.cu"
wait "$p1"
printf 'compiled=true\nnvcc=CUDA %s\nimages=attune_kernels.sm_90.cubin,attune_kernels.compute_90.ptx,attune_kernels.compute_80.ptx\n' \
  "$version" >"$PROPS"
