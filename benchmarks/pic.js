// @ts-check
// B7 from JS: m.pic() on a booted machine of N vCPUs (default 4096: 4096 thread contexts, 4104
// claimed sources, 4096 valid queues), timed in the script with Date.now(), three ways:
//   keys      m.pic() and Object.keys of it (what a script pays to look at the mode, or at nothing)
//   one-list  m.pic().sources.length (one list read)
//   all       JSON.stringify(m.pic()) (every list read and written out)
//   reset     m.reset() (the guest's reboot), the guest booted again between calls, untimed
// Before timing, WARM calls (default 5) of the 'all' kind let the JVM compile the paths the
// figures use (JSON writing and parsing), so the figures are per call, not the first calls'.
// SOURCES (default 0) adds device interrupts: virtio-net-pci functions of 2048 MSI-X vectors each
// (the guest's probe claims them all), on a machine of 2^20 interrupt numbers, so 10486 is
// performance.md's "1 % of 1M sources active" (nrIrqs stays QEMU's 0x2000 when SOURCES is 0).
//   ./pseries run [--jit] benchmarks/pic.js [cpus] [calls] [warm] [sources]
// The first line is the 'keys' figure, as before:
//   median_ms=... min_ms=... max_ms=... calls=20 cpus=4096 keys=4
//   read=one-list median_ms=... min_ms=... max_ms=...
//   read=all median_ms=... min_ms=... max_ms=...
//   read=reset median_ms=... min_ms=... max_ms=...
const cpus = Number(pseries.args[0] ?? 4096);
const calls = Number(pseries.args[1] ?? 20);
const warm = Number(pseries.args[2] ?? 5);
const sources = Number(pseries.args[3] ?? 0);
/** @type {DeviceOptions[]} */
const devices = [];
for (let left = sources; left > 0; left -= 2048) {
  devices.push({ type: 'virtio-net-pci', vectors: Math.min(left, 2048) });
}
const m = pseries.machine({ cpus, icMode: 'xive', memory: '8G', seed: 1, devices, ...(sources > 0 ? { nrIrqs: 1 << 20 } : {}) });
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
/** @param {() => number} f */
function timeReset(f) {
  const times = [];
  for (let i = 0; i < calls; i++) {
    const start = Date.now();
    f();
    times.push(Date.now() - start);
    m.boot();
  }
  times.sort((a, b) => a - b);
  return `median_ms=${times[times.length >> 1]} min_ms=${times[0]} max_ms=${times[times.length - 1]}`;
}
const claimed = /** @type {XivePic} */ (m.pic()).sources.length;
console.log(`read=reset ${timeReset(() => { m.reset(); return 0; })} sources=${claimed}`);
