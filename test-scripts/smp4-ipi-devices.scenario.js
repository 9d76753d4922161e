// @ts-check
// Scenario: 4 vCPUs; IPIs in a ring and from every CPU to every other, then each device line.
// Per-CPU counts must match what was sent, and afterwards the controller is back at rest.
// The same scenario runs in XIVE mode, XICS mode, and dual mode with either guest.
// (Run under JUnit by the test-scripts module until the JS test runner exists.)

/**
 * @param {unknown} cond
 * @param {string} msg
 * @returns {asserts cond}
 */
function check(cond, msg) {
  if (!cond) { throw new Error(`check failed: ${msg}`); }
}

/** @type {Array<{ icMode: string, guest: XiveOffer, mode: string }>} */
const CONFIGS = [
  { icMode: 'xive', guest: 'both', mode: 'xive' },
  { icMode: 'xics', guest: 'both', mode: 'xics' },
  { icMode: 'dual', guest: 'both', mode: 'xive' },
  { icMode: 'dual', guest: 'legacy', mode: 'xics' },
];

for (const cfg of CONFIGS) {
  const what = `${cfg.icMode}/${cfg.guest}`;
  const m = pseries.machine({
    cpus: 4, icMode: cfg.icMode, seed: 7,
    devices: [{ type: 'spapr-vty' }, { type: 'spapr-vlan' }],
  });
  const boot = m.boot({ xive: cfg.guest });
  check(boot.mode === cfg.mode && m.icMode === cfg.mode, `${what}: boot mode ${boot.mode}, icMode ${m.icMode}`);
  check(boot.cpus === 4, `${what}: four cpus up`);

  // ring: cpu c -> c+1, 3 rounds
  const ROUNDS = 3;
  for (let r = 0; r < ROUNDS; r++) {
    for (let c = 0; c < 4; c++) { m.guest.ipi(c, (c + 1) % 4); }
    m.runUntilIdle();
  }
  let stats = m.guest.stats();
  for (let c = 0; c < 4; c++) {
    check(stats[c].ipis === ROUNDS, `${what} ring: cpu ${c} took ${stats[c].ipis} IPIs, expected ${ROUNDS}`);
  }

  // all to all, the machine running between sends: each CPU takes 3 more
  for (let from = 0; from < 4; from++) {
    for (let to = 0; to < 4; to++) {
      if (from !== to) { m.guest.ipi(from, to); m.runUntilIdle(); }
    }
  }
  stats = m.guest.stats();
  for (let c = 0; c < 4; c++) {
    check(stats[c].ipis === ROUNDS + 3, `${what} all-to-all: cpu ${c} took ${stats[c].ipis}, expected ${ROUNDS + 3}`);
  }

  // every device line: each handled exactly once, on the CPU the guest routed it to
  const devices = boot.irqs;
  check(devices.map((i) => i.hwirq).join(',') === [0x1000, 0x1001, 0x1100, 0x1101].join(','),
    `${what}: device interrupts ${JSON.stringify(devices.map((i) => i.hwirq))}`);
  for (const d of devices) {
    m.irq(d.hwirq).pulse();
    m.runUntilIdle();
  }
  stats = m.guest.stats();
  for (const d of devices) {
    check(stats[d.cpu].irqs[String(d.hwirq)] === 1,
      `${what}: irq 0x${d.hwirq.toString(16)} on cpu ${d.cpu}: ${JSON.stringify(stats[d.cpu].irqs)}`);
  }
  // Linux: XIVE spreads device interrupts round-robin (as 6.1 on QEMU: 0,1,2,3); XICS keeps them on cpu 0
  const targets = devices.map((d) => d.cpu).join(',');
  check(targets === (cfg.mode === 'xive' ? '0,1,2,3' : '0,0,0,0'), `${what}: targets ${targets}`);

  // the controller is back at rest
  const started = new Set(devices.map((d) => d.hwirq));
  const pic = m.pic();
  if (pic.mode === 'xive') {
    for (const s of pic.sources) {
      if (s.lisn < 4 || started.has(s.lisn)) {
        check(s.pq === '--' && !s.masked, `${what}: source 0x${s.lisn.toString(16)} PQ ${s.pq} masked ${s.masked}`);
      } else {
        // claimed but never started (the PCI host bridge's LSIs): off, as QEMU leaves them
        check(s.pq === '-Q' && s.masked, `${what}: unused source 0x${s.lisn.toString(16)} PQ ${s.pq}`);
      }
    }
    for (const c of pic.cpus) {
      check(c.os.cppr === 0xff && c.os.ipb === 0 && c.os.nsr === 0,
        `${what}: cpu ${c.cpu} CPPR 0x${c.os.cppr.toString(16)} IPB ${c.os.ipb} NSR ${c.os.nsr}`);
      check(c.os.w2 === 0x80000400 + c.cpu, `${what}: cpu ${c.cpu} W2 0x${c.os.w2.toString(16)}`);
    }
    check(pic.queues.length === 4 && pic.queues.every((q) => q.priority === 6 && q.qsize === 16),
      `${what}: one 64K queue at priority 6 per cpu: ${JSON.stringify(pic.queues)}`);
  } else {
    for (const icp of pic.icps) {
      check(icp.xirr === 0xff000000 && icp.mfrr === 0xff,
        `${what}: server ${icp.server} XIRR 0x${icp.xirr.toString(16)} MFRR 0x${icp.mfrr.toString(16)}`);
    }
    for (const s of pic.sources) {
      if (started.has(s.irq)) {
        check(s.priority === 5 && !s.masked && s.server === 0, `${what}: source 0x${s.irq.toString(16)} ${JSON.stringify(s)}`);
      } else {
        check(s.priority === 0xff && s.masked, `${what}: unused source 0x${s.irq.toString(16)} ${JSON.stringify(s)}`);
      }
    }
  }
  console.log(`${what}: ok (${m.icMode})`);
}
