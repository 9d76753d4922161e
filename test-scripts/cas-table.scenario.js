// @ts-check
// Scenario: the whole CAS outcome table. For each ic-mode (xics, xive, dual) and each guest
// option vector 5 (byte 23 = 0x00, 0x40, 0x80, or no vector 5), the answer QEMU 7.2 gives:
// the mode and the answer byte, or QEMU's refusal with its own message. Then the tree CAS
// returns, a machine reset back to the pre-CAS state and tree, and a second CAS choosing
// differently.

/**
 * @param {unknown} cond
 * @param {string} msg
 * @returns {asserts cond}
 */
function check(cond, msg) {
  if (!cond) { throw new Error(`check failed: ${msg}`); }
}

/**
 * Linux 6.1's vector 5 (qemu-observed) with byte 23 set; index 0 is the length byte.
 * @param {number} byte23
 * @returns {number[]}
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

/** @typedef {{ mode?: string, answer?: number, fatal?: string, rc?: number, message?: string }} Expected */
// [icMode, byte 23 or null (no vector 5), expected]
/** @type {Array<[string, number | null, Expected]>} */
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

/** @type {Record<string, number>} */
const PLATFORM = { xics: 0x00, xive: 0x40, dual: 0x80 };

for (const [icMode, byte23, want] of TABLE) {
  const what = `${icMode} x ${byte23 === null ? 'no vector 5' : '0x' + byte23.toString(16)}`;
  const m = pseries.machine({ cpus: 4, icMode });
  const before = m.dts();
  const activeBefore = m.icMode;
  // the platform advertises its modes in /chosen (byte 23 of the pairs)
  const support = /** @type {number[]} */ (m.dt('/chosen').props['ibm,arch-vec-5-platform-support']);
  check(((support[0] >>> 16) & 0xff) === PLATFORM[icMode], `${what}: platform support ${support[0].toString(16)}`);
  check(activeBefore === (icMode === 'xive' ? 'xive' : 'xics'), `${what}: active at reset ${activeBefore}`);
  /** @type {CasResult | null} */
  let result = null;
  /** @type {CasError | null} */
  let error = null;
  try {
    result = m.cas(byte23 === null ? { ov5: null } : ov5(byte23));
  } catch (e) {
    error = /** @type {CasError} */ (e);
  }
  if (want.mode) {
    check(result !== null, `${what}: refused: ${error && error.message}`);
    check(result.mode === want.mode && m.icMode === want.mode, `${what}: mode ${result.mode}, icMode ${m.icMode}`);
    check(result.answer === want.answer && result.requested === byte23, `${what}: answer ${result.answer}`);
    // the tree CAS returns: the negotiated vector and the controller node of the mode
    const vec = Array.from(/** @type {Uint8Array} */ (m.dt('/chosen').props['ibm,architecture-vec-5']));
    check(vec[23] === want.answer, `${what}: ibm,architecture-vec-5 byte 23 = ${vec[23]}`);
    const nodes = Object.keys(m.dt().children);
    check(nodes.includes(want.mode === 'xive' ? 'interrupt-controller@60302031b0000' : 'interrupt-controller'),
      `${what}: controller node in ${nodes}`);
    check(result.fdt instanceof Uint8Array && result.fdt.length > 1000 && result.fdt[0] === 0xd0,
      `${what}: CAS returns the post-CAS tree`);
    check(('ibm,plat-res-int-priorities' in m.dt().props) === (want.mode === 'xive'), `${what}: reserved priorities`);
    check(result.switched === (want.mode !== activeBefore), `${what}: switched ${result.switched}`);
    // a machine reset goes back to the pre-CAS state and tree
    m.reset();
    check(m.icMode === activeBefore, `${what}: after reset icMode ${m.icMode}`);
    check(m.dts() === before, `${what}: after reset the tree is the pre-CAS one`);
  } else {
    check(error !== null, `${what}: accepted as ${result && result.mode}, QEMU refuses`);
    if (want.fatal) {
      check(error.fatal === true && error.qemuMessage === want.fatal, `${what}: ${error.fatal} ${error.qemuMessage}`);
    } else {
      check(error.fatal === false && error.rc === want.rc && error.qemuMessage === want.message,
        `${what}: rc ${error.rc} ${error.qemuMessage}`);
    }
    // a refusal leaves the machine as it was
    check(m.icMode === activeBefore && m.dts() === before, `${what}: machine changed by a refused CAS`);
  }
}

// a second CAS after a reset may choose differently (dual mode)
const m = pseries.machine({ cpus: 2, icMode: 'dual' });
check(m.cas({ xive: 'both' }).mode === 'xive', 'dual: first CAS picks XIVE');
m.reset();
check(m.cas({ xive: 'legacy' }).mode === 'xics', 'dual: after reset, a xive=off guest gets XICS');
m.reset();
check(m.cas({ xive: 'both' }).mode === 'xive' && m.icMode === 'xive', 'dual: and XIVE again');

// CAS is refused while secondaries run: a booted guest cannot renegotiate without a reset
const b = pseries.machine({ cpus: 2, icMode: 'dual' });
b.boot();
/** @type {CasError | null} */
let refused = null;
try { b.cas({ xive: 'legacy' }); } catch (e) { refused = /** @type {CasError} */ (e); }
check(refused !== null && refused.rc === -9005 && refused.fatal === false, `CAS with running secondaries: ${refused && refused.message}`);
check(b.icMode === 'xive', 'still XIVE');
console.log('cas table: ok');
