// The pseries JS test framework: describe/it with hooks, and node:assert's assertions.
//
// Evaluated once per test file context, before the file, as a function of the Java host. A
// test file registers suites and tests when it is evaluated (describe bodies run at once, as
// in mocha); the host then calls run(), which walks the tree, runs hooks and tests (sync or
// async), and reports every result to the host.
(function (host) {
  'use strict';

  // ------------------------------------------------------------------ inspect (for messages)

  function inspect(v, depth = 0, seen = new Set()) {
    if (typeof v === 'string') { return JSON.stringify(v); }
    if (typeof v === 'bigint') { return `${v}n`; }
    if (typeof v === 'function') { return `[Function${v.name ? ': ' + v.name : ''}]`; }
    if (typeof v === 'symbol') { return v.toString(); }
    if (Object.is(v, -0)) { return '-0'; }
    if (v === null || typeof v !== 'object') { return String(v); }
    if (seen.has(v)) { return '[Circular]'; }
    if (depth > 5) { return Array.isArray(v) ? '[Array]' : '[Object]'; }
    if (v instanceof Error) { return `[${v.name}: ${v.message}]`; }
    if (v instanceof Date) { return v.toISOString(); }
    if (v instanceof RegExp) { return String(v); }
    seen.add(v);
    try {
      if (ArrayBuffer.isView(v)) {
        return `${v.constructor.name}(${v.length}) [ ${Array.from(v).map((x) => inspect(x)).join(', ')} ]`;
      }
      if (v instanceof Map) {
        return `Map(${v.size}) { ${Array.from(v, ([k, x]) => `${inspect(k, depth + 1, seen)} => ${inspect(x, depth + 1, seen)}`).join(', ')} }`;
      }
      if (v instanceof Set) {
        return `Set(${v.size}) { ${Array.from(v, (x) => inspect(x, depth + 1, seen)).join(', ')} }`;
      }
      if (Array.isArray(v)) {
        return `[ ${v.map((x) => inspect(x, depth + 1, seen)).join(', ')} ]`;
      }
      const keys = Object.keys(v);
      const proto = Object.getPrototypeOf(v);
      const prefix = proto === null ? '[Object: null prototype] ' : (proto !== Object.prototype && proto.constructor && proto.constructor.name ? `${proto.constructor.name} ` : '');
      if (keys.length === 0) { return `${prefix}{}`; }
      return `${prefix}{ ${keys.map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${inspect(v[k], depth + 1, seen)}`).join(', ')} }`;
    } finally {
      seen.delete(v);
    }
  }

  // ------------------------------------------------------------------ assert (node:assert)

  // A plain function rather than a class: GraalJS records no stack frames for an error whose
  // constructor lives in an internal source, and the user's frames are what a failure must show.
  function AssertionError(options) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('new AssertionError(options): options must be an object');
    }
    const e = new Error(options.message === undefined ? 'Failed' : String(options.message));
    Object.setPrototypeOf(e, new.target ? new.target.prototype : AssertionError.prototype);
    Object.defineProperty(e, 'name', { value: 'AssertionError', writable: true, configurable: true, enumerable: false });
    e.code = 'ERR_ASSERTION';
    e.actual = options.actual;
    e.expected = options.expected;
    e.operator = options.operator;
    e.generatedMessage = !options.userMessage;
    Object.defineProperty(e, 'hasExpected', { value: 'expected' in options, configurable: true, enumerable: false });
    return e;
  }
  AssertionError.prototype = Object.create(Error.prototype, {
    constructor: { value: AssertionError, writable: true, configurable: true },
    name: { value: 'AssertionError', writable: true, configurable: true },
  });

  function failWith(userMessage, generated, actual, expected, operator, withExpected = true) {
    if (userMessage instanceof Error) { throw userMessage; }
    const o = { message: userMessage !== undefined ? String(userMessage) : generated, actual, operator, userMessage: userMessage !== undefined };
    if (withExpected) { o.expected = expected; }
    throw new AssertionError(o);
  }

  function sameValueZero(a, b) { return a === b || (a !== a && b !== b); }

  /** node's isDeepStrictEqual, for the types scripts meet. */
  function deepStrict(a, b, memo) {
    if (Object.is(a, b)) { return true; }
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) { return false; }
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) { return false; }
    const tag = Object.prototype.toString.call(a);
    if (tag !== Object.prototype.toString.call(b)) { return false; }
    for (const [x, y] of memo) { if (x === a && y === b) { return true; } }
    memo.push([a, b]);
    try {
      if (a instanceof Date) { if (a.getTime() !== b.getTime()) { return false; } }
      if (a instanceof RegExp) { if (a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex) { return false; } }
      if (a instanceof Error) { if (a.message !== b.message || a.name !== b.name) { return false; } }
      if (a instanceof Number || a instanceof String || a instanceof Boolean || (typeof BigInt !== 'undefined' && a instanceof BigInt)) {
        if (!Object.is(a.valueOf(), b.valueOf())) { return false; }
      }
      if (ArrayBuffer.isView(a)) {
        if (a.length !== b.length) { return false; }
        for (let i = 0; i < a.length; i++) { if (!Object.is(a[i], b[i])) { return false; } }
      }
      if (a instanceof Map) {
        if (a.size !== b.size) { return false; }
        for (const [k, v] of a) {
          if (!b.has(k)) {
            let found = false;
            for (const [k2, v2] of b) { if (deepStrict(k, k2, memo) && deepStrict(v, v2, memo)) { found = true; break; } }
            if (!found) { return false; }
          } else if (!deepStrict(v, b.get(k), memo)) { return false; }
        }
      }
      if (a instanceof Set) {
        if (a.size !== b.size) { return false; }
        for (const v of a) {
          if (!b.has(v)) {
            let found = false;
            for (const v2 of b) { if (deepStrict(v, v2, memo)) { found = true; break; } }
            if (!found) { return false; }
          }
        }
      }
      const ka = Object.keys(a);
      const kb = Object.keys(b);
      if (ka.length !== kb.length) { return false; }
      for (const k of ka) {
        if (!Object.prototype.hasOwnProperty.call(b, k) || !deepStrict(a[k], b[k], memo)) { return false; }
      }
      const sa = Object.getOwnPropertySymbols(a).filter((s) => Object.prototype.propertyIsEnumerable.call(a, s));
      const sb = Object.getOwnPropertySymbols(b).filter((s) => Object.prototype.propertyIsEnumerable.call(b, s));
      if (sa.length !== sb.length) { return false; }
      for (const s of sa) { if (!deepStrict(a[s], b[s], memo)) { return false; } }
      return true;
    } finally {
      memo.pop();
    }
  }

  function assert(value, message) { ok(value, message); }

  function ok(value, message) {
    if (!value) {
      failWith(message, `The expression evaluated to a falsy value: ${inspect(value)}`, value, true, '==');
    }
  }

  const api = {
    ok,
    equal(actual, expected, message) {
      // node: == with NaN equal to NaN
      if (!(actual == expected || (actual !== actual && expected !== expected))) {
        failWith(message, `${inspect(actual)} == ${inspect(expected)}`, actual, expected, '==');
      }
    },
    notEqual(actual, expected, message) {
      if (actual == expected || (actual !== actual && expected !== expected)) {
        failWith(message, `${inspect(actual)} != ${inspect(expected)}`, actual, expected, '!=');
      }
    },
    strictEqual(actual, expected, message) {
      if (!Object.is(actual, expected)) {
        failWith(message, `Expected values to be strictly equal:\n\n${inspect(actual)} !== ${inspect(expected)}\n`, actual, expected, 'strictEqual');
      }
    },
    notStrictEqual(actual, expected, message) {
      if (Object.is(actual, expected)) {
        failWith(message, `Expected "actual" to be strictly unequal to: ${inspect(expected)}`, actual, expected, 'notStrictEqual');
      }
    },
    deepStrictEqual(actual, expected, message) {
      if (!deepStrict(actual, expected, [])) {
        failWith(message, `Expected values to be strictly deep-equal:\n${diff(actual, expected)}`, actual, expected, 'deepStrictEqual');
      }
    },
    notDeepStrictEqual(actual, expected, message) {
      if (deepStrict(actual, expected, [])) {
        failWith(message, `Expected "actual" not to be strictly deep-equal to: ${inspect(expected)}`, actual, expected, 'notDeepStrictEqual');
      }
    },
    throws(fn, expected, message) {
      if (typeof fn !== 'function') {
        throw new TypeError(`The "fn" argument must be of type function. Received ${inspect(fn)}`);
      }
      if (typeof expected === 'string') {
        message = expected;
        expected = undefined;
      }
      let threw = false;
      let err;
      try { fn(); } catch (e) { threw = true; err = e; }
      if (!threw) {
        failWith(message, `Missing expected exception${expected && expected.name ? ` (${expected.name})` : ''}.`, undefined, expected, 'throws');
      }
      checkThrown(err, expected, message, 'throws');
    },
    doesNotThrow(fn, message) {
      try { fn(); } catch (e) {
        failWith(typeof message === 'string' ? message : undefined, `Got unwanted exception.\nActual message: "${e && e.message}"`, e, undefined, 'doesNotThrow');
      }
    },
    async rejects(promiseOrFn, expected, message) {
      if (typeof expected === 'string') { message = expected; expected = undefined; }
      let threw = false;
      let err;
      try { await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn); } catch (e) { threw = true; err = e; }
      if (!threw) { failWith(message, 'Missing expected rejection.', undefined, expected, 'rejects'); }
      checkThrown(err, expected, message, 'rejects');
    },
    match(string, regexp, message) {
      if (!(regexp instanceof RegExp)) {
        throw new TypeError(`The "regexp" argument must be an instance of RegExp. Received ${inspect(regexp)}`);
      }
      if (typeof string !== 'string' || !regexp.test(string)) {
        failWith(message, typeof string !== 'string'
          ? `The "string" argument must be of type string. Received type ${typeof string} (${inspect(string)})`
          : `The input did not match the regular expression ${regexp}. Input:\n\n${inspect(string)}\n`, string, regexp, 'match');
      }
    },
    doesNotMatch(string, regexp, message) {
      if (typeof string !== 'string' || regexp.test(string)) {
        failWith(message, `The input was expected to not match the regular expression ${regexp}. Input:\n\n${inspect(string)}\n`, string, regexp, 'doesNotMatch');
      }
    },
    fail(message) {
      if (message instanceof Error) { throw message; }
      throw new AssertionError({ message: message === undefined ? 'Failed' : String(message), operator: 'fail', userMessage: message !== undefined });
    },
    AssertionError,
  };
  Object.assign(assert, api);
  assert.strict = assert;

  function checkThrown(err, expected, message, operator) {
    if (expected === undefined) { return; }
    if (expected instanceof RegExp) {
      if (!expected.test(String(err))) {
        failWith(message, `The input did not match the regular expression ${expected}. Input:\n\n${inspect(String(err))}\n`, err, expected, operator);
      }
      return;
    }
    if (typeof expected === 'function') {
      if (expected.prototype !== undefined && err instanceof expected) { return; }
      if (Error.isPrototypeOf(expected) || expected === Error) {
        failWith(message, `The error is expected to be an instance of "${expected.name}". Received "${err && err.constructor ? err.constructor.name : typeof err}"\n\nError message:\n\n${err && err.message}`, err, expected, operator);
      }
      const r = expected.call({}, err);
      if (r !== true) {
        failWith(message, `The ${expected.name ? `"${expected.name}" ` : ''}validation function is expected to return "true". Received ${inspect(r)}\n\nCaught error:\n\n${err}`, err, expected, operator);
      }
      return;
    }
    if (expected !== null && typeof expected === 'object') {
      for (const k of Object.keys(expected)) {
        const want = expected[k];
        const got = err === null || err === undefined ? undefined : err[k];
        const good = want instanceof RegExp && typeof got === 'string' ? want.test(got) : deepStrict(got, want, []);
        if (!good) {
          failWith(message, `Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Comparison {\n+   ${k}: ${inspect(got)}\n-   ${k}: ${inspect(want)}\n  }`, err, expected, operator);
        }
      }
    }
  }

  /** A small +/- line diff of two values' renderings. */
  function diff(actual, expected) {
    const a = pretty(actual).split('\n');
    const e = pretty(expected).split('\n');
    const out = ['+ actual - expected', ''];
    const n = Math.max(a.length, e.length);
    for (let i = 0; i < n; i++) {
      if (a[i] === e[i]) { out.push(`  ${a[i]}`); continue; }
      if (a[i] !== undefined) { out.push(`+ ${a[i]}`); }
      if (e[i] !== undefined) { out.push(`- ${e[i]}`); }
    }
    return out.join('\n');
  }

  function pretty(v) {
    const s = inspect(v);
    if (s.length <= 60 || v === null || typeof v !== 'object') { return s; }
    if (Array.isArray(v)) { return `[\n${v.map((x) => `  ${inspect(x)},`).join('\n')}\n]`; }
    return `{\n${Object.keys(v).map((k) => `  ${k}: ${inspect(v[k])},`).join('\n')}\n}`;
  }

  // ------------------------------------------------------------------ registration

  function newSuite(name, parent, flags) {
    return { kind: 'suite', name, parent, children: [], hooks: { before: [], after: [], beforeEach: [], afterEach: [] },
      skip: !!flags.skip, only: !!flags.only, timeout: flags.timeout };
  }

  /** The options object of it() and describe(): { timeout } in milliseconds (0: no limit). */
  function options(o, what) {
    if (o === undefined) { return {}; }
    if (o === null || typeof o !== 'object' || Array.isArray(o)) {
      throw new TypeError(`${what}: options must be an object such as { timeout: 5000 }, got ${o === null ? 'null' : typeof o}`);
    }
    for (const k of Object.keys(o)) {
      if (k !== 'timeout') { throw new TypeError(`${what}: unknown option '${k}'; valid options: timeout`); }
    }
    const t = o.timeout;
    if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > 2147483647)) {
      throw new RangeError(`${what}: timeout must be a whole number of milliseconds from 0 (no limit) to 2147483647, got ${String(t)}`);
    }
    return { timeout: t };
  }

  const root = newSuite('', null, {});
  let current = root;
  let running = false;

  function registering(what) {
    if (running) {
      throw new Error(`${what} cannot be called while tests run; call it at the top level of the file or inside describe()`);
    }
  }

  function addSuite(name, fn, flags, opts) {
    registering('describe()');
    if (typeof name !== 'string') { throw new TypeError(`describe(name, fn): name must be a string, got ${typeof name}`); }
    if (typeof fn !== 'function') { throw new TypeError(`describe('${name}', fn): fn must be a function, got ${typeof fn}`); }
    const s = newSuite(name, current, { ...flags, ...options(opts, `describe('${name}')`) });
    current.children.push(s);
    const prev = current;
    current = s;
    try {
      const r = fn();
      if (r && typeof r.then === 'function') {
        throw new TypeError(`describe('${name}'): the body must register tests synchronously; put async work in it() or hooks`);
      }
    } finally {
      current = prev;
    }
  }

  function addTest(name, fn, flags, opts) {
    registering('it()');
    if (typeof name !== 'string') { throw new TypeError(`it(name, fn): name must be a string, got ${typeof name}`); }
    if (fn !== undefined && typeof fn !== 'function') { throw new TypeError(`it('${name}', fn): fn must be a function, got ${typeof fn}`); }
    const o = options(opts, `it('${name}')`);
    // it('name') without a body is a pending (skipped) test, as in mocha
    current.children.push({ kind: 'test', name, fn, parent: current, skip: !!flags.skip || fn === undefined, only: !!flags.only,
      location: callerLocation(), timeout: o.timeout });
  }

  function callerLocation() {
    return locate(new Error().stack || '');
  }

  /**
   * The first frame of a stack that lies in the test file. JS errors give 'path:line:column';
   * errors thrown by the Java side give 'name:line:start-end' with character offsets in the file.
   */
  function locate(stack) {
    for (const line of String(stack).split('\n').slice(1)) {
      const m = line.match(/\(?((?:[A-Za-z]:)?[^\s()]+):(\d+):(\d+)(-\d+)?\)?\s*$/);
      if (m && host.isTestFile(m[1])) {
        const ln = Number(m[2]);
        return { file: host.filePath(), line: ln, column: m[4] ? host.columnOf(ln, Number(m[3])) : Number(m[3]) };
      }
    }
    return null;
  }

  function describe(name, fn, opts) { addSuite(name, fn, {}, opts); }
  describe.skip = (name, fn, opts) => addSuite(name, fn, { skip: true }, opts);
  describe.only = (name, fn, opts) => addSuite(name, fn, { only: true }, opts);
  function it(name, fn, opts) { addTest(name, fn, {}, opts); }
  it.skip = (name, fn, opts) => addTest(name, fn, { skip: true }, opts);
  it.only = (name, fn, opts) => addTest(name, fn, { only: true }, opts);

  function hook(kind) {
    return (fn) => {
      registering(`${kind}()`);
      if (typeof fn !== 'function') { throw new TypeError(`${kind}(fn): fn must be a function, got ${typeof fn}`); }
      current.hooks[kind].push(fn);
    };
  }

  // ------------------------------------------------------------------ running

  function pathOf(node) {
    const names = [];
    for (let n = node.kind === 'suite' ? node : node.parent; n && n !== root; n = n.parent) { names.unshift(n.name); }
    return names;
  }

  function anyOnly(node) {
    if (node.only) { return true; }
    return node.kind === 'suite' && node.children.some(anyOnly);
  }

  /** Whether a test is selected: only-marks, the name filter, skips. */
  function selection(test, onlyMode, filter) {
    let inOnly = !onlyMode;
    let skipped = test.skip;
    for (let n = test; n; n = n.parent) {
      if (n.only) { inOnly = true; }
      if (n.skip) { skipped = true; }
    }
    if (!inOnly) { return 'out'; }
    const full = [...pathOf(test), test.name].join(' > ');
    if (filter && !filter.test(full)) { return 'out'; }
    return skipped ? 'skip' : 'run';
  }

  /** An error from the Java side has the API's own frames in its stack: keep the script's, as a JS error would. */
  function javaStack(info, stack) {
    const lines = [`${info.name}: ${info.message}`];
    for (const line of stack.split('\n').slice(1)) {
      if (/\(pseries-[\w-]+\.js:|<builtin>/.test(line)) { continue; }
      const m = line.match(/^(\s*at .*?)\(?([^\s()]+):(\d+):(\d+)-\d+\)?\s*$/);
      if (m && host.isTestFile(m[2])) {
        const fn = m[1].replace(/^(\s*at )(?::=> |:)?/, '$1').trim();
        const where = `${host.filePath()}:${m[3]}:${host.columnOf(Number(m[3]), Number(m[4]))}`;
        lines.push(fn === 'at' ? `    at ${where}` : `    ${fn} (${where})`);
      } else {
        lines.push(line);
      }
    }
    return lines.join('\n');
  }

  /** f(), or fallback when f throws: a hostile thrown value must not break the report. */
  function safe(f, fallback) {
    try { return f(); } catch (_) { return fallback; }
  }

  function text(v) {
    return safe(() => String(v), null) ?? safe(() => Object.prototype.toString.call(v), '[value]');
  }

  /**
   * What is reported of a thrown value. Anything can be thrown (a Proxy, an object whose
   * getters or toString throw, a revoked proxy): every read is guarded, so the failure is
   * always that test's and the rest of the file runs.
   */
  function errorInfo(e) {
    const info = { name: 'Error', message: '', stack: '', location: null, hasExpected: false };
    if (e === null || (typeof e !== 'object' && typeof e !== 'function')) {
      info.message = text(e) ?? typeof e;
      return info;
    }
    const java = safe(() => host.hostError(e), null);
    if (java !== null) {
      info.name = java[0];
      info.message = java[1];
      info.stack = safe(() => javaStack(info, String(e.stack)), '');
    } else {
      const name = safe(() => e.name, undefined);
      info.name = typeof name === 'string' && name !== '' ? name : safe(() => String(e.constructor.name), '') || 'Error';
      const msg = safe(() => e.message, undefined);
      info.message = msg !== undefined ? (text(msg) ?? '(a message that cannot be shown)')
        : (text(e) ?? '(a thrown value that cannot be shown)');
      const stack = safe(() => e.stack, '');
      info.stack = typeof stack === 'string' ? stack : '';
    }
    if (safe(() => e instanceof AssertionError, false)) {
      info.assertion = true;
      info.operator = safe(() => String(e.operator), undefined);
      if (safe(() => e.hasExpected === true, false)) {
        info.hasExpected = true;
        info.expected = safe(() => inspect(e.expected), '(cannot be shown)');
        info.actual = safe(() => inspect(e.actual), '(cannot be shown)');
      }
    }
    info.location = safe(() => locate(info.stack), null);
    return info;
  }

  /** The time limit of a test or suite: its own, else its nearest suite's, else the file's default. */
  function timeoutOf(node, state) {
    for (let n = node; n; n = n.parent) {
      if (n.timeout !== undefined) { return n.timeout; }
    }
    return state.timeout;
  }

  async function runHooks(list, label, gen, state) {
    for (const h of list) {
      try {
        await h();
      } catch (e) {
        const info = errorInfo(e);
        info.message = `"${label}" hook failed: ${info.message}`;
        return info;
      }
      if (gen !== state.gen) { return null; }
    }
    return null;
  }

  function collectEach(suite, kind) {
    const chain = [];
    for (let s = suite; s; s = s.parent) { chain.unshift(s); }
    const hooks = [];
    for (const s of chain) { hooks.push(...s.hooks[kind]); }
    return kind === 'afterEach' ? hooks.reverse() : hooks;
  }

  function countSelected(node, onlyMode, filter) {
    if (node.kind === 'test') { return selection(node, onlyMode, filter) === 'run' ? 1 : 0; }
    return node.children.reduce((n, c) => n + countSelected(c, onlyMode, filter), 0);
  }

  /**
   * The run as a flat list of steps (enter a suite, its before-all hooks, a test, its after-all
   * hooks), so that a step the host interrupts (a timeout) or that never settles can be
   * abandoned and the run resumed at the next step.
   */
  function plan(suite, state, steps) {
    const toRun = countSelected(suite, state.onlyMode, state.filter);
    if (toRun > 0) {
      steps.push({ kind: 'before', suite });
    }
    for (const child of suite.children) {
      if (child.kind === 'suite') {
        plan(child, state, steps);
        continue;
      }
      const sel = selection(child, state.onlyMode, state.filter);
      if (sel !== 'out') { steps.push({ kind: sel === 'skip' ? 'skip' : 'test', test: child }); }
    }
    if (toRun > 0) {
      steps.push({ kind: 'after', suite });
    }
    return steps;
  }

  /** The before-all failure of the nearest suite whose hooks failed, or null. */
  function inheritedError(suite) {
    for (let s = suite; s; s = s.parent) {
      if (s.beforeError) { return s.beforeError; }
    }
    return null;
  }

  async function runStep(step, state, gen) {
    if (step.kind === 'before') {
      const suite = step.suite;
      if (state.bailed || inheritedError(suite.parent)) { return; }
      suite.entered = true;
      if (suite !== root) { host.suiteStarted(pathOf(suite)); }
      host.arm(timeoutOf(suite, state));
      suite.beforeError = await runHooks(suite.hooks.before, 'before all', gen, state);
      host.disarm();
      return;
    }
    if (step.kind === 'after') {
      const suite = step.suite;
      if (!suite.entered) { return; }
      host.arm(timeoutOf(suite, state));
      const afterError = await runHooks(suite.hooks.after, 'after all', gen, state);
      host.disarm();
      if (gen !== state.gen) { return; }
      if (afterError) {
        host.hookFailed(pathOf(suite), afterError);
        state.failed++;
      }
      return;
    }
    const test = step.test;
    if (state.bailed) { return; }
    const path = pathOf(test);
    if (step.kind === 'skip') {
      host.testFinished(path, test.name, 'skipped', 0, null, test.location);
      return;
    }
    const before = inheritedError(test.parent);
    if (before) {
      host.testFinished(path, test.name, 'failed', 0, before, test.location);
      state.failed++;
      return;
    }
    await runTest(test, path, state, gen);
  }

  async function runTest(test, path, state, gen) {
    host.testStarted(path, test.name, test.location);
    host.arm(timeoutOf(test, state));
    const start = Date.now();
    let error = await runHooks(collectEach(test.parent, 'beforeEach'), 'before each', gen, state);
    if (gen !== state.gen) { return; }
    if (!error) {
      try {
        await test.fn();
      } catch (e) {
        error = errorInfo(e);
      }
    }
    // abandoned (timed out, or never settled) while it awaited: already reported
    if (gen !== state.gen) { return; }
    const afterError = await runHooks(collectEach(test.parent, 'afterEach'), 'after each', gen, state);
    host.disarm();
    if (gen !== state.gen) { return; }
    if (!error && afterError) { error = afterError; }
    finishTest(test, path, state, Date.now() - start, error);
  }

  function finishTest(test, path, state, ms, error) {
    if (error) {
      state.failed++;
      host.testFinished(path, test.name, 'failed', ms, error, test.location);
      if (state.bail) { state.bailed = true; }
    } else {
      host.testFinished(path, test.name, 'passed', ms, null, test.location);
    }
  }

  async function drive(state, gen) {
    while (state.i < state.steps.length) {
      state.started = Date.now();
      await runStep(state.steps[state.i], state, gen);
      if (gen !== state.gen) { return state.failed; }
      state.i++;
    }
    return state.failed;
  }

  /** Every registered test's full name ('suite > test'), for "no test matches" hints. */
  function names() {
    const out = [];
    const walk = (n) => {
      if (n.kind === 'test') { out.push([...pathOf(n), n.name].join(' > ')); } else { n.children.forEach(walk); }
    };
    walk(root);
    return out;
  }

  let runState = null;

  /** Runs the registered tests; resolves when done. `timeout` is the default per test, in ms (0: none). */
  function run(filterSource, bail, timeout) {
    running = true;
    const state = { onlyMode: anyOnly(root), filter: filterSource ? new RegExp(filterSource) : null, bail, bailed: false,
      failed: 0, timeout: timeout || 0, steps: [], i: 0, gen: 0, started: 0 };
    state.steps = plan(root, state, []);
    runState = state;
    return drive(state, 0);
  }

  /**
   * Abandons the current step and runs the rest. `why` is 'timeout' (the host interrupted it
   * after `ms`), 'memory' (the JVM ran out of heap in it) or 'pending' (it awaits a promise nothing can settle: pseries has no timers).
   * The abandoned step is reported as failed at its test's location.
   */
  function resume(why, ms, memoryMessage) {
    const state = runState;
    host.disarm();
    const step = state.steps[state.i];
    state.gen++;
    const limit = step && (step.kind === 'test' ? timeoutOf(step.test, state) : step.suite ? timeoutOf(step.suite, state) : 0);
    const message = why === 'timeout'
      ? `timed out after ${limit} ms (set it with it(name, fn, { timeout }), describe(name, fn, { timeout }) or --timeout)`
      : why === 'memory' ? memoryMessage
        : 'timed out: it awaits a promise that nothing can settle (pseries has no timers; await only machine work)';
    if (step) {
      const where = step.kind === 'test' ? step.test.location : null;
      const info = { name: why === 'memory' ? 'RangeError' : 'Error', message, stack: '', location: where, hasExpected: false };
      if (step.kind === 'test') {
        finishTest(step.test, pathOf(step.test), state, Date.now() - state.started, info);
      } else if (step.kind === 'before') {
        info.message = `"before all" hook ${message}`;
        step.suite.beforeError = info;
      } else if (step.kind === 'after') {
        info.message = `"after all" hook ${message}`;
        host.hookFailed(pathOf(step.suite), info);
        state.failed++;
      }
    }
    state.i++;
    return drive(state, state.gen);
  }

  globalThis.describe = describe;
  globalThis.it = it;
  globalThis.test = it;
  globalThis.before = hook('before');
  globalThis.after = hook('after');
  globalThis.beforeEach = hook('beforeEach');
  globalThis.afterEach = hook('afterEach');
  globalThis.assert = assert;

  return { run, resume, inspect, errorInfo, names };
})
