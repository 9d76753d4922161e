// @ts-check
// The guest model boots like Linux 6.1 on QEMU 7.2 (reference/linux-boot): in the reference
// configuration (vty, the machine's NVRAM, l-lan, virtio-net with MSI-X, a bridge with a
// virtio-blk on INTx behind it) the kernel numbers follow the order Linux maps interrupts in
// (IPI 16; the PHB's INTx lines at PCI probe; EPOW; the VIO bus; hot-plug; the MSIs), and what
// the drivers request is dealt round-robin over the vCPUs in XIVE mode, all on CPU 0 in XICS.

/** @type {DeviceOptions[]} */
const devices = [
  { type: 'spapr-vty' }, { type: 'spapr-vlan' }, { type: 'virtio-net-pci' },
  { type: 'pci-bridge', id: 'br0' }, { type: 'virtio-blk-pci', bus: 'br0', addr: 3, vectors: 0 },
];

/** hwirq, kernel number and name of every started interrupt, with the CPU given per mode. */
const started = (/** @type {number[]} */ cpus) => [
  [0x1200, 17, 'virtio1'], [0x1000, 19, 'RAS_EPOW'], [0x1100, 20, 'hvc_console'],
  [0x1102, 22, 'ibmveth l-lan@71000002'], [0x1001, 23, 'RAS_HOTPLUG'], [0x1300, 24, 'virtio0-config'],
  [0x1301, 25, 'virtio0-input.0'], [0x1302, 26, 'virtio0-output.0'],
].map(([hwirq, virq, name], i) => `${hwirq.toString(16)} virq ${virq} ${name} cpu ${cpus[i]}`);

describe('boot order of the reference configuration', () => {
  it('XIVE: kernel numbers in map order, targets round-robin in request order, EISN = kernel number', () => {
    const m = pseries.machine({ cpus: 4, icMode: 'xive', devices });
    /** @type {string[]} */
    const configs = [];
    m.on('hcall', (e) => {
      if (e.name === 'H_INT_SET_SOURCE_CONFIG') {
        const a = /** @type {number[]} */ (e.args);
        configs.push(`${a[1].toString(16)}>${a[2]} eisn ${a[4]}`);
      }
    });
    const boot = m.boot();
    assert.deepStrictEqual(boot.irqs.map((i) => `${i.hwirq.toString(16)} virq ${i.virq} ${i.name} cpu ${i.cpu}`),
      started([2, 0, 2, 3, 1, 3, 0, 1]));
    assert.deepStrictEqual(configs, ['0>0 eisn 16', '1>1 eisn 16', '2>2 eisn 16', '3>3 eisn 16',
      '1000>0 eisn 19', '1001>1 eisn 23', '1100>2 eisn 20', '1300>3 eisn 24', '1301>0 eisn 25',
      '1302>1 eisn 26', '1200>2 eisn 17', '1102>3 eisn 22']);
  });

  it('XICS: the same kernel numbers, every device on CPU 0', () => {
    const m = pseries.machine({ cpus: 4, icMode: 'xics', devices });
    const boot = m.boot();
    assert.deepStrictEqual(boot.irqs.map((i) => `${i.hwirq.toString(16)} virq ${i.virq} ${i.name} cpu ${i.cpu}`),
      started([0, 0, 0, 0, 0, 0, 0, 0]));
  });
});
