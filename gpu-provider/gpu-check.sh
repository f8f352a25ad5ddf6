#!/usr/bin/env bash
# GPU verification of the gpu backend, for a machine with an NVIDIA GPU (H100/H200, CUDA 13 driver), no network.
#
#   gpu-provider/gpu-check.sh [RESULTS_DIR]      (default: $OUT when set, else gpu-provider/target/gpu-check-results)
#
# Needs, carried from the build machine (gpu-provider/gpu-check-prepare.sh makes them, ~41 MB):
#   gpu-provider/target/gpu-check/gpu-check.jar  the container without Nd4j, with the gpu provider (or ATTUNE_JAR)
#   gpu-provider/target/gpu-check/jdk.tar.xz     a jlink'ed Java 25 runtime (used when no JDK 25 is installed)
# and python3 with numpy there (torch for the SDPA comparison; skipped with a message without it).
#
# Steps (about 1-2 minutes on an H100):
#   1. backend:gpu and backend:list;
#   2. attention:compare of the gpu backend with the float64-accurate java backend (and cpu when the container has
#      it), in fp32 and bf16;
#   3. FlashAttention's accuracy rule against float64 on five cases: odd n, causal, mask + ALiBi bias with a fully
#      masked row, d = 40, grouped KV heads;
#   4. the kernel benchmark for batch 4, 16 heads, d = 64 and 128, n = 1024..16384, against torch SDPA;
#   5. backend:gpucheck (matmul, softmax, unary, binary, reduce against the java backend), with matmul on the
#      gemm_f32 kernel and then on cuBLAS (taken from PyTorch's nvidia-cublas wheel when the image has one).
# Writes results.md, attune.txt and gpu-check.log into RESULTS_DIR; exits 1 when a rule fails or the backend is
# absent.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHECK="$ROOT/gpu-provider/target/gpu-check"
RESULTS="${1:-${OUT:-$ROOT/gpu-provider/target/gpu-check-results}}"
mkdir -p "$RESULTS"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")"
exec > >(tee "$RESULTS/gpu-check.log") 2>&1
die() { echo "gpu-check: $*"; exit 2; }
START=$(date +%s)

# --- a Java 25 runtime -------------------------------------------------------------------------------------
java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }
recent() { [ -x "$1" ] && [ "$(java_major "$1")" -ge 25 ] 2>/dev/null; }
JAVA_HOME_FOUND=""
if [ -n "${JAVA_HOME:-}" ] && recent "$JAVA_HOME/bin/java"; then
  JAVA_HOME_FOUND="$JAVA_HOME"
else
  for d in /usr/lib/jvm/*25* /opt/java/* /usr/local/jdk*; do
    if recent "$d/bin/java"; then JAVA_HOME_FOUND="$d"; break; fi
  done
  if [ -z "$JAVA_HOME_FOUND" ] && command -v java >/dev/null 2>&1 && recent "$(command -v java)"; then
    JAVA_HOME_FOUND="$(cd "$(dirname "$(readlink -f "$(command -v java)")")/.." && pwd)"
  fi
  if [ -z "$JAVA_HOME_FOUND" ] && [ -f "$CHECK/jdk.tar.xz" ]; then
    tar -xJf "$CHECK/jdk.tar.xz" -C "$WORK" && JAVA_HOME_FOUND="$WORK/jdk"
  fi
fi
[ -n "$JAVA_HOME_FOUND" ] && recent "$JAVA_HOME_FOUND/bin/java" || die "no Java 25 here (checked JAVA_HOME, \
/usr/lib/jvm/*25*, java on PATH, $CHECK/jdk.tar.xz): run gpu-provider/gpu-check-prepare.sh on the build machine \
and carry gpu-provider/target/gpu-check"
export JAVA_HOME="$JAVA_HOME_FOUND"
echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1) at $JAVA_HOME"

# --- the container and python ------------------------------------------------------------------------------
JAR="${ATTUNE_JAR:-$CHECK/gpu-check.jar}"
[ -f "$JAR" ] || die "no container jar $JAR: run gpu-provider/gpu-check-prepare.sh and carry gpu-provider/target/gpu-check \
(or set ATTUNE_JAR to an exported container that holds org.attune.gpu-provider)"
export ATTUNE_JAR="$JAR"
command -v python3 >/dev/null 2>&1 || die "python3 is missing"
python3 -c 'import numpy' 2>/dev/null || die "python3 has no numpy"
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
# libcuda.so.1: where the loader does not find it, the driver's usual mount points
if ! ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 '; then
  for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64; do
    if [ -e "$d/libcuda.so.1" ]; then export LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; break; fi
  done
fi
# cuBLAS: the image's PyTorch ships it in the nvidia-cublas wheel, off the library path
cublas_dir="$(python3 -c 'import nvidia.cublas, os; print(os.path.join(list(nvidia.cublas.__path__)[0], "lib"))' 2>/dev/null)"
if [ -n "$cublas_dir" ] && [ -d "$cublas_dir" ]; then
  export LD_LIBRARY_PATH="$cublas_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "cuBLAS for matmul from $cublas_dir"
fi
attune() { "$ROOT/attune" -c "$1"; }

# --- 1. the backend is there -------------------------------------------------------------------------------
echo "== backend:gpu"
status="$(attune "backend:gpu; backend:list" 2>&1)"
echo "$status"
echo "$status" | grep -q "gpu backend: registered" || die "the gpu backend is not registered (see above)"
reference="java"
echo "$status" | grep -Eq '^[ *]*cpu ' && reference="java,cpu"

# --- 2. accuracy: attention:compare and the FlashAttention rule ---------------------------------------------
python3 "$ROOT/gpu-provider/gpu-check.py" make "$WORK/cases" > "$WORK/cases.txt" || die "gpu-check.py make failed"
runs() { # $1 = fp32 | bf16
  while IFS=$'\t' read -r name flags; do
    printf 'attention:run -B gpu %s -o %s sdpa %s %s %s; ' "$flags" "$WORK/cases/$name.$1.out.npy" \
      "$WORK/cases/$name.q.npy" "$WORK/cases/$name.k.npy" "$WORK/cases/$name.v.npy"
  done < "$WORK/cases.txt"
}
compare="attention:compare --backends $reference,gpu -b 2 -h 8 -n 1000 -d 64 sdpa; \
attention:compare --backends $reference,gpu -b 1 -h 8 -n 777 -d 128 --causal sdpa"
bench_n="1024,2048,4096,8192,16384"
commands="backend:gpu fp32; $compare; $(runs fp32) backend:gpu bf16; $compare; $(runs bf16) backend:gpu fp32; \
backend:gpubench -p bf16 -b 4 -h 16 -d 64,128 -n $bench_n; backend:gpubench -p fp32 -b 4 -h 16 -d 64,128 -n 1024,4096; \
backend:gpu kernel; backend:gpucheck; backend:gpu cublas; backend:gpucheck"
echo "== attune: $commands"
attune "$commands" > "$RESULTS/attune.txt" 2>&1
attune_rc=$?
cat "$RESULTS/attune.txt"
[ "$attune_rc" -eq 0 ] || echo "gpu-check: attune exited with $attune_rc (the commands after the failing one did not run)"

{
  echo "# gpu-check $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
  echo
  echo '## FlashAttention rule (max |out - float64| <= 2 x naive, same precision)'
  echo
} > "$RESULTS/results.md"
python3 "$ROOT/gpu-provider/gpu-check.py" judge "$WORK/cases" | tee -a "$RESULTS/results.md"
rule_rc=${PIPESTATUS[0]}
{ echo; echo '## Other operations against the java backend (backend:gpucheck)'; echo; echo '```'
  sed -n '/^gpucheck: /,/cases \(pass\|FAIL\)/p' "$RESULTS/attune.txt"; echo '```'; } >> "$RESULTS/results.md"
grep -q "cases pass (error" "$RESULTS/attune.txt" || rule_rc=1
grep -q "cases FAIL" "$RESULTS/attune.txt" && rule_rc=1

# --- 3. speed against torch SDPA ---------------------------------------------------------------------------
{ echo; echo '## Forward time, kernel alone (batch 4, 16 heads)'; echo; } >> "$RESULTS/results.md"
python3 "$ROOT/gpu-provider/gpu-check.py" bench "$RESULTS/attune.txt" | tee -a "$RESULTS/results.md"

echo "gpu-check: $(( $(date +%s) - START )) s; results in $RESULTS/results.md"
rm -rf "$WORK"
[ "$attune_rc" -eq 0 ] && [ "$rule_rc" -eq 0 ] || exit 1
