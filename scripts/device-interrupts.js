// @ts-check
// Device interrupts: MSIs and an LSI from raised lines to the guest's handlers, with the
// controller state before and after, in XIVE and XICS mode; then an LSI that re-fires on EOI
// while still asserted, driven with the raw ABI.
//
//   ./pseries run scripts/device-interrupts.js
//
// The machine has a spapr-vty (MSI 0x1100), its own spapr-nvram (0x1101), a spapr-vlan (MSI 0x1102), a virtio-net-pci whose
// MSI-X vectors the guest sets up at boot (0x1300 config, 0x1301 input.0, 0x1302 output.0) and a
// virtio-blk-pci at 01:03.0 behind a pci-bridge, INTx only: LSI 0x1200 of the PCI host bridge.
//   1. XIVE, booted guest: each line raised with m.irq(n); the source's ESB PQ bits (m.pic())
//      before, while pending and after; the CPU and END it was presented to (the 'irq' event);
//      where the guest handled it (m.guest.stats()). An MSI fired three times while pending is
//      coalesced by its PQ bits into two deliveries.
//   2. XICS, booted guest: the same lines; the ICS source (asserted) and the target ICP's XIRR.
//      The thrice-fired MSI is rejected while presented and resent once at EOI: two deliveries.
//   3. Raw ABI, no guest model: an LSI whose line stays asserted re-fires when the guest EOIs it
//      (XIVE: H_INT_ESB LOAD_EOI, as Linux does for LSIs under QEMU; XICS: H_EOI).
// It exits non-zero if a line is not handled where the guest routed it, or if a state differs
// from the ESB/ICS rules (xive-facts §2.2, §2.3, §6 H_INT_ESB; §7).

/**
 * @param {unknown} cond
 * @param {string} msg
 * @returns {asserts cond}
 */
function check(cond, msg) {
  if (!cond) { throw new Error(`check failed: ${msg}`); }
}

/** @param {number | bigint} n @param {number} [width] */
const hex = (n, width = 0) => `0x${n.toString(16).padStart(width, '0')}`;

const DEVICES = /** @type {DeviceOptions[]} */ ([
  { type: 'spapr-vty' },
  { type: 'spapr-vlan' },
  { type: 'virtio-net-pci', id: 'net0' },
  { type: 'pci-bridge', id: 'br0' },
  { type: 'virtio-blk-pci', id: 'blk0', bus: 'br0', addr: 3 },
]);
const LSI = 0x1200;

/** @typedef {{ irq: number, fires: number }} Shot a line and how many times it fires before the machine runs */
/** @type {Shot[]} */
const SHOTS = [
  { irq: 0x1100, fires: 1 }, // spapr-vty, VIO MSI
  { irq: 0x1102, fires: 1 }, // spapr-vlan, VIO MSI
  { irq: 0x1301, fires: 1 }, // virtio-net input.0, PCI MSI-X (allocated by the guest at boot)
  { irq: LSI, fires: 1 }, // virtio-blk INTx through the bridge, PCI LSI
  { irq: 0x1100, fires: 3 }, // the console's MSI three times while pending
];

// ------------------------------------------------------------------ state as text

/** @param {Machine} m @param {number} irq */
function state(m, irq) {
  const pic = m.pic();
  if (pic.mode === 'xive') {
    const s = pic.sources.find((x) => x.lisn === irq);
    check(s !== undefined, `source ${hex(irq)} is claimed`);
    return `PQ ${s.pq}${s.asserted ? ' asserted' : ''}${s.masked ? ' masked' : ''}`;
  }
  const s = pic.sources.find((x) => x.irq === irq);
  check(s !== undefined, `source ${hex(irq)} is claimed`);
  const icp = pic.icps[s.server];
  return `${s.asserted ? 'asserted' : 'idle'}, ICP ${icp.server} XIRR ${icp.xirr.toString(16).padStart(8, '0')}`;
}

/** @param {Machine} m */
const handledCounts = (m) => m.guest.stats().map((s) => s.irqs);

// ------------------------------------------------------------------ 1 and 2: a booted guest

/**
 * @param {'xive' | 'xics'} icMode
 */
function devicesIn(icMode) {
  const m = pseries.machine({ cpus: 4, icMode, devices: DEVICES, seed: 1 });
  const boot = m.boot();
  /** @type {MachineEvent[]} */
  let presented = [];
  m.on('irq', (e) => { presented.push(e); });

  /** @type {Array<Record<string, string>>} */
  const rows = [];
  for (const shot of SHOTS) {
    const started = boot.irqs.find((i) => i.hwirq === shot.irq);
    check(started !== undefined, `${icMode}: the guest started ${hex(shot.irq)}`);
    const line = m.irq(shot.irq);
    const before = state(m, shot.irq);
    const counts = handledCounts(m);
    presented = [];
    // raise the line: an MSI is an edge (pulse), the LSI a level that stays up until the
    // guest's handler acknowledges the device (virtio's ISR read lowers INTx)
    for (let k = 0; k < shot.fires; k++) {
      if (line.type === 'MSI') { line.pulse(); } else { line.raise(); }
    }
    const pending = state(m, shot.irq);
    const firstTarget = presented.length ? presented[0].cpu : null;
    m.runUntilIdle();
    const after = state(m, shot.irq);
    const now = handledCounts(m);
    const handled = now.flatMap((irqs, cpu) => {
      const n = (irqs[String(shot.irq)] ?? 0) - (counts[cpu][String(shot.irq)] ?? 0);
      return n > 0 ? [`cpu ${cpu} x${n}`] : [];
    });
    const where = presented.map((e) => icMode === 'xive' ? `cpu ${e.cpu} END ${e.end}` : `server ${e.server} prio ${e.priority}`);
    rows.push({ irq: hex(shot.irq), device: started.name, type: line.type,
      raised: shot.fires > 1 ? `pulse x${shot.fires}` : line.type === 'MSI' ? 'pulse' : 'raise',
      before, pending, presented: [...new Set(where)].join(', ') + (where.length > 1 ? ` (x${where.length})` : ''), after,
      'handled on': handled.join(', '), line: line.level ? 'high' : 'low' });

    // what must hold
    const what = `${icMode} ${hex(shot.irq)} x${shot.fires}`;
    const expectTimes = Math.min(shot.fires, 2);
    check(handled.length === 1 && handled[0] === `cpu ${started.cpu} x${expectTimes}`,
      `${what}: handled ${handled.join(', ') || 'nowhere'}, the guest routed it to cpu ${started.cpu}`);
    check(firstTarget === started.cpu, `${what}: presented to cpu ${firstTarget}`);
    check(!line.level, `${what}: the line is low after the handler`);
    if (icMode === 'xive') {
      check(before === 'PQ --' && after === 'PQ --', `${what}: PQ ${before} -> ${after}`);
      check(pending === (shot.fires > 1 ? 'PQ PQ' : line.type === 'LSI' ? 'PQ P- asserted' : 'PQ P-'), `${what}: pending ${pending}`);
    } else {
      check(before === 'idle, ICP 0 XIRR ff000000' && after === before, `${what}: ${before} -> ${after}`);
      check(pending === `${line.type === 'LSI' ? 'asserted' : 'idle'}, ICP 0 XIRR ff00${shot.irq.toString(16).padStart(4, '0')}`,
        `${what}: pending ${pending}`);
    }
  }
  return rows;
}

console.log('== 1. XIVE: ESB PQ bits of each source (m.pic()), before / pending / after the guest ran');
console.table(devicesIn('xive'));
console.log(`PQ: "--" idle, "P-" an event was forwarded and not yet EOId, "PQ" another trigger arrived meanwhile
(coalesced: the EOI sees Q and the source fires once more), "-Q" off. The guest EOIs MSIs with an ESB
load at SET_PQ_00 and the LSI with H_INT_ESB(LOAD_EOI), since LSIs have no ESB pages under QEMU.`);

console.log('\n== 2. XICS: ICS source and target ICP (m.pic()), before / pending / after the guest ran');
console.table(devicesIn('xics'));
console.log(`XIRR: CPPR in the top byte, the presented source (XISR) below; ff000000 is idle. Linux starts every
device interrupt on server 0 at priority 5. An MSI that fires while it is already presented is rejected
by the ICP and marked for resend in the ICS; the EOI resends it once, however many times it fired:
three pulses give two deliveries, as XIVE's Q bit does.`);

// ------------------------------------------------------------------ 3. raw ABI

console.log('\n== 3. raw ABI: an LSI re-fires on EOI while its line is still asserted');

{ // XIVE
  /** @type {Array<Record<string, string>>} */
  const steps = [];
  const m = pseries.machine({ cpus: 1, icMode: 'xive', devices: DEVICES });
  m.cas({ xive: 'exploitation' });
  const tima = /** @type {XiveInternals} */ (m.xive).layout.timaOsPage; // an icMode xive machine has it
  const qpage = m.mem.alloc(0x10000, 0x10000);
  /** @param {string} what @param {number} rc */
  const ok = (what, rc) => check(rc === 0, `${what}: rc ${rc}`);
  ok('H_INT_SET_QUEUE_CONFIG', m.hcall(0, 'H_INT_SET_QUEUE_CONFIG', 1, 0, 6, qpage, 16).rc);
  m.store(0, tima + 0x11, 1, 0xff); // CPPR 0xff
  const info = m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, LSI);
  check(info.rc === 0 && info.ret[0] === 0xc && info.ret[1] === -1 && info.ret[2] === -1,
    `LSI source info: flags LSI|H_INT_ESB, no ESB pages: ${info.ret}`);
  ok('H_INT_SET_SOURCE_CONFIG', m.hcall(0, 'H_INT_SET_SOURCE_CONFIG', 2, LSI, 0, 6, 0x42).rc);

  /** The event-queue entries written so far (generation bit | EISN). */
  const eq = () => {
    const pic = m.pic();
    check(pic.mode === 'xive', 'xive');
    const q = pic.queues.find((x) => x.server === 0 && x.priority === 6);
    check(q !== undefined, 'the queue of cpu 0, priority 6');
    return Array.from({ length: q.index }, (_, i) => hex(m.mem.read32(qpage + 4 * i), 8)).join(' ') || '(empty)';
  };
  const os = () => {
    const pic = m.pic();
    check(pic.mode === 'xive', 'xive');
    const c = pic.cpus[0].os;
    return `NSR ${hex(c.nsr, 2)} CPPR ${hex(c.cppr, 2)} IPB ${hex(c.ipb, 2)}`;
  };
  /** @param {string} action @param {string} result */
  const step = (action, result) => {
    steps.push({ action, result, source: state(m, LSI), 'event queue (cpu 0, prio 6)': eq(), 'TIMA OS ring': os() });
  };
  /** @param {Int} offset */
  const esb = (offset) => m.hcall(0, 'H_INT_ESB', 0, LSI, offset, 0);

  step('queue of cpu 0 at prio 6, CPPR 0xff, LSI -> cpu 0 prio 6 EISN 0x42', '');
  let r = esb(0xc00);
  step('H_INT_ESB(0, 0x1200, SET_PQ_00)', `rc ${r.rc}, old PQ ${r.ret[0]}`);
  check(state(m, LSI) === 'PQ --', 'unmasked');
  m.irq(LSI).raise();
  step('m.irq(0x1200).raise()', 'line high');
  check(state(m, LSI) === 'PQ P- asserted' && eq() === '0x80000042', 'the raise forwards one event');
  let ack = m.load(0, tima + 0x810, 2);
  step('TIMA ACK (2-byte load at OS page + 0x810)', hex(ack, 4));
  check(ack === 0x8006, `ACK ${ack}`);
  r = esb(0x000);
  step('H_INT_ESB(0, 0x1200, LOAD_EOI), line still high', `rc ${r.rc}, R4 ${r.ret[0]} (re-fired)`);
  // R4 as QEMU answers it: the emulated ESB says whether the EOI forwarded an event (1); with the
  // in-kernel XIVE, QEMU sets PQ 00, re-triggers through the mapping itself and answers 0
  const refiredR4 = m.host.xive.present ? 0 : 1;
  check(r.rc === 0 && r.ret[0] === refiredR4 && state(m, LSI) === 'PQ P- asserted' && eq() === '0x80000042 0x80000042',
    'EOI of an asserted LSI: PQ 10 -> 00, then the level fires again (PQ 10) and a second event is queued');
  m.store(0, tima + 0x11, 1, 0xff);
  step('CPPR 0xff (store at OS page + 0x11)', 'presented again');
  check(os() === 'NSR 0x80 CPPR 0xff IPB 0x02', `presented again: ${os()}`);
  ack = m.load(0, tima + 0x810, 2);
  step('TIMA ACK', hex(ack, 4));
  m.irq(LSI).lower();
  step('m.irq(0x1200).lower() (the device was serviced)', 'line low');
  r = esb(0x000);
  step('H_INT_ESB(0, 0x1200, LOAD_EOI), line low', `rc ${r.rc}, R4 ${r.ret[0]}`);
  check(r.ret[0] === 0 && state(m, LSI) === 'PQ --', 'EOI of a deasserted LSI: PQ 10 -> 00, quiet');
  m.store(0, tima + 0x11, 1, 0xff);
  step('CPPR 0xff', 'quiet');
  check(os() === 'NSR 0x00 CPPR 0xff IPB 0x00' && eq() === '0x80000042 0x80000042', `quiet: ${os()}`);
  console.log('XIVE (H_INT_GET_SOURCE_INFO says flags 0xc: LSI, use H_INT_ESB; no ESB pages):');
  console.table(steps);
  console.log(`The EOI of a still-asserted LSI runs the EOI transition (PQ 10 -> 00) and then the level fires again
(00 -> 10): a second entry in the queue, IPB 0x02 (priority 6) set again, presented as soon as CPPR allows (NSR 0x80).`);
}

{ // XICS
  /** @type {Array<Record<string, string>>} */
  const steps = [];
  const m = pseries.machine({ cpus: 1, icMode: 'xics', devices: DEVICES });
  m.cas({ xive: 'legacy' });
  /** @param {string} action @param {string} result */
  const step = (action, result) => { steps.push({ action, result, 'ICS source, ICP 0': state(m, LSI) }); };
  check(m.rtas('ibm,set-xive', LSI, 0, 5).status === 0 && m.rtas('ibm,int-on', LSI).status === 0, 'set-xive, int-on');
  check(m.hcall(0, 'H_CPPR', 0xff).rc === 0, 'H_CPPR');
  step('ibm,set-xive(0x1200, 0, 5), ibm,int-on, H_CPPR(0xff)', '');
  m.irq(LSI).raise();
  step('m.irq(0x1200).raise()', 'line high');
  let x = m.hcall(0, 'H_XIRR', 0xff);
  step('H_XIRR', hex(x.ret[0]));
  check(x.ret[0] === 0xff001200, `H_XIRR ${hex(x.ret[0])}`);
  let e = m.hcall(0, 'H_EOI', x.ret[0]);
  step('H_EOI(0xff001200), line still high', e.rcName);
  check(state(m, LSI) === 'asserted, ICP 0 XIRR ff001200', `re-presented: ${state(m, LSI)}`);
  x = m.hcall(0, 'H_XIRR', 0xff);
  step('H_XIRR', hex(x.ret[0]));
  m.irq(LSI).lower();
  step('m.irq(0x1200).lower()', 'line low');
  e = m.hcall(0, 'H_EOI', x.ret[0]);
  step('H_EOI(0xff001200), line low', e.rcName);
  check(state(m, LSI) === 'idle, ICP 0 XIRR ff000000', `quiet: ${state(m, LSI)}`);
  console.log('\nXICS:');
  console.table(steps);
  console.log('H_EOI of an LSI whose level is still asserted presents it again at once (XIRR ff001200).');
}
console.log('\ndevice interrupts: every line handled where the guest routed it; the asserted LSI re-fired on EOI');
