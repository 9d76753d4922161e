// @ts-check
// Same configuration and seed, same run: the event trace and pic() are identical run after run.

/**
 * A busy scenario: boot, IPIs in a pattern, device interrupts, PCI MSIs, a guest error.
 * @param {number} seed
 */
function scenario(seed) {
  const m = pseries.machine({
    cpus: 4, icMode: 'dual', seed,
    devices: [{ type: 'spapr-vty' }, { type: 'spapr-vlan' }, { type: 'virtio-net-pci', vectors: 3 }, { type: 'virtio-blk-pci' }],
  });
  m.recordEvents(100000);
  const boot = m.boot();
  for (let i = 0; i < 200; i++) {
    m.guest.ipi(i % 4, (i * 7 + 3) % 4);
    if (i % 16 === 0) { m.runUntilIdle(); }
  }
  for (const d of boot.irqs) { m.irq(d.hwirq).pulse(); }
  m.run({ ns: 1000 });
  m.runUntilIdle();
  m.hcall(2, 'H_INT_GET_SOURCE_INFO', 0, 0xfffff);
  return { events: m.events(), pic: m.pic(), stats: m.guest.stats(), now: m.now, tree: m.dts() };
}

describe('determinism', () => {
  it('the same seed gives the same event trace, pic(), statistics and tree', () => {
    const a = scenario(42);
    const b = scenario(42);
    assert.ok(a.events.length > 500, `a busy trace (${a.events.length} events)`);
    assert.deepStrictEqual(b.events, a.events);
    assert.deepStrictEqual(b.pic, a.pic);
    assert.deepStrictEqual(b.stats, a.stats);
    assert.strictEqual(b.now, a.now);
    assert.strictEqual(b.tree, a.tree);
  });

  it('a different seed changes the guest-visible randomness (/chosen rng-seed), not the interrupt state', () => {
    const a = scenario(1);
    const b = scenario(2);
    assert.notStrictEqual(b.tree, a.tree);
    assert.deepStrictEqual(b.pic, a.pic);
  });
});
