// @ts-check
// 4 vCPUs: IPIs in a ring and from every CPU to every other, then each device line. Per-CPU
// counts must match what was sent, and afterwards the controller is back at rest. The same
// tests run in XIVE mode, XICS mode, and dual mode with either guest. Each test boots its own
// machine, so any one of them can run alone (--filter) or in any order.

const CONFIGS = [
  { icMode: 'xive', guest: 'both', mode: 'xive' },
  { icMode: 'xics', guest: 'both', mode: 'xics' },
  { icMode: 'dual', guest: 'both', mode: 'xive' },
  { icMode: 'dual', guest: 'legacy', mode: 'xics' },
];
const ROUNDS = 3;

for (const cfg of CONFIGS) {
  describe(`${cfg.icMode} machine, guest offers ${cfg.guest}`, () => {
    /** @type {Machine} */
    let m;
    /** @type {BootReport} */
    let boot;

    beforeEach(() => {
      m = pseries.machine({
        cpus: 4, icMode: /** @type {any} */ (cfg.icMode), seed: 7,
        devices: [{ type: 'spapr-vty' }, { type: 'spapr-vlan' }],
      });
      boot = m.boot({ xive: /** @type {any} */ (cfg.guest) });
    });

    it(`boots 4 vCPUs in ${cfg.mode} mode`, () => {
      assert.strictEqual(boot.mode, cfg.mode);
      assert.strictEqual(m.icMode, cfg.mode);
      assert.strictEqual(boot.cpus, 4);
    });

    it('takes each IPI of a ring on the next CPU', () => {
      for (let r = 0; r < ROUNDS; r++) {
        for (let c = 0; c < 4; c++) { m.guest.ipi(c, (c + 1) % 4); }
        m.runUntilIdle();
      }
      assert.deepStrictEqual(m.guest.stats().map((s) => s.ipis), [ROUNDS, ROUNDS, ROUNDS, ROUNDS]);
    });

    const allToAll = () => {
      for (let from = 0; from < 4; from++) {
        for (let to = 0; to < 4; to++) {
          if (from !== to) { m.guest.ipi(from, to); m.runUntilIdle(); }
        }
      }
    };
    const eachDevice = () => {
      for (const d of boot.irqs) {
        m.irq(d.hwirq).pulse();
        m.runUntilIdle();
      }
    };

    it('takes IPIs from every CPU to every other', () => {
      allToAll();
      assert.deepStrictEqual(m.guest.stats().map((s) => s.ipis), [3, 3, 3, 3]);
    });

    it('handles each device line once, on the CPU the guest routed it to', () => {
      // by kernel number, i.e. in Linux's map order: EPOW, the VIO bus (vty, the never-requested
      // NVRAM, l-lan), then hot-plug
      assert.deepStrictEqual(boot.irqs.map((i) => i.hwirq), [0x1000, 0x1100, 0x1102, 0x1001]);
      eachDevice();
      const stats = m.guest.stats();
      for (const d of boot.irqs) {
        assert.strictEqual(stats[d.cpu].irqs[String(d.hwirq)], 1, `irq 0x${d.hwirq.toString(16)} on cpu ${d.cpu}`);
      }
      // Linux: XIVE deals device interrupts round-robin in request order (EPOW 0, hot-plug 1,
      // console 2, l-lan at open 3, as 6.1 on QEMU); XICS keeps them on cpu 0
      assert.deepStrictEqual(boot.irqs.map((d) => d.cpu), cfg.mode === 'xive' ? [0, 2, 3, 1] : [0, 0, 0, 0]);
    });

    it('leaves every source and CPU at rest after IPIs and device interrupts', () => {
      allToAll();
      eachDevice();
      assert.deepStrictEqual(m.guest.stats().map((s) => s.ipis), [3, 3, 3, 3]);
      const started = new Set(boot.irqs.map((d) => d.hwirq));
      const pic = m.pic();
      if (pic.mode === 'xive') {
        for (const s of pic.sources) {
          const used = s.lisn < 4 || started.has(s.lisn);
          // claimed but never started (the PCI host bridge's LSIs): off, as QEMU leaves them
          assert.deepStrictEqual({ lisn: s.lisn, pq: s.pq, masked: s.masked },
            { lisn: s.lisn, pq: used ? '--' : '-Q', masked: !used });
        }
        for (const c of pic.cpus) {
          assert.deepStrictEqual({ cppr: c.os.cppr, ipb: c.os.ipb, nsr: c.os.nsr, w2: c.os.w2 },
            { cppr: 0xff, ipb: 0, nsr: 0, w2: 0x80000400 + c.cpu }, `cpu ${c.cpu}`);
        }
        assert.deepStrictEqual(pic.queues.map((q) => [q.priority, q.qsize]), [[6, 16], [6, 16], [6, 16], [6, 16]]);
      } else {
        for (const icp of pic.icps) {
          assert.deepStrictEqual([icp.xirr, icp.mfrr], [0xff000000, 0xff], `server ${icp.server}`);
        }
        for (const s of pic.sources) {
          const used = started.has(s.irq);
          assert.deepStrictEqual({ irq: s.irq, priority: s.priority, masked: s.masked, server: used ? s.server : 0 },
            { irq: s.irq, priority: used ? 5 : 0xff, masked: !used, server: 0 });
        }
      }
    });
  });
}
