// @ts-check
// Every size or count a script passes is bounded by what the guest path allows, and refused
// with a RangeError naming the limit, before anything is allocated.

/**
 * What `fn` threw.
 * @param {() => unknown} fn
 * @returns {any}
 */
function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('nothing was thrown');
}

describe('sizes from scripts', () => {
  /** @type {Machine} */
  let m;
  beforeEach(() => { m = pseries.machine({ cpus: 1, icMode: 'dual' }); });

  it('RTAS nret is bounded by the guest argument buffer (64 outputs)', () => {
    const e = thrown(() => m.rtas('ibm,get-xive', 0x1000, { nret: 2 ** 31 - 1 }));
    assert.strictEqual(e.name, 'RangeError');
    assert.match(e.message, /nret must be from 0 to 64 .*at most 64 outputs.*got 2147483647/);
    // the limit itself is what the guest path takes
    assert.strictEqual(m.rtas('ibm,get-xive', 0x1000, { nret: 64 }).ret.length, 63);
  });

  it('RTAS takes at most 64 arguments', () => {
    const e = thrown(() => m.rtas('ibm,get-xive', ...new Array(65).fill(0)));
    assert.strictEqual(e.name, 'RangeError');
    assert.match(e.message, /at most 64 arguments/);
  });

  it('recordEvents is bounded to a million events', () => {
    for (const n of [2 ** 31 - 1, 1e9, 1_000_001]) {
      const e = thrown(() => m.recordEvents(n));
      assert.strictEqual(e.name, 'RangeError');
      assert.match(e.message, /m\.recordEvents: n must be from 0 to 1000000/);
    }
    m.recordEvents(10);
    m.rtas('ibm,get-xive', 0x1000);
    assert.strictEqual(m.events().length, 1);
  });

  it('a raw option vector is at most 257 bytes and each a byte', () => {
    const e = thrown(() => m.cas(new Array(1e6).fill(0)));
    assert.strictEqual(e.name, 'RangeError');
    assert.match(e.message, /at most 257 bytes/);
    assert.match(thrown(() => m.cas([256])).message, /option vector byte 0 must be from 0 to 255/);
  });

  it('machine options: arrays are bounded and cycles refused', () => {
    const many = thrown(() => pseries.machine({ devices: new Array(5000).fill({ type: 'spapr-vty' }) }));
    assert.strictEqual(many.name, 'RangeError');
    assert.match(many.message, /devices: at most 4096 elements, got 5000/);
    /** @type {any} */
    const cyclic = { type: 'spapr-vty' };
    cyclic.self = cyclic;
    const cyc = thrown(() => pseries.machine({ devices: [cyclic] }));
    assert.strictEqual(cyc.name, 'RangeError');
    assert.match(cyc.message, /nested more than 16 levels deep/);
  });

  it('memory writes refuse values that do not fit the access size', () => {
    const a = m.mem.alloc(16);
    assert.match(thrown(() => m.mem.write8(a, 256)).message, /value 256 does not fit 1 byte: it must be from -128 to 255/);
    assert.match(thrown(() => m.mem.write16(a, 0x10000)).message, /does not fit 2 bytes/);
    assert.match(thrown(() => m.mem.write32(a, 2 ** 32)).message, /does not fit 4 bytes/);
    assert.strictEqual(thrown(() => m.mem.write8(a, 256)).name, 'RangeError');
    m.mem.write8(a, -1);
    assert.strictEqual(m.mem.read8(a), 255);
    m.mem.write32(a + 4, 0xffffffff);
    assert.strictEqual(m.mem.read32(a + 4), 0xffffffff);
    assert.strictEqual(m.mem.read8(a + 1), 0, 'the refused writes stored nothing');
  });
});
