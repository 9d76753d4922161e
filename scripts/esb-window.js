// @ts-check
// The ESB window: how the in-kernel XIVE reaches thousands of interrupts without thousands of
// VMAs in the VMM or thousands of KVM memory regions.
//
//   ./pseries run scripts/esb-window.js
//
// 1. Window (what KVM ships): one mmap of the XIVE device's ESB window and one memory slot, plus
//    the TIMA, whatever the number of interrupts: the machine is made with 8K, 64K and 1M interrupt
//    numbers and the VMM still has two device VMAs and two memory slots. Nothing is faulted in at
//    mmap time: the pages faulted grow with what the guest touches (one fault per ESB page on its
//    first access, none on the next).
// 2. Per-source (the rejected design): one VMA and one memory slot per source's page pair. With
//    1024 sources that is a thousand of each; with 64K sources the VMM blows past KVM's user memory
//    slot limit (KVM_USER_MEM_SLOTS = 32767 on ppc64, Linux 6.1), and with that limit raised, past
//    vm.max_map_count (65530).
// It exits non-zero if any of these claims does not hold.

/**
 * @param {unknown} cond
 * @param {string} msg
 * @returns {asserts cond}
 */
function check(cond, msg) {
  if (!cond) { throw new Error(`check failed: ${msg}`); }
}

const ESB = 0x0006_0100_0000_0000n;
/** @param {number} lisn */
const mgmt = (lisn) => ESB + BigInt(lisn) * 0x20000n + 0x10000n;

console.log('1. window: one ESB mapping whatever the number of interrupts');
const rows = [];
for (const nrIrqs of [0x2000, 0x10000, 0x100000]) {
  const m = pseries.machine({ cpus: 4, icMode: 'xive', kernelIrqchip: 'on', nrIrqs, devices: [] });
  const l0 = m.host.layout();
  check(l0.vmas === 2 && l0.memslots === 2, `${nrIrqs} interrupts: 2 device VMAs and 2 memory slots, got ${l0.vmas} and ${l0.memslots}`);
  const esb = m.host.vmas().find((v) => v.name === 'xive.esb-kvm');
  check(esb !== undefined && BigInt(esb.size) === BigInt(nrIrqs) * 0x20000n, `the ESB VMA spans ${nrIrqs} x 128K`);
  check(l0.pagesMapped === 0, 'nothing is faulted in at mmap time');
  m.boot();
  const booted = m.host.layout().faults;
  // the guest reads the management page of its 4 IPIs, then of the same 4 again
  for (let i = 0; i < 4; i++) { m.load(0, mgmt(i) + 0x800n, 8); }
  const once = m.host.layout().faults;
  for (let i = 0; i < 4; i++) { m.load(0, mgmt(i) + 0x800n, 8); }
  const twice = m.host.layout().faults;
  check(twice === once, `a page already faulted in does not fault again (${once} -> ${twice})`);
  rows.push({ nrIrqs, vmas: l0.vmas, memslots: l0.memslots, esbWindow: `${Number(BigInt(esb.size) >> 20n)}M`,
    faultsAfterBoot: booted, faultsAfterTouch: once });
}
console.table(rows);

console.log('2. faults follow what the guest touches (window, 1 vCPU)');
const touched = [];
for (const sources of [256, 1024, 4096]) {
  const r = pseries.layout({ cpus: 1, sources, mapping: 'window' });
  check(r.vmas === 2 && r.memslots === 2, `window with ${sources} sources keeps 2 VMAs and 2 slots`);
  touched.push({ sources, vmas: r.vmas, memslots: r.memslots, faults: r.faults, pagesMapped: r.pagesMapped });
}
console.table(touched);
check(touched[1].faults - touched[0].faults === 1024 - 256, 'one more fault per source touched (256 -> 1024)');
check(touched[2].faults - touched[1].faults === 4096 - 1024, 'one more fault per source touched (1024 -> 4096)');

console.log('3. per-source: one VMA and one memory slot per source, until a limit');
const per = [];
const small = pseries.layout({ cpus: 1, sources: 1024, mapping: 'per-source' });
check(small.failures === 0 && small.vmas > 1024 && small.memslots > 1024, `1K sources: over 1024 VMAs and slots (${small.vmas}, ${small.memslots})`);
per.push(small);
const big = pseries.layout({ cpus: 1, sources: 65536, mapping: 'per-source' });
check(big.failures > 0 && big.failure !== null && big.failure.startsWith('KVM_SET_USER_MEMORY_REGION failed with EINVAL'),
  `64K sources hit KVM_USER_MEM_SLOTS: ${big.failure}`);
check(big.memslots === 32767 - 1, `every slot but guest RAM's is taken (${big.memslots})`);
per.push(big);
const raised = pseries.layout({ cpus: 1, sources: 65536, mapping: 'per-source', memSlots: 1 << 20 });
check(raised.failure !== null && raised.failure.startsWith('mmap failed with ENOMEM'), `with more slots, vm.max_map_count stops it: ${raised.failure}`);
per.push(raised);
const window = pseries.layout({ cpus: 1, sources: 65536, mapping: 'window' });
check(window.failures === 0 && window.vmas === 2 && window.memslots === 2, 'the window maps 64K sources with 2 VMAs and 2 slots');
per.push(window);
console.table(per.map((r) => ({ sources: r.sources, mapping: r.mapping, vmas: r.vmas, memslots: r.memslots, faults: r.faults,
  failures: r.failures })));
console.log(`per-source, 64K sources: ${big.failure}`);
console.log(`per-source, 64K sources, memSlots 1M: ${raised.failure}`);
