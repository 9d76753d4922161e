// @ts-check
// m.port(cpu, addr, size): an access site resolved ahead. p.load() and p.store(v) must be exactly
// m.load and m.store at that site: the same answers, the same machine after, the same refusals.

/** A booted XIVE machine; its IPI of vCPU 1 routed and armed by the guest model. */
function booted() {
  const m = pseries.machine({ cpus: 2, icMode: 'xive', seed: 1 });
  m.boot();
  m.runUntilIdle();
  return m;
}

/** What a script can see of a machine, for comparing two. @param {Machine} m */
function state(m) {
  return { now: m.now, pic: m.pic(), host: m.host.stats() };
}

/** The error fn throws. @param {() => unknown} fn @returns {Error} */
function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return /** @type {Error} */ (e);
  }
  throw new Error('nothing was thrown');
}

/** @param {Machine} m */
function sites(m) {
  const tima = /** @type {XiveInternals} */ (m.xive).layout.timaOsPage;
  const ram = m.mem.alloc(4096, 4096);
  return { tima, ram, ack: tima + 0x810, cppr: tima + 0x10 + 1 };
}

describe('m.port', () => {
  it('a port load or store is the m.load or m.store at its site', () => {
    const a = booted();
    const b = booted();
    const sa = sites(a);
    const sb = sites(b);
    const got = [];
    const want = [];
    const ack = b.port(0, sb.ack, 2);
    const cppr = b.port(0, sb.cppr, 1);
    const ram = b.port(1, sb.ram, 8);
    for (let i = 0; i < 3; i++) {
      a.store(0, sa.cppr, 1, 0xff - i);
      want.push(a.load(0, sa.ack, 2));
      a.store(1, sa.ram, 8, 0x1234_5678_9abc + i);
      want.push(a.load(1, sa.ram, 8));
      cppr.store(0xff - i);
      got.push(ack.load());
      ram.store(0x1234_5678_9abc + i);
      got.push(ram.load());
    }
    assert.deepStrictEqual(got, want);
    assert.deepStrictEqual(state(b), state(a));
    assert.deepStrictEqual([ack.cpu, ack.addr, ack.size], [0, sb.ack, 2]);
  });

  it('a 64-bit answer above 2^53 is a BigInt, as from m.load', () => {
    const m = booted();
    const { ram } = sites(m);
    const p = m.port(0, ram, 8);
    p.store(0x7fff_ffff_ffff_fff0n);
    assert.strictEqual(p.load(), 0x7fff_ffff_ffff_fff0n);
    assert.strictEqual(p.load(), m.load(0, ram, 8));
  });

  it('bad arguments are refused when the port is made, as m.load refuses them', () => {
    const m = booted();
    const { ack } = sites(m);
    for (const [cpu, addr, size] of /** @type {Array<[any, any, any]>} */ ([[2, ack, 2], [0, ack, 3], [-1, ack, 2], [0, 'x', 2]])) {
      const e = thrown(() => m.port(cpu, addr, size));
      const f = thrown(() => m.load(cpu, addr, size));
      assert.strictEqual(e.message, f.message);
    }
  });

  it('a store value that does not fit the size is refused, as by m.store', () => {
    const m = booted();
    const { cppr } = sites(m);
    const p = m.port(0, cppr, 1);
    const e = thrown(() => p.store(0x100));
    const f = thrown(() => m.store(0, cppr, 1, 0x100));
    assert.strictEqual(e.message, f.message);
  });

  it('a port of a migrated-away machine is refused with the reason, as m.load is', () => {
    const a = booted();
    const { ack } = sites(a);
    const p = a.port(0, ack, 2);
    p.load();
    pseries.migrate(a);
    const e = thrown(() => p.load());
    const f = thrown(() => a.load(0, ack, 2));
    assert.strictEqual(e.message, f.message);
    assert.match(e.message, /the machine is stopped/);
  });

  it('a port follows the address map: after a reset of a dual-mode machine the XIVE TIMA is unassigned', () => {
    const m = pseries.machine({ cpus: 2, icMode: 'dual', seed: 1 });
    m.boot();
    m.runUntilIdle();
    assert.strictEqual(m.info().active, 'xive', 'precondition: CAS picked XIVE');
    const { ack } = sites(m);
    const p = m.port(0, ack, 2);
    assert.strictEqual(p.load(), m.load(0, ack, 2));
    m.reset();
    assert.strictEqual(p.load(), 0xffff, 'unassigned: all ones');
    assert.strictEqual(p.load(), m.load(0, ack, 2));
  });
});
