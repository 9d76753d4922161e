// @ts-check
// The hostThreads machine option: m.guest.ipis(pairs, { paced: false }) on host threads. Each vCPU
// takes what it takes in the deterministic mode and the controller ends in the same state; the
// option changes nothing else (paced runs stay deterministic); where state would be shared
// between host threads the call is refused, naming why.

const CPUS = 8;

/** @param {number} hostThreads @param {'xive' | 'xics'} [icMode] */
function booted(hostThreads, icMode = 'xive') {
  // the emulated controller, whatever --machine-default says: the in-kernel one is refused (below)
  const m = pseries.machine({ cpus: CPUS, icMode, seed: 1, hostThreads, kernelIrqchip: 'off' });
  // a test run that keeps failure artifacts records every machine's events; the parallel mode refuses that
  m.recordEvents(0);
  m.boot();
  m.runUntilIdle();
  return m;
}

/** What a script sees of the interrupt state, virtual time aside. @param {Machine} m */
function state(m) {
  return { stats: m.guest.stats(), pic: m.pic() };
}

/** Every vCPU sends to the one half the machine away (each IPI crosses the two domains), then to its neighbour. */
/** @type {number[]} */
const PAIRS = [];
for (let c = 0; c < CPUS; c++) PAIRS.push(c, (c + CPUS / 2) % CPUS);
for (let c = 0; c < CPUS; c++) PAIRS.push(c, c ^ 1);

/**
 * A checkpoint-invariance run records every event, which the parallel mode refuses; there the
 * refusal is what a test can check (the same in the straight and the checkpointed run).
 */
function recorded() {
  try {
    booted(2).guest.ipis([0, 1], { paced: false });
    return false;
  } catch (e) {
    if (/a checkpoint-invariance run compares deterministic runs/.test(String(e))) return true;
    throw e;
  }
}
const RECORDED = recorded();

describe('hostThreads', () => {
  it('is a machine option: default 1, checked against cpus', () => {
    assert.strictEqual(pseries.machine({ cpus: 2 }).config.hostThreads, 1);
    assert.strictEqual(pseries.machine({ cpus: 2, hostThreads: 2 }).config.hostThreads, 2);
    assert.throws(() => pseries.machine({ cpus: 2, hostThreads: 3 }),
      /invalid machine option hostThreads: 3; expected an integer from 1 \(the deterministic mode\) to 64 and at most cpus \(2\)/);
    assert.throws(() => pseries.machine({ cpus: 2, hostThreads: 0 }), /invalid machine option hostThreads: 0/);
  });

  it('not paced: every vCPU takes what it takes in the deterministic mode, the controller ends idle alike', () => {
    const det = booted(1);
    det.guest.ipis(PAIRS, { paced: false, repeat: 3 });
    const par = booted(2);
    if (RECORDED) {
      assert.throws(() => par.guest.ipis(PAIRS, { paced: false }), /refused: a checkpoint-invariance run/);
      return;
    }
    const before = par.now;
    const t = par.guest.ipis(PAIRS, { paced: false, repeat: 3 });
    assert.strictEqual(t, par.now, 'returns the virtual time after');
    assert.ok(par.now >= before, 'the clock does not go back');
    assert.deepStrictEqual(state(par), state(det));
    assert.deepStrictEqual(par.guest.stats().map((s) => s.ipis), new Array(CPUS).fill(2),
      'each vCPU got 6 IPIs in the burst: 2 taken (P, then Q), as in the deterministic mode');
  });

  it('paced: the deterministic mode, virtual time included', () => {
    const det = booted(1);
    const par = booted(2);
    assert.strictEqual(par.guest.ipis(PAIRS, { repeat: 2 }), det.guest.ipis(PAIRS, { repeat: 2 }));
    assert.deepStrictEqual(state(par), state(det));
  });

  it('refuses a XICS guest, naming H_IPI, and sends nothing', () => {
    const m = booted(2, 'xics');
    const before = state(m);
    assert.throws(() => m.guest.ipis(PAIRS, { paced: false }),
      RECORDED ? /refused: a checkpoint-invariance run/ : /on 2 host threads is refused: the guest runs XICS: its IPI is the H_IPI hcall/);
    assert.deepStrictEqual(state(m), before);
  });

  it('refuses while a listener takes events, and sends nothing', () => {
    const m = booted(2);
    m.on('irq', () => {});
    const before = state(m);
    assert.throws(() => m.guest.ipis(PAIRS, { paced: false }),
      RECORDED ? /refused: a checkpoint-invariance run/ : /refused: the trace is recording or has listeners/);
    assert.deepStrictEqual(state(m), before);
  });

  it('refuses the in-kernel controller', () => {
    const m = pseries.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'on', hostThreads: 2 });
    m.recordEvents(0);
    m.boot();
    m.runUntilIdle();
    assert.throws(() => m.guest.ipis([0, 1, 1, 0], { paced: false }),
      RECORDED ? /refused: a checkpoint-invariance run/ : /refused: the interrupt controller is the in-kernel device/);
  });
});
