// @ts-check
// m.guest.ipis(pairs, { paced, repeat }): a loop of IPIs in one call. It must do exactly what the
// same loop of m.guest.ipi (and m.runUntilIdle) calls does, only without a script call per IPI.

/** @param {'xive' | 'xics'} icMode */
function booted(icMode) {
  const m = pseries.machine({ cpus: 4, icMode, seed: 1 });
  m.boot();
  m.runUntilIdle();
  return m;
}

/** The state a script can see of a machine, for comparing two of them. @param {Machine} m */
function state(m) {
  return { now: m.now, stats: m.guest.stats(), pic: m.pic() };
}

const RING = [0, 1, 1, 2, 2, 3, 3, 0];

for (const mode of /** @type {const} */ (['xive', 'xics'])) {
  describe(`m.guest.ipis, ${mode}`, () => {
    it('paced, repeated: the same machine as the loop of ipi and runUntilIdle', () => {
      const a = booted(mode);
      for (let r = 0; r < 5; r++) {
        for (let i = 0; i < RING.length; i += 2) { a.guest.ipi(RING[i], RING[i + 1]); a.runUntilIdle(); }
      }
      const b = booted(mode);
      const t = b.guest.ipis(RING, { repeat: 5 });
      assert.strictEqual(t, b.now, 'returns the virtual time after');
      assert.deepStrictEqual(state(b), state(a));
      assert.deepStrictEqual(b.guest.stats().map((s) => s.ipis), [5, 5, 5, 5], 'every IPI taken once');
    });

    it('not paced: sent back to back, then one run until idle, as the burst loop', () => {
      const pairs = [0, 1, 2, 1, 3, 1, 0, 2];
      const a = booted(mode);
      for (let i = 0; i < pairs.length; i += 2) { a.guest.ipi(pairs[i], pairs[i + 1]); }
      a.runUntilIdle();
      const b = booted(mode);
      b.guest.ipis(Int32Array.from(pairs), { paced: false });
      assert.deepStrictEqual(state(b), state(a));
      const taken = b.guest.stats().reduce((n, s) => n + s.ipis, 0);
      assert.ok(taken < pairs.length / 2, `IPIs to a busy vCPU coalesce in a burst (${taken} taken of ${pairs.length / 2})`);
    });

    it('names what is wrong with its arguments, and sends nothing then', () => {
      const m = booted(mode);
      const before = state(m);
      assert.throws(() => m.guest.ipis([0, 1, 2]), { name: 'RangeError', message: /a from and a to for each IPI, got 3 numbers/ });
      assert.throws(() => m.guest.ipis([0, 1, 2, 4]), { name: 'RangeError', message: /pairs\[3\] is cpu 4, which does not exist: the machine has 4 vCPUs \(0\.\.3\)/ });
      assert.throws(() => m.guest.ipis(/** @type {any} */ ([0, 'one'])), { name: 'TypeError', message: /pairs\[1\] must be a vCPU number, got a string/ });
      assert.throws(() => m.guest.ipis(/** @type {any} */ ('0,1')), { name: 'TypeError', message: /pairs must be an array/ });
      assert.throws(() => m.guest.ipis([0, 1], /** @type {any} */ ({ pace: true })), { name: 'TypeError', message: /unknown option 'pace'; valid options: paced, repeat/ });
      assert.throws(() => m.guest.ipis([0, 1], { repeat: -1 }), { name: 'RangeError', message: /repeat must be between 0 and/ });
      assert.deepStrictEqual(state(m), before);
      assert.throws(() => pseries.machine({ cpus: 2, icMode: mode }).guest.ipis([0, 1]), /the guest is not booted: call m.boot\(\) first/);
    });

    it('stops at a listener error and throws it', () => {
      const m = booted(mode);
      let seen = 0;
      m.on('irq', () => { seen++; throw new Error('listener says stop'); });
      assert.throws(() => m.guest.ipis(RING, { repeat: 10 }), /listener says stop/);
      const taken = m.guest.stats().reduce((n, s) => n + s.ipis, 0);
      assert.ok(seen >= 1 && taken < 40, `the batch stopped early (${taken} of 40 IPIs taken)`);
    });
  });
}
