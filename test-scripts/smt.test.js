// @ts-check
// Cores with several threads and QEMU's VSMT spacing (-smp 4,threads=2 with vsmt=4): vCPU ids
// 0, 1, 4, 5, one cpu node per core listing its threads, 8 server numbers; the guest model boots
// and takes IPIs on every vCPU in either interrupt mode.

for (const icMode of /** @type {const} */ (['xive', 'xics'])) {
  describe(`${icMode}: 4 vCPUs, 2 threads per core, vsmt 4`, () => {
    /** @type {Machine} */
    let m;

    beforeEach(() => {
      m = pseries.machine({ cpus: 4, threads: 2, vsmt: 4, icMode });
    });

    it('reports threads and vsmt in its configuration', () => {
      assert.strictEqual(m.config.threads, 2);
      assert.strictEqual(m.config.vsmt, 4);
    });

    it('has one cpu node per core, named by its first thread and listing both threads', () => {
      const cpus = m.dt('/cpus');
      assert.deepStrictEqual(Object.keys(cpus.children), ['PowerPC,POWER9@0', 'PowerPC,POWER9@4']);
      assert.deepStrictEqual(cpus.children['PowerPC,POWER9@4'].props['ibm,ppc-interrupt-server#s'], [4, 5]);
    });

    it('boots and takes an IPI on every vCPU', () => {
      const boot = m.boot();
      assert.strictEqual(boot.mode, icMode);
      assert.strictEqual(boot.cpus, 4);
      for (let c = 0; c < 4; c++) { m.guest.ipi(c, (c + 1) % 4); }
      m.runUntilIdle();
      assert.deepStrictEqual(m.guest.stats().map((s) => s.ipis), [1, 1, 1, 1]);
    });
  });
}

describe('threads and vsmt are checked as QEMU checks them', () => {
  it('refuses a thread count that is not a power of 2', () => {
    assert.throws(() => pseries.machine({ cpus: 6, threads: 3 }), /threads: 3.*must be a power of 2/);
  });
  it('refuses a VSMT mode below the thread count', () => {
    assert.throws(() => pseries.machine({ cpus: 4, threads: 4, vsmt: 2 }), /Cannot support VSMT mode 2/);
  });
});
