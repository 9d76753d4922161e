#!/usr/bin/env bash
# B7 from JS: m.pic() at 4096 vCPUs through ./pseries run, in the default mode (interpreter)
# and with --jit (the optimizing runtime), interleaved for ROUNDS rounds (default 3). One line
# per run:
#   BENCH B7 js default median_ms=... min_ms=... max_ms=... calls=20 cpus=4096 keys=...
# Usage: benchmarks/pic-js.sh [ROUNDS] [CPUS] [CALLS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
cpus="${2:-4096}"
calls="${3:-20}"
for ((r = 1; r <= rounds; r++)); do
    for mode in default jit; do
        flag=()
        [[ "$mode" == jit ]] && flag=(--jit)
        line="$("$root/pseries" run "${flag[@]+"${flag[@]}"}" "$root/benchmarks/pic.js" "$cpus" "$calls" | grep '^median_ms=')"
        echo "BENCH B7 js $mode $line round=$r load=$(cut -d' ' -f1 /proc/loadavg)"
    done
done
