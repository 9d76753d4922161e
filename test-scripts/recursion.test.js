// @ts-check
// Unbounded recursion through the machine ends as JS ends it, a RangeError, and leaves the
// machine (and every later machine) usable.

/**
 * What `fn` threw.
 * @param {() => unknown} fn
 * @returns {any}
 */
function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('nothing was thrown');
}

describe('runaway recursion', () => {
  it('a cas listener calling m.cas is a RangeError, and the machine still boots', () => {
    const m = pseries.machine({ cpus: 2, icMode: 'xive' });
    const off = m.on('cas', () => { m.cas({ xive: 'both' }); });
    const e = thrown(() => m.cas({ xive: 'both' }));
    assert.strictEqual(e.name, 'RangeError');
    assert.match(e.message, /^Maximum call stack size exceeded/);
    off();
    m.reset();
    assert.strictEqual(m.boot().mode, 'xive');
  });

  it('JS recursion calling the machine at every level is a RangeError', () => {
    const m = pseries.machine({ cpus: 2, icMode: 'xive' });
    m.cas({ xive: 'exploitation' });
    /** @param {number} n @returns {number} */
    // (every 16th level: each host call costs more as the stack grows)
    function down(n) { if (n % 16 === 0) { m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, n & 0xff); } return down(n + 1) + 1; }
    const e = thrown(() => down(0));
    assert.strictEqual(e.name, 'RangeError');
    assert.strictEqual(e.message, 'Maximum call stack size exceeded');
    m.reset();
    assert.strictEqual(m.boot().mode, 'xive');
  });

  it('calling the machine from the bottom of an overflowed stack poisons nothing', () => {
    // every level catches the overflow below it and boots a fresh machine there, with almost no
    // stack left: the first class initializations of a boot would fail at that depth
    let failures = 0;
    /** @type {string[]} */
    const names = [];
    function down() {
      try {
        down();
      } catch (e) {
        try {
          pseries.machine({ cpus: 2, icMode: 'dual', devices: [{ type: 'spapr-vlan' }] }).boot();
        } catch (e2) {
          failures++;
          if (names.length < 3) { names.push(/** @type {Error} */ (e2).name); }
          throw e2;
        }
      }
    }
    try { down(); } catch (e) { /* the outermost level may still overflow */ }
    assert.ok(failures > 0, 'some boots ran out of stack');
    assert.ok(names.every((n) => n === 'RangeError'), `every failure is a RangeError: ${names}`);
    const m = pseries.machine({ cpus: 2, icMode: 'dual', devices: [{ type: 'spapr-vlan' }] });
    assert.strictEqual(m.boot().mode, 'xive');
    m.reset();
    assert.strictEqual(m.boot({ xive: 'legacy' }).mode, 'xics');
  });
});
