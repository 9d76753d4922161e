// @ts-check
// m.hcall by name: a PAPR hcall the machine does not serve answers H_FUNCTION, as its number does.

describe('m.hcall by name', () => {
  it("'H_CPPR' on a XIVE-only machine answers H_FUNCTION, as hcall 0x68 does", () => {
    const m = pseries.machine({ cpus: 1, icMode: 'xive' });
    const byName = m.hcall(0, 'H_CPPR', 0xff);
    const byNumber = m.hcall(0, 0x68, 0xff);
    assert.strictEqual(byName.rcName, 'H_FUNCTION');
    assert.deepStrictEqual(byName, byNumber);
  });

  it("'H_CEDE', which no model serves, answers H_FUNCTION", () => {
    const m = pseries.machine({ cpus: 1, icMode: 'dual' });
    assert.strictEqual(m.hcall(0, 'H_CEDE').rcName, 'H_FUNCTION');
  });

  it('a name no hcall has is an error naming the closest', () => {
    const m = pseries.machine({ cpus: 1, icMode: 'xive' });
    assert.throws(() => m.hcall(0, 'H_CPPRR', 0xff), /unknown hcall 'H_CPPRR' \(did you mean 'H_CPPR'\?\)/);
  });
});
