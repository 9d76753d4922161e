// @ts-check
// CAS negotiation: what ibm,client-architecture-support answers for each ic-mode and each
// guest, or QEMU's refusal.
//
//   ./pseries run scripts/cas-negotiation.js
//
// For every machine icMode (xics, xive, dual) the guest offers XIVE exploitation only, legacy
// only (a kernel booted with xive=off), or both; then two raw option vectors 5: Linux 6.1's with
// byte 23 = 0x80 (the platform's "either" value, which a guest must not ask for) and none at all.
// Each row shows the platform's byte 23 in /chosen/ibm,arch-vec-5-platform-support, what the
// guest asked (byte 23, from the 'cas' event), and QEMU's answer: the active controller, the
// negotiated byte 23 in the tree CAS returns, and its interrupt-controller node; or the refusal,
// fatal (QEMU terminates the guest) or an hcall error, with QEMU's own message.
// It exits non-zero if an outcome differs from QEMU 7.2's (hw/ppc/spapr_hcall.c, spapr_irq.c).

/**
 * @param {unknown} cond
 * @param {string} msg
 * @returns {asserts cond}
 */
function check(cond, msg) {
  if (!cond) { throw new Error(`check failed: ${msg}`); }
}

/** @param {number} n */
const hex2 = (n) => `0x${n.toString(16).padStart(2, '0')}`;

/**
 * Linux 6.1's option vector 5 (as QEMU saw it) with byte 23 replaced; index 0 is the length byte.
 * @param {number} byte23
 */
function linuxOv5(byte23) {
  const v = new Array(27).fill(0);
  Object.assign(v, { 0: 25, 2: 0xf3, 5: 0xe0, 6: 0x05, 11: 0x08, 17: 0xe0, 21: 0x01, 22: 0xc0, 23: byte23, 24: 0x40, 26: 0x40 });
  return v;
}

const INVALID = 'guest requested an invalid interrupt mode';
const NO_XIVE = 'Guest requested unavailable interrupt mode (XIVE), try the ic-mode=xive or ic-mode=dual machine property';
const NO_XICS = "Guest requested unavailable interrupt mode (XICS), either don't set the ic-mode machine property or try ic-mode=xics or ic-mode=dual";
const NO_OV5 = "guest didn't provide option vector 5";

/** @typedef {{ label: string, request: Parameters<Machine['cas']>[0] }} Guest */
/** @type {Guest[]} */
const GUESTS = [
  { label: 'offers exploitation', request: { xive: 'exploitation' } },
  { label: 'offers legacy (xive=off)', request: { xive: 'legacy' } },
  { label: 'offers both', request: { xive: 'both' } },
  { label: 'raw ov5, byte 23 = 0x80', request: linuxOv5(0x80) },
  { label: 'no ov5', request: { ov5: null } },
];

/**
 * QEMU 7.2's outcome per [icMode][guest label]: the mode, or the refusal.
 * Linux asks byte 23 = 0x40 whenever the platform allows XIVE, and 0x00 under xive=off, except on
 * an XIVE-only platform, where it ignores xive=off.
 * @type {Record<string, Record<string, { asks: number, mode?: 'xics' | 'xive', fatal?: string, rc?: number, message?: string }>>}
 */
const QEMU = {
  xics: {
    'offers exploitation': { asks: 0x40, fatal: NO_XIVE },
    'offers legacy (xive=off)': { asks: 0x00, mode: 'xics' },
    'offers both': { asks: 0x00, mode: 'xics' },
    'raw ov5, byte 23 = 0x80': { asks: 0x80, fatal: INVALID },
    'no ov5': { asks: -1, rc: -4, message: NO_OV5 },
  },
  xive: {
    'offers exploitation': { asks: 0x40, mode: 'xive' },
    'offers legacy (xive=off)': { asks: 0x40, mode: 'xive' },
    'offers both': { asks: 0x40, mode: 'xive' },
    'raw ov5, byte 23 = 0x80': { asks: 0x80, fatal: INVALID },
    'no ov5': { asks: -1, rc: -4, message: NO_OV5 },
  },
  dual: {
    'offers exploitation': { asks: 0x40, mode: 'xive' },
    'offers legacy (xive=off)': { asks: 0x00, mode: 'xics' },
    'offers both': { asks: 0x40, mode: 'xive' },
    'raw ov5, byte 23 = 0x80': { asks: 0x80, fatal: INVALID },
    'no ov5': { asks: -1, rc: -4, message: NO_OV5 },
  },
};
// a guest asking for XICS on an XIVE-only platform (a raw vector, since Linux never does)
const NEVER_FROM_LINUX = { label: 'raw ov5, byte 23 = 0x00', request: linuxOv5(0x00) };

/** @type {string[]} */
const messages = [];
/** @param {string} msg */
const note = (msg) => {
  if (!messages.includes(msg)) { messages.push(msg); }
  return `[${messages.indexOf(msg) + 1}]`;
};

/** @type {Array<Record<string, string>>} */
const rows = [];
for (const icMode of ['xics', 'xive', 'dual']) {
  const guests = icMode === 'xive' ? [...GUESTS, NEVER_FROM_LINUX] : GUESTS;
  for (const g of guests) {
    const want = QEMU[icMode][g.label] ?? { asks: 0x00, fatal: NO_XICS };
    const m = pseries.machine({ cpus: 2, icMode });
    const support = m.dt('/chosen').props['ibm,arch-vec-5-platform-support'];
    check(Array.isArray(support) && typeof support[0] === 'number', 'platform support cells');
    const platform = (support[0] >>> 16) & 0xff; // <0x17XX18c0 ...>: byte 23 = XX
    const before = m.icMode;
    let asked = -1;
    const off = m.on('cas', (e) => { asked = Number(e.requested); });
    /** @type {Record<string, string>} */
    const row = { icMode, platform: hex2(platform), guest: g.label };
    try {
      const r = m.cas(g.request);
      const vec = m.dt('/chosen').props['ibm,architecture-vec-5'];
      check(vec instanceof Uint8Array, 'ibm,architecture-vec-5 is bytes');
      const node = Object.keys(m.dt().children).find((n) => n.startsWith('interrupt-controller')) ?? '(none)';
      Object.assign(row, { asks: hex2(r.requested), outcome: r.mode + (r.switched ? ` (switched from ${before})` : ''),
        answer: hex2(vec[23]), 'controller node': node });
      check(want.mode === r.mode && m.icMode === r.mode, `${icMode}, ${g.label}: ${r.mode}, QEMU: ${want.mode ?? want.fatal ?? want.message}`);
      check(r.answer === vec[23] && r.answer === (r.mode === 'xive' ? 0x40 : 0x00), `${icMode}, ${g.label}: answer ${r.answer}`);
      check(node === (r.mode === 'xive' ? 'interrupt-controller@60302031b0000' : 'interrupt-controller'), `${icMode}, ${g.label}: node ${node}`);
    } catch (e) {
      const err = /** @type {CasError} */ (e);
      if (err.qemuMessage === undefined) { throw e; }
      Object.assign(row, { asks: asked < 0 ? '(none)' : hex2(asked),
        outcome: err.fatal ? `refused: guest terminated ${note(err.qemuMessage)}` : `refused: CAS returns rc ${err.rc} ${note(err.qemuMessage)}`,
        answer: '', 'controller node': `(unchanged: ${m.icMode})` });
      check(want.fatal ? err.fatal && err.qemuMessage === want.fatal : !err.fatal && err.rc === want.rc && err.qemuMessage === want.message,
        `${icMode}, ${g.label}: ${err.message}`);
      check(m.icMode === before, `${icMode}, ${g.label}: a refused CAS leaves the machine as it was`);
    }
    check(asked === want.asks, `${icMode}, ${g.label}: the guest asked ${asked}, Linux asks ${want.asks}`);
    off();
    rows.push(row);
  }
}

console.log('ibm,client-architecture-support: option vector 5 byte 23 (interrupt controller), QEMU 7.2 semantics');
console.log('platform: 0x00 XICS only, 0x40 XIVE only, 0x80 either; the guest asks 0x00 (XICS) or 0x40 (XIVE exploitation)\n');
console.table(rows);
messages.forEach((msg, i) => console.log(`[${i + 1}] QEMU: "${msg}"`));
console.log('\ncas negotiation: all outcomes as QEMU 7.2');
