// @ts-check
// pseries.migrate(src, { dst }): the source stops and streams, the destination (new or given)
// loads the stream and runs; between kernelIrqchip 'on' and 'off' both ways. Snapshots of a
// machine whose controller is in the simulated kernel carry the host/kvm section.

const TIMA_OS = 0x0006_0302_0318_0000n + 0x20000n;
const ESB = 0x0006_0100_0000_0000n;
const QPAGE = 0x0100_0000n;

/** @typedef {'off' | 'on'} Kernel */

/**
 * A XICS machine with an IPI presented on vCPU 1 and not yet accepted.
 * @param {Kernel} kernelIrqchip
 */
function xicsAtPoint(kernelIrqchip) {
  const m = pseries.machine({ cpus: 2, icMode: 'xics', kernelIrqchip });
  m.hcall(1, 'H_CPPR', 0xff);
  m.hcall(0, 'H_IPI', 1, 5);
  m.run({ ns: 100 });
  return m;
}

/**
 * A XIVE machine (after CAS) with IPI 0 routed to vCPU 0 at priority 5 and presented there.
 * @param {Kernel} kernelIrqchip
 */
function xiveAtPoint(kernelIrqchip) {
  const m = pseries.machine({ cpus: 2, icMode: 'xive', kernelIrqchip });
  m.cas({ xive: 'exploitation' });
  assert.strictEqual(m.hcall(0, 'H_INT_SET_QUEUE_CONFIG', 1, 0, 5, QPAGE, 16).rc, 0);
  assert.strictEqual(m.hcall(0, 'H_INT_SET_SOURCE_CONFIG', 2, 0, 0, 5, 0x42).rc, 0);
  m.store(0, TIMA_OS + 0x11n, 1, 0xff);
  m.load(0, ESB + 0x10000n + 0xc00n, 8);
  m.store(0, ESB, 8, 0);
  m.runUntilIdle();
  return m;
}

describe('pseries.migrate', () => {
  it('moves the machine: the destination continues, the source is stopped', () => {
    const a = xicsAtPoint('off');
    const pic = a.pic();
    const b = pseries.migrate(a);
    assert.strictEqual(a.running, false);
    assert.strictEqual(b.running, true);
    assert.deepStrictEqual(b.pic(), pic);
    assert.throws(() => a.hcall(1, 'H_XIRR'), /the machine is stopped \(it was migrated away with pseries.migrate/);
    assert.throws(() => a.runUntilIdle(), /stopped/);
    const x = b.hcall(1, 'H_XIRR');
    assert.strictEqual(Number(BigInt.asUintN(32, BigInt(x.ret[0]))), 0xff000002, 'the IPI, presented at CPPR 0xFF');
  });

  for (const [from, to] of /** @type {[Kernel, Kernel][]} */ ([['on', 'off'], ['off', 'on']])) {
    it(`XICS: kernelIrqchip '${from}' to '${to}' keeps what the guest sees`, () => {
      const a = xicsAtPoint(from);
      const pic = a.pic();
      const b = pseries.migrate(a, { kernelIrqchip: to });
      assert.strictEqual(b.host.devices().length, to === 'on' ? 1 : 0);
      assert.deepStrictEqual(b.pic(), pic);
      assert.strictEqual(Number(BigInt.asUintN(24, BigInt(b.hcall(1, 'H_XIRR').ret[0]))), 2);
    });

    it(`XIVE: kernelIrqchip '${from}' to '${to}' keeps the queue, the PQs and the presented event`, () => {
      const a = xiveAtPoint(from);
      const before = /** @type {XivePic} */ (a.pic());
      const b = pseries.migrate(a, { kernelIrqchip: to });
      const after = /** @type {XivePic} */ (b.pic());
      assert.deepStrictEqual(after.queues, before.queues);
      assert.deepStrictEqual(after.sources, before.sources);
      assert.strictEqual(Number(b.load(0, TIMA_OS + 0x810n, 2)), 0x8005, 'ACK: signalled, priority 5');
      assert.strictEqual(b.mem.read32(QPAGE) & 0x7fffffff, 0x42, 'the queue entry came with the RAM');
    });
  }

  it('into a given machine of the same configuration, which it returns', () => {
    const a = xicsAtPoint('on');
    const dst = pseries.machine({ cpus: 2, icMode: 'xics', kernelIrqchip: 'off' });
    const b = pseries.migrate(a, { dst });
    assert.strictEqual(b, dst);
    assert.strictEqual(Number(BigInt.asUintN(24, BigInt(dst.hcall(1, 'H_XIRR').ret[0]))), 2);
  });

  it('a destination that refuses the stream leaves the source running, unchanged', () => {
    const a = xicsAtPoint('on');
    const pic = a.pic();
    const four = pseries.machine({ cpus: 4, icMode: 'xics' });
    assert.throws(() => pseries.migrate(a, { dst: four }), /snapshot section 'config': foreign stream: it was taken from a machine with cpus 2, this machine has 4/);
    assert.strictEqual(a.running, true);
    assert.deepStrictEqual(a.pic(), pic);
  });

  it('bad arguments are refused with what was wrong', () => {
    const a = xicsAtPoint('off');
    assert.throws(() => pseries.migrate(/** @type {any} */ ({})), /pseries.migrate: the source must be a machine/);
    assert.throws(() => pseries.migrate(a, /** @type {any} */ ({ to: a })), /unknown option 'to' \(options: dst, kernelIrqchip\)/);
    assert.throws(() => pseries.migrate(a, { dst: a }), /dst is the source machine itself/);
    assert.throws(() => pseries.migrate(a, /** @type {any} */ ({ kernelIrqchip: 'split' })), /kernelIrqchip must be 'off', 'on' or 'allowed'/);
    assert.strictEqual(a.running, true);
  });
});

describe('snapshots with the controller in the kernel', () => {
  it('carry host/kvm: the device, its two mappings and the pages faulted', () => {
    const m = xiveAtPoint('on');
    const b = pseries.restore(m.snapshot());
    const esb = b.host.vmas().find((v) => v.name === 'xive.esb-kvm');
    const esb0 = m.host.vmas().find((v) => v.name === 'xive.esb-kvm');
    assert.ok(esb && esb0);
    assert.strictEqual(esb.pagesMapped, esb0.pagesMapped, 'the faulted pages are faulted in again');
    assert.strictEqual(b.host.devices()[0].name, 'kvm-xive-native');
    assert.deepStrictEqual(b.pic(), m.pic());
  });
});

describe('pseries.migrate with a pass-through NIC', () => {
  const NIC = '0000:01:00.0';
  const newHost = () => pseries.host({ pci: [{ addr: NIC, msix: 8, intx: true }] });
  /**
   * A booted XIVE guest with the host's NIC passed through; it moves each pass-through vector to
   * the other CPU and back, which writes its EISN again (as in passthrough.test.js).
   * @param {PhysicalHost} h @param {Kernel} kernelIrqchip
   */
  const booted = (h, kernelIrqchip) => {
    const m = h.machine({ cpus: 2, icMode: 'xive', kernelIrqchip, devices: [{ type: 'vfio-pci', host: NIC }] });
    const boot = m.boot();
    const v = /** @type {VfioInfo} */ (m.host.vfio(NIC));
    for (const i of boot.irqs) {
      if (v.guestIrqs.includes(i.hwirq)) { m.guest.setAffinity(i.hwirq, 1 - i.cpu); m.guest.setAffinity(i.hwirq, i.cpu); }
    }
    m.runUntilIdle();
    return m;
  };
  /** Interrupts the guest took on each of the three vectors its NIC driver started. @param {Machine} m */
  const taken = (m) => /** @type {VfioInfo} */ (m.host.vfio(NIC)).guestIrqs.slice(0, 3)
    .map((irq) => m.guest.stats().reduce((a, s) => a + (s.irqs[String(irq)] ?? 0), 0));

  for (const [from, to] of /** @type {[Kernel, Kernel][]} */ ([['on', 'on'], ['on', 'off'], ['off', 'on']])) {
    it(`kernelIrqchip '${from}' to '${to}' mid device-interrupt storm: each burst of k in flight gives min(k, 2), the links are made again where the kernel serves the guest`, () => {
      const h1 = newHost();
      const a = booted(h1, from);
      assert.strictEqual(a.host.links().length, from === 'on' ? 3 : 0);
      for (let round = 0; round < 6; round++) {
        h1.pci(NIC).fire(round % 3);
        h1.pci(NIC).fire(round % 3);
        a.runUntilIdle();
      }
      const before = taken(a);
      const burst = [3, 1, 2];
      burst.forEach((k, v) => { for (let i = 0; i < k; i++) { h1.pci(NIC).fire(v); } });
      const h2 = newHost();
      const dst = h2.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: to, devices: [{ type: 'vfio-pci', host: NIC }] });
      const b = pseries.migrate(a, { dst });
      assert.strictEqual(a.running, false);
      assert.strictEqual(h2.pci(NIC).info().owner, 'qemu-vm0', 'the destination holds the other host\'s NIC');
      const links = b.host.links();
      assert.strictEqual(links.length, to === 'on' ? 3 : 0);
      assert.ok(links.every((l) => l.state === 'bypass'), JSON.stringify(links));
      b.runUntilIdle();
      assert.deepStrictEqual(taken(b), before.map((n, v) => n + Math.min(burst[v], 2)), 'nothing lost, nothing duplicated');
      const relays = b.host.stats().passthrough.vmmRelays;
      for (let v = 0; v < 3; v++) { h2.pci(NIC).fire(v); b.runUntilIdle(); }
      assert.deepStrictEqual(taken(b), before.map((n, v) => n + Math.min(burst[v], 2) + 1), 'the destination\'s NIC reaches the guest');
      assert.strictEqual(b.host.stats().passthrough.vmmRelays - relays, to === 'on' ? 0 : 3, 'linked: no VMM relay; emulated: one per MSI');
    });
  }
});

describe('pseries.migrate between two VMs of one host', () => {
  it('the source stays on the host, stopped; the destination takes over; the stopped guest sends nothing', () => {
    const host = pseries.host({});
    const a = host.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'on' });
    a.boot();
    a.guest.ipis([0, 1, 1, 0], { repeat: 2 });
    const dst = host.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'on' });
    const b = pseries.migrate(a, { dst });
    assert.strictEqual(b, dst);
    assert.strictEqual(a.running, false);
    assert.strictEqual(b.running, true);
    b.guest.ipis([0, 1], { repeat: 3 });
    assert.deepStrictEqual(b.guest.stats().map((s) => s.ipis), [2, 5], 'the counts came with the guest');
    assert.throws(() => a.guest.ipi(0, 1), /m.guest.ipi: the machine is stopped \(it was migrated away with pseries.migrate/);
    assert.deepStrictEqual(a.guest.stats().map((s) => s.ipis), [2, 2]);
  });
});
