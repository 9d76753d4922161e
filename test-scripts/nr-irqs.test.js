// @ts-check
// nrIrqs: a machine with more interrupt numbers than QEMU's 0x2000, for layout work. The device
// range and the MSI count grow with it; the default stays QEMU's.

describe('nrIrqs', () => {
  it("defaults to QEMU's 0x2000, with 0xd00 MSIs on the PHB", () => {
    const m = pseries.machine({ icMode: 'xive' });
    assert.strictEqual(m.config.nrIrqs, 0x2000);
    assert.deepStrictEqual(m.dt('/pci@800000020000000').props['ibm,pe-total-#msi'], [0xd00]);
  });

  it('widens the MSI range: 0x11000 numbers give 0x11000 - 0x1300 MSIs', () => {
    const m = pseries.machine({ icMode: 'xics', nrIrqs: 0x11000 });
    assert.strictEqual(m.config.nrIrqs, 0x11000);
    assert.deepStrictEqual(m.dt('/pci@800000020000000').props['ibm,pe-total-#msi'], [0x11000 - 0x1300]);
    // a source past 0x2000 is in the ICS: ibm,set-xive accepts it, the first number past the end is refused
    assert.strictEqual(m.rtas('ibm,set-xive', 0x10fff, 0, 5).status, 0);
    assert.strictEqual(m.rtas('ibm,set-xive', 0x11000, 0, 5).status, -3);
  });

  it('refuses a space smaller than QEMU\'s or past the KVM device\'s 2^20', () => {
    assert.throws(() => pseries.machine({ nrIrqs: 0x1000 }), /invalid machine option nrIrqs: 4096; expected an integer from 8192 to 1048576/);
    assert.throws(() => pseries.machine({ nrIrqs: 0x100001 }), /invalid machine option nrIrqs: 1048577/);
  });
});
