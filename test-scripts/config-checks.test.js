// @ts-check
// Configuration values are checked exactly, never clamped, and refusals name the option and
// the value as the script wrote it.

/**
 * The message of what `fn` threw.
 * @param {() => unknown} fn
 * @returns {string}
 */
function refusal(fn) {
  try {
    fn();
  } catch (e) {
    return /** @type {Error} */ (e).message;
  }
  throw new Error('nothing was thrown');
}

describe('machine configuration checks', () => {
  it('a seed is any 64-bit value, taken exactly', () => {
    assert.strictEqual(BigInt(pseries.machine({ seed: 2 ** 63 }).config.seed), -(2n ** 63n));
    assert.strictEqual(BigInt(pseries.machine({ seed: 2n ** 64n - 1n }).config.seed), -1n);
    assert.strictEqual(BigInt(pseries.machine({ seed: 2n ** 63n - 1n }).config.seed), 2n ** 63n - 1n);
  });

  it('a seed beyond 64 bits is refused as written', () => {
    assert.match(refusal(() => pseries.machine({ seed: 2 ** 64 })), /^invalid machine option seed: 18446744073709551616; expected an integer from -9223372036854775808 to 18446744073709551615/);
    assert.match(refusal(() => pseries.machine({ seed: 1e300 })), /^invalid machine option seed: 1e\+300;/);
    assert.match(refusal(() => pseries.machine({ seed: 2n ** 64n })), /^invalid machine option seed: 18446744073709551616n?;/);
  });

  it('cpus: 1e30 is reported as 1e+30', () => {
    assert.strictEqual(refusal(() => pseries.machine({ cpus: 1e30 })), 'invalid machine option cpus: 1e+30; expected an integer from 1 to 4096');
  });

  it('two VIO devices sharing an interrupt are both named', () => {
    const msg = refusal(() => pseries.machine({ devices: [{ type: 'spapr-vty' }, { type: 'spapr-vlan', reg: 0x71000100 }] }));
    assert.match(msg, /devices\[1\] \(spapr-vlan, reg 0x71000100\): its interrupt 0x1100 .* is already devices\[0\] \(spapr-vty, reg 0x71000000\)'s/);
    const reg = refusal(() => pseries.machine({ devices: [{ type: 'spapr-vty', reg: 0x71000005 }, { type: 'spapr-nvram', reg: 0x71000005 }] }));
    assert.match(reg, /devices\[1\] \(spapr-nvram, reg 0x71000005\): the reg is already devices\[0\] \(spapr-vty, reg 0x71000005\)'s/);
  });

  it('boot timing is a boot option, not a machine option', () => {
    const m = pseries.machine({ icMode: 'xive' });
    assert.strictEqual(refusal(() => m.boot({ timing: { mmioNs: 1e300 } })),
      'invalid boot option timing.mmioNs: 1e+300; expected an integer from 0 to 1000000000');
    assert.strictEqual(m.guest.booted, false);
  });

  it('a Map as options is refused, not read as empty', () => {
    const top = /** @type {any} */ (new Map([['cpus', 2]]));
    assert.throws(() => pseries.machine(top), { name: 'TypeError', message: /options must be a plain object .*got a Map/ });
    assert.match(refusal(() => pseries.machine({ devices: [/** @type {any} */ (new Map([['type', 'spapr-vty']]))] })),
      /devices\[0\]: a Map is not accepted; write a plain object/);
    const m = pseries.machine({ icMode: 'xive' });
    assert.throws(() => m.boot(/** @type {any} */ (new Map([['xive', 'both']]))), { name: 'TypeError', message: /got a Map/ });
  });
});
