// @ts-check
// The whole CAS outcome table. For each ic-mode (xics, xive, dual) and each guest option
// vector 5 (byte 23 = 0x00, 0x40, 0x80, or no vector 5), the answer QEMU 7.2 gives: the mode
// and the answer byte, or QEMU's refusal with its own message. Then the tree CAS returns, a
// machine reset back to the pre-CAS state and tree, and a second CAS choosing differently.

/**
 * Linux 6.1's vector 5 (qemu-observed) with byte 23 set; index 0 is the length byte.
 * @param {number} byte23
 */
function ov5(byte23) {
  const v = new Array(27).fill(0);
  v[0] = 25;
  Object.assign(v, { 2: 0xf3, 5: 0xe0, 6: 0x05, 11: 0x08, 17: 0xe0, 21: 0x01, 22: 0xc0, 23: byte23, 24: 0x40, 26: 0x40 });
  return v;
}

const INVALID = 'guest requested an invalid interrupt mode';
const NO_XIVE = 'Guest requested unavailable interrupt mode (XIVE), try the ic-mode=xive or ic-mode=dual machine property';
const NO_XICS = "Guest requested unavailable interrupt mode (XICS), either don't set the ic-mode machine property or try ic-mode=xics or ic-mode=dual";
const NO_OV5 = "guest didn't provide option vector 5";

/** @type {Array<['xics' | 'xive' | 'dual', number | null, { mode?: string, answer?: number, fatal?: string, rc?: number, message?: string }]>} */
const TABLE = [
  ['xics', 0x00, { mode: 'xics', answer: 0x00 }],
  ['xics', 0x40, { fatal: NO_XIVE }],
  ['xics', 0x80, { fatal: INVALID }],
  ['xics', null, { rc: -4, message: NO_OV5 }],
  ['xive', 0x00, { fatal: NO_XICS }],
  ['xive', 0x40, { mode: 'xive', answer: 0x40 }],
  ['xive', 0x80, { fatal: INVALID }],
  ['xive', null, { rc: -4, message: NO_OV5 }],
  ['dual', 0x00, { mode: 'xics', answer: 0x00 }],
  ['dual', 0x40, { mode: 'xive', answer: 0x40 }],
  ['dual', 0x80, { fatal: INVALID }],
  ['dual', null, { rc: -4, message: NO_OV5 }],
];

const PLATFORM = { xics: 0x00, xive: 0x40, dual: 0x80 };

describe('CAS outcome table (QEMU 7.2)', () => {
  for (const [icMode, byte23, want] of TABLE) {
    const offer = byte23 === null ? 'no vector 5' : `byte 23 = 0x${byte23.toString(16).padStart(2, '0')}`;
    const outcome = want.mode ? `${want.mode}, answer 0x${(want.answer ?? 0).toString(16).padStart(2, '0')}` : 'refused';
    it(`ic-mode=${icMode}, guest ${offer}: ${outcome}`, () => {
      const m = pseries.machine({ cpus: 4, icMode });
      const before = m.dts();
      const activeBefore = m.icMode;
      // the platform advertises its modes in /chosen (byte 23 of the pairs)
      const support = /** @type {number[]} */ (m.dt('/chosen').props['ibm,arch-vec-5-platform-support']);
      assert.strictEqual((support[0] >>> 16) & 0xff, PLATFORM[icMode], 'ibm,arch-vec-5-platform-support');
      assert.strictEqual(activeBefore, icMode === 'xive' ? 'xive' : 'xics', 'active controller at reset');
      if (want.mode) {
        const result = m.cas(byte23 === null ? { ov5: null } : ov5(byte23));
        assert.deepStrictEqual([result.mode, m.icMode, result.answer, result.requested], [want.mode, want.mode, want.answer, byte23]);
        // the tree CAS returns: the negotiated vector and the controller node of the mode
        const vec = Array.from(/** @type {Uint8Array} */ (m.dt('/chosen').props['ibm,architecture-vec-5']));
        assert.strictEqual(vec[23], want.answer, 'ibm,architecture-vec-5 byte 23');
        assert.ok(Object.keys(m.dt().children).includes(want.mode === 'xive' ? 'interrupt-controller@60302031b0000' : 'interrupt-controller'));
        assert.ok(result.fdt instanceof Uint8Array && result.fdt.length > 1000 && result.fdt[0] === 0xd0, 'CAS returns the post-CAS tree');
        assert.strictEqual('ibm,plat-res-int-priorities' in m.dt().props, want.mode === 'xive', 'reserved priorities in XIVE mode only');
        assert.strictEqual(result.switched, want.mode !== activeBefore);
        // a machine reset goes back to the pre-CAS state and tree
        m.reset();
        assert.strictEqual(m.icMode, activeBefore);
        assert.ok(m.dts() === before, 'after reset the tree is the pre-CAS one');
      } else {
        assert.throws(() => m.cas(byte23 === null ? { ov5: null } : ov5(byte23)),
          want.fatal ? { fatal: true, qemuMessage: want.fatal } : { fatal: false, rc: want.rc, qemuMessage: want.message });
        // a refusal leaves the machine as it was
        assert.strictEqual(m.icMode, activeBefore);
        assert.ok(m.dts() === before, 'a refused CAS leaves the tree alone');
      }
    });
  }
});

describe('CAS after CAS', () => {
  it('a second CAS after a reset may choose differently (dual)', () => {
    const m = pseries.machine({ cpus: 2, icMode: 'dual' });
    assert.strictEqual(m.cas({ xive: 'both' }).mode, 'xive');
    m.reset();
    assert.strictEqual(m.cas({ xive: 'legacy' }).mode, 'xics');
    m.reset();
    assert.strictEqual(m.cas({ xive: 'both' }).mode, 'xive');
    assert.strictEqual(m.icMode, 'xive');
  });

  it('is refused while secondaries run: a booted guest cannot renegotiate without a reset', () => {
    const b = pseries.machine({ cpus: 2, icMode: 'dual' });
    b.boot();
    assert.throws(() => b.cas({ xive: 'legacy' }), { rc: -9005, fatal: false });
    assert.strictEqual(b.icMode, 'xive');
  });
});
