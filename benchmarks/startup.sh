#!/usr/bin/env bash
# B9 (performance.md): cold start of `./pseries run` on a one-line script, default mode.
# Each run is a new JVM; the first, unmeasured run builds the project if needed and records the
# start-up cache (JDK 25's AOT cache; in the background when the build was not the launcher's),
# which this script waits for. Prints every wall time, the median and the goal, then where one more
# run's start-up went (-Dpseries.startup.phases=true: ms since the JVM started, per phase).
#   benchmarks/startup.sh [runs]        default 11 runs
#   benchmarks/startup.sh 11 --jit      the same with the optimizing runtime (for comparison)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-11}
shift || true
case "$runs" in ''|*[!0-9]*) echo "startup.sh: runs must be a positive number, got '$runs'" >&2; exit 2;; esac
[ "$runs" -ge 1 ] || { echo "startup.sh: runs must be at least 1" >&2; exit 2; }
script=$(mktemp --suffix=.js)
trap 'rm -f "$script"' EXIT
echo "console.log(pseries.version);" > "$script"
./pseries run "$@" "$script" >/dev/null    # build if needed, record the start-up cache
for _ in $(seq 600); do                      # a background recording holds this lock (at most 10 min)
  [ -d scripts/target/.pseries-aot-lock ] || break
  sleep 1
done
times=()
for _ in $(seq "$runs"); do
  s=$(date +%s%N)
  ./pseries run "$@" "$script" >/dev/null
  e=$(date +%s%N)
  times+=($(( (e - s) / 1000000 )))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | awk -v n="$runs" 'NR == int((n + 1) / 2) { print }')
echo "runs (ms): ${times[*]}"
echo "BENCH B9 cold start ${*:-default} median_ms=$median min_ms=$(echo "$sorted" | head -1) max_ms=$(echo "$sorted" | tail -1) runs=$runs goal_ms=1000 cpus=$(nproc) load=$(cut -d' ' -f1 /proc/loadavg)"
phases=$(PSERIES_JAVA_OPTS="${PSERIES_JAVA_OPTS:-} -Dpseries.startup.phases=true" ./pseries run "$@" "$script" 2>&1 >/dev/null \
  | sed -n 's/^pseries: start-up phase \([a-z-]*\) done at \([0-9]*\) ms$/\1=\2/p' | tr '\n' ' ')
echo "phases (ms since the JVM started, one more run): $phases"
