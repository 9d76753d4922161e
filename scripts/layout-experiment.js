// @ts-check
// Layout experiment: what the XIVE layout costs as vCPUs and devices grow, next to XICS.
//
//   ./pseries run scripts/layout-experiment.js [cpus,cpus,...]     (default 1,4,16,64,256)
//
// For each vCPU count and two device sets (a small VIO-only machine and one with PCI devices
// whose MSI-X vectors the guest allocates at boot), it boots the Linux-like guest in XIVE mode
// and in XICS mode and prints:
//   XIVE  claimed sources (IPIs + device sources), the ESB pages they occupy (2 x 64 KiB each:
//         trigger + management) and how many of those the guest maps (LSIs are reached only
//         through H_INT_ESB), the END count (8 per vCPU) and the event queues the guest
//         configured (one 64 KiB queue per vCPU at priority 6) with the guest RAM they take,
//         the ESB and END-ESB MMIO windows and the TIMA pages;
//   XICS  ICS sources (device interrupts only: IPIs go through each ICP's MFRR) and ICPs (one
//         per vCPU); no MMIO and no guest memory: everything is hcalls and RTAS.
// Sources: m.pic() (claimed sources, valid queues), m.xive.layout (windows, END count),
// m.info() (MSIs the guest allocated), the boot report (what the guest started).
// It exits non-zero if the counts do not add up (IPIs = vCPUs, ENDs = 8 x vCPUs, one queue per
// vCPU, XICS sources = XIVE device sources, one ICP per vCPU).

/**
 * @param {unknown} cond
 * @param {string} msg
 * @returns {asserts cond}
 */
function check(cond, msg) {
  if (!cond) { throw new Error(`check failed: ${msg}`); }
}

/** @param {number} n bytes */
function size(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  while (n >= 1024 && n % 1024 === 0 && u < units.length - 1) { n /= 1024; u++; }
  return `${n} ${units[u]}`;
}

const CPUS = (pseries.args[0] ?? '1,4,16,64,256').split(',').map(Number);
if (!CPUS.every((c) => Number.isInteger(c) && c >= 1 && c <= 4096)) {
  throw new Error(`usage: layout-experiment.js [cpus,cpus,...] (each 1..4096), got ${pseries.args[0]}`);
}

/** @type {Record<string, DeviceOptions[]>} */
const DEVICE_SETS = {
  'vty+vlan': [{ type: 'spapr-vty' }, { type: 'spapr-vlan' }],
  'vio+pci': [
    { type: 'spapr-vty' }, { type: 'spapr-vlan' }, { type: 'spapr-vlan' },
    { type: 'virtio-net-pci' }, { type: 'virtio-net-pci' }, { type: 'virtio-net-pci', vectors: 9 },
    { type: 'pci-bridge', id: 'br0' }, { type: 'virtio-blk-pci', bus: 'br0' }, { type: 'virtio-blk-pci', bus: 'br0' },
  ],
};

const ESB_PAGE = 64 * 1024;

/** @type {Array<Record<string, string | number>>} */
const xiveRows = [];
/** @type {Array<Record<string, string | number>>} */
const xicsRows = [];
let timaText = '';
let endEsbBase = 0;

for (const cpus of CPUS) {
  for (const [set, devices] of Object.entries(DEVICE_SETS)) {
    const what = `${cpus} vCPUs, ${set}`;

    // ---- XIVE
    const m = pseries.machine({ cpus, icMode: 'xive', devices });
    const boot = m.boot();
    const pic = m.pic();
    check(pic.mode === 'xive', `${what}: XIVE`);
    const layout = /** @type {XiveInternals} */ (m.xive).layout; // an icMode xive machine has it
    endEsbBase = layout.endEsbBase;
    const ipis = pic.sources.filter((s) => s.lisn < cpus).length;
    const deviceSources = pic.sources.length - ipis;
    const lsis = pic.sources.filter((s) => s.type === 'LSI').length;
    const startedMsis = boot.irqs.filter((i) => i.type === 'MSI').length;
    const msis = m.info().devices.flatMap((d) => d.pci ?? []).reduce((n, f) => n + f.msiCount, 0);
    const queueBytes = pic.queues.reduce((n, q) => n + 2 ** q.qsize, 0);
    const esbWindow = layout.nrIrqs * 2 ** layout.esbShift;
    const endEsbWindow = layout.nrEnds * 2 * ESB_PAGE;
    // the XIVE node: IPIs are LISNs 0..N-1; the TIMA's user and OS pages
    const node = m.dt('/interrupt-controller@60302031b0000');
    const lisnRanges = node.props['ibm,xive-lisn-ranges'];
    check(Array.isArray(lisnRanges) && lisnRanges[0] === 0 && lisnRanges[1] === cpus, `${what}: ibm,xive-lisn-ranges ${lisnRanges}`);
    timaText = `TIMA: 4 pages of 64 KiB at 0x${layout.timaBase.toString(16)} (HW, HV, OS, user) = ${size(4 * ESB_PAGE)}, whatever the\n` +
      `vCPU count: each vCPU sees its own thread context through the same pages. The guest gets the user\n` +
      `and OS pages in the tree and uses only the OS page (0x${layout.timaOsPage.toString(16)}).`;

    xiveRows.push({
      vCPUs: cpus, devices: set,
      sources: pic.sources.length, IPIs: ipis, 'dev srcs': deviceSources,
      started: boot.irqs.length,
      'ESB pages': 2 * pic.sources.length,
      'guest-mapped': 2 * (ipis + startedMsis),
      ENDs: layout.nrEnds,
      queues: pic.queues.length,
      'queue RAM': size(queueBytes),
      'ESB window': size(esbWindow),
      'END ESB window': size(endEsbWindow),
    });

    check(ipis === cpus, `${what}: ${ipis} IPI sources`);
    // the machine's own spapr-nvram is the one VIO device not in the list
    check(deviceSources === 2 + devices.filter((d) => d.type.startsWith('spapr-')).length + 1 + 4 + msis,
      `${what}: device sources ${deviceSources} = 2 event sources + VIO + the NVRAM + 4 PHB LSIs + ${msis} MSIs`);
    check(lsis === 4, `${what}: the host bridge's 4 LSIs`);
    check(layout.nrEnds === 8 * cpus, `${what}: ${layout.nrEnds} ENDs`);
    check(pic.queues.length === cpus && pic.queues.every((q) => q.priority === 6 && q.qsize === 16),
      `${what}: one 64 KiB queue at priority 6 per vCPU`);
    check(pic.sources.length <= layout.nrIrqs, `${what}: sources fit the ESB window`);

    // ---- XICS, the same topology
    const x = pseries.machine({ cpus, icMode: 'xics', devices });
    const xboot = x.boot();
    const xpic = x.pic();
    check(xpic.mode === 'xics', `${what}: XICS`);
    const servers = x.dt('/interrupt-controller').props['ibm,interrupt-server-ranges'];
    xicsRows.push({
      vCPUs: cpus, devices: set,
      'ICS sources': xpic.sources.length,
      started: xboot.irqs.length,
      ICPs: xpic.icps.length,
      'server ranges': Array.isArray(servers) ? `<${servers.join(' ')}>` : '?',
      'guest RAM': '0 B',
      MMIO: 'none (hcalls, RTAS)',
    });
    check(xpic.sources.length === deviceSources, `${what}: XICS sources ${xpic.sources.length}, XIVE device sources ${deviceSources}`);
    check(xpic.icps.length === cpus, `${what}: ${xpic.icps.length} ICPs`);
    check(xboot.irqs.length === boot.irqs.length, `${what}: the guest starts the same interrupts in both modes`);
  }
}

console.log('XIVE layout (icMode xive, Linux-like guest booted):');
console.table(xiveRows);
console.log(`sources: claimed LISNs (IPIs 0..N-1, then EPOW/hot-plug, VIO, PHB LSIs, the MSIs the guest allocated);
ESB pages: 2 x 64 KiB per claimed source at 0x6010000000000 + (LISN << 17); guest-mapped: the pages
of the IPIs and the MSIs the guest started (LSIs have none: flags 0xc, use H_INT_ESB);
ENDs: 8 per vCPU ((vcpu << 3) + priority); queues: the ENDs the guest gave a queue (priority 6);
ESB window: the whole LISN space (nrIrqs x 128 KiB); END ESB window: nrEnds x 128 KiB from
0x${endEsbBase.toString(16)} (the pages H_INT_GET_QUEUE_INFO returns; QEMU maps them disabled, the model not at all).
${timaText}
`);
console.log('XICS layout (icMode xics, the same topology):');
console.table(xicsRows);
console.log(`ICS sources: the device interrupts (0x1000 and up); IPIs are not ICS sources but each ICP's MFRR
(hwirq 2). State per vCPU: one ICP (XIRR, MFRR, pending priority); per source: server, priority,
status. The guest never maps anything for XICS; the price is an hcall per ACK, EOI and IPI.`);
console.log('\nlayout experiment: the counts add up');
