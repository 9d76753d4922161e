#!/usr/bin/env bash
# The side-by-side with QEMU 7.2 TCG (performance.md): QEMU runs the bare-metal payload's XIVE and
# XICS self-IPI loops (payloads/qemu-selftest), and this model does the same guest operations,
# interleaved round by round: QEMU xive, B1 mmio, the payload on our interpreter (B10) xive, QEMU
# xive, B1 port (the same accesses through resolved access sites, GuestAccessPort), QEMU
# xics, B3 selfIpi, B10 xics; then the next round. Prints one line per figure with the ratio:
#
#   BENCH VSQEMU B1_mmio_vs_qemu_xive wall_pseries_ns=M(min-max) wall_qemu_tcg_ns=... wall_ratio=... cpu_pseries_ns=...
#     cpu_qemu_tcg_ns=... cpu_ratio=... p_gc_alloc_B_per_op=... goal_ratio=40 rounds=3 load=BEFORE-AFTER
#
# (figures: B1_mmio_vs_qemu_xive, B1_port_vs_qemu_xive, B3_selfIpi_vs_qemu_xics, B10_payload_xive_vs_qemu, B10_payload_xics_vs_qemu;
# "wall" is host time, "cpu" the CPU time used, fairer when other work shares the cores)
#
# Usage: benchmarks/vs-qemu.sh [ROUNDS]     (default 3)
# Needs: Temurin 25 (found as ./pseries finds it: PSERIES_JAVA_HOME, JAVA_HOME, /usr/lib/jvm), Maven, and root for apt-get when
# the cross compiler (gcc-powerpc64le-linux-gnu) or QEMU (qemu-system-ppc) is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
rounds=${1:-3}
case "$rounds" in ''|*[!0-9]*|0) echo "vs-qemu.sh: ROUNDS must be a positive number, got '$rounds'" >&2; exit 2 ;; esac

apt_install() { # $1 = command that must exist, $2 = Debian package providing it
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "vs-qemu.sh: $1 is missing: installing Debian's $2" >&2
  if [ "$(id -u)" != 0 ]; then
    echo "vs-qemu.sh: installing $2 needs root (apt-get install $2)" >&2
    exit 2
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
apt_install powerpc64le-linux-gnu-gcc gcc-powerpc64le-linux-gnu
apt_install qemu-system-ppc64 qemu-system-ppc

out="$here/target/payloads"
"$root/payloads/build.sh" qemu-selftest "$out" >/dev/null

# shellcheck source=../tools/jdk.sh
. "$root/tools/jdk.sh"
jdk=$(pseries_build_jdk) || exit 2
jar() { ls "$here"/target/benchmarks-*.jar 2>/dev/null | grep -v -- '-sources\|-javadoc' | head -1; }
if [ -z "$(jar)" ] || [ -n "$(find "$root" -path '*/src/main/*' -newer "$(jar)" -type f -print -quit 2>/dev/null)" ]; then
  echo "vs-qemu.sh: building the benchmarks (mvn -q -DskipTests package -pl benchmarks -am)" >&2
  (cd "$root" && JAVA_HOME="$jdk" mvn -B -ntp -q -DskipTests package -pl benchmarks -am)
fi
echo "host: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $("$jdk/bin/java" -version 2>&1 | head -1), $(qemu-system-ppc64 --version | head -1)"
exec "$jdk/bin/java" -cp "$(jar):$here/target/lib/*" io.pseries.bench.VsQemu "$out/qemu-selftest.elf" \
  "$(command -v qemu-system-ppc64)" "$rounds"
