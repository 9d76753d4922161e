// @ts-check
// OpenCAPI AFU interrupts in a pseries guest, through the October 2019 RFC's hcalls (never
// merged; enabled by experimental: ['ocapi-rfc-2019']): ALLOC_IRQ gives a guest interrupt number
// the guest maps like any other, and the AFU's store to its trigger page reaches the guest.

const AFU = '0000:03:00.0';
const BUID = 0x800000020000000n;
const ALLOC_IRQ = 6;
const FREE_IRQ = 7;
/** @param {number} [irqs] */
const newHost = (irqs = 8) => pseries.host({ pci: [{ addr: AFU, msix: 0, intx: false, ocapi: { irqs } },
  { addr: '0000:01:00.0', msix: 4, intx: true }] });
/**
 * @param {PhysicalHost} h @param {'on' | 'off'} kernelIrqchip
 * @param {DeviceOptions[]} [devices] @param {'xive' | 'xics'} [icMode]
 */
const vm = (h, kernelIrqchip, devices = [{ type: 'vfio-pci', host: AFU }], icMode = 'xive') => {
  const m = h.machine({ cpus: 2, icMode, kernelIrqchip, experimental: ['ocapi-rfc-2019'], devices });
  m.boot();
  return m;
};
/** The RTAS configuration address of the PHB's first function. @param {Machine} m */
const cfgOf = (m) => /** @type {number[]} */ (Object.values(m.dt('/pci@800000020000000').children)[0].props.reg)[0];
/** @param {Machine} m @param {number} op @param {...(number | bigint)} args */
const ocxl = (m, op, ...args) => m.hcall(0, 'H_OCXL_CONFIG_ADAPTER', BUID, cfgOf(m), op, ...args);
/** @param {Machine} m */
const alloc = (m) => {
  const r = ocxl(m, ALLOC_IRQ);
  assert.strictEqual(r.rcName, 'H_SUCCESS');
  return Number(r.ret[0]);
};
/** @param {Machine} m @param {number} irq */
const taken = (m, irq) => m.guest.stats().reduce((a, s) => a + (s.irqs[String(irq)] ?? 0), 0);
/** @param {ExitCounts} e */
const exits = (e) => e.hcall + e.rtas + e.mmio + e.irq;

describe('OpenCAPI (RFC 2019, experimental)', () => {
  it('without the experimental option the RFC hcalls do not exist: H_FUNCTION, by name and by number', () => {
    const m = newHost().machine({ cpus: 1, icMode: 'xive', devices: [{ type: 'vfio-pci', host: AFU }] });
    m.boot();
    assert.strictEqual(m.hcall(0, 0xF004, BUID, cfgOf(m), ALLOC_IRQ).rcName, 'H_FUNCTION');
    assert.ok(!m.hcallNames().includes('H_OCXL_CONFIG_ADAPTER'));
    assert.deepStrictEqual(m.config.experimental, []);
  });

  it('an unknown experimental name is refused with the names there are', () => {
    assert.throws(() => pseries.machine({ cpus: 1, experimental: [/** @type {any} */ ('ocapi-rfc')] }),
      /invalid machine option experimental: 'ocapi-rfc'; expected names of proposals: ocapi-rfc-2019/);
    assert.throws(() => pseries.machine({ cpus: 1, experimental: /** @type {any} */ ('ocapi-rfc-2019') }), /an array of names of proposals/);
  });

  it('in-kernel: ALLOC_IRQ gives a LISN the guest maps; an AFU store reaches its queue with no VMM exit', () => {
    const h = newHost();
    const m = vm(h, 'on');
    assert.deepStrictEqual(m.config.experimental, ['ocapi-rfc-2019']);
    const lisn = alloc(m);
    assert.strictEqual(m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, lisn).rcName, 'H_SUCCESS');
    const started = m.guest.requestIrq(lisn, 'ocxl-afu');
    assert.strictEqual(started.hwirq, lisn);
    const [irq] = m.host.ocxl();
    assert.strictEqual(irq.guestIrq, lisn);
    assert.strictEqual(irq.state, 'bypass');
    const s0 = m.host.stats();
    for (let i = 0; i < 5; i++) {
      assert.strictEqual(h.pci(AFU).afuStore(irq.triggerPage), true);
      m.runUntilIdle();
    }
    const s1 = m.host.stats();
    assert.strictEqual(taken(m, lisn), 5);
    assert.strictEqual(exits(s1.exits) - exits(s0.exits), 0);
    assert.strictEqual(s1.passthrough.bypassDeliveries - s0.passthrough.bypassDeliveries, 5);
  });

  it('emulated (kernelIrqchip off): each AFU store wakes the VMM once, which triggers the guest interrupt', () => {
    const h = newHost();
    const m = vm(h, 'off');
    const lisn = alloc(m);
    m.guest.requestIrq(lisn);
    const [irq] = m.host.ocxl();
    assert.strictEqual(irq.state, 'vmm');
    const s0 = m.host.stats();
    for (let i = 0; i < 4; i++) { h.pci(AFU).afuStore(irq.triggerPage); m.runUntilIdle(); }
    const s1 = m.host.stats();
    assert.strictEqual(taken(m, lisn), 4);
    assert.strictEqual(s1.exits.irq - s0.exits.irq, 4);
    assert.strictEqual(s1.passthrough.vmmRelays - s0.passthrough.vmmRelays, 4);
  });

  it('FREE_IRQ: the LISN and the host interrupt go, the AFU credit comes back; a second FREE_IRQ is H_PARAMETER', () => {
    const h = newHost(4);
    const m = vm(h, 'on');
    const lisn = alloc(m);
    const [irq] = m.host.ocxl();
    assert.strictEqual(h.pci(AFU).info().ocapi?.available, 3);
    assert.strictEqual(ocxl(m, FREE_IRQ, lisn).rcName, 'H_SUCCESS');
    assert.deepStrictEqual(m.host.ocxl(), []);
    assert.strictEqual(h.pci(AFU).info().ocapi?.available, 4);
    assert.strictEqual(h.pci(AFU).afuStore(irq.triggerPage), false, 'no AFU interrupt has that page any more');
    assert.strictEqual(m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, lisn).rcName, 'H_P2');
    assert.strictEqual(ocxl(m, FREE_IRQ, lisn).rcName, 'H_PARAMETER');
    // the number is free again: the next ALLOC_IRQ may get it
    assert.strictEqual(alloc(m), lisn);
  });

  it('the AFU link credit exhausted: H_RESOURCE, nothing allocated', () => {
    const h = newHost(2);
    const m = vm(h, 'on');
    alloc(m);
    alloc(m);
    m.recordEvents(100);
    assert.strictEqual(ocxl(m, ALLOC_IRQ).rcName, 'H_RESOURCE');
    assert.strictEqual(m.host.ocxl().length, 2);
    assert.ok(m.events().some((e) => e.event === 'guest_error' && /no interrupt left \(ENOSPC\)/.test(String(e.message))));
  });

  it('a wrong BUID, a config address with no function, a function with no AFU, a sub-op outside 1..7: H_PARAMETER', () => {
    const h = newHost();
    const m = vm(h, 'on', [{ type: 'vfio-pci', host: AFU }, { type: 'vfio-pci', host: '0000:01:00.0' }]);
    const fns = Object.values(m.dt('/pci@800000020000000').children).map((c) => /** @type {number[]} */ (c.props.reg)[0]);
    assert.strictEqual(m.hcall(0, 'H_OCXL_CONFIG_ADAPTER', BUID + 1n, fns[0], ALLOC_IRQ).rcName, 'H_PARAMETER');
    assert.strictEqual(m.hcall(0, 'H_OCXL_CONFIG_ADAPTER', BUID, 0x1f00, ALLOC_IRQ).rcName, 'H_PARAMETER');
    assert.strictEqual(m.hcall(0, 'H_OCXL_CONFIG_ADAPTER', BUID, fns[1], ALLOC_IRQ).rcName, 'H_PARAMETER');
    assert.strictEqual(m.hcall(0, 'H_OCXL_CONFIG_ADAPTER', BUID, fns[0], 0).rcName, 'H_PARAMETER');
    assert.strictEqual(m.hcall(0, 'H_OCXL_CONFIG_ADAPTER', BUID, fns[0], 8).rcName, 'H_PARAMETER');
    assert.deepStrictEqual(m.host.ocxl(), [], 'nothing allocated');
  });

  it('the sub-ops and hcalls the model does not have answer H_FUNCTION with an unimplemented event naming them', () => {
    const m = vm(newHost(), 'on');
    m.recordEvents(100);
    assert.strictEqual(ocxl(m, 1).rcName, 'H_FUNCTION');
    for (const name of ['H_OCXL_CONFIG_SPA', 'H_OCXL_GET_FAULT_STATE', 'H_OCXL_HANDLE_FAULT']) {
      assert.strictEqual(m.hcall(0, name, 0).rcName, 'H_FUNCTION');
    }
    const names = m.events().filter((e) => e.event === 'unimplemented').map((e) => String(e.call));
    assert.deepStrictEqual(names, ['H_OCXL_CONFIG_ADAPTER SETUP', 'H_OCXL_CONFIG_SPA', 'H_OCXL_GET_FAULT_STATE',
      'H_OCXL_HANDLE_FAULT']);
  });

  it('a machine reset frees every AFU interrupt', () => {
    const h = newHost(4);
    const m = vm(h, 'on');
    alloc(m);
    alloc(m);
    m.reset();
    assert.deepStrictEqual(m.host.ocxl(), []);
    assert.strictEqual(h.pci(AFU).info().ocapi?.available, 4);
  });

  // the in-kernel XICS (XICS-on-XIVE) also backs each source with an IPI it keeps until the device goes
  for (const ic of /** @type {('xive' | 'xics')[]} */ (['xive', 'xics'])) {
    it(`in-kernel ${ic}: AFU irqs freed first-allocated first come back lowest first, each LISN's device source keeping its IPI`, () => {
      const h = newHost(4);
      const m = vm(h, 'on', undefined, ic);
      const a = alloc(m);
      const b = alloc(m);
      const freed = m.host.ocxl();
      assert.strictEqual(ocxl(m, FREE_IRQ, a).rcName, 'H_SUCCESS');
      assert.strictEqual(ocxl(m, FREE_IRQ, b).rcName, 'H_SUCCESS');
      assert.deepStrictEqual([alloc(m), alloc(m)], [a, b], 'the LISNs again, lowest first');
      const again = m.host.ocxl();
      // the device kept each LISN's source and its IPI: the AFU irqs get the host IPIs they had
      assert.deepStrictEqual(again.map((i) => i.hostIrq), freed.map((i) => i.hostIrq));
      assert.deepStrictEqual(again.map((i) => i.triggerPage), freed.map((i) => i.triggerPage));
      m.guest.requestIrq(a);
      m.guest.requestIrq(b);
      const before = [taken(m, a), taken(m, b)];
      for (const i of again) { assert.strictEqual(h.pci(AFU).afuStore(i.triggerPage), true); m.runUntilIdle(); }
      assert.deepStrictEqual([taken(m, a), taken(m, b)], before.map((n) => n + 1));
    });

    it(`in-kernel ${ic}: with the first AFU irq freed and the second kept, the next two get the first's LISN and host IPI, then the IPI past the second's device source`, () => {
      const h = newHost(4);
      const m = vm(h, 'on', undefined, ic);
      const a = alloc(m);
      alloc(m);
      const [first, second] = m.host.ocxl();
      assert.strictEqual(ocxl(m, FREE_IRQ, a).rcName, 'H_SUCCESS');
      // the guest runs on while the first LISN's source sits unclaimed in the device: a checkpoint
      // here must carry that source on its IPI, or the second LISN's source takes the IPI
      for (let n = 0; n < 4; n++) {
        m.guest.ipi(n % 2, 1 - n % 2);
        m.runUntilIdle();
      }
      assert.strictEqual(alloc(m), a);
      const c = alloc(m);
      const [again, kept, fresh] = m.host.ocxl().sort((x, y) => x.guestIrq - y.guestIrq);
      assert.deepStrictEqual([again, kept], [first, second]);
      // host IPIs go lowest first: each AFU irq's is followed by its LISN's device source's
      assert.strictEqual(fresh.hostIrq, second.hostIrq + 2, `host IPI 0x${fresh.hostIrq.toString(16)}`);
      m.guest.requestIrq(c);
      assert.strictEqual(h.pci(AFU).afuStore(fresh.triggerPage), true);
      m.runUntilIdle();
      assert.strictEqual(taken(m, c), 1);
    });
  }

  for (const kic of /** @type {('on' | 'off')[]} */ (['on', 'off'])) {
    it(`kernelIrqchip '${kic}': m.restore() of a snapshot gives back the AFU irqs with their LISNs, host interrupts and trigger pages, and AFU stores reach the guest`, () => {
      const h = newHost(4);
      const m = vm(h, kic);
      const a = alloc(m);
      const b = alloc(m);
      m.guest.requestIrq(a);
      m.guest.requestIrq(b);
      const irqs = m.host.ocxl();
      const snap = m.snapshot();
      assert.strictEqual(ocxl(m, FREE_IRQ, a).rcName, 'H_SUCCESS');
      assert.strictEqual(ocxl(m, FREE_IRQ, b).rcName, 'H_SUCCESS');
      alloc(m);
      assert.strictEqual(h.pci(AFU).info().ocapi?.available, 3);
      m.restore(snap);
      assert.deepStrictEqual(m.host.ocxl(), irqs, 'the same numbers, pages and paths as when it was taken');
      assert.strictEqual(h.pci(AFU).info().ocapi?.available, 2, 'the credits of the irqs the stream does not hold came back');
      const before = [taken(m, a), taken(m, b)];
      for (const i of irqs) { assert.strictEqual(h.pci(AFU).afuStore(i.triggerPage), true); m.runUntilIdle(); }
      assert.deepStrictEqual([taken(m, a), taken(m, b)], before.map((n) => n + 1));
      assert.strictEqual(ocxl(m, FREE_IRQ, b).rcName, 'H_SUCCESS', 'a restored AFU irq frees as any');
    });
  }

  for (const [from, to] of /** @type {[('on' | 'off'), ('on' | 'off')][]} */ ([['on', 'on'], ['on', 'off'], ['off', 'on']])) {
    it(`pseries.migrate from kernelIrqchip '${from}' to '${to}' on another host: the AFU irqs move with their numbers, the destination's AFU reaches the guest`, () => {
      const src = vm(newHost(4), from);
      const lisn = alloc(src);
      src.guest.requestIrq(lisn);
      const [irq] = src.host.ocxl();
      const h2 = newHost(4);
      const dst = h2.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: to, experimental: ['ocapi-rfc-2019'],
        devices: [{ type: 'vfio-pci', host: AFU }] });
      const b = pseries.migrate(src, { dst });
      const [moved] = b.host.ocxl();
      // the host interrupt (and its trigger page) is kept when the destination's is free; from 'off' to 'on' the kernel's IPIs came first
      const same = from === to || from === 'on';
      assert.deepStrictEqual({ ...moved, state: undefined, hostIrq: 0, triggerPage: 0 }, { ...irq, state: undefined, hostIrq: 0, triggerPage: 0 });
      assert.strictEqual(moved.hostIrq === irq.hostIrq, same, `host interrupt 0x${irq.hostIrq.toString(16)} -> 0x${moved.hostIrq.toString(16)}`);
      assert.strictEqual(moved.state, to === 'on' ? 'bypass' : 'vmm');
      assert.strictEqual(h2.pci(AFU).info().ocapi?.available, 3, 'the destination host\'s AFU gave the credit');
      const n = taken(b, lisn);
      assert.strictEqual(h2.pci(AFU).afuStore(moved.triggerPage), true);
      b.runUntilIdle();
      assert.strictEqual(taken(b, lisn), n + 1);
    });
  }

  it('a snapshot of a machine with the RFC is foreign to one without it: refused whole, naming config and experimental', () => {
    const m = vm(newHost(4), 'on');
    alloc(m);
    const other = newHost(4).machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'on', devices: [{ type: 'vfio-pci', host: AFU }] });
    other.boot();
    const before = { pic: other.pic(), afu: other.host.ocxl(), now: other.now };
    assert.throws(() => other.restore(m.snapshot()), /snapshot section 'config': foreign stream: .*experimental/);
    assert.deepStrictEqual({ pic: other.pic(), afu: other.host.ocxl(), now: other.now }, before, 'the target is unchanged');
  });
});
