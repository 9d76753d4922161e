// The pseries JavaScript API (see pseries.d.ts for the documented surface).
//
// This file is evaluated once per script context as a function of the Java host. It turns the
// host's primitive-only methods into the plain objects, numbers and BigInts scripts use, and
// checks arguments so that mistakes are reported with the script's own file and line.
(function (host, plugins) {
  'use strict';

  const MAX_SAFE = Number.MAX_SAFE_INTEGER;
  const TWO64 = 1n << 64n;
  const MIN64 = -(1n << 63n);

  // ------------------------------------------------------------------ integers

  /** A script integer (number or BigInt) as a value the host reads as a 64-bit long. */
  function int64(v, what) {
    if (typeof v === 'bigint') {
      if (v < MIN64 || v >= TWO64) {
        throw new RangeError(`${what} must fit 64 bits, got ${v}n`);
      }
      return BigInt.asIntN(64, v);
    }
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) {
        throw new TypeError(`${what} must be an integer, got ${v}`);
      }
      if (!Number.isSafeInteger(v)) {
        throw new RangeError(`${what} ${v} is not a safe integer; pass it as a BigInt (${BigInt(Math.trunc(v))}n)`);
      }
      return v;
    }
    throw new TypeError(`${what} must be a number or a BigInt, got ${typeof v === 'string' ? `'${v}'` : typeof v}`);
  }

  /** A small non-negative integer (cpu index, size...). */
  function small(v, what) {
    const x = int64(v, what);
    const n = Number(x);
    if (n < 0 || n > 0x7fffffff) {
      throw new RangeError(`${what} must be between 0 and 2147483647, got ${v}`);
    }
    return n;
  }

  /** An integer that fits `size` bytes, signed or unsigned (-2^(8n-1) .. 2^(8n)-1), as int64 passes it. */
  function sized(v, size, what) {
    const x = int64(v, what);
    if (size < 8) {
      const b = BigInt(x);
      const bits = BigInt(size * 8);
      if (b < -(1n << (bits - 1n)) || b >= (1n << bits)) {
        throw new RangeError(`${what} ${v} does not fit ${size} byte${size === 1 ? '' : 's'}: it must be from ${-(1n << (bits - 1n))} to ${(1n << bits) - 1n}`);
      }
    }
    return x;
  }

  /** A count from 0 to max, with `why` naming the limit. */
  function bounded(v, max, what, why) {
    const n = small(v, what);
    if (n > max) {
      throw new RangeError(`${what} must be from 0 to ${max} (${why}), got ${v}`);
    }
    return n;
  }

  /** The most RTAS inputs, and outputs, the guest's argument buffer may declare. */
  const MAX_RTAS_WORDS = host.maxRtasWords();
  /** The most events m.recordEvents keeps. */
  const MAX_RECORDED_EVENTS = host.maxRecordedEvents();
  /** An option vector: its length byte and up to 256 option bytes. */
  const MAX_OPTION_VECTOR = 257;

  /** A host long as a script integer: a number when safe, a BigInt otherwise. */
  function fromLong(v) {
    return Number.isSafeInteger(v) ? Number(v) : BigInt(v);
  }

  function parseJson(s) {
    if (s.indexOf('"$big"') < 0) {
      return JSON.parse(s);
    }
    return JSON.parse(s, (k, v) => (v !== null && typeof v === 'object' && typeof v.$big === 'string') ? BigInt(v.$big) : v);
  }

  // ------------------------------------------------------------------ "did you mean"

  function distance(a, b) {
    const d = [];
    for (let i = 0; i <= a.length; i++) { d.push([i]); }
    for (let j = 1; j <= b.length; j++) { d[0][j] = j; }
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        const c = a[i - 1] === b[j - 1] ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + c);
      }
    }
    return d[a.length][b.length];
  }

  function closest(name, names) {
    let best = null;
    let bestD = Infinity;
    for (const n of names) {
      const dd = distance(name.toLowerCase(), n.toLowerCase());
      if (dd < bestD) { bestD = dd; best = n; }
    }
    return best !== null && bestD <= Math.max(2, Math.floor(Math.min(name.length, best.length) / 2)) ? best : null;
  }

  const PASS_THROUGH = new Set(['then', 'toJSON', 'constructor', 'inspect', 'valueOf', 'toString', 'length', 'prototype', 'nodeType', 'asymmetricMatch', '$$typeof']);
  /** The path argument of m.save / pseries.load. */
  function filePath(path, what) {
    if (typeof path !== 'string' || path === '') {
      throw new TypeError(`${what}: expected the snapshot file's path as a non-empty string, got ${path === '' ? "''" : kindOf(path)}`);
    }
    return path;
  }

  /** The bytes of a snapshot as an ArrayBuffer the host reads in one go. */
  function snapshotBuffer(bytes, what) {
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(`${what}: expected the Uint8Array returned by m.snapshot(), got ${bytes === null ? 'null' : typeof bytes}`);
    }
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }

  /** A host byte[] as a Uint8Array. */
  function toBytes(b) {
    const n = b.length;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) { out[i] = b[i]; }
    return out;
  }

  // ------------------------------------------------------------------ errors

  const ERROR_TYPES = { Error, TypeError, RangeError };

  /**
   * The error a script sees for a caught value: a Java exception of the model becomes the JS
   * Error, TypeError or RangeError it stands for (no Java class name in e.name, String(e) or a
   * report); JS errors, including a listener's, pass through unchanged.
   */
  const STACK_EXHAUSTED = 'Maximum call stack size exceeded';

  function scriptError(e) {
    if (e === null || typeof e !== 'object') { return e; }
    const d = host.convertError(e);
    if (d === null) { return e; }
    const err = new ERROR_TYPES[d[0]](d[1]);
    // the Java exception stays reachable for -v, as an opaque value
    Object.defineProperty(err, 'hostCause', { value: d[2], enumerable: false });
    return err;
  }

  /** What to throw for a caught value: scriptError, or the JS stack overflow when even that runs out of stack. */
  function rethrowable(e) {
    try {
      return scriptError(e);
    } catch (_) {
      // the conversion itself ran out of stack (a call at the bottom of an overflowed
      // stack): that is the JS stack overflow, never the Java error it would leak
      return new RangeError(STACK_EXHAUSTED);
    }
  }

  /** fn, throwing JS errors in place of the model's Java exceptions. */
  function shield(fn) {
    const w = function (...args) {
      try {
        return Reflect.apply(fn, this, args);
      } catch (e) {
        throw rethrowable(e);
      }
    };
    Object.defineProperty(w, 'name', { value: fn.name });
    Object.defineProperty(w, 'length', { value: fn.length });
    return w;
  }

  /**
   * The plain object a host view of captured state hands over in parts (PicView: m.pic()): its
   * scalar members at once, each list as a member that becomes its parsed data the first time
   * it is read, so a script pays for the lists it looks at. Reading, Object.keys, spreading,
   * JSON.stringify, console.log, assert.deepStrictEqual and assigning see what the fully parsed
   * object holds: the state at the time of the call.
   */
  function lazyData(view) {
    const o = parseJson(view.head());
    const lists = view.lists();
    if (lists === '') { return o; }
    for (const k of lists.split(',')) {
      let v;
      let loaded = false;
      const settle = (x) => Object.defineProperty(o, k, { value: x, writable: true, enumerable: true, configurable: true });
      Object.defineProperty(o, k, {
        get: shield(function () {
          if (!loaded) { v = parseJson(view.part(k)); loaded = true; }
          try { settle(v); } catch (_) { /* a frozen or sealed object keeps the member lazy: answered from here */ }
          return v;
        }),
        set(x) { settle(x); },
        enumerable: true,
        configurable: true,
      });
    }
    return o;
  }

  /**
   * Shields every method and accessor of an API object (its own members), except the `hot`
   * ones: the calls scripts make in loops (m.now, m.runUntilIdle, m.guest.ipi, m.load...),
   * which convert errors in their own try/catch (rethrowable), so a call costs one JS call and
   * one host call, without shield's wrapper, rest array and Reflect.apply.
   */
  function shieldMembers(obj, hot) {
    for (const k of Object.getOwnPropertyNames(obj)) {
      if (hot !== undefined && hot.has(k)) { continue; }
      const d = Object.getOwnPropertyDescriptor(obj, k);
      if (typeof d.value === 'function') {
        d.value = shield(d.value);
      } else if (d.get || d.set) {
        if (d.get) { d.get = shield(d.get); }
        if (d.set) { d.set = shield(d.set); }
      } else {
        continue;
      }
      Object.defineProperty(obj, k, d);
    }
  }

  /**
   * Makes unknown member reads on an API object throw a clear error naming the closest valid
   * member. The trap sits on the prototype, so reading a member that exists costs nothing.
   * Its methods throw JS errors only (see shield).
   */
  function guard(obj, what, hot) {
    shieldMembers(obj, hot);
    const names = () => Object.getOwnPropertyNames(obj).filter(n => !n.startsWith('_'));
    const trap = new Proxy(Object.create(null), {
      get(_t, prop, receiver) {
        if (typeof prop === 'symbol' || PASS_THROUGH.has(prop) || prop in Object.prototype) {
          return Reflect.get(Object.prototype, prop, receiver);
        }
        const c = closest(String(prop), names());
        throw new TypeError(`${what}.${String(prop)} does not exist` + (c ? ` (did you mean ${what}.${c}?)` : '') +
          `; available: ${names().join(', ')}`);
      },
      has(_t, prop) { return prop in Object.prototype; },
    });
    Object.setPrototypeOf(obj, trap);
    return obj;
  }

  /** An object literal (or Object.create(null)): not an array, a typed array, a Map or a class instance. */
  function plainObject(v) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) { return false; }
    const p = Object.getPrototypeOf(v);
    return p === Object.prototype || p === null;
  }

  /** What a non-plain value is, for messages: 'a Map', 'an array', 'a string'... */
  function kindOf(v) {
    if (v === null) { return 'null'; }
    if (Array.isArray(v)) { return 'an array'; }
    if (typeof v !== 'object') { return `a ${typeof v}`; }
    const c = Object.getPrototypeOf(v) && Object.getPrototypeOf(v).constructor;
    const n = c && typeof c.name === 'string' && c.name ? c.name : 'object';
    return /^[AEIOU]/.test(n) ? `an ${n}` : `a ${n}`;
  }

  // ------------------------------------------------------------------ the machine object

  /** The Java machine behind each machine object, for pseries.migrate. */
  const machineHosts = new WeakMap();

  function makeMachine(h) {
    const ncpus = h.cpuCount();
    // the host's bindings, by namespace (MachineHost.java): the guest model, the platform, the state as data
    const hg = h.guest();
    const hp = h.platform();
    const hs = h.state();
    const rcNames = new Map();
    /** hcall opcodes by name, as the machine answered them (its table is fixed once built). */
    const opcodes = new Map();
    let hcallNameList = null;
    const cpuArg = (c) => {
      const n = small(c, 'cpu');
      if (n >= ncpus) {
        throw new RangeError(`cpu ${n} does not exist: the machine has ${ncpus} vCPU${ncpus === 1 ? ' (0)' : `s (0..${ncpus - 1})`}`);
      }
      return n;
    };
    const sizeArg = (s) => {
      const n = small(s, 'size');
      if (n !== 1 && n !== 2 && n !== 4 && n !== 8) {
        throw new RangeError(`size must be 1, 2, 4 or 8 bytes, got ${s}`);
      }
      return n;
    };
    const rcName = (rc) => {
      let n = rcNames.get(rc);
      if (n === undefined) { n = h.rcName(rc); rcNames.set(rc, n); }
      return n;
    };
    const opcodeOf = (nameOrNumber) => {
      if (typeof nameOrNumber === 'string') {
        return h.hcallOpcode(nameOrNumber);
      }
      return int64(nameOrNumber, 'hcall number');
    };

    // The hot calls below check their arguments inline first (a safe-integer address, a cpu
    // index as a small number, a value that plainly fits) and take the full checks of int64,
    // cpuArg, sizeArg and sized only otherwise, so the messages stay theirs.
    const memRead = (a, size) => {
      try {
        const v = h.memRead(Number.isSafeInteger(a) ? a : int64(a, 'address'), size);
        return Number.isSafeInteger(v) ? v : BigInt(v);
      } catch (e) { throw rethrowable(e); }
    };
    const memWrite = (a, size, v, limit) => {
      try {
        h.memWrite(Number.isSafeInteger(a) ? a : int64(a, 'address'), size,
          typeof v === 'number' && (v >>> 0) === v && v <= limit ? v : sized(v, size, 'value'));
      } catch (e) { throw rethrowable(e); }
    };
    const mem = guard({
      read8: (a) => memRead(a, 1),
      read16: (a) => memRead(a, 2),
      read32: (a) => memRead(a, 4),
      read64: (a) => memRead(a, 8),
      write8: (a, v) => memWrite(a, 1, v, 0xff),
      write16: (a, v) => memWrite(a, 2, v, 0xffff),
      write32: (a, v) => memWrite(a, 4, v, 0xffffffff),
      write64: (a, v) => memWrite(a, 8, v, 0xffffffff),
      alloc: (size, align = 8) => fromLong(h.memAlloc(int64(size, 'size'), int64(align, 'align'))),
      get size() { return fromLong(h.memSize()); },
    }, 'm.mem', new Set(['read8', 'read16', 'read32', 'read64', 'write8', 'write16', 'write32', 'write64']));

    const guest = guard({
      ipi(from, to) {
        try {
          hg.guestIpi(typeof from === 'number' && (from >>> 0) === from && from < ncpus ? from : cpuArg(from),
            typeof to === 'number' && (to >>> 0) === to && to < ncpus ? to : cpuArg(to));
        } catch (e) { throw rethrowable(e); }
      },
      ipis(pairs, options) {
        if (!Array.isArray(pairs) && !(pairs instanceof Int32Array) && !(pairs instanceof Uint8Array) &&
            !(pairs instanceof Uint16Array) && !(pairs instanceof Uint32Array)) {
          throw new TypeError(`m.guest.ipis: pairs must be an array of vCPU numbers [from, to, from, to, ...], got ${kindOf(pairs)}`);
        }
        let paced = true;
        let repeat = 1;
        if (options !== undefined) {
          if (!plainObject(options)) { throw new TypeError(`m.guest.ipis: options must be a plain object such as { paced: true, repeat: 10 }, got ${kindOf(options)}`); }
          for (const k of Object.keys(options)) {
            if (k !== 'paced' && k !== 'repeat') { throw new TypeError(`m.guest.ipis: unknown option '${k}'; valid options: paced, repeat`); }
          }
          if (options.paced !== undefined) {
            if (typeof options.paced !== 'boolean') { throw new TypeError(`m.guest.ipis: paced must be true or false, got ${kindOf(options.paced)}`); }
            paced = options.paced;
          }
          if (options.repeat !== undefined) { repeat = small(options.repeat, 'm.guest.ipis: repeat'); }
        }
        const n = pairs.length;
        if (n % 2 !== 0) { throw new RangeError(`m.guest.ipis: pairs must hold a from and a to for each IPI, got ${n} numbers`); }
        const a = new Array(n);
        for (let i = 0; i < n; i++) {
          const c = pairs[i];
          if (typeof c === 'number' && (c >>> 0) === c && c < ncpus) { a[i] = c; continue; }
          if (typeof c !== 'number' && typeof c !== 'bigint') { throw new TypeError(`m.guest.ipis: pairs[${i}] must be a vCPU number, got ${kindOf(c)}`); }
          a[i] = small(c, `m.guest.ipis: pairs[${i}]`);
          if (a[i] >= ncpus) { throw new RangeError(`m.guest.ipis: pairs[${i}] is cpu ${c}, which does not exist: the machine has ${ncpus} vCPU${ncpus === 1 ? ' (0)' : `s (0..${ncpus - 1})`}`); }
        }
        return fromLong(hg.guestIpis(a, paced, repeat));
      },
      stats() { return parseJson(hg.guestStats()); },
      setAffinity(irq, cpu) { hg.guestAffinity(int64(irq, 'irq'), cpuArg(cpu)); },
      requestIrq(irq, name = 'driver') {
        if (typeof name !== 'string') { throw new TypeError(`m.guest.requestIrq: name must be a string, got ${kindOf(name)}`); }
        return parseJson(hg.guestRequestIrq(int64(irq, 'irq'), name));
      },
      get booted() { return hg.guestBooted(); },
      get mode() { return hg.guestBooted() ? hg.guestMode() : null; },
    }, 'm.guest', new Set(['ipi']));

    // ---------------------------------------------------------------- m.host: the simulated host
    const hb = hp.host();
    const attrWords = (v, what) => {
      if (v === undefined) { return null; }
      const a = Array.isArray(v) ? v : [v];
      return a.map((x) => BigInt.asUintN(64, BigInt(int64(x, what))).toString()).join(',');
    };
    const kvmDevice = (type) => {
      const group = (g) => {
        if (typeof g === 'string') {
          const n = hb.groupNumber(type, g);
          // an unknown group name is an unknown group number for the kernel
          return n < 0 ? -1 : n;
        }
        return int64(g, 'group');
      };
      const call = (kind, g, attr, data) => {
        const r = parseJson(hb.attr(type, kind, group(g), int64(attr, 'attr'), data));
        return r;
      };
      return guard({
        getAttr: (g, attr) => call('get', g, attr, null),
        setAttr: (g, attr, value) => call('set', g, attr, attrWords(value, 'value')),
        hasAttr: (g, attr) => call('has', g, attr, null),
        get present() { return hb.present(type); },
      }, `m.host.${type}`);
    };
    const hostApi = guard({
      devices: () => parseJson(hb.devices()),
      vmas: () => parseJson(hb.vmas()),
      memslots: () => parseJson(hb.memslots()),
      stats: () => parseJson(hb.stats()),
      layout: () => parseJson(hb.layout()),
      xive: kvmDevice('xive'),
      xics: kvmDevice('xics'),
      links: () => parseJson(hb.links()),
      ocxl: () => parseJson(hb.ocxl()),
      irqfd(guestIrq, eventfd, options) {
        const fd = eventfd !== null && typeof eventfd === 'object' && 'fd' in eventfd ? eventfd.fd : eventfd;
        const deassign = options !== undefined && plainObject(options) && options.deassign === true;
        return parseJson(hb.irqfd(int64(guestIrq, 'guestIrq'), small(fd, 'eventfd'), deassign));
      },
      eventfd: () => hb.eventfd(),
      signal: (eventfd) => parseJson(hb.signal(small(eventfd, 'eventfd'))),
      vfio(addr) {
        if (typeof addr !== 'string') { throw new TypeError(`m.host.vfio: addr must be a PCI address string such as '0000:01:00.0', got ${kindOf(addr)}`); }
        return parseJson(hb.vfio(addr));
      },
      vfioOpen(addr) {
        if (typeof addr !== 'string') { throw new TypeError(`m.host.vfioOpen: addr must be a PCI address string such as '0000:01:00.0', got ${kindOf(addr)}`); }
        return parseJson(hb.vfioOpen(addr));
      },
      setIrqs(deviceFd, start, eventfds) {
        if (!Array.isArray(eventfds)) { throw new TypeError('m.host.setIrqs: eventfds must be an array of descriptors (-1 disarms a vector)'); }
        return parseJson(hb.setIrqs(small(deviceFd, 'deviceFd'), small(start, 'start'), eventfds.map((x) => String(Number(int64(x, 'eventfd')))).join(',')));
      },
    }, 'm.host');

    const lines = new Map();
    function line(n) {
      const num = Number(int64(n, 'irq'));
      let l = lines.get(num);
      if (l === undefined) {
        const info = parseJson(hp.irqInfo(num));
        l = guard({
          irq: info.irq,
          type: info.type,
          driver: info.driver,
          raise() { hp.irqSet(num, true); return l; },
          lower() { hp.irqSet(num, false); return l; },
          pulse() { hp.irqPulse(num); return l; },
          get level() { return hp.irqLevel(num); },
        }, `m.irq(0x${num.toString(16)})`);
        lines.set(num, l);
      }
      return l;
    }

    function dtValue(v) {
      if (v !== null && typeof v === 'object' && Array.isArray(v.bytes)) {
        return Uint8Array.from(v.bytes);
      }
      return v;
    }
    function dtNode(n) {
      for (const k of Object.keys(n.props)) { n.props[k] = dtValue(n.props[k]); }
      for (const k of Object.keys(n.children)) { dtNode(n.children[k]); }
      return n;
    }

    const ch = h.cpuHost();
    const cpuObjects = new Map();
    function regsOf(i) {
      const r = parseJson(ch.regs(i));
      const out = {};
      for (const k of Object.keys(r)) {
        const v = r[k];
        out[k] = Array.isArray(v) ? v.map((x) => typeof x === 'number' || typeof x === 'bigint' ? fromLong(x) : x)
          : (typeof v === 'number' || typeof v === 'bigint') ? fromLong(v) : v;
      }
      return out;
    }
    function runResult(json) {
      const r = parseJson(json);
      r.pc = fromLong(r.pc);
      return r;
    }
    function makeCpu(i) {
      const what = `m.cpu(${i})`;
      return guard({
        get index() { return i; },
        get regs() { return regsOf(i); },
        setReg(name, v) { ch.setRegister(i, String(name), int64(v, 'value')); },
        run(opts) {
          if (opts === undefined) { opts = {}; }
          if (!plainObject(opts)) { throw new TypeError(`${what}.run: expected { instructions?, until?, timeoutNs? }`); }
          for (const k of Object.keys(opts)) {
            if (!['instructions', 'until', 'timeoutNs'].includes(k)) {
              throw new TypeError(`${what}.run: unknown option '${k}'${closest(k, ['instructions', 'until', 'timeoutNs']) ? ` (did you mean '${closest(k, ['instructions', 'until', 'timeoutNs'])}'?)` : ''}; valid: instructions, until, timeoutNs`);
            }
          }
          const n = opts.instructions === undefined ? -1 : int64(opts.instructions, 'instructions');
          const u = opts.until === undefined ? -1 : int64(opts.until, 'until');
          const t = opts.timeoutNs === undefined ? -1 : int64(opts.timeoutNs, 'timeoutNs');
          if (n !== -1 && n < 0) { throw new RangeError(`${what}.run: instructions must be >= 0, got ${opts.instructions}`); }
          return runResult(ch.run(i, n, u, t));
        },
        step() { return runResult(ch.run(i, 1, -1, -1)); },
        get breakpoints() { return Array.from(ch.breakpoints(i), fromLong); },
        set breakpoints(list) {
          if (!Array.isArray(list)) { throw new TypeError(`${what}.breakpoints must be an array of addresses`); }
          ch.setBreakpoints(i, list.map((a, k) => int64(a, `breakpoint ${k}`)));
        },
      }, what);
    }

    const m = {
      get cpus() { return ncpus; },
      get icMode() { return hp.icMode(); },
      get now() {
        try {
          const t = h.now();
          return Number.isSafeInteger(t) ? t : BigInt(t);
        } catch (e) { throw rethrowable(e); }
      },
      get running() { return h.running(); },
      get config() { return parseJson(hp.config()); },
      get mem() { return mem; },
      get guest() { return guest; },

      hcall(cpu, nameOrNumber, ...args) {
        try {
          const c = typeof cpu === 'number' && (cpu >>> 0) === cpu && cpu < ncpus ? cpu : cpuArg(cpu);
          let op = typeof nameOrNumber === 'string' ? opcodes.get(nameOrNumber) : undefined;
          if (op === undefined) {
            op = opcodeOf(nameOrNumber);
            if (typeof nameOrNumber === 'string') { opcodes.set(nameOrNumber, op); }
          }
          const na = args.length;
          if (na > 9) {
            throw new RangeError(`an hcall takes at most 9 arguments (R4..R12), got ${na}`);
          }
          const a = new Array(na);
          for (let i = 0; i < na; i++) {
            const x = args[i];
            a[i] = Number.isSafeInteger(x) ? x : int64(x, `hcall argument ${i}`);
          }
          const r = h.hcall(c, op, a);
          const n = r.length;
          const ret = new Array(n - 1);
          for (let i = 1; i < n; i++) {
            const v = r[i];
            ret[i - 1] = Number.isSafeInteger(v) ? v : BigInt(v);
          }
          const r0 = r[0];
          return { rc: Number.isSafeInteger(r0) ? r0 : BigInt(r0), rcName: rcName(r0), ret };
        } catch (e) { throw rethrowable(e); }
      },

      rtas(name, ...args) {
        if (typeof name !== 'string') {
          throw new TypeError(`m.rtas: the first argument is the RTAS call name, e.g. 'ibm,get-xive', got ${typeof name}`);
        }
        let cpu = 0;
        let nret = -1;
        if (args.length > 0 && plainObject(args[args.length - 1])) {
          const o = args.pop();
          for (const k of Object.keys(o)) {
            if (k !== 'cpu' && k !== 'nret') {
              throw new TypeError(`m.rtas: unknown option '${k}'; valid options: cpu, nret`);
            }
          }
          if (o.cpu !== undefined) { cpu = cpuArg(o.cpu); }
          if (o.nret !== undefined) {
            nret = bounded(o.nret, MAX_RTAS_WORDS, 'm.rtas: nret', `the guest's RTAS argument buffer holds at most ${MAX_RTAS_WORDS} outputs`);
          }
        }
        if (args.length > MAX_RTAS_WORDS) {
          throw new RangeError(`m.rtas: at most ${MAX_RTAS_WORDS} arguments (the guest's RTAS argument buffer holds no more), got ${args.length}`);
        }
        const a = args.map((x, i) => int64(x, `RTAS argument ${i}`));
        const r = h.rtas(cpu, name, a, nret);
        const ret = [];
        for (let i = 1; i < r.length; i++) { ret.push(r[i] >>> 0); }
        return { status: r.length > 0 ? r[0] : 0, ret };
      },

      load(cpu, addr, size) {
        try {
          const v = h.load(typeof cpu === 'number' && (cpu >>> 0) === cpu && cpu < ncpus ? cpu : cpuArg(cpu),
            Number.isSafeInteger(addr) ? addr : int64(addr, 'address'),
            size === 1 || size === 2 || size === 4 || size === 8 ? size : sizeArg(size));
          return Number.isSafeInteger(v) ? v : BigInt(v);
        } catch (e) { throw rethrowable(e); }
      },
      store(cpu, addr, size, value) {
        try {
          const n = size === 1 || size === 2 || size === 4 || size === 8 ? size : sizeArg(size);
          const c = typeof cpu === 'number' && (cpu >>> 0) === cpu && cpu < ncpus ? cpu : cpuArg(cpu);
          const a = Number.isSafeInteger(addr) ? addr : int64(addr, 'address');
          h.store(c, a, n, typeof value === 'number' && (value >>> 0) === value && (n >= 4 || value < (n === 1 ? 0x100 : 0x10000))
            ? value : sized(value, n, 'value'));
        } catch (e) { throw rethrowable(e); }
      },

      port(cpu, addr, size) {
        const c = cpuArg(cpu);
        const a = int64(addr, 'address');
        const n = sizeArg(size);
        const jp = h.port(c, a, n);
        return Object.freeze({
          cpu: c,
          addr: fromLong(a),
          size: n,
          load() {
            try {
              const v = jp.load();
              return Number.isSafeInteger(v) ? v : BigInt(v);
            } catch (e) { throw rethrowable(e); }
          },
          store(value) {
            try {
              jp.store(typeof value === 'number' && (value >>> 0) === value && (n >= 4 || value < (n === 1 ? 0x100 : 0x10000))
                ? value : sized(value, n, 'value'));
            } catch (e) { throw rethrowable(e); }
          },
        });
      },

      cas(request) {
        const vectorBytes = (v) => {
          const len = v !== null && typeof v === 'object' && typeof v.length === 'number' ? v.length : 0;
          if (len > MAX_OPTION_VECTOR) {
            throw new RangeError(`m.cas: an option vector is at most ${MAX_OPTION_VECTOR} bytes (its length byte and 256 option bytes), got ${len}`);
          }
          return Array.from(v, (b, i) => bounded(b, 255, `option vector byte ${i}`, 'a byte'));
        };
        let res;
        if (Array.isArray(request) || ArrayBuffer.isView(request)) {
          res = hp.casRaw(vectorBytes(request));
        } else if (plainObject(request)) {
          const keys = Object.keys(request);
          if (keys.length === 1 && keys[0] === 'xive') {
            if (!['exploitation', 'legacy', 'both'].includes(request.xive)) {
              throw new TypeError(`m.cas: xive must be 'exploitation', 'legacy' or 'both', got ${JSON.stringify(request.xive)}`);
            }
            res = hp.casOffer(request.xive);
          } else if (keys.length === 1 && keys[0] === 'ov5') {
            const v = request.ov5;
            res = hp.casRaw(v === null ? null : vectorBytes(v));
          } else {
            throw new TypeError(`m.cas: expected { xive: 'exploitation' | 'legacy' | 'both' }, { ov5: bytes | null } or the raw option vector 5 bytes, got keys ${keys.join(', ') || '(none)'}`);
          }
        } else {
          throw new TypeError('m.cas: expected { xive: ... }, { ov5: ... } or the raw option vector 5 bytes');
        }
        const r = JSON.parse(res);
        if (!r.ok) {
          const e = new Error(r.fatal ? `QEMU would terminate the guest: ${r.message}` : `CAS failed with ${r.rcName}: ${r.message}`);
          e.qemuMessage = r.message;
          e.fatal = r.fatal;
          e.rc = r.rc;
          throw e;
        }
        // QEMU hands the guest the whole rebuilt tree at CAS: so does m.cas
        return { mode: r.mode, requested: r.requested, answer: r.answer, switched: r.switched, ov5: r.ov5, fdt: m.fdt() };
      },

      fdt() {
        return toBytes(hp.fdt());
      },

      snapshot() {
        return toBytes(hs.snapshot());
      },
      restore(bytes) {
        hs.restore(snapshotBuffer(bytes, 'm.restore'));
      },
      save(path) {
        return host.saveSnapshot(h, filePath(path, 'm.save'));
      },
      dt(path) {
        if (path !== undefined && typeof path !== 'string') {
          throw new TypeError('m.dt: the path must be a string such as "/chosen"');
        }
        return dtNode(parseJson(hp.dt(path === undefined ? null : path)));
      },
      dts() { return hp.dts(); },

      irq: line,
      host: hostApi,

      boot(options) {
        if (options !== undefined && !plainObject(options)) {
          throw new TypeError(`m.boot: options must be a plain object such as { xive: 'both' }, got ${kindOf(options)}`);
        }
        return parseJson(hg.boot(options === undefined ? null : options));
      },

      run(opts) {
        try {
          if (!plainObject(opts) || Object.keys(opts).length !== 1 || opts.ns === undefined) {
            throw new TypeError('m.run: expected { ns: <virtual nanoseconds> }');
          }
          const ns = opts.ns;
          const t = h.run(Number.isSafeInteger(ns) ? ns : int64(ns, 'ns'));
          return Number.isSafeInteger(t) ? t : BigInt(t);
        } catch (e) { throw rethrowable(e); }
      },
      runUntilIdle() {
        try {
          const t = h.runUntilIdle();
          return Number.isSafeInteger(t) ? t : BigInt(t);
        } catch (e) { throw rethrowable(e); }
      },

      on(event, fn) {
        if (typeof fn !== 'function') {
          throw new TypeError(`m.on: the listener must be a function, got ${typeof fn}`);
        }
        let sub;
        if (event === 'exception') {
          sub = ch.on('exception', (cpu, vector, name, srr0, srr1) =>
            fn({ event: 'exception', cpu, vector, name, srr0: fromLong(srr0), srr1: fromLong(srr1) }));
        } else if (event === 'instruction') {
          sub = ch.on('instruction', (cpu, pc, word) => fn({ event: 'instruction', cpu, pc: fromLong(pc), word: Number(word) }));
        } else {
          sub = hs.on(String(event), (json) => fn(parseJson(json)));
        }
        let active = true;
        return () => { if (active) { active = false; sub.unsubscribe(); } };
      },

      pic(format) {
        if (format === 'text') { return hs.picText(); }
        if (format !== undefined) { throw new TypeError(`m.pic: format must be 'text' or omitted, got ${JSON.stringify(format)}`); }
        return lazyData(hs.pic());
      },
      reset() { h.reset(); },
      info() { return parseJson(hp.info()); },
      events() { return parseJson(hs.recentEvents()); },
      recordEvents(n) { hs.traceRing(bounded(n, MAX_RECORDED_EVENTS, 'm.recordEvents: n', `the most events a machine records`)); },
      get console() { return h.console(); },

      loadElf(src) {
        if (typeof src === 'string') { return parseJson(ch.loadElfPath(src)); }
        if (src instanceof ArrayBuffer) { src = new Uint8Array(src); }
        if (!ArrayBuffer.isView(src) && !Array.isArray(src)) {
          throw new TypeError('m.loadElf: expected the ELF file\'s bytes (a Uint8Array or an array) or its path');
        }
        const bytes = Array.from(src, (b, i) => {
          if (!Number.isInteger(b) || b < 0 || b > 255) { throw new RangeError(`m.loadElf: byte ${i} must be 0..255, got ${b}`); }
          return b;
        });
        return parseJson(ch.loadElf(bytes));
      },
      cpu(n) {
        const i = cpuArg(n);
        let c = cpuObjects.get(i);
        if (c === undefined) { c = makeCpu(i); cpuObjects.set(i, c); }
        return c;
      },
      hcallNames() {
        if (hcallNameList === null) { hcallNameList = JSON.parse(h.hcallNames()); }
        return hcallNameList.slice();
      },
    };

    for (let i = 0; i < plugins.length; i += 1) {
      const p = plugins[i];
      if (p.appliesTo(h)) {
        const api = p.bind(h, { int64, small, fromLong, guard, parseJson });
        Object.defineProperty(m, p.name, { value: api, enumerable: true });
      }
    }
    const g = guard(m, 'm', new Set(['cpus', 'now', 'mem', 'guest', 'hcall', 'load', 'store', 'run', 'runUntilIdle']));
    machineHosts.set(g, h);
    return g;
  }

  // ------------------------------------------------------------------ console

  /** A readable rendering of a value, close to Node's util.inspect for plain data. */
  function inspect(v, depth, seen) {
    if (typeof v === 'string') { return depth === 0 ? v : JSON.stringify(v); }
    if (typeof v === 'bigint') { return `${v}n`; }
    if (typeof v === 'function') { return `[Function${v.name ? ': ' + v.name : ''}]`; }
    if (v === null || typeof v !== 'object') { return String(v); }
    if (seen.has(v)) { return '[Circular]'; }
    if (v instanceof Error) { return v.stack || `${v.name}: ${v.message}`; }
    if (depth > 4) { return Array.isArray(v) ? '[Array]' : '[Object]'; }
    seen.add(v);
    try {
      if (ArrayBuffer.isView(v)) {
        const items = Array.from(v.slice(0, 64), (x) => x.toString(16).padStart(2, '0'));
        return `${v.constructor.name}(${v.length}) [${items.join(' ')}${v.length > 64 ? ' ...' : ''}]`;
      }
      if (v instanceof Map || v instanceof Set) {
        const all = [...v];
        const items = all.slice(0, 100).map((e) => v instanceof Map
          ? `${inspect(e[0], depth + 1, seen)} => ${inspect(e[1], depth + 1, seen)}` : inspect(e, depth + 1, seen));
        if (all.length > 100) { items.push(`... ${all.length - 100} more items`); }
        const head = `${v instanceof Map ? 'Map' : 'Set'}(${v.size}) `;
        const one = `${head}{ ${items.join(', ')} }`;
        return items.length === 0 ? `${head}{}` : one.length <= 72 ? one : `${head}{\n${indent(items.join(',\n'))}\n}`;
      }
      if (Array.isArray(v)) {
        const items = v.slice(0, 100).map((x) => inspect(x, depth + 1, seen));
        if (v.length > 100) { items.push(`... ${v.length - 100} more items`); }
        const one = `[ ${items.join(', ')} ]`;
        return one.length <= 72 ? (items.length ? one : '[]') : `[\n${indent(items.join(',\n'))}\n]`;
      }
      const keys = Object.keys(v);
      if (keys.length === 0) { return '{}'; }
      const items = keys.map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${inspect(v[k], depth + 1, seen)}`);
      const one = `{ ${items.join(', ')} }`;
      return one.length <= 72 ? one : `{\n${indent(items.join(',\n'))}\n}`;
    } finally {
      seen.delete(v);
    }
  }
  function indent(s) { return s.split('\n').map((l) => '  ' + l).join('\n'); }
  function format(args) { return args.map((a) => inspect(a, 0, new Set())).join(' '); }

  // the REPL prints results with the same formatting (strings quoted, as inside objects)
  Object.defineProperty(globalThis, Symbol.for('pseries.inspect'), {
    value: (v) => inspect(v, typeof v === 'string' ? 1 : 0, new Set()),
  });

  const original = globalThis.console;
  if (original) {
    const out = original.log.bind(original);
    const err = (original.error || original.log).bind(original);
    globalThis.console = Object.assign(Object.create(null), original, {
      log: (...a) => out(format(a)),
      info: (...a) => out(format(a)),
      debug: (...a) => out(format(a)),
      warn: (...a) => err(format(a)),
      error: (...a) => err(format(a)),
      table: (rows) => out(table(rows)),
    });
  }

  /** console.table for arrays of plain objects (what the examples print). */
  function table(rows) {
    if (!Array.isArray(rows) || rows.length === 0) { return format([rows]); }
    const cols = ['(index)'];
    for (const r of rows) { for (const k of Object.keys(r !== null && typeof r === 'object' ? r : { Values: r })) { if (!cols.includes(k)) { cols.push(k); } } }
    const cells = rows.map((r, i) => cols.map((c) => c === '(index)' ? String(i) : inspect((r !== null && typeof r === 'object' ? r : { Values: r })[c], 1, new Set())));
    const w = cols.map((c, j) => Math.max(c.length, ...cells.map((row) => row[j] === 'undefined' ? 0 : row[j].length)));
    const line = (vals) => '│ ' + vals.map((x, j) => (x === 'undefined' ? '' : x).padEnd(w[j])).join(' │ ') + ' │';
    const sep = (l, m, r) => l + w.map((x) => '─'.repeat(x + 2)).join(m) + r;
    return [sep('┌', '┬', '┐'), line(cols), sep('├', '┼', '┤'), ...cells.map(line), sep('└', '┴', '┘')].join('\n');
  }

  // ------------------------------------------------------------------ the pseries global

  const pseries = guard({
    machine(options) {
      if (options !== undefined && !plainObject(options)) {
        throw new TypeError(`pseries.machine: options must be a plain object such as { cpus: 4, icMode: 'xive' }, got ${kindOf(options)}`);
      }
      return makeMachine(host.machine(options === undefined ? {} : options));
    },
    host(options) {
      if (options !== undefined && !plainObject(options)) {
        throw new TypeError(`pseries.host: options must be a plain object such as { pci: [{ addr: '0000:01:00.0', msix: 8 }] }, got ${kindOf(options)}`);
      }
      const ph = host.host(options === undefined ? {} : options);
      const addrArg = (addr, what) => {
        if (typeof addr !== 'string') { throw new TypeError(`${what}: addr must be a PCI address string such as '0000:01:00.0', got ${kindOf(addr)}`); }
        return addr;
      };
      return guard({
        machine(opts) {
          if (opts !== undefined && !plainObject(opts)) {
            throw new TypeError(`host.machine: options must be a plain object such as { cpus: 4, icMode: 'xive' }, got ${kindOf(opts)}`);
          }
          return makeMachine(ph.machine(opts === undefined ? {} : opts));
        },
        functions: () => parseJson(ph.functions()),
        pci(addr) {
          const a = addrArg(addr, 'host.pci');
          ph.exists(a);
          return guard({
            fire: (vector) => ph.fire(a, small(vector, 'vector')),
            assertIntx: (level) => {
              if (typeof level !== 'boolean') { throw new TypeError(`host.pci('${a}').assertIntx: level must be true or false, got ${kindOf(level)}`); }
              ph.assertIntx(a, level);
            },
            info: () => parseJson(ph.info(a)),
            afuStore: (triggerPage) => ph.afuStore(a, int64(triggerPage, 'triggerPage')),
            get addr() { return a; },
          }, `host.pci('${a}')`);
        },
      }, 'host');
    },
    layout(options) {
      if (!plainObject(options)) {
        throw new TypeError('pseries.layout: options must be an object such as { cpus: 64, sources: 1024, mapping: \'window\' }');
      }
      return parseJson(host.layout(options));
    },
    restore(bytes) {
      const buf = snapshotBuffer(bytes, 'pseries.restore');
      return makeMachine(host.restoreMachine(parseJson(host.snapshotConfig(buf)), buf));
    },
    load(path) {
      const buf = snapshotBuffer(toBytes(host.readSnapshot(filePath(path, 'pseries.load'))), 'pseries.load');
      return makeMachine(host.restoreMachine(parseJson(host.snapshotConfig(buf)), buf));
    },
    migrate(src, opts) {
      const hs = (typeof src === 'object' && src !== null) ? machineHosts.get(src) : undefined;
      if (hs === undefined) {
        throw new TypeError(`pseries.migrate: the source must be a machine (from pseries.machine() or pseries.restore()), got ${kindOf(src)}`);
      }
      if (opts !== undefined && !plainObject(opts)) {
        throw new TypeError(`pseries.migrate: options must be a plain object such as { dst } or { kernelIrqchip: 'off' }, got ${kindOf(opts)}`);
      }
      const o = opts === undefined ? {} : opts;
      for (const k of Object.keys(o)) {
        if (k !== 'dst' && k !== 'kernelIrqchip') {
          throw new TypeError(`pseries.migrate: unknown option '${k}' (options: dst, kernelIrqchip)`);
        }
      }
      let hd = null;
      if (o.dst !== undefined) {
        hd = (typeof o.dst === 'object' && o.dst !== null) ? machineHosts.get(o.dst) : undefined;
        if (hd === undefined) {
          throw new TypeError(`pseries.migrate: dst must be a machine, got ${kindOf(o.dst)}`);
        }
        if (o.dst === src) {
          throw new TypeError('pseries.migrate: dst is the source machine itself');
        }
        if (o.kernelIrqchip !== undefined) {
          throw new TypeError('pseries.migrate: kernelIrqchip is for a new destination; a given dst keeps its own');
        }
      }
      let k = null;
      if (o.kernelIrqchip !== undefined) {
        if (o.kernelIrqchip !== 'off' && o.kernelIrqchip !== 'on' && o.kernelIrqchip !== 'allowed') {
          throw new TypeError(`pseries.migrate: kernelIrqchip must be 'off', 'on' or 'allowed', got ${kindOf(o.kernelIrqchip)}`);
        }
        k = o.kernelIrqchip;
      }
      const r = host.migrate(hs, hd, k);
      return hd === null ? makeMachine(r) : o.dst;
    },
    get version() { return host.version(); },
    get icModes() { return JSON.parse(host.icModes()); },
    get optimized() { return host.optimized(); },
    get args() { return JSON.parse(host.args()); },
  }, 'pseries');

  return pseries;
})
