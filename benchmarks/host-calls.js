// @ts-check
// B8's unit: what one call from a script into the machine costs, per API call a script makes
// in a loop, on a booted 4-vCPU XIVE machine. Each item runs in batches of 256 for SECONDS
// (a third of it first, not counted); the figure is wall ns per call, with the empty JS call
// (the loop's own cost) as the first line.
//   ./pseries run [--jit] benchmarks/host-calls.js [seconds per item (1)]
// One line per item:  BENCH B8 call item=m.now ns_per_call=... calls=...
const secs = Number(pseries.args[0] ?? 1);
const m = pseries.machine({ cpus: 4, icMode: 'xive', seed: 1 });
m.boot();
m.runUntilIdle();
const g = m.guest;
const ram = m.mem.alloc(4096, 4096);
const ramPort = m.port(0, ram, 4);
const ackPort = m.port(0, /** @type {XiveInternals} */ (m.xive).layout.timaOsPage + 0x810, 2);
let from = 0;
// the hcall item is an implemented one (vCPU 0's IPI source after boot): check it succeeds
const info = m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 0);
if (info.rc !== 0) { throw new Error(`set-up: H_INT_GET_SOURCE_INFO answered ${info.rcName}`); }
/** @type {Record<string, () => unknown>} */
const items = {
  'empty-js-call': () => 0,
  'm.cpus': () => m.cpus,
  'm.now': () => m.now,
  'm.mem.read32': () => m.mem.read32(ram),
  'm.mem.write32': () => m.mem.write32(ram, 7),
  'm.load-ram': () => m.load(0, ram, 4),
  'm.store-ram': () => m.store(0, ram, 4, 7),
  'port.load-ram': () => ramPort.load(),
  'port.store-ram': () => ramPort.store(7),
  'm.load-tima-ack': () => m.load(0, ackPort.addr, 2),
  'port.load-tima-ack': () => ackPort.load(),
  'm.runUntilIdle-idle': () => m.runUntilIdle(),
  'm.run-1ns': () => m.run({ ns: 1 }),
  'm.hcall-H_INT_GET_SOURCE_INFO': () => m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 0),
  'ipi+runUntilIdle': () => {
    const to = from + 1 === 4 ? 0 : from + 1;
    g.ipi(from, to);
    m.runUntilIdle();
    from = to;
  },
};
for (const [name, f] of Object.entries(items)) {
  let n = 0;
  const warm = Date.now();
  while (Date.now() - warm < secs * 333) { for (let i = 0; i < 256; i++) { f(); } }
  const t0 = Date.now();
  while (Date.now() - t0 < secs * 1000) { for (let i = 0; i < 256; i++) { f(); } n += 256; }
  const dt = Date.now() - t0;
  console.log(`BENCH B8 call item=${name} ns_per_call=${Math.round(dt * 1e6 / n)} calls=${n}`);
}
