// @ts-check
// B8: the B4 workload (GuestIpiBench) driven from JS: vCPU k sends an IPI to vCPU k + 1 (mod N)
// through the guest model, then the machine runs until idle, so each IPI is taken before the
// next is sent. A third of the time warms up, then IPIs are counted for the rest.
//
// With `ipis` as the fourth argument the same ring goes through m.guest.ipis (1024 IPIs per
// call: the ring's pairs, repeated), one script call per 1024 IPIs instead of two per IPI.
//
//   ./pseries run [--jit] benchmarks/guest-ipi.js [cpus] [xive|xics] [seconds] [loop|ipis]
//
// Prints one line: BENCH B8 js cpus=N mode=M ipis_per_s=R ipis=K seconds=S api=A; exits non-zero if
// any IPI sent was not taken exactly once.
const cpus = Number(pseries.args[0] ?? 4);
const mode = pseries.args[1] ?? 'xive';
const seconds = Number(pseries.args[2] ?? 3);
const api = pseries.args[3] ?? 'loop';
if (!Number.isInteger(cpus) || cpus < 2 || 1024 % cpus !== 0 || (mode !== 'xive' && mode !== 'xics') || !(seconds > 0) ||
    (api !== 'loop' && api !== 'ipis')) {
  throw new Error(`usage: guest-ipi.js [cpus >= 2, dividing 1024] [xive|xics] [seconds > 0] [loop|ipis], got ${pseries.args.join(' ')}`);
}
const m = pseries.machine({ cpus, icMode: mode, seed: 1 });
m.boot();
if (m.guest.mode !== mode) { throw new Error(`the guest booted in ${m.guest.mode}, not ${mode}`); }
const guest = m.guest;
let from = 0;
const pairs = [];
for (let k = 0; k < cpus; k++) { pairs.push(k, k + 1 === cpus ? 0 : k + 1); }
/** @param {number} n */
function ring(n) {
  if (api === 'ipis') { guest.ipis(pairs, { repeat: n / cpus }); return; }
  for (let i = 0; i < n; i++) {
    const to = from + 1 === cpus ? 0 : from + 1;
    guest.ipi(from, to);
    m.runUntilIdle();
    from = to;
  }
}
const taken = () => m.guest.stats().reduce((a, s) => a + s.ipis, 0);
const warm = Date.now();
while (Date.now() - warm < seconds * 1000 / 3) { ring(1024); }
const before = taken();
let sent = 0;
const t0 = Date.now();
while (Date.now() - t0 < seconds * 1000) { ring(1024); sent += 1024; }
const dt = (Date.now() - t0) / 1000;
const got = taken() - before;
if (got !== sent) { throw new Error(`${sent} IPIs sent, ${got} taken`); }
console.log(`BENCH B8 js cpus=${cpus} mode=${mode} ipis_per_s=${Math.round(sent / dt)} ipis=${sent} seconds=${dt.toFixed(2)} api=${api}`);
