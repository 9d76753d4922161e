// @ts-check
// The test runner's assert: node:assert's names and semantics, and what a failure carries.

/**
 * The AssertionError `fn` throws (fails when it throws nothing or something else).
 * @param {() => unknown} fn
 * @returns {AssertionError}
 */
function failure(fn) {
  try {
    fn();
  } catch (e) {
    if (e instanceof assert.AssertionError) { return /** @type {AssertionError} */ (e); }
    throw e;
  }
  throw new Error('the assertion passed');
}

describe('assert', () => {
  it('ok and assert() fail on falsy values, with actual and expected', () => {
    assert.ok(1);
    assert(true);
    const e = failure(() => assert.ok(0));
    assert.deepStrictEqual([e.actual, e.expected, e.code, e.name], [0, true, 'ERR_ASSERTION', 'AssertionError']);
    assert.match(e.message, /falsy value: 0/);
    assert.strictEqual(failure(() => assert('', 'empty')).message, 'empty');
  });

  it('equal is ==, with NaN equal to NaN; notEqual its opposite', () => {
    assert.equal(1, '1');
    assert.equal(NaN, NaN);
    assert.equal(null, undefined);
    failure(() => assert.equal(1, 2));
    assert.notEqual(1, 2);
    failure(() => assert.notEqual(0, ''));
  });

  it('strictEqual is Object.is: NaN equals NaN, +0 is not -0', () => {
    assert.strictEqual(NaN, NaN);
    const e = failure(() => assert.strictEqual(0, -0));
    assert.match(e.message, /0 !== -0/);
    failure(() => assert.strictEqual(1, '1'));
    assert.notStrictEqual(1, '1');
    failure(() => assert.notStrictEqual(NaN, NaN));
  });

  it('deepStrictEqual compares prototypes, own keys and values strictly', () => {
    assert.deepStrictEqual({ a: [1, { b: 2n }], c: new Uint8Array([1, 2]) }, { a: [1, { b: 2n }], c: new Uint8Array([1, 2]) });
    assert.deepStrictEqual(new Map([[1, { x: 1 }]]), new Map([[1, { x: 1 }]]));
    assert.deepStrictEqual(new Set([1, 2]), new Set([2, 1]));
    failure(() => assert.deepStrictEqual({ a: 1 }, { a: '1' }));
    failure(() => assert.deepStrictEqual([1, 2], { 0: 1, 1: 2, length: 2 }));
    failure(() => assert.deepStrictEqual({ a: 1 }, { a: 1, b: undefined }));
    failure(() => assert.deepStrictEqual(new Uint8Array([1]), new Uint16Array([1])));
    const e = failure(() => assert.deepStrictEqual({ a: 1, b: [1, 2] }, { a: 1, b: [1, 3] }));
    assert.match(e.message, /strictly deep-equal/);
    assert.notDeepStrictEqual({ a: 1 }, { a: 2 });
  });

  it('throws checks the error against a class, a RegExp, an object or a function', () => {
    assert.throws(() => { throw new TypeError('bad thing'); }, TypeError);
    assert.throws(() => { throw new TypeError('bad thing'); }, /TypeError: bad/);
    assert.throws(() => { throw Object.assign(new Error('x'), { rc: -4 }); }, { message: 'x', rc: -4 });
    assert.throws(() => { throw new Error('x'); }, (e) => e instanceof Error);
    failure(() => assert.throws(() => {}));
    failure(() => assert.throws(() => { throw new Error('x'); }, RangeError));
    failure(() => assert.throws(() => { throw new Error('x'); }, /y/));
    failure(() => assert.throws(() => { throw Object.assign(new Error('x'), { rc: -4 }); }, { rc: -3 }));
    assert.doesNotThrow(() => 1);
    failure(() => assert.doesNotThrow(() => { throw new Error('x'); }));
  });

  it('rejects awaits a promise that must reject', async () => {
    await assert.rejects(Promise.reject(new RangeError('r')), RangeError);
    await assert.rejects(async () => { throw new Error('later'); }, /later/);
    let failed = null;
    try { await assert.rejects(Promise.resolve(1)); } catch (e) { failed = e; }
    assert.ok(failed instanceof assert.AssertionError);
  });

  it('match and doesNotMatch need a string', () => {
    assert.match('H_P2', /^H_P\d$/);
    failure(() => assert.match('H_PARAMETER', /^H_P\d$/));
    failure(() => assert.match(/** @type {any} */ (42), /42/));
    assert.doesNotMatch('abc', /d/);
    failure(() => assert.doesNotMatch('abc', /b/));
  });

  it('fail always fails; an Error message is thrown as is', () => {
    assert.strictEqual(failure(() => assert.fail()).message, 'Failed');
    assert.strictEqual(failure(() => assert.fail('boom')).message, 'boom');
    assert.throws(() => assert.fail(new RangeError('mine')), RangeError);
  });

  it('a failure carries a stack that starts in this file, without the runner\'s frames', () => {
    const e = failure(() => assert.strictEqual(1, 2));
    const frames = String(e.stack).split('\n').filter((l) => /^\s+at /.test(l));
    assert.ok(frames.length > 0, e.stack);
    assert.match(frames[0], /assert\.test\.js:\d+:\d+/);
    assert.ok(frames.every((l) => !/pseries-(test|api)\.js/.test(l)), e.stack);
  });

  it('assert.strict is assert', () => {
    assert.strictEqual(assert.strict, assert);
  });
});
