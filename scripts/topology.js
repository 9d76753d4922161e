// @ts-check
// Topology: which interrupt numbers a machine's devices get, where the device tree says so,
// and where the guest routes each one.
//
//   ./pseries run scripts/topology.js
//
// The machine is the one QEMU 7.2 was observed with (see ../shared/reference/qemu-observed.md):
// a spapr-vty and a spapr-vlan on the VIO bus, a virtio-net-pci (MSI-X) on the PCI host bridge,
// and a virtio-blk-pci (INTx only) at 01:03.0 behind a pci-bridge. It prints
//   1. the interrupt numbers m.info() reports for each device;
//   2. the device-tree nodes that carry them (m.dt()): VIO and event-source `interrupts`, and
//      for PCI functions the INTx pin resolved here, by hand, through the bridge swizzle and the
//      host bridge's interrupt-map, as a guest's OF code would;
//   3. after m.boot(), where each interrupt was routed: in XIVE mode (the vCPU, priority and END
//      the guest chose) and, after a reset, in XICS mode (server and priority) on the same
//      dual-mode machine.
// It exits non-zero if any of these disagree with each other or with what QEMU was seen doing.

const DEVICES = /** @type {DeviceOptions[]} */ ([
  { type: 'spapr-vty' },
  { type: 'spapr-vlan' },
  { type: 'virtio-net-pci', id: 'net0' },
  { type: 'pci-bridge', id: 'br0' },
  { type: 'virtio-blk-pci', id: 'blk0', bus: 'br0', addr: 3 },
]);

/**
 * @param {unknown} cond
 * @param {string} msg
 * @returns {asserts cond}
 */
function check(cond, msg) {
  if (!cond) { throw new Error(`check failed: ${msg}`); }
}

/** @param {number | bigint} n */
const hex = (n) => `0x${n.toString(16)}`;

const m = pseries.machine({ cpus: 4, icMode: 'dual', devices: DEVICES, seed: 1 });

// ------------------------------------------------------------------ 1. m.info()

console.log(`== 1. interrupt numbers (m.info()), ${m.cpus} vCPUs, icMode ${m.info().icMode}, active ${m.icMode} before CAS`);
const info = m.info();
/** @type {Array<Record<string, string>>} */
const rows = [];
for (const d of info.devices) {
  rows.push({ device: d.name, type: d.type, address: d.reg !== undefined ? `reg ${hex(d.reg)}` : (d.buid !== undefined ? `buid ${hex(d.buid)}` : ''),
    irqs: d.irqs.map(hex).join(' ') });
  for (const f of d.pci ?? []) {
    rows.push({ device: `  ${f.name}`, type: f.type, address: f.pci,
      irqs: `INTx ${f.intx === null ? '-' : hex(f.intx)}` + (f.msixEntries ? `, ${f.msixEntries} MSI-X entries` : '') +
        (f.msiVectors ? `, ${f.msiVectors} MSI vector` : '') });
  }
}
console.table(rows);

const vio = info.devices.filter((d) => d.reg !== undefined);
for (const d of vio) {
  // QEMU's VIO rule: the interrupt is 0x1100 | (reg & 0xff)
  check(d.irqs.length === 1 && d.irqs[0] === (0x1100 | (/** @type {number} */ (d.reg) & 0xff)), `${d.name}: VIO irq ${d.irqs}`);
}
const phb = info.devices.find((d) => d.type === 'spapr-pci-host-bridge');
check(phb !== undefined && phb.pci !== undefined, 'a PCI host bridge with its functions');
check(phb.irqs.join() === [0x1200, 0x1201, 0x1202, 0x1203].join(), `PHB LSIs ${phb.irqs.map(hex)}`);
const pciFns = phb.pci;

// ------------------------------------------------------------------ 2. m.dt()

console.log('\n== 2. the device-tree nodes that carry them (m.dt())');
const root = m.dt();

/**
 * Every node of the tree, depth first.
 * @param {DtNode} n
 * @returns {DtNode[]}
 */
function nodes(n) {
  return [n, ...Object.values(n.children).flatMap(nodes)];
}
/** @param {DtNode} n @param {string} name */
function cells(n, name) {
  const v = n.props[name];
  check(Array.isArray(v) && v.every((x) => typeof x === 'number'), `${n.path}: ${name} is a list of cells`);
  return /** @type {number[]} */ (v);
}
/** @param {number[]} c */
const fmt = (c) => `<${c.map(hex).join(' ')}>`;

// the interrupt controller the tree points at (phandle 0x1111), and how many cells it takes
const all = nodes(root);
const intc = all.find((n) => Array.isArray(n.props.phandle) && n.props.phandle[0] === 0x1111);
check(intc !== undefined, 'a node with phandle 0x1111');
const parentCells = cells(intc, '#interrupt-cells')[0];
console.log(`${intc.path}: ${intc.props.compatible}, #interrupt-cells = ${parentCells}` +
  ('ibm,interrupt-server-ranges' in intc.props ? `, ibm,interrupt-server-ranges = ${fmt(cells(intc, 'ibm,interrupt-server-ranges'))}` : ''));
const evs = root.children['event-sources'];
console.log(`/event-sources: interrupt-ranges = ${fmt(cells(evs, 'interrupt-ranges'))}`);

// the PCI host bridge's interrupt-map: (phys.hi & mask, pin) -> parent interrupt
const phbNode = root.children[phb.name];
const mapMask = cells(phbNode, 'interrupt-map-mask');
const map = cells(phbNode, 'interrupt-map');
const entry = 3 + 1 + 1 + parentCells; // child address, child pin, parent phandle, parent specifier
check(map.length % entry === 0, `interrupt-map of ${map.length} cells in entries of ${entry}`);
/** @param {number} physHi @param {number} pin */
function lookUp(physHi, pin) {
  for (let i = 0; i < map.length; i += entry) {
    if (map[i] === ((physHi & mapMask[0]) >>> 0) && map[i + 3] === (pin & mapMask[3])) { return map[i + 5]; }
  }
  return null;
}
/**
 * What a function's INTx pin reaches: swizzled by slot at each PCI-to-PCI bridge on the way up
 * (pin' = (pin - 1 + slot) % 4 + 1), then looked up in the host bridge's interrupt-map.
 * @param {DtNode[]} chain the nodes from the host bridge's child down to the function
 */
function resolveIntx(chain) {
  let pin = cells(chain[chain.length - 1], 'interrupts')[0];
  for (let i = chain.length - 1; i > 0; i--) {
    const slot = (cells(chain[i], 'reg')[0] >> 11) & 0x1f;
    pin = ((pin - 1 + slot) % 4) + 1;
  }
  return lookUp(cells(chain[0], 'reg')[0], pin);
}

/** @type {Array<Record<string, string>>} */
const dtRows = [];
/** @param {DtNode} n @param {DtNode[]} chain */
function walkPci(n, chain) {
  for (const c of Object.values(n.children)) {
    const path = [...chain, c];
    const loc = String(c.props['ibm,loc-code'] ?? '');
    const fn = pciFns.find((f) => loc.endsWith(`${f.type}:${f.pci}`));
    check(fn !== undefined, `${c.path}: a function of m.info() for loc-code ${loc}`);
    const irq = resolveIntx(path);
    check(irq === fn.intx, `${c.path}: interrupt-map gives ${irq}, m.info() says ${fn.intx}`);
    const msi = 'ibm,req#msi-x' in c.props ? `ibm,req#msi-x = ${fmt(cells(c, 'ibm,req#msi-x'))}` :
      'ibm,req#msi' in c.props ? `ibm,req#msi = ${fmt(cells(c, 'ibm,req#msi'))}` : '';
    dtRows.push({ node: c.path, props: `interrupts = ${fmt(cells(c, 'interrupts'))} (INT${'?ABCD'[cells(c, 'interrupts')[0]]})` + (msi ? `, ${msi}` : ''),
      irq: `${hex(/** @type {number} */ (irq))} via interrupt-map` });
    walkPci(c, path);
  }
}
for (const n of all) {
  if (n.path.startsWith(phbNode.path + '/') || !('interrupts' in n.props)) { continue; }
  const c = cells(n, 'interrupts');
  dtRows.push({ node: n.path, props: `interrupts = ${fmt(c)}`, irq: hex(c[0]) });
  // VIO nodes are named by reg: the interrupt must be the one m.info() gave the device
  const dev = info.devices.find((d) => n.path === `/vdevice/${d.name}`);
  if (dev) { check(dev.irqs[0] === c[0], `${n.path}: interrupts ${fmt(c)}, m.info() ${dev.irqs}`); }
}
walkPci(phbNode, []);
console.table(dtRows);
const blk = pciFns.find((f) => f.type === 'virtio-blk-pci');
check(blk !== undefined && blk.pci === '0000:01:03.0' && blk.intx === 0x1200,
  'virtio-blk at 01:03.0 behind the bridge lands on LSI 0x1200, as on QEMU');

// ------------------------------------------------------------------ 3. m.boot()

console.log('\n== 3. where the guest routed each interrupt');
const xive = m.boot({ xive: 'both' });
check(xive.mode === 'xive', `dual mode, guest offering both: XIVE, got ${xive.mode}`);
const xivePic = m.pic();
check(xivePic.mode === 'xive', 'XIVE pic');
const net = m.info().devices.flatMap((d) => d.pci ?? []).find((f) => f.type === 'virtio-net-pci');
check(net !== undefined && net.msiFirst === 0x1300 && net.msiCount === 4,
  `virtio-net got MSIs ${net && net.msiFirst}+${net && net.msiCount} from ibm,change-msi`);
console.log(`ibm,change-msi gave virtio-net ${net.msiCount} MSIs from ${hex(/** @type {number} */ (net.msiFirst))} ` +
  `(the guest starts ${xive.irqs.filter((i) => i.name.startsWith('virtio0')).length} of them)`);

// the same machine, reset (back to XICS, pre-CAS) and booted by a guest with xive=off
m.reset();
const xics = m.boot({ xive: 'legacy' });
check(xics.mode === 'xics', `dual mode, xive=off guest: XICS, got ${xics.mode}`);
const xicsPic = m.pic();
check(xicsPic.mode === 'xics', 'XICS pic');

/** @type {Array<Record<string, string | number>>} */
const routes = [];
for (const i of xive.irqs) {
  const xs = xivePic.sources.find((s) => s.lisn === i.hwirq);
  check(xs !== undefined && xs.server === i.cpu && xs.priority === 6 && !xs.masked,
    `XIVE ${hex(i.hwirq)}: EAS targets cpu ${xs && xs.server} prio ${xs && xs.priority}, the guest chose cpu ${i.cpu}`);
  const ci = xics.irqs.find((j) => j.hwirq === i.hwirq);
  const cs = xicsPic.sources.find((s) => s.irq === i.hwirq);
  check(ci !== undefined && cs !== undefined && cs.server === 0 && cs.priority === 5 && !cs.masked,
    `XICS ${hex(i.hwirq)}: server ${cs && cs.server} prio ${cs && cs.priority}`);
  routes.push({ irq: hex(i.hwirq), type: i.type, name: i.name,
    'XIVE cpu/prio': `${xs.server}/${xs.priority}`, 'XIVE END': xs.end, EISN: hex(xs.eisn),
    'XICS server/prio': `${cs.server}/${cs.priority}` });
}
console.table(routes);
// Linux spreads device interrupts round-robin over the vCPUs in XIVE mode (QEMU 7.2 + Linux 6.1:
// 0x1000->0, 0x1001->1, 0x1100->2, 0x1300->3, 0x1301->0, 0x1302->1, 0x1200->2, 0x1102->3 on smp 4;
// as here); in XICS mode every device interrupt starts on server 0 at priority 5.
/** @type {Record<string, number>} */
const QEMU_TARGETS = { 0x1000: 0, 0x1001: 1, 0x1100: 2, 0x1300: 3, 0x1301: 0, 0x1302: 1, 0x1200: 2, 0x1102: 3 };
const targets = Object.fromEntries(xive.irqs.map((i) => [i.hwirq, i.cpu]));
check(JSON.stringify(targets) === JSON.stringify(QEMU_TARGETS), `XIVE targets ${JSON.stringify(targets)}`);
console.log(`IPIs: XIVE LISNs 0..${m.cpus - 1} (one per vCPU, ENDs (vcpu << 3) + 6); XICS hwirq 2 through each ICP's MFRR`);
console.log('topology: ok');
