// @ts-check
// B7 from JS: m.pic() on a booted machine of N vCPUs (default 4096: 4096 thread contexts, 4104
// claimed sources, 4096 valid queues), timed in the script with Date.now(), three ways:
//   keys      m.pic() and Object.keys of it (what a script pays to look at the mode, or at nothing)
//   one-list  m.pic().sources.length (one list read)
//   all       JSON.stringify(m.pic()) (every list read and written out)
// Before timing, WARM calls (default 5) of the 'all' kind let the JVM compile the paths the
// figures use (JSON writing and parsing), so the figures are per call, not the first calls'.
//   ./pseries run [--jit] benchmarks/pic.js [cpus] [calls] [warm]
// The first line is the 'keys' figure, as before:
//   median_ms=... min_ms=... max_ms=... calls=20 cpus=4096 keys=4
//   read=one-list median_ms=... min_ms=... max_ms=...
//   read=all median_ms=... min_ms=... max_ms=...
const cpus = Number(pseries.args[0] ?? 4096);
const calls = Number(pseries.args[1] ?? 20);
const warm = Number(pseries.args[2] ?? 5);
const m = pseries.machine({ cpus, icMode: 'xive', memory: '8G', seed: 1 });
m.boot();
for (let i = 0; i < warm; i++) { JSON.stringify(m.pic()); }
/** @param {() => number} f */
function time(f) {
  const times = [];
  let size = 0;
  for (let i = 0; i < calls; i++) {
    const start = Date.now();
    size += f();
    times.push(Date.now() - start);
  }
  times.sort((a, b) => a - b);
  return { text: `median_ms=${times[times.length >> 1]} min_ms=${times[0]} max_ms=${times[times.length - 1]}`, size: size / calls };
}
const keys = time(() => Object.keys(m.pic()).length);
console.log(`${keys.text} calls=${calls} cpus=${cpus} keys=${keys.size} warm=${warm}`);
const one = time(() => /** @type {XivePic} */ (m.pic()).sources.length);
console.log(`read=one-list ${one.text} sources=${one.size}`);
const all = time(() => JSON.stringify(m.pic()).length);
console.log(`read=all ${all.text} chars=${all.size}`);
