// @ts-check
// m.pic() hands its lists (cpus, sources, queues / icps, sources) over when the script first
// reads them (issue 14: no JSON round trip of the whole state per call). What a script sees
// must not show it: the state is the one at the call, and the object reads, enumerates,
// prints, copies and compares as plain data.

/** A XICS machine with an IPI presented on vCPU 1 and not yet accepted. */
function xicsAtPoint() {
  const m = pseries.machine({ cpus: 2, icMode: 'xics' });
  m.hcall(0, 'H_CPPR', 0xff);
  m.hcall(1, 'H_CPPR', 0xff);
  m.hcall(0, 'H_IPI', 1, 5);
  m.run({ ns: 100 });
  return m;
}

/** A booted XIVE machine of 4 vCPUs. */
function xiveBooted() {
  const m = pseries.machine({ cpus: 4, icMode: 'xive' });
  m.boot();
  return m;
}

/** @param {Machine} m */
const xivePic = (m) => /** @type {XivePic} */ (m.pic());
/** @param {Machine} m */
const xicsPic = (m) => /** @type {XicsPic} */ (m.pic());

describe('m.pic() as plain data', () => {
  it('lists the state at the call, even when a list is first read after the machine moved on', () => {
    const m = xicsAtPoint();
    const early = xicsPic(m);
    const mfrrBefore = JSON.parse(JSON.stringify(m.pic())).icps[1].mfrr;
    m.hcall(1, 'H_XIRR');
    m.hcall(0, 'H_IPI', 1, 0xff);
    const late = xicsPic(m);
    assert.strictEqual(mfrrBefore, 5, 'the IPI is pending on vCPU 1 at the call');
    assert.strictEqual(early.icps[1].mfrr, 5, 'read after H_IPI 0xff, still the state at the call');
    assert.strictEqual(late.icps[1].mfrr, 0xff);
    assert.notDeepStrictEqual(late, early);
  });

  it('has the keys in the documented order, as own enumerable data once read', () => {
    const x = xivePic(xiveBooted());
    assert.deepStrictEqual(Object.keys(x), ['mode', 'cpus', 'sources', 'queues']);
    const s = xicsAtPoint().pic();
    assert.deepStrictEqual(Object.keys(s), ['mode', 'icps', 'sources']);
    const n = x.cpus.length;
    assert.strictEqual(n, 4);
    const d = Object.getOwnPropertyDescriptor(x, 'cpus');
    assert.ok(d !== undefined && Array.isArray(d.value) && d.writable && d.enumerable && d.configurable,
      'a read list is a plain data member');
    assert.strictEqual(x.cpus, x.cpus, 'the same array on every read');
  });

  it('reads, copies and compares as the same object parsed from its JSON', () => {
    const m = xiveBooted();
    const p = m.pic();
    const text = JSON.stringify(m.pic());
    const parsed = JSON.parse(text);
    assert.strictEqual(JSON.stringify(p), text);
    assert.deepStrictEqual(p, parsed);
    assert.deepStrictEqual({ ...m.pic() }, parsed);
    assert.deepStrictEqual(Object.entries(m.pic()).map(([k]) => k), Object.keys(parsed));
    assert.deepStrictEqual(xivePic(m).queues, parsed.queues);
    assert.ok(Array.isArray(m.pic().sources) && Object.getPrototypeOf(m.pic()) === Object.prototype);
  });

  it('prints as the parsed object does (console.log and the REPL share this formatting)', () => {
    const inspect = /** @type {(v: unknown) => string} */ (/** @type {any} */ (globalThis)[Symbol.for('pseries.inspect')]);
    for (const m of [xicsAtPoint(), xiveBooted()]) {
      const text = inspect(m.pic());
      assert.match(text, /mode: "(xics|xive)"/);
      assert.strictEqual(text, inspect(JSON.parse(JSON.stringify(m.pic()))));
    }
  });

  it('takes assignments, deletions and freezing as a plain object does', () => {
    const m = xiveBooted();
    const p = /** @type {any} */ (m.pic());
    p.cpus = [];
    assert.deepStrictEqual(p.cpus, []);
    delete p.sources;
    assert.deepStrictEqual(Object.keys(p), ['mode', 'cpus', 'queues']);
    const f = /** @type {any} */ (Object.freeze(m.pic()));
    assert.strictEqual(f.queues.length, 4, 'a frozen result still reads');
    assert.strictEqual(f.queues, f.queues);
    assert.throws(() => { f.mode = 'xics'; }, TypeError);
    assert.strictEqual(f.mode, 'xive');
  });
});
