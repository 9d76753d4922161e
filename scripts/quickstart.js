// @ts-check
// Quickstart: boot a 4-vCPU pseries machine in XIVE mode and run an IPI workload.
//
//   ./pseries run scripts/quickstart.js [rounds]
//
// The guest model does what Linux does: CAS, one event queue per vCPU, an IPI per vCPU,
// device interrupts spread over the CPUs. Every IPI below goes through the ESB trigger page,
// the router, the event queue in guest memory, the TIMA acknowledge and the ESB EOI.

const rounds = Number(pseries.args[0] ?? 1000);

const m = pseries.machine({
  cpus: 4,
  icMode: 'xive',
  memory: '1G',
  devices: [{ type: 'spapr-vty' }, { type: 'spapr-vlan' }],
  seed: 1,
});

const boot = m.boot();
console.log(`booted ${boot.cpus} vCPUs in ${boot.mode} mode (pseries ${pseries.version})`);
console.table(boot.irqs.map((i) => ({ irq: `0x${i.hwirq.toString(16)}`, virq: i.virq, type: i.type, name: i.name, cpu: i.cpu })));

// an IPI workload: a ring, then every CPU to every other, `rounds` times
const start = Date.now();
let sent = 0;
for (let r = 0; r < rounds; r++) {
  for (let c = 0; c < m.cpus; c++) {
    m.guest.ipi(c, (c + 1) % m.cpus);
    sent++;
  }
  m.runUntilIdle();
  for (let from = 0; from < m.cpus; from++) {
    for (let to = 0; to < m.cpus; to++) {
      if (from !== to) {
        m.guest.ipi(from, to);
        sent++;
      }
    }
  }
  m.runUntilIdle();
}
const wallMs = Date.now() - start;

const stats = m.guest.stats();
console.table(stats.map((s, cpu) => ({ cpu, ipis: s.ipis, exceptions: s.exceptions })));
const taken = stats.reduce((n, s) => n + s.ipis, 0);
console.log(`${sent} IPIs sent, ${taken} taken, ${m.now} ns of virtual time, ` +
  `${wallMs} ms wall (${Math.round(sent / Math.max(wallMs, 1))} k IPIs/s)`);
// Fewer are taken than sent: an IPI to a CPU whose IPI is still pending sets the ESB's Q bit
// instead of queueing twice, and the EOI re-triggers once. Linux muxes its IPI messages the
// same way, so one interrupt serves them all.

// a device interrupt: the console's line, delivered to the CPU the guest routed it to
m.irq(0x1100).pulse();
m.runUntilIdle();
const vty = stats.findIndex((_s, cpu) => boot.irqs.some((i) => i.hwirq === 0x1100 && i.cpu === cpu));
console.log(`vty interrupt 0x1100 handled on cpu ${vty}:`, m.guest.stats()[vty].irqs);

// the controller as QEMU's `info pic` would show it
const pic = m.pic();
if (pic.mode !== 'xive') { throw new Error(`expected the XIVE controller, got ${pic.mode}`); }
console.log(`sources: ${pic.sources.map((s) => `0x${s.lisn.toString(16)}:${s.pq}`).join(' ')}`);
console.log(`CPPR per cpu: ${pic.cpus.map((c) => c.os.cppr.toString(16)).join(' ')}`);
