// @ts-check
// m.host: the simulated host under a machine, as a script sees it. With kernelIrqchip 'on' the
// VMM has the in-kernel device's fd, two mappings (ESB window, TIMA) and two memory slots; the
// raw attribute API answers as the kernel does, errors as errno names.

const ESB = 0x0006_0100_0000_0000n;
/** @param {number} lisn */
const mgmt = (lisn) => ESB + BigInt(lisn) * 0x20000n + 0x10000n;

describe('m.host with the in-kernel XIVE', () => {
  /** @type {Machine} */
  let m;
  beforeEach(() => { m = pseries.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'on', devices: [] }); });

  it('devices(): one native XIVE device with its fd and the attribute calls made', () => {
    const d = m.host.devices();
    assert.strictEqual(d.length, 1);
    assert.strictEqual(d[0].type, 'xive');
    assert.strictEqual(d[0].name, 'kvm-xive-native');
    assert.ok(d[0].fd >= 0);
    // QEMU's connect re-claims every valid source with GRP_SOURCE: the 2 IPIs, EPOW, hot-plug, the NVRAM, 4 PHB LSIs
    assert.strictEqual(d[0].attributes.SOURCE, 9);
  });

  it('vmas(): guest RAM, the ESB window (2 x 64K per interrupt) and the TIMA (4 pages), nothing faulted in', () => {
    const v = m.host.vmas();
    const esb = v.find((x) => x.name === 'xive.esb-kvm');
    const tima = v.find((x) => x.name === 'xive.tima');
    assert.ok(esb && tima, JSON.stringify(v.map((x) => x.name)));
    assert.strictEqual(BigInt(esb.size), 0x2000n * 0x20000n);
    assert.strictEqual(tima.pages, 4);
    assert.strictEqual(esb.pgoff, 4);
    assert.strictEqual(tima.pgoff, 0);
    assert.strictEqual(esb.pagesMapped, 0);
  });

  it('memslots(): RAM in slot 0, then the ESB window and the TIMA over the guest addresses', () => {
    const s = m.host.memslots();
    assert.strictEqual(s.length, 3);
    assert.strictEqual(s[0].slot, 0);
    assert.strictEqual(BigInt(s[1].gpa), ESB);
  });

  it('a guest ESB access faults its page in once; the next access to it does not fault', () => {
    const faults = m.host.stats().faults;
    /** @type {MachineEvent[]} */
    const seen = [];
    m.on('fault', (e) => seen.push(e));
    m.load(0, mgmt(1) + 0x800n, 8);
    assert.strictEqual(m.host.stats().faults, faults + 1);
    m.load(0, mgmt(1) + 0x800n, 8);
    assert.strictEqual(m.host.stats().faults, faults + 1);
    assert.strictEqual(seen.length, 1);
    assert.strictEqual(seen[0].name, 'fault');
    assert.strictEqual(m.host.vmas().find((x) => x.name === 'xive.esb-kvm')?.pagesMapped, 1);
  });

  it("'mmio' events of direct accesses name the region, as emulated ones do", () => {
    m.boot();
    /** @type {MachineEvent[]} */
    const got = [];
    m.on('mmio', (e) => got.push(e));
    m.load(0, ESB + 0x800n, 8);
    const e = got.find((x) => x.name === 'load');
    assert.deepStrictEqual([e?.region, e?.path], ['xive.esb', 'direct']);
  });

  it("'irq' events name the guest's interrupt, not the HW IPI backing it (that is hwIrq)", () => {
    m.boot();
    /** @type {MachineEvent[]} */
    const got = [];
    m.on('irq', (e) => got.push(e));
    m.guest.ipi(0, 1);
    m.runUntilIdle();
    assert.deepStrictEqual(got.map((e) => [e.cpu, e.lisn, e.priority]), [[1, 1, 6]]);
    assert.ok(Number(got[0].hwIrq) >= 16, `a HW IPI number: ${got[0].hwIrq}`);
  });

  it('stats(): the device was created once, one HW IPI per claimed source, ESB accesses are direct', () => {
    const s = m.host.stats();
    assert.strictEqual(s.deviceCreations, 1);
    assert.strictEqual(s.deviceDestructions, 0);
    assert.strictEqual(s.ipisAllocated, 9);
    const direct = s.directAccesses;
    const vmm = s.exits.mmio;
    m.load(0, mgmt(0) + 0x800n, 8);
    assert.strictEqual(m.host.stats().directAccesses, direct + 1);
    assert.strictEqual(m.host.stats().exits.mmio, vmm);
  });

  it('layout(): two device VMAs and two memory slots, the limits, no failure', () => {
    const l = m.host.layout();
    assert.strictEqual(l.mapping, 'window');
    assert.strictEqual(l.vmas, 2);
    assert.strictEqual(l.memslots, 2);
    assert.deepStrictEqual(l.limits, { memSlots: 32767, maxMapCount: 65530 });
    assert.strictEqual(l.failuresTotal, 0);
  });

  it('raw attributes: SOURCE has every number below 2^20, a set past it is E2BIG', () => {
    assert.deepStrictEqual(m.host.xive.hasAttr('SOURCE', 0x1000), { ret: 0, errno: null });
    assert.deepStrictEqual(m.host.xive.hasAttr(2, (1 << 20) - 1), { ret: 0, errno: null });
    assert.strictEqual(m.host.xive.setAttr('SOURCE', 1 << 20, 0).errno, 'E2BIG');
    assert.strictEqual(m.host.xive.setAttr('SOURCE', 1 << 20, 0).ret, -7);
  });

  it('raw attributes: an unknown group is ENXIO, a missing value is EFAULT, and the machine goes on', () => {
    assert.strictEqual(m.host.xive.hasAttr(99, 0).errno, 'ENXIO');
    assert.strictEqual(m.host.xive.setAttr('NO_SUCH_GROUP', 0, 0).errno, 'ENXIO');
    assert.strictEqual(m.host.xive.setAttr('SOURCE', 0x1000).errno, 'EFAULT');
    m.boot();
    m.guest.ipi(0, 1);
    m.runUntilIdle();
    assert.strictEqual(m.guest.stats()[1].ipis, 1);
  });

  it("raw attributes are 'kvm' events and counted per group", () => {
    /** @type {MachineEvent[]} */
    const seen = [];
    m.on('kvm', (e) => seen.push(e));
    const before = m.host.devices()[0].attributes.SOURCE;
    m.host.xive.setAttr('SOURCE', 0x1500, 0);
    assert.strictEqual(seen.length, 1);
    assert.strictEqual(seen[0].name, 'set_attr');
    assert.strictEqual(seen[0].groupName, 'SOURCE');
    assert.strictEqual(m.host.devices()[0].attributes.SOURCE, before + 1);
  });

  it('there is no XICS device: its calls are EBADF', () => {
    assert.strictEqual(m.host.xics.present, false);
    assert.deepStrictEqual(m.host.xics.hasAttr('SOURCES', 0x1000), { ret: -9, errno: 'EBADF' });
  });
});

describe('m.host with the in-kernel XICS', () => {
  it('one XICS-on-XIVE device; its SOURCES group has the ICS numbers', () => {
    const m = pseries.machine({ cpus: 2, icMode: 'xics', kernelIrqchip: 'on' });
    assert.deepStrictEqual(m.host.devices().map((d) => d.type), ['xics']);
    assert.strictEqual(m.host.xics.present, true);
    assert.deepStrictEqual(m.host.xics.hasAttr('SOURCES', 0x1000), { ret: 0, errno: null });
    assert.strictEqual(m.host.xive.present, false);
  });
});

describe('m.host with the emulated controllers', () => {
  it('no device, no device mapping, every attribute call EBADF', () => {
    const m = pseries.machine({ cpus: 1, icMode: 'xive', kernelIrqchip: 'off' });
    assert.deepStrictEqual(m.host.devices(), []);
    assert.strictEqual(m.host.layout().vmas, 0);
    assert.strictEqual(m.host.xive.getAttr('SOURCE', 0x1000).errno, 'EBADF');
  });
});

describe('the per-source layout', () => {
  it('one VMA and one memory slot per claimed source', () => {
    const m = pseries.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'on', devices: [], host: { esbMapping: 'per-source' } });
    const l = m.host.layout();
    // 9 sources (2 IPIs, EPOW, hot-plug, the NVRAM, 4 PHB LSIs) + the TIMA
    assert.strictEqual(l.vmas, 10);
    assert.strictEqual(l.memslots, 10);
    assert.strictEqual(l.mapping, 'per-source');
  });

  it("past KVM_USER_MEM_SLOTS the kernel's EINVAL stops it: fatal with kernelIrqchip 'on', a fallback with 'allowed'", () => {
    const host = { esbMapping: /** @type {'per-source'} */ ('per-source'), memSlots: 6 };
    assert.throws(() => pseries.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'on', devices: [], host }),
      /kernel_irqchip requested but unavailable: kvm_set_phys_mem: error registering slot: Invalid argument/);
    const m = pseries.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'allowed', devices: [], host });
    const f = m.host.layout().failures[0];
    assert.strictEqual(f.call, 'KVM_SET_USER_MEMORY_REGION');
    assert.strictEqual(f.errno, 'EINVAL');
    assert.strictEqual(f.limit, 'KVM_USER_MEM_SLOTS');
    assert.strictEqual(f.limitValue, 6);
    // the connect was undone: no device, no device mapping
    assert.strictEqual(m.host.layout().vmas, 0);
  });

  it('past vm.max_map_count mmap fails with ENOMEM', () => {
    const host = { esbMapping: /** @type {'per-source'} */ ('per-source'), maxMapCount: 4 };
    const m = pseries.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'allowed', devices: [], host });
    const f = m.host.layout().failures[0];
    assert.strictEqual(f.call, 'mmap');
    assert.strictEqual(f.errno, 'ENOMEM');
    assert.strictEqual(f.limit, 'vm.max_map_count');
  });
});

describe('pseries.layout', () => {
  it('window: 2 VMAs and 2 slots for 4096 sources, no VMM exit on the IPI hot path', () => {
    const r = pseries.layout({ cpus: 2, sources: 4096, mapping: 'window' });
    assert.strictEqual(r.vmas, 2);
    assert.strictEqual(r.memslots, 2);
    assert.strictEqual(r.ipis, 2);
    assert.strictEqual(r.vmmExitsPerIpi, 0);
  });

  it('emulated: every IPI costs VMM exits', () => {
    const r = pseries.layout({ cpus: 2, sources: 16, kernelIrqchip: 'off' });
    assert.strictEqual(r.vmas, 0);
    assert.ok(r.vmmExitsPerIpi !== null && r.vmmExitsPerIpi >= 3, String(r.vmmExitsPerIpi));
  });

  it('an unknown option is an error naming it', () => {
    assert.throws(() => pseries.layout(/** @type {any} */ ({ cpu: 2 })), /unknown layout option 'cpu' \(did you mean 'cpus'\?\)/);
  });
});
