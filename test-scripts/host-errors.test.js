// @ts-check
// Every error a script sees is a JS Error, TypeError or RangeError with a clear message: the
// model's Java exceptions never show a Java class name in e.name, String(e) or e.message.

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

const JAVA = /java\.|javax\.|io\.pseries|Exception\b|\bError: [a-z]+\.[a-z]+\./;

describe('errors from the model', () => {
  it('an unknown hcall name is an Error whose name and text are plain JS', () => {
    const m = pseries.machine({ icMode: 'xive' });
    const e = thrown(() => m.hcall(0, 'H_FOO'));
    assert.strictEqual(e.name, 'Error');
    assert.strictEqual(Object.getPrototypeOf(e), Error.prototype);
    assert.match(String(e), /^Error: unknown hcall 'H_FOO'/);
    assert.doesNotMatch(String(e), JAVA);
  });

  it('every kind of refused call names no Java class', () => {
    const m = pseries.machine({ cpus: 2, icMode: 'xive' });
    m.cas({ xive: 'exploitation' });
    /** @type {Array<[string, () => unknown]>} */
    const calls = [
      ['unclaimed irq', () => m.irq(0x1234)],
      ['xive table index', () => m.xive?.eas(1e6)],
      ['xive END word', () => m.xive?.setEnd(0, 9, 0)],
      ['device-tree path', () => m.dt('/no/such/node')],
      ['guest before boot', () => m.guest.stats()],
      ['unknown event', () => m.on(/** @type {any} */ ('hcal'), () => {})],
      ['machine option', () => pseries.machine({ cpus: 0 })],
      ['unknown machine option', () => pseries.machine(/** @type {any} */ ({ cpu: 2 }))],
      ['boot option', () => m.boot(/** @type {any} */ ({ xive: 3 }))],
    ];
    for (const [what, fn] of calls) {
      const e = thrown(fn);
      assert.ok(e instanceof Error, `${what}: an Error`);
      assert.ok(['Error', 'TypeError', 'RangeError'].includes(e.name), `${what}: e.name is ${e.name}`);
      assert.doesNotMatch(`${e.name}|${String(e)}|${e.message}`, JAVA, what);
    }
  });

  it('a listener error reaches the script as the listener threw it', () => {
    const m = pseries.machine({ icMode: 'xive' });
    class Mine extends Error {}
    m.on('cas', () => { throw new Mine('from the listener'); });
    const e = thrown(() => m.cas({ xive: 'both' }));
    assert.ok(e instanceof Mine);
    assert.strictEqual(e.message, 'from the listener');
  });

  it('the Java exception is kept for -v as an opaque, non-enumerable value', () => {
    const m = pseries.machine({ icMode: 'xive' });
    const e = thrown(() => m.irq(0x1234));
    assert.strictEqual(e.hostCause === undefined, false, 'the Java cause is kept for -v');
    assert.strictEqual(Object.keys(e).length, 0, 'and is not enumerable');
    assert.doesNotMatch(String(e.hostCause), JAVA);
  });
});
