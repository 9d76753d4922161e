#!/usr/bin/env bash
# How cost grows with vCPUs and with sources (issue 14): short JMH sweeps of the hot paths and
# pic(), and the heap per vCPU and per interrupt number, then a markdown table and an SVG chart.
#
#   vCPUs   1 4 16 64 256 1024 4096   IPI through the guest model (GuestIpiBench, B4), XIVE and XICS
#                                     pic() at the default 8192 numbers, 1 % active (GrowthPicBench, B7)
#                                     heap per vCPU (GrowthMemory, B5)
#   sources 8192 65536 262144 1043712 random-source interrupt out of that many claimed MSIs of 2^20
#                                     (RandomSourcesBench internal/mmio: XIVE; XicsRandomSourcesBench: XICS; B2)
#           nrIrqs 8192 ... 2^20      pic() of 4 vCPUs with 1 % of the numbers active, and with 64 active
#                                     whatever is configured (does the cost follow what is active?);
#                                     heap per number
#
# Usage: benchmarks/growth.sh [--quick] [--no-build] [--out DIR]
#   default     1 fork, warmup 2 x 1 s, measurement 3 x 1 s per point (about 10 minutes)
#   --quick     4 vCPU points, 2 source points, warmup 1 x 1 s, measurement 2 x 1 s (about 3 minutes)
#   --no-build  do not run Maven even if the jar is missing or older than the sources
#   --out DIR   where growth.md (the table) and growth.svg (the chart) go; default benchmarks/
#               (JMH's JSON results stay in benchmarks/target/growth/)
# Needs Temurin 25, found as ./pseries finds it (tools/jdk.sh), as run.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

quick=0
build=1
out="$here"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) quick=1; shift ;;
        --no-build) build=0; shift ;;
        --out) [[ $# -ge 2 ]] || { echo "growth.sh: --out needs a directory" >&2; exit 2; }; out="$2"; shift 2 ;;
        -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "growth.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

# ---------------------------------------------------------------- find Temurin 25
# shellcheck source=../tools/jdk.sh
. "$root/tools/jdk.sh"
jdk=$(pseries_build_jdk) || exit 2
export JAVA_HOME="$jdk"
java="$jdk/bin/java"

# ---------------------------------------------------------------- build if needed
jar() { ls "$root"/benchmarks/target/benchmarks-*.jar 2>/dev/null | grep -v -- '-sources\|-javadoc' | head -1; }
if [[ -z "$(jar)" || ! -d "$root/benchmarks/target/lib" \
      || -n "$(find "$root" -path '*/src/main/*' -newer "$(jar)" -type f -print -quit 2>/dev/null)" ]]; then
    if [[ $build == 0 ]]; then
        echo "growth.sh: benchmarks jar missing or older than the sources, and --no-build given" >&2
        [[ -z "$(jar)" ]] && exit 2
    else
        echo "growth.sh: building (mvn -q -DskipTests package -pl benchmarks -am)" >&2
        (cd "$root" && mvn -B -ntp -q -DskipTests package -pl benchmarks -am)
    fi
fi
cp="$(jar):$root/benchmarks/target/lib/*"

# ---------------------------------------------------------------- the sweeps
if [[ $quick == 1 ]]; then
    vcpus=1,16,256,4096
    sources=8192,1043712
    nrirqs=8192,1048576
    jmh=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
else
    vcpus=1,4,16,64,256,1024,4096
    sources=8192,65536,262144,1043712
    nrirqs=8192,65536,262144,1048576
    jmh=(-f 1 -wi 2 -w 1s -i 3 -r 1s)
fi
res="$root/benchmarks/target/growth"
mkdir -p "$res" "$out"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s)

run_jmh() {   # JSON-FILE JMH-ARGS...
    local file="$1"; shift
    echo "growth.sh: $*" >&2
    "$java" -cp "$cp" org.openjdk.jmh.Main "${jmh[@]}" -prof io.pseries.bench.CpuTimeProfiler \
        -rf json -rff "$file" "$@" | grep -E '^(Benchmark|[A-Za-z]+Bench\.[a-zA-Z]+ )' >&2
}
run_jmh "$res/vcpus-ipi.json" 'GuestIpiBench.ipi' -p cpus="$vcpus"
run_jmh "$res/vcpus-pic.json" 'GrowthPicBench.pic' -p cpus="$vcpus" -p nrIrqs=8192
run_jmh "$res/sources-b2.json" 'RandomSourcesBench' -p sources="$sources"
run_jmh "$res/sources-pic.json" 'GrowthPicBench.pic' -p cpus=4 -p nrIrqs="$nrirqs"
run_jmh "$res/sources-pic64.json" 'GrowthPicBench.pic' -p cpus=4 -p nrIrqs="$nrirqs" -p active=64
echo "growth.sh: heap per vCPU and per interrupt number (serial collector, 5 rounds)" >&2
# a serial collector that compacts fully and a fixed heap, as memory.sh: System.gc() then leaves exactly what is reachable
"$java" -XX:+UseSerialGC -XX:MarkSweepDeadRatio=0 -Xms3g -Xmx3g -cp "$cp" io.pseries.bench.GrowthMemory 5 "$res/memory.json" \
    "$vcpus" "$nrirqs" >&2

# ---------------------------------------------------------------- the table and the chart
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
cpu_model="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
jdk_version="$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"/\1/p' "$jdk/release")"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
mode="full"
[[ $quick == 1 ]] && mode="quick"
header="$(date -u +%Y-%m-%d), build $commit, \`benchmarks/growth.sh\` ($mode: ${jmh[*]}, CpuTimeProfiler), \
$(nproc) vCPUs ${cpu_model:-unknown CPU}, Temurin ${jdk_version:-25}, load average (1, 5, 15 min) \
$load_start at the start and $load_end at the end, $(( $(date +%s) - start )) s."
"$java" -cp "$cp" io.pseries.bench.GrowthReport "$out/growth.md" "$out/growth.svg" "$header" \
    --vcpus "$res/vcpus-ipi.json" "$res/vcpus-pic.json" \
    --sources "$res/sources-b2.json" "$res/sources-pic.json" "$res/sources-pic64.json" \
    --memory "$res/memory.json"
cat "$out/growth.md"
echo "growth.sh: wrote $out/growth.md and $out/growth.svg" >&2
