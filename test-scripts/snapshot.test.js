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

  it('a booted guest cannot be snapshotted yet, with a message saying so', () => {
    const m = pseries.machine({ cpus: 2 });
    m.boot();
    m.runUntilIdle();
    assert.throws(() => m.snapshot(), /the booted guest model cannot be snapshotted yet/);
    assert.throws(() => pseries.restore(/** @type {any} */ ('bytes')), /pseries.restore: expected the Uint8Array returned by m.snapshot\(\)/);
  });
});
