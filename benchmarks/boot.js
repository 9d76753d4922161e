// @ts-check
// The guest model's boot of a large machine: m.boot() after m.reset(), 30 times, the median
// (min-max) of the last 20 in ms (the device tree built for CAS and the boot is most of it).
//   ./pseries run benchmarks/boot.js [cpus]      (default 4096)
const cpus = Number(pseries.args[0] ?? 4096);
const m = pseries.machine({ cpus, icMode: 'xive', memory: '8G', seed: 1 });
m.boot();
const bs = [];
for (let i = 0; i < 30; i++) { m.reset(); const t = Date.now(); m.boot(); bs.push(Date.now() - t); }
const w = bs.slice(10).sort((a, b) => a - b);
console.log(`boot cpus=${cpus} median_ms=${w[w.length >> 1]} min_ms=${w[0]} max_ms=${w[w.length - 1]}`);
