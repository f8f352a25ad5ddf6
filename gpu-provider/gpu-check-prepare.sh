#!/usr/bin/env bash
# Run on the build machine before gpu-check.sh: builds what gpu-check.sh carries to a GPU machine into
# gpu-provider/target/gpu-check/ (about 41 MB, under the device tool's 64 MiB):
#   gpu-check.jar   the exported container of gpu-provider/check (no Nd4j: attune.jar is 131 MB), with the provider
#   jdk.tar.xz      a jlink'ed Java 25 runtime with the modules the container imports (java.desktop: the shell draws plots)
# Then, with the device tool: carry ["gpu-provider/target/gpu-check"], command "gpu-provider/gpu-check.sh".
# The container's bundles are packaged from this working tree in one throwaway reactor (nothing is installed), so
# the check runs the code checked out here whatever ~/.m2 holds.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUTDIR="$ROOT/gpu-provider/target/gpu-check"
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME
cd "$ROOT"
REACTOR="$ROOT/gpu-provider/target/gpu-check-reactor"
mkdir -p "$REACTOR"
modules=""
for m in api bundles/logbridge bundles/logconfig bundles/runtime bundles/backend-java bundles/attention-core \
         bundles/shell gpu-provider gpu-provider/check; do
  modules="$modules<module>../../../$m</module>"
done
cat > "$REACTOR/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>org.attune.gpu-check</groupId><artifactId>gpu-check-reactor</artifactId><version>1</version>
<packaging>pom</packaging><modules>$modules</modules></project>
POM
./mvnw -B -q -o -f "$REACTOR/pom.xml" package -DskipTests || ./mvnw -B -q -f "$REACTOR/pom.xml" package -DskipTests
mkdir -p "$OUTDIR"
cp gpu-provider/check/target/gpu-check.jar "$OUTDIR/gpu-check.jar"
rm -rf "$OUTDIR/jdk" "$OUTDIR/jdk.tar.xz"
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.desktop,java.logging,java.xml,java.naming,java.management,jdk.unsupported,jdk.incubator.vector,jdk.zipfs \
  --strip-debug --no-header-files --no-man-pages --compress zip-9 --output "$OUTDIR/jdk" 2>&1 | grep -v 'incubator' || true
tar -C "$OUTDIR" -cJf "$OUTDIR/jdk.tar.xz" jdk
rm -rf "$OUTDIR/jdk"
du -sh "$OUTDIR"/*
