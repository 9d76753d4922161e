// @ts-check
// Guest code on the interpreting vCPUs: m.loadElf, m.cpu(n) (regs, step, run, breakpoints),
// the 'exception' and 'instruction' events and the console, on a tiny big-endian ELF built here.

/**
 * An ELF64 big-endian PowerPC executable whose one segment, at physical 0, holds the words.
 * @param {number[]} words
 */
function elf(words) {
  const b = new Uint8Array(64 + 56 + 4 * words.length);
  const d = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 2, 1]);
  d.setUint16(16, 2); d.setUint16(18, 21); d.setUint32(20, 1);
  d.setBigUint64(32, 64n); d.setUint16(52, 64); d.setUint16(54, 56); d.setUint16(56, 1);
  d.setUint32(64, 1); d.setUint32(68, 7); d.setBigUint64(72, 120n);
  d.setBigUint64(96, BigInt(4 * words.length)); d.setBigUint64(104, BigInt(4 * words.length));
  words.forEach((w, i) => d.setUint32(120 + 4 * i, w));
  return b;
}

const BASE = 0x400000;
// li r3,0x58 (H_PUT_TERM_CHAR); lis r4,0x7100 (the vty); li r5,2; lis r6,0x6869; sldi r6,r6,32; sc 1;
// then the word 0: an illegal instruction, with no program-interrupt handler at 0x700
const PROGRAM = [0x38600058, 0x3c807100, 0x38a00002, 0x3cc06869, 0x78c607c6, 0x44000022, 0];

describe('guest code', () => {
  /** @type {Machine} */
  let m;
  beforeEach(() => {
    m = pseries.machine({ cpus: 1, icMode: 'xics', devices: [{ type: 'spapr-vty' }] });
    m.loadElf(elf(PROGRAM));
  });

  it('enters at 0x400000 big-endian 32-bit with MSR = 0, as QEMU with VOF', () => {
    const r = m.cpu(0).regs;
    assert.strictEqual(r.pc, BASE);
    assert.strictEqual(r.msr, 0);
    assert.strictEqual(r.stopped, null);
  });

  it('step executes one instruction and regs shows its result', () => {
    m.cpu(0).step();
    m.cpu(0).step();
    const r = m.cpu(0).regs;
    assert.strictEqual(r.pc, BASE + 8);
    assert.strictEqual(r.gpr[3], 0x58);
    assert.strictEqual(r.gpr[4], 0x71000000);
  });

  it('the guest prints through H_PUT_TERM_CHAR and an illegal instruction without handler stops the run', () => {
    const res = m.cpu(0).run();
    assert.strictEqual(m.console, 'hi');
    assert.strictEqual(res.reason, 'stopped');
    assert.strictEqual(res.message, 'illegal instruction 0x00000000 at 0x400018');
    assert.strictEqual(res.instructions, 7);
  });

  it("run stops at 'until' and at breakpoints, and goes on from there", () => {
    assert.deepStrictEqual([m.cpu(0).run({ until: BASE + 0x14 }).reason, m.cpu(0).regs.pc], ['until', BASE + 0x14]);
    assert.strictEqual(m.console, '', 'the sc has not run yet');
    m.cpu(0).breakpoints = [BASE + 0x18];
    const b = m.cpu(0).run();
    assert.deepStrictEqual([b.reason, b.pc, b.instructions], ['breakpoint', BASE + 0x18, 1]);
    assert.strictEqual(m.console, 'hi');
    assert.strictEqual(m.cpu(0).run().reason, 'stopped');
  });

  it("'exception' reports the program interrupt with SRR0 at the illegal word and the illegal bit in SRR1", () => {
    /** @type {CpuExceptionEvent[]} */
    const got = [];
    m.on('exception', (e) => got.push(e));
    m.cpu(0).run();
    assert.strictEqual(got.length, 1);
    assert.deepStrictEqual([got[0].vector, got[0].cpu, got[0].srr0], [0x700, 0, BASE + 0x18]);
    assert.strictEqual(Number(BigInt(got[0].srr1) & 0x80000n), 0x80000);
  });

  it("'instruction' delivers each instruction only while subscribed", () => {
    /** @type {number[]} */
    const pcs = [];
    const off = m.on('instruction', (e) => pcs.push(Number(e.pc)));
    m.cpu(0).run({ instructions: 3 });
    off();
    m.cpu(0).run({ instructions: 2 });
    assert.deepStrictEqual(pcs, [BASE, BASE + 4, BASE + 8]);
    assert.strictEqual(m.cpu(0).regs.pc, BASE + 0x14);
  });

  it('a snapshot mid guest code restores into a machine that goes on from the same registers', () => {
    m.cpu(0).run({ instructions: 3 });
    const r = pseries.restore(m.snapshot());
    assert.deepStrictEqual(r.cpu(0).regs, m.cpu(0).regs);
    assert.strictEqual(r.cpu(0).regs.gpr[3], 0x58, 'li r3,0x58 ran before the snapshot');
    assert.deepStrictEqual(r.cpu(0).run(), m.cpu(0).run());
    assert.strictEqual(r.console, 'hi');
    assert.strictEqual(r.cpu(0).regs.stopped, 'illegal instruction 0x00000000 at 0x400018');
  });

  it('bad input gets a clear error', () => {
    assert.throws(() => m.loadElf(new Uint8Array(10)), /not an ELF file/);
    // @ts-expect-error: a misspelt option, on purpose
    assert.throws(() => m.cpu(0).run({ instruction: 1 }), /unknown option 'instruction' \(did you mean 'instructions'\?\)/);
    const fresh = pseries.machine({ cpus: 1, icMode: 'xics' });
    assert.throws(() => fresh.cpu(0).run(), /no guest code is loaded/);
    assert.throws(() => m.cpu(3), /cpu/);
    assert.throws(() => m.loadElf('/etc/passwd'), /m.loadElf: reading \/etc\/passwd is not allowed/, 'the read sandbox applies');
  });
});
