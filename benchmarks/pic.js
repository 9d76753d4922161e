// @ts-check
// B7 from JS: m.pic() on a booted machine of N vCPUs (default 4096), timed in the script.
//   ./pseries run [--jit] benchmarks/pic.js [cpus] [calls]
const cpus = Number(pseries.args[0] ?? 4096);
const calls = Number(pseries.args[1] ?? 20);
const m = pseries.machine({ cpus, icMode: 'xive', memory: '8G', seed: 1 });
m.boot();
const times = [];
let size = 0;
for (let i = 0; i < calls; i++) {
  const start = Date.now();
  const p = m.pic();
  times.push(Date.now() - start);
  size += Object.keys(p).length;
}
times.sort((a, b) => a - b);
console.log(`median_ms=${times[times.length >> 1]} min_ms=${times[0]} max_ms=${times[times.length - 1]} calls=${calls} cpus=${cpus} keys=${size / calls}`);
