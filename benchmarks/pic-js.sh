#!/usr/bin/env bash
# B7 from JS: m.pic() at 4096 vCPUs through ./pseries run, in the default mode (interpreter)
# and with --jit (the optimizing runtime), interleaved for ROUNDS rounds (default 3). One line
# per run and figure (benchmarks/pic.js: keys = m.pic() and Object.keys, one-list = one list
# read, all = JSON.stringify of it):
#   BENCH B7 js default tree=this read=keys median_ms=... min_ms=... max_ms=... round=1 load=...
# With PIC_AGAINST=<another checkout, built> each run is followed by the same run there
# (tree=other), for a before/after on the same machine.
# (reset = m.reset(), the guest booted again between calls). SOURCES claims that many device
# interrupts on a machine of 2^20 numbers (10486: 1 % of 1M).
# Usage: [PIC_AGAINST=DIR] [PIC_MODES="default jit"] benchmarks/pic-js.sh [ROUNDS] [CPUS] [CALLS] [WARM] [SOURCES]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
cpus="${2:-4096}"
calls="${3:-20}"
warm="${4:-5}"
sources="${5:-0}"
trees=("this=$root")
[[ -n "${PIC_AGAINST:-}" ]] && trees+=("other=$PIC_AGAINST")
for ((r = 1; r <= rounds; r++)); do
    for mode in ${PIC_MODES:-default jit}; do
        flag=()
        [[ "$mode" == jit ]] && flag=(--jit)
        for t in "${trees[@]}"; do
            name="${t%%=*}"
            dir="${t#*=}"
            load=$(cut -d' ' -f1 /proc/loadavg)
            # the script is this tree's, so both trees run the same measurement
            "$dir/pseries" run "${flag[@]+"${flag[@]}"}" "$root/benchmarks/pic.js" "$cpus" "$calls" "$warm" "$sources" | grep 'median_ms=' |
                while read -r line; do
                    case "$line" in
                        read=*) read_=${line%% *}; rest=${line#* } ;;
                        *) read_=read=keys; rest=$line ;;
                    esac
                    echo "BENCH B7 js $mode tree=$name $read_ $rest round=$r load=$load"
                done
        done
    done
done
