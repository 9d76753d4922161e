#!/usr/bin/env bash
# B4 and B8: the guest-model IPI workload (vCPU k sends to k + 1 mod N, each IPI taken before the
# next) in Java (GuestIpiBench, JMH) and from JS (guest-ipi.js through ./pseries run, the default
# runtime and --jit, IPI by IPI; and the default runtime through m.guest.ipis, 1024 IPIs a call),
# interleaved: for each round, for each of 4 and 64 vCPUs in XIVE and XICS mode, the four
# variants one after the other. One line per run:
#   BENCH B4 java cpus=4 mode=xive ipis_per_s=... round=1 load=...
#   BENCH B8 js default cpus=4 mode=xive ipis_per_s=... round=1 load=...
#   BENCH B8 js ipis cpus=4 mode=xive ipis_per_s=... round=1 load=...
# then a median per variant and the ratio java / js. With GUEST_IPI_AGAINST=<another checkout,
# built>, each round also runs the JS loop there in the default runtime (B8 js other), for a
# before/after on the same machine.
# Usage: [GUEST_IPI_AGAINST=DIR] benchmarks/guest-ipi.sh [ROUNDS (3)] [SECONDS per JS run (3)]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
secs="${2:-3}"
out="$(mktemp)"
trap 'rm -f "$out" "$out.json"' EXIT
"$root/benchmarks/run.sh" GuestIpiBench -f 1 -wi 0 -i 1 -r 1 -p cpus=4 -p mode=xive >/dev/null 2>&1 || true   # builds the jar
for ((r = 1; r <= rounds; r++)); do
  for cpus in 4 64; do
    for mode in xive xics; do
      load=$(cut -d' ' -f1 /proc/loadavg)
      "$root/benchmarks/run.sh" --no-build --json "$out.json" GuestIpiBench -f 1 -wi 2 -w 1 -i 3 -r 1 \
        -p cpus=$cpus -p mode=$mode >/dev/null 2>&1 || true
      java=$(python3 -c 'import json,sys; print("%.0f" % json.load(open(sys.argv[1]))[0]["primaryMetric"]["score"])' "$out.json" 2>/dev/null || echo '?')
      echo "BENCH B4 java cpus=$cpus mode=$mode ipis_per_s=${java:-?} round=$r load=$load" | tee -a "$out"
      variants=(default jit ipis)
      [[ -n "${GUEST_IPI_AGAINST:-}" ]] && variants+=(other)
      for rt in "${variants[@]}"; do
        flag=()
        [[ "$rt" == jit ]] && flag=(--jit)
        api=loop
        [[ "$rt" == ipis ]] && api=ipis
        tree="$root"
        [[ "$rt" == other ]] && tree="$GUEST_IPI_AGAINST"
        line=$("$tree/pseries" run "${flag[@]+"${flag[@]}"}" "$root/benchmarks/guest-ipi.js" "$cpus" "$mode" "$secs" "$api" | grep '^BENCH B8')
        rate=$(grep -oE 'ipis_per_s=[0-9]+' <<<"$line" | cut -d= -f2)
        echo "BENCH B8 js $rt cpus=$cpus mode=$mode ipis_per_s=$rate round=$r load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$out"
      done
    done
  done
done
python3 - "$out" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r'BENCH (B4 java|B8 js default|B8 js jit|B8 js ipis|B8 js other) cpus=(\d+) mode=(\w+) ipis_per_s=([0-9.]+)', line)
    if m:
        rows.setdefault((m.group(2), m.group(3)), {}).setdefault(m.group(1), []).append(float(m.group(4)))
for (cpus, mode), v in sorted(rows.items(), key=lambda kv: (int(kv[0][0]), kv[0][1])):
    med = {k: statistics.median(x) for k, x in v.items()}
    j = med.get('B4 java')
    parts = [f"{k.replace(' ', '_')}={med[k]:.0f}" for k in med]
    ratios = [f"java/js_{k.split()[-1]}={j / med[k]:.2f}x" for k in med if j and k != 'B4 java' and med[k] > 0]
    print(f"MEDIAN cpus={cpus} mode={mode} " + ' '.join(parts + ratios))
PY
