#!/usr/bin/env bash
# B5: heap per vCPU and per configured interrupt number, and the time to build the machine of
# 4096 vCPUs and 2^20 interrupt numbers (io.pseries.bench.MemoryBench; medians of ROUNDS).
# Usage: benchmarks/memory.sh [ROUNDS]     (default 5)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
rounds=${1:-5}
# shellcheck source=../tools/jdk.sh
. "$root/tools/jdk.sh"
JAVA_HOME=$(pseries_build_jdk) || exit 2
if ! ls "$here"/target/benchmarks-*.jar >/dev/null 2>&1 \
   || [ -n "$(find "$root"/*/src/main -newer "$(ls "$here"/target/benchmarks-*.jar | head -1)" -type f | head -1)" ]; then
  (cd "$root" && JAVA_HOME="$JAVA_HOME" mvn -B -ntp -q -DskipTests package -pl benchmarks -am)
fi
# a serial collector that compacts fully (no dead objects left in place as filler) and a fixed
# heap: System.gc() then leaves exactly what is reachable
exec "$JAVA_HOME/bin/java" -XX:+UseSerialGC -XX:MarkSweepDeadRatio=0 -Xms3g -Xmx3g \
  -cp "$(ls "$here"/target/benchmarks-*.jar | head -1):$here/target/lib/*" io.pseries.bench.MemoryBench "$rounds"
