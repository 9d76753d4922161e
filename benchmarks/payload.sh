#!/usr/bin/env bash
# B10: the bare-metal payload's XIVE and XICS self-IPI loops on this machine's interpreter, next to
# QEMU 7.2 TCG on the same binary (run interleaved when qemu-system-ppc64 is installed, else
# RESULTS.md's figures). Builds the payload with the cross compiler (gcc-powerpc64le-linux-gnu).
# Usage: benchmarks/payload.sh [RUNS]     (default 3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
runs=${1:-3}
out="$here/target/payloads"
"$root/payloads/build.sh" qemu-selftest "$out" >/dev/null
# shellcheck source=../tools/jdk.sh
. "$root/tools/jdk.sh"
JAVA_HOME=$(pseries_build_jdk) || exit 2
if ! ls "$here"/target/benchmarks-*.jar >/dev/null 2>&1; then
  (cd "$root" && JAVA_HOME="$JAVA_HOME" mvn -B -ntp -q -DskipTests package -pl benchmarks -am)
fi
qemu=$(command -v qemu-system-ppc64 || echo none)
exec "$JAVA_HOME/bin/java" -cp "$(ls "$here"/target/benchmarks-*.jar | head -1):$here/target/lib/*" \
  io.pseries.bench.PayloadBench "$out/qemu-selftest.elf" "$runs" "$qemu"
