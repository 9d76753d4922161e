#!/usr/bin/env bash
# Runs the JMH benchmarks of the benchmarks/ module and prints one machine-readable line per
# figure after JMH's own report:
#
#   BENCH B1 internal median_ns=40.048 min_ns=39.8 max_ns=41.2 cpu_ns=39.9 p_gc_alloc_B_per_op=0 ops_per_s=24970092 ratio_vs_qemu_tcg=24.97 goal_ns=25 unit=ns/op samples=5
#   BENCH B3 selfIpi median_ns=... min_ns=... max_ns=... cpu_ns=... p_gc_alloc_B_per_op=... ops_per_s=... ratio_vs_qemu_tcg=... goal_ns=25 unit=ns/op samples=5
# cpu_ns is the CPU time of the benchmark thread per op (CpuTimeProfiler): steadier than the
# wall time when other work shares the cores. A throughput benchmark (B4's IPIs/s) is reported
# the same way, as ns per op (its goal of 5 M IPIs/s is 200 ns), ops_per_s being its rate.
#
# Usage: benchmarks/run.sh [--full] [--no-build] [--json FILE] [--] [JMH args...]
#   default     quick mode: 1 fork, warmup 3 x 1 s, measurement 5 x 1 s, -prof gc, -prof CpuTimeProfiler
#   --full      3 forks, warmup 5 x 1 s, measurement 10 x 1 s, -prof gc
#   --no-build  do not run Maven even if the jar is missing or older than the sources
#   --json FILE keep JMH's JSON result there (default: a temporary file)
#   JMH args    passed through, e.g. a benchmark regex 'XiveEndToEndBench.mmio', '-prof stack'
#               or '-i 20' (a -f/-wi/-w/-i/-r given here replaces the mode's; -rf/-rff are
#               run.sh's own). Default regex: 'XiveEndToEndBench|XicsEndToEndBench' (B1 and B3).
#
# Needs JDK 25 (Temurin 25), found as ./pseries finds it (tools/jdk.sh: PSERIES_JAVA_HOME,
# JAVA_HOME, /usr/lib/jvm). Parses JMH's JSON with jq if present (BENCH_NO_JQ=1: python3), else python3.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

full=0
build=1
json=""
jmh_args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --full) full=1; shift ;;
        --no-build) build=0; shift ;;
        --json) json="$2"; shift 2 ;;
        --) shift; jmh_args+=("$@"); break ;;
        -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) jmh_args+=("$1"); shift ;;
    esac
done

# ---------------------------------------------------------------- find Temurin 25
# the launcher's own lookup (PSERIES_JAVA_HOME, JAVA_HOME, /usr/lib/jvm), with its error message
# shellcheck source=../tools/jdk.sh
. "$root/tools/jdk.sh"
jdk=$(pseries_build_jdk) || exit 2
export JAVA_HOME="$jdk"
java="$jdk/bin/java"

# ---------------------------------------------------------------- build if needed
jar() { ls "$root"/benchmarks/target/benchmarks-*.jar 2>/dev/null | grep -v -- '-sources\|-javadoc' | head -1; }
need_build=0
if [[ -z "$(jar)" || ! -d "$root/benchmarks/target/lib" ]]; then
    need_build=1
elif [[ -n "$(find "$root" -path '*/src/main/*' -newer "$(jar)" -type f -print -quit 2>/dev/null)" ]]; then
    need_build=1
fi
if [[ $need_build == 1 ]]; then
    if [[ $build == 0 ]]; then
        echo "run.sh: benchmarks jar missing or older than the sources, and --no-build given" >&2
        [[ -z "$(jar)" ]] && exit 2
    else
        echo "run.sh: building (mvn -q -DskipTests package -pl benchmarks -am)" >&2
        (cd "$root" && mvn -q -DskipTests package -pl benchmarks -am)
    fi
fi
benchjar="$(jar)"

# ---------------------------------------------------------------- run JMH
if [[ $full == 1 ]]; then
    defaults=(-f 3 -wi 5 -w 1s -i 10 -r 1s)
else
    defaults=(-f 1 -wi 3 -w 1s -i 5 -r 1s)
fi
# JMH refuses an option given twice: keep a default only when the caller did not give it
mode=()
for ((k = 0; k < ${#defaults[@]}; k += 2)); do
    opt="${defaults[k]}"
    given=0
    for a in "${jmh_args[@]+"${jmh_args[@]}"}"; do
        [[ "$a" == "$opt" ]] && given=1
    done
    [[ $given == 0 ]] && mode+=("$opt" "${defaults[k+1]}")
done
# a benchmark regex is any argument that is not an option or an option's value; default B1
has_regex=0
prev=""
for a in "${jmh_args[@]+"${jmh_args[@]}"}"; do
    if [[ "$a" != -* && ( -z "$prev" || "$prev" != -* ) ]]; then has_regex=1; fi
    prev="$a"
done
regex=()
[[ $has_regex == 0 ]] && regex=('XiveEndToEndBench|XicsEndToEndBench')

tmpjson=""
if [[ -z "$json" ]]; then
    tmpjson="$(mktemp "${TMPDIR:-/tmp}/pseries-jmh.XXXXXX.json")"
    json="$tmpjson"
    trap 'rm -f "$tmpjson"' EXIT
fi

"$java" -cp "$benchjar:$root/benchmarks/target/lib/*" org.openjdk.jmh.Main \
    "${mode[@]}" -prof gc -prof io.pseries.bench.CpuTimeProfiler -rf json -rff "$json" "${regex[@]+"${regex[@]}"}" "${jmh_args[@]+"${jmh_args[@]}"}"

# ---------------------------------------------------------------- one line per figure
# Benchmark id per class (performance.md; MmioAccessBench is B1's guest accesses one by one,
# HostCallBench B8's cost per API call; GuestIpiBench, a throughput, has guest-ipi.sh); QEMU 7.2 TCG anchor in ns per interrupt (1.0 M/s
# XIVE self-IPIs = 1000 ns, 165 k/s XICS = 1e9/165000 = 6060.606 ns) and the goal in ns where
# performance.md sets one.
echo
if [[ -z "${BENCH_NO_JQ:-}" ]] && command -v jq >/dev/null 2>&1; then
    jq -r '
      def bid: if test("XiveEndToEndBench") then {id: "B1", qemu_ns: 1000, goal: 25}
               elif test("XicsEndToEndBench") then {id: "B3", qemu_ns: (1e9 / 165000), goal: 25}
               elif test("MmioAccessBench") then {id: "B1", qemu_ns: null, goal: null}
               elif test("RandomSourcesBench") then {id: "B2", qemu_ns: null, goal: 100}
               elif test("SnapshotBench") then {id: "B6", qemu_ns: null, goal: 50000000}
               elif test("PicBench") then {id: "B7", qemu_ns: null, goal: 10000000}
               elif test("HostCallBench") then {id: "B8", qemu_ns: null, goal: null}
               elif test("GuestIpiBench|ParallelIpiBench") then {id: "B4", qemu_ns: null, goal: 200}
               else {id: "-", qemu_ns: null, goal: null} end;
      def scale: if startswith("ms/") then 1e6 elif startswith("us/") then 1e3 elif startswith("s/") then 1e9 else 1 end;
      def num: if . == null then "NA" elif (. | type) == "number" then ((. * 1000 | round) / 1000 | tostring) else tostring end;
      .[] |
      (.benchmark | bid) as $b |
      (.benchmark | split(".") | last) as $variant |
      ((.params // {}) | to_entries | map("\(.key)=\(.value)") | join(",")) as $p |
      (.primaryMetric.scoreUnit | scale) as $k |
      # a throughput (ops/s, ops/ms...) is turned into ns per op: the slowest rate is the max
      (.primaryMetric.scoreUnit | startswith("ops/")) as $rate |
      (.primaryMetric.scoreUnit | ltrimstr("ops/") | . + "/" | scale) as $per |
      (if $rate then $per / .primaryMetric.scorePercentiles["50.0"] else .primaryMetric.scorePercentiles["50.0"] * $k end) as $med |
      (if $rate then $per / .primaryMetric.scorePercentiles["100.0"] else .primaryMetric.scorePercentiles["0.0"] * $k end) as $min |
      (if $rate then $per / .primaryMetric.scorePercentiles["0.0"] else .primaryMetric.scorePercentiles["100.0"] * $k end) as $max |
      ((.secondaryMetrics // {}) | to_entries | map(select(.key | endswith("gc.alloc.rate.norm"))) | first | .value.scorePercentiles["50.0"]) as $alloc |
      ((.secondaryMetrics // {})["cpu.time.norm"].scorePercentiles["50.0"]) as $cpu |
      "BENCH \($b.id) \($variant)\(if $p == "" then "" else "[" + $p + "]" end)"
      + " median_ns=\($med | num)"
      + " min_ns=\($min | num) max_ns=\($max | num)"
      + " cpu_ns=\($cpu | num)"
      + " p_gc_alloc_B_per_op=\($alloc | num)"
      + " ops_per_s=\(1e9 / $med | floor)"
      + (if $b.qemu_ns != null then " ratio_vs_qemu_tcg=\($b.qemu_ns / $med | num)" else "" end)
      + (if $b.goal != null then " goal_ns=\($b.goal)" else "" end)
      + " unit=ns/op samples=\(if .primaryMetric.rawData != null then (.primaryMetric.rawData | flatten | length)
                               else ([.primaryMetric.rawDataHistogram[][][] | .[1]] | add) end)"
    ' "$json"
else
    python3 - "$json" <<'EOF'
import json, sys
def bid(name):
    if "XiveEndToEndBench" in name:
        return ("B1", 1000, 25)
    if "XicsEndToEndBench" in name:
        return ("B3", 1e9 / 165000, 25)
    if "MmioAccessBench" in name:
        return ("B1", None, None)
    if "RandomSourcesBench" in name:
        return ("B2", None, 100)
    if "SnapshotBench" in name:
        return ("B6", None, 50000000)
    if "PicBench" in name:
        return ("B7", None, 10000000)
    if "HostCallBench" in name:
        return ("B8", None, None)
    if "GuestIpiBench" in name or "ParallelIpiBench" in name:
        return ("B4", None, 200)
    return ("-", None, None)
def scale(unit):
    return {"ms": 1e6, "us": 1e3, "s": 1e9}.get(unit.split("/")[0], 1)
def num(v):
    return "NA" if v is None else ("%.3f" % v).rstrip("0").rstrip(".")
for r in json.load(open(sys.argv[1])):
    i, qemu, goal = bid(r["benchmark"])
    variant = r["benchmark"].split(".")[-1]
    p = ",".join("%s=%s" % kv for kv in (r.get("params") or {}).items())
    unit = r["primaryMetric"]["scoreUnit"]
    f = scale(unit)
    pct = r["primaryMetric"]["scorePercentiles"]
    if unit.startswith("ops/"):
        # a throughput: ns per op, the slowest rate being the max
        per = scale(unit[len("ops/"):] + "/")
        med, lo, hi = per / pct["50.0"], per / pct["100.0"], per / pct["0.0"]
    else:
        med, lo, hi = pct["50.0"] * f, pct["0.0"] * f, pct["100.0"] * f
    alloc = None
    cpu = None
    for k, v in (r.get("secondaryMetrics") or {}).items():
        if k.endswith("gc.alloc.rate.norm"):
            alloc = v["scorePercentiles"]["50.0"]
        if k == "cpu.time.norm":
            cpu = v["scorePercentiles"]["50.0"]
    line = "BENCH %s %s%s median_ns=%s min_ns=%s max_ns=%s cpu_ns=%s p_gc_alloc_B_per_op=%s ops_per_s=%d" % (
        i, variant, "[%s]" % p if p else "", num(med), num(lo), num(hi), num(cpu), num(alloc), int(1e9 / med))
    if qemu is not None:
        line += " ratio_vs_qemu_tcg=%s" % num(qemu / med)
    if goal is not None:
        line += " goal_ns=%d" % goal
    if r["primaryMetric"].get("rawData") is not None:
        samples = sum(len(f) for f in r["primaryMetric"]["rawData"])
    else:
        samples = sum(c for fork in r["primaryMetric"]["rawDataHistogram"] for it in fork for _, c in it)
    line += " unit=ns/op samples=%d" % samples
    print(line)
EOF
fi
