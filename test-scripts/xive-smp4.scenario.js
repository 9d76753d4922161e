// @ts-check
// Scenario: 4 vCPUs in XIVE mode. IPIs in a ring and from every CPU to every other, then each
// device line; per-CPU counts must match what was sent and every source must end at PQ '--'
// with every CPPR back at 0xff. Runs under JUnit (test-scripts module) until the JS test
// runner exists.

function check(cond, msg) {
  if (!cond) { throw new Error(`check failed: ${msg}`); }
}

const m = pseries.machine({
  cpus: 4, icMode: 'xive', seed: 7,
  devices: [{ type: 'spapr-vty' }, { type: 'spapr-vlan' }],
});
check(m.icMode === 'xive', `icMode ${m.icMode}`);
const boot = m.boot();
check(boot.mode === 'xive', `boot mode ${boot.mode}`);
check(boot.cpus === 4, 'four cpus up');

// ring: cpu c -> c+1, 3 rounds
const ROUNDS = 3;
for (let r = 0; r < ROUNDS; r++) {
  for (let c = 0; c < 4; c++) { m.guest.ipi(c, (c + 1) % 4); }
  m.runUntilIdle();
}
let stats = m.guest.stats();
for (let c = 0; c < 4; c++) {
  check(stats[c].ipis === ROUNDS, `ring: cpu ${c} took ${stats[c].ipis} IPIs, expected ${ROUNDS}`);
}

// all to all: each CPU receives 3 more per round
for (let from = 0; from < 4; from++) {
  for (let to = 0; to < 4; to++) {
    if (from !== to) { m.guest.ipi(from, to); m.runUntilIdle(); }
  }
}
stats = m.guest.stats();
for (let c = 0; c < 4; c++) {
  check(stats[c].ipis === ROUNDS + 3, `all-to-all: cpu ${c} took ${stats[c].ipis} IPIs, expected ${ROUNDS + 3}`);
}

// every device line: each handled exactly once, on the CPU the guest routed it to
const devices = boot.irqs;
check(devices.map((i) => i.hwirq).join(',') === [0x1000, 0x1001, 0x1100, 0x1101].join(','),
  `device interrupts ${JSON.stringify(devices.map((i) => i.hwirq))}`);
for (const d of devices) {
  m.irq(d.hwirq).pulse();
  m.runUntilIdle();
}
stats = m.guest.stats();
for (const d of devices) {
  check(stats[d.cpu].irqs[String(d.hwirq)] === 1, `irq 0x${d.hwirq.toString(16)} on cpu ${d.cpu}: ${JSON.stringify(stats[d.cpu].irqs)}`);
}
// round robin as Linux 6.1 on QEMU: 0x1000->0, 0x1001->1, 0x1100->2, vlan->3
check(devices.map((d) => d.cpu).join(',') === '0,1,2,3', `targets ${devices.map((d) => d.cpu)}`);

// the controller is back at rest
const pic = m.pic();
for (const s of pic.sources) {
  check(s.pq === '--', `source 0x${s.lisn.toString(16)} PQ ${s.pq}`);
  check(!s.masked, `source 0x${s.lisn.toString(16)} masked`);
}
for (const c of pic.cpus) {
  check(c.os.cppr === 0xff, `cpu ${c.cpu} CPPR 0x${c.os.cppr.toString(16)}`);
  check(c.os.ipb === 0 && c.os.nsr === 0, `cpu ${c.cpu} IPB ${c.os.ipb} NSR ${c.os.nsr}`);
  check(c.os.w2 === 0x80000400 + c.cpu, `cpu ${c.cpu} W2 0x${c.os.w2.toString(16)}`);
}
check(pic.queues.length === 4 && pic.queues.every((q) => q.priority === 6 && q.qsize === 16),
  `one 64K queue at priority 6 per cpu: ${JSON.stringify(pic.queues)}`);
console.log('xive smp4 scenario: ok');
