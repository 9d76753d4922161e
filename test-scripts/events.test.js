// @ts-check
// m.on(event, fn): what each event carries, when it arrives, and unsubscribing.

const ESB_BASE = 0x6010000000000n;

describe('m.on', () => {
  /** @type {Machine} */
  let m;
  beforeEach(() => {
    m = pseries.machine({ cpus: 2, icMode: 'xive', devices: [{ type: 'spapr-vty' }] });
  });

  it("'cas' reports the guest's request, QEMU's answer and the mode", () => {
    /** @type {MachineEvent[]} */
    const got = [];
    m.on('cas', (e) => got.push(e));
    m.cas({ xive: 'both' });
    assert.strictEqual(got.length, 1);
    assert.deepStrictEqual([got[0].event, got[0].requested, got[0].answer, got[0].mode], ['cas', 0x40, 0x40, 'xive']);
    // QEMU's spapr_cas_pvr: Linux 6.1's PVR list on a POWER9 gives the compat PVR 0xf000005
    assert.deepStrictEqual([got[0].explicit_match, got[0].compat_pvr], [true, 0xf000005]);
  });

  it("'hcall' carries the name, arguments, return code and outputs, before the call returns", () => {
    m.cas({ xive: 'both' });
    /** @type {MachineEvent[]} */
    const got = [];
    m.on('hcall', (e) => got.push(e));
    const r = m.hcall(1, 'H_INT_GET_SOURCE_INFO', 0, 1);
    assert.strictEqual(got.length, 1, 'delivered synchronously, on the script thread');
    const e = got[0];
    assert.deepStrictEqual([e.name, e.cpu, e.rc, e.rcName], ['H_INT_GET_SOURCE_INFO', 1, r.rc, 'H_SUCCESS']);
    assert.deepStrictEqual(/** @type {number[]} */ (e.args).slice(0, 2), [0, 1]);
    assert.deepStrictEqual(e.rets, r.ret);
  });

  it("'rtas' carries the call name, status and outputs", () => {
    const d = pseries.machine({ cpus: 2, icMode: 'dual' }); // XICS active before CAS: its RTAS calls exist
    /** @type {MachineEvent[]} */
    const got = [];
    d.on('rtas', (e) => got.push(e));
    const r = d.rtas('ibm,get-xive', 0x1000);
    assert.strictEqual(r.status, 0);
    assert.deepStrictEqual(got.map((e) => [e.name, e.status]), [['ibm,get-xive', r.status]]);
  });

  it("'mmio' carries the region, offset, size and value of a load", () => {
    m.boot();
    /** @type {MachineEvent[]} */
    const got = [];
    m.on('mmio', (e) => got.push(e));
    const v = m.load(0, ESB_BASE + 0x800n, 8); // LISN 0's management page: GET
    const e = got.find((x) => x.name === 'load');
    assert.ok(e, `a load event among ${got.map((x) => x.name)}`);
    assert.deepStrictEqual([e.region, e.size, e.value], ['xive.esb', 8, v]);
  });

  it("'irq' reports each interrupt presented to a CPU", () => {
    m.boot();
    /** @type {MachineEvent[]} */
    const got = [];
    m.on('irq', (e) => got.push(e));
    m.guest.ipi(0, 1);
    m.runUntilIdle();
    assert.deepStrictEqual(got.map((e) => [e.cpu, e.lisn, e.priority]), [[1, 1, 6]]);
  });

  it("'guest_error' names what the guest got wrong", () => {
    m.cas({ xive: 'both' });
    /** @type {MachineEvent[]} */
    const got = [];
    m.on('guest_error', (e) => got.push(e));
    const r = m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 0x99999);
    assert.strictEqual(r.rcName, 'H_P2');
    assert.strictEqual(got.length, 1);
    assert.match(String(got[0].message), /Unknown LISN 0x99999/);
  });

  it("every category of --trace can be subscribed to, 'guest' included", () => {
    for (const name of /** @type {EventName[]} */ (['irq', 'hcall', 'rtas', 'mmio', 'cas', 'guest_error', 'unimplemented', 'intc', 'guest', 'kvm', 'fault', 'passthrough'])) {
      const off = m.on(name, () => {});
      off();
    }
    /** @type {MachineEvent[]} */
    const got = [];
    m.on('guest', (e) => got.push(e));
    m.boot();
    assert.ok(got.length > 0 && got.every((e) => e.event === 'guest'), `guest events: ${got.length}`);
  });

  it('an unknown event name is refused with the closest valid one', () => {
    assert.throws(() => m.on(/** @type {EventName} */ ('gues'), () => {}), /unknown event 'gues' \(did you mean 'guest'\?\)/);
  });

  it('the unsubscribe function stops delivery, and calling it twice is harmless', () => {
    m.cas({ xive: 'both' });
    let n = 0;
    const off = m.on('hcall', () => { n++; });
    m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 1);
    off();
    off();
    m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 1);
    assert.strictEqual(n, 1);
  });

  it('an unknown event name is an error naming the closest valid one', () => {
    assert.throws(() => m.on(/** @type {any} */ ('irqs'), () => {}), /unknown event 'irqs' \(did you mean 'irq'\?\)/);
    assert.throws(() => m.on('irq', /** @type {any} */ (42)), TypeError);
  });

  it('an error thrown by a listener reaches the script, and the machine stays usable', () => {
    m.cas({ xive: 'both' });
    const off = m.on('hcall', () => { throw new Error('listener broke'); });
    assert.throws(() => m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 1), /listener broke/);
    off();
    assert.strictEqual(m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 1).rcName, 'H_SUCCESS');
  });
});
