// @ts-check
// Snapshots from scripts: m.snapshot() -> bytes, pseries.restore(bytes) -> a new machine,
// m.restore(bytes) into the same configuration; bad streams are refused and change nothing.

/** A XICS machine with an IPI presented on vCPU 1 and not yet accepted. */
function atPoint() {
  const m = pseries.machine({ cpus: 2, icMode: 'xics' });
  m.hcall(0, 'H_CPPR', 0xff);
  m.hcall(1, 'H_CPPR', 0xff);
  m.hcall(0, 'H_IPI', 1, 5);
  m.run({ ns: 100 });
  return m;
}

describe('snapshots', () => {
  it('pseries.restore gives a machine that continues exactly as the original', () => {
    const a = atPoint();
    const bytes = a.snapshot();
    assert.ok(bytes instanceof Uint8Array && bytes.length > 100, `a Uint8Array (${bytes.length} bytes)`);
    const b = pseries.restore(bytes);
    assert.deepStrictEqual(b.pic(), a.pic());
    assert.strictEqual(b.now, a.now);
    const xa = a.hcall(1, 'H_XIRR');
    const xb = b.hcall(1, 'H_XIRR');
    assert.deepStrictEqual(xb, xa);
    assert.strictEqual(Number(BigInt.asUintN(24, BigInt(xa.ret[0]))), 2, 'the IPI survived the snapshot');
  });

  it('m.restore goes back to the snapshot point', () => {
    const m = atPoint();
    const bytes = m.snapshot();
    const before = m.pic();
    m.hcall(1, 'H_XIRR');
    assert.notDeepStrictEqual(m.pic(), before);
    m.restore(bytes);
    assert.deepStrictEqual(m.pic(), before);
  });

  it('a corrupt stream is refused naming the section, and the machine is unchanged', () => {
    const m = atPoint();
    const bytes = m.snapshot();
    const other = pseries.machine({ cpus: 2, icMode: 'xics' });
    const pic = other.pic();
    const bad = bytes.slice();
    bad[bad.length - 10] ^= 0xff;
    assert.throws(() => other.restore(bad), /snapshot section '[^']+': checksum mismatch/);
    assert.throws(() => other.restore(bytes.slice(0, 40)), /snapshot section '[^']+': truncated/);
    assert.deepStrictEqual(other.pic(), pic);
  });

  it('a snapshot of another configuration is foreign', () => {
    const bytes = atPoint().snapshot();
    const four = pseries.machine({ cpus: 4, icMode: 'xics' });
    assert.throws(() => four.restore(bytes), /snapshot section 'config': foreign stream: it was taken from a machine with cpus 2, this machine has 4/);
  });

  for (const icMode of /** @type {const} */ (['xive', 'xics'])) {
    it(`a booted ${icMode} guest snapshotted mid IPI burst continues as the unbroken run`, () => {
      const a = pseries.machine({ cpus: 4, icMode, devices: [{ type: 'spapr-vty' }], seed: 3 });
      const boot = a.boot();
      // a ring burst: every CPU's IPI is raised, the exception entries are pending events
      for (let c = 0; c < 4; c++) a.guest.ipi(c, (c + 1) % 4);
      const b = pseries.restore(a.snapshot());
      for (const m of [a, b]) {
        m.runUntilIdle();
        for (let c = 0; c < 4; c++) m.guest.ipi(c, (c + 2) % 4);
        m.runUntilIdle();
        m.irq(0x1100).pulse();
        m.runUntilIdle();
      }
      // the rule: one IPI per CPU per burst (each CPU is the target of exactly one sender)
      assert.deepStrictEqual(b.guest.stats().map((s) => s.ipis), [2, 2, 2, 2]);
      assert.deepStrictEqual(b.guest.stats(), a.guest.stats());
      assert.strictEqual(b.now, a.now, 'virtual time');
      assert.deepStrictEqual(b.pic(), a.pic());
      const vty = boot.irqs.find((i) => i.hwirq === 0x1100);
      assert.ok(vty, 'the console interrupt was started at boot');
      assert.strictEqual(b.guest.stats()[vty.cpu].irqs['4352'], 1, 'the console interrupt taken once, on the CPU the guest routed it to');
    });
  }

  it('pseries.restore refuses what is not a snapshot', () => {
    assert.throws(() => pseries.restore(/** @type {any} */ ('bytes')), /pseries.restore: expected the Uint8Array returned by m.snapshot\(\)/);
  });

  it('m.save writes nothing unless --allow-write names a tree, and pseries.load reads under the read rules', () => {
    const m = pseries.machine({ cpus: 1 });
    assert.throws(() => m.save('m.snap'), /^Error: m\.save: writing .*m\.snap is not allowed: a script may write only inside the directories given with --allow-write DIR/);
    assert.throws(() => m.save(/** @type {any} */ (7)), /^TypeError: m\.save: expected the snapshot file's path as a non-empty string, got a number/);
    assert.throws(() => pseries.load('no-such.snap'), /^Error: pseries\.load: no such file: no-such\.snap$/);
    assert.throws(() => pseries.load('/etc/hostname'), /^Error: pseries\.load: reading \/etc\/hostname is not allowed: .*--allow-read DIR/);
  });
});
