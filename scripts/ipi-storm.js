// @ts-check
// IPI storm: every vCPU sends an IPI to every other vCPU, round after round, through the
// Linux-like guest model, in XIVE and in XICS mode.
//
//   ./pseries run scripts/ipi-storm.js [cpus] [rounds]     (defaults: 8 vCPUs, 100 rounds)
//   ./pseries run --jit scripts/ipi-storm.js 64 200        a bigger storm on the optimizing runtime
//
// Two patterns per mode:
//   burst  all N*(N-1) IPIs of a round are sent, then the machine runs until idle;
//   paced  the machine runs until idle after each IPI.
// The table shows IPIs sent and taken (interrupts handled, as /proc/interrupts counts them),
// external-interrupt exceptions, the virtual time the guest spent, the wall time and the rate.
// In a burst most IPIs are merged: see the explanation printed below the table.
// It exits non-zero unless every paced IPI is taken and each burst coalesces exactly as XIVE's
// ESB PQ bits and XICS's MFRR do.

/**
 * @param {unknown} cond
 * @param {string} msg
 * @returns {asserts cond}
 */
function check(cond, msg) {
  if (!cond) { throw new Error(`check failed: ${msg}`); }
}

const cpus = Number(pseries.args[0] ?? 8);
const rounds = Number(pseries.args[1] ?? 100);
if (!Number.isInteger(cpus) || cpus < 2 || cpus > 4096 || !Number.isInteger(rounds) || rounds < 1) {
  throw new Error(`usage: ipi-storm.js [cpus 2..4096] [rounds >= 1], got ${pseries.args.join(' ')}`);
}

/**
 * @param {'xive' | 'xics'} icMode
 * @param {'burst' | 'paced'} pattern
 */
function storm(icMode, pattern) {
  const m = pseries.machine({ cpus, icMode, devices: [], seed: 1 });
  m.boot();
  // warm-up, not counted: one IPI to every vCPU. m.now is 0 after boot, but the boot vCPU is
  // still busy for the virtual time the boot cost it (about 10 us per vCPU started), so its
  // first interrupt waits that long.
  for (let to = 0; to < cpus; to++) { m.guest.ipi((to + 1) % cpus, to); m.runUntilIdle(); }
  const before = m.guest.stats();
  const t0 = Number(m.now);
  const wall0 = Date.now();
  let sent = 0;
  for (let r = 0; r < rounds; r++) {
    for (let from = 0; from < cpus; from++) {
      for (let to = 0; to < cpus; to++) {
        if (from === to) { continue; }
        m.guest.ipi(from, to);
        sent++;
        if (pattern === 'paced') { m.runUntilIdle(); }
      }
    }
    m.runUntilIdle();
  }
  const wallMs = Date.now() - wall0;
  const after = m.guest.stats();
  const perCpu = after.map((s, c) => s.ipis - before[c].ipis);
  const taken = perCpu.reduce((a, b) => a + b, 0);
  const exceptions = after.reduce((n, s, c) => n + s.exceptions - before[c].exceptions, 0);
  const virtualNs = Number(m.now) - t0;
  return { icMode, pattern, sent, taken, perCpu, exceptions, virtualNs, wallMs };
}

console.log(`IPI storm: ${cpus} vCPUs, ${rounds} rounds of all-to-all IPIs (${cpus * (cpus - 1)} per round), ` +
  `${pseries.optimized ? 'optimizing' : 'interpreter-only'} JS runtime`);
const results = [];
for (const icMode of /** @type {const} */ (['xive', 'xics'])) {
  for (const pattern of /** @type {const} */ (['burst', 'paced'])) {
    results.push(storm(icMode, pattern));
  }
}

console.table(results.map((r) => ({
  mode: r.icMode,
  pattern: r.pattern,
  sent: r.sent,
  taken: r.taken,
  merged: r.sent - r.taken,
  exceptions: r.exceptions,
  'virtual µs': (r.virtualNs / 1000).toFixed(1),
  'virtual ns/taken': Math.round(r.virtualNs / Math.max(r.taken, 1)),
  'wall ms': r.wallMs,
  'sent/s (wall)': Math.round(r.sent / Math.max(r.wallMs, 1) * 1000),
})));

console.log(`
Why a burst takes fewer IPIs than it sends (coalescing: an IPI to a CPU whose IPI is pending
is merged into it):
  XIVE  each vCPU's IPI is one interrupt source (LISN = vCPU number) with an ESB PQ pair. The first
        trigger moves PQ 00 -> 10 and the event goes to the target's queue; every further trigger
        while P is set only sets Q (10 -> 11) and is not queued. At EOI the guest's SET_PQ_00 load
        returns 11, and because Q was set it re-triggers once. So a target takes at most 2 IPIs per
        burst: ${Math.min(cpus - 1, 2)} here for the ${cpus - 1} sent to it.
  XICS  an IPI is the target ICP's MFRR (H_IPI(server, 4)). While it is pending, another H_IPI writes
        the same priority again; the target's handler clears MFRR (H_IPI(self, 0xff)) and takes one
        interrupt. So a target takes 1 IPI per burst.
  Nothing is lost: Linux keeps IPI messages in a per-CPU bitmap and one interrupt handles them all.
  Paced, every IPI finds the target idle and is taken. XICS costs more virtual time per IPI: each
  delivery is hcalls (H_XIRR, H_IPI, H_EOI at 1500 ns each by default), XIVE's are MMIO loads
  and stores (TIMA ACK, queue read, ESB EOI).`);

for (const r of results) {
  const what = `${r.icMode} ${r.pattern}`;
  check(r.sent === rounds * cpus * (cpus - 1), `${what}: sent ${r.sent}`);
  const perRound = r.pattern === 'paced' ? cpus - 1 : r.icMode === 'xive' ? Math.min(cpus - 1, 2) : 1;
  r.perCpu.forEach((n, c) => check(n === rounds * perRound,
    `${what}: cpu ${c} took ${n} IPIs, expected ${rounds} x ${perRound}`));
  check(r.exceptions >= r.taken / 2 && r.exceptions <= r.taken, `${what}: ${r.exceptions} exceptions for ${r.taken} IPIs`);
}
console.log('\nipi storm: every paced IPI taken; bursts coalesced as the ESB PQ bits (XIVE) and the MFRR (XICS) do');
