package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pseries.script.ScriptEngine;

/**
 * {@code --checkpoint-invariance} on the source of a migration, which stays stopped
 * (QEMU's postmigrate state): it is checkpointed as it is, and its replacement is stopped for
 * the same reason, holds the same state, and with an in-kernel XIVE still holds the PQs its stop
 * latched and saved, so a later restore of it takes the IPIs that were in flight.
 */
class StoppedMachineCheckpointTest {
    static ScriptEngine engine;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        engine = new ScriptEngine();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private CheckpointRun run(String text, int points) throws IOException {
        return CheckpointRun.of(engine, dir, "s.test.js", text, points);
    }

    /**
     * A XIVE guest on the in-kernel device, migrated away with IPIs sent but not taken; then the
     * stopped source is looked at, refused, snapshotted, and its snapshot restored and run.
     */
    private static final String MIGRATED_AWAY = """
        it('the stopped source of a migration', () => {
          const a = pseries.machine({ cpus: 4, icMode: 'xive', kernelIrqchip: 'on' });
          a.boot();
          a.runUntilIdle();
          for (let c = 0; c < 4; c++) a.guest.ipi(c, (c + 1) % 4);
          const b = pseries.migrate(a);
          assert.strictEqual(a.running, false);
          const pic = a.pic();
          // each a.runUntilIdle() is a boundary of the stopped source, so a checkpoint of it
          for (let k = 0; k < 3; k++) {
            assert.throws(() => a.runUntilIdle(), /the machine is stopped \\(it was migrated away with pseries.migrate/);
            assert.throws(() => a.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 0), /the machine is stopped \\(it was migrated away/);
            assert.strictEqual(a.running, false);
            assert.deepStrictEqual(a.pic(), pic);
          }
          const again = pseries.restore(a.snapshot());
          again.runUntilIdle();
          b.runUntilIdle();
          const took = (m) => m.guest.stats().reduce((n, s) => n + s.ipis, 0);
          assert.strictEqual(took(again), 4, 'the four IPIs in flight at the migration');
          assert.strictEqual(took(b), 4);
        });
        """;

    @Test
    void aMigratedAwaySourceIsCheckpointedStopped_everyPointTaken() throws IOException {
        CheckpointRun r = run(MIGRATED_AWAY, 1000);
        assertEquals(0, r.result().failures(), r.output() + r.result());
        assertFalse(r.output().contains("skipped"), r.output());
        assertTrue(r.output().contains("no difference"), r.output());
    }

    /** Every chosen point of {@code text} is taken and no run differs. */
    private void everyPointTaken(String text) throws IOException {
        CheckpointRun r = run(text, 1000);
        assertEquals(0, r.result().failures(), r.output() + r.result());
        assertFalse(r.output().contains("skipped"), r.output());
        assertTrue(r.output().contains("no difference"), r.output());
    }

    /**
     * Two VMs of one host (pseries.host), the first migrated into the second: every boundary of
     * the destination checkpoints the whole host, the stopped source with it, restored stopped.
     */
    @Test
    void aMigratedAwaySourceOnASharedHostIsCheckpointedWithItsHost() throws IOException {
        everyPointTaken("""
            it('a stopped source on a shared host', () => {
              const host = pseries.host({});
              const a = host.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'on' });
              a.boot();
              a.guest.ipis([0, 1, 1, 0], { repeat: 3 });
              const b = pseries.migrate(a, { dst: host.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'on' }) });
              for (let k = 0; k < 3; k++) {
                b.guest.ipis([0, 1], { repeat: 2 });
                assert.throws(() => a.runUntilIdle(), /the machine is stopped \\(it was migrated away/);
                assert.strictEqual(a.running, false);
              }
              assert.deepStrictEqual(b.guest.stats().map((s) => s.ipis), [3, 9]);
            });
            """);
    }

    /**
     * The stopped source's VMM holds an eventfd the script opened and wired as an irqfd: its
     * checkpoint goes through the host stream, and the replacement's in-kernel sources are
     * latched as the stop left the source's, so a signal while stopped coalesces there as here
     * (PQ 10 -> 11, not 01 as a fresh device would show).
     */
    @Test
    void aStoppedSourceWithScriptDescriptorsIsCheckpointedAndStaysLatched() throws IOException {
        everyPointTaken("""
            it('a stopped source signalled through its irqfd', () => {
              const a = pseries.machine({ cpus: 2, icMode: 'xive', kernelIrqchip: 'on' });
              a.boot();
              const e = a.host.eventfd();
              assert.strictEqual(a.host.irqfd(1, e).ret, 0);
              a.host.signal(e);
              a.runUntilIdle();
              assert.strictEqual(a.guest.stats()[1].ipis, 1);
              const b = pseries.migrate(a);
              const latched = [];
              a.on('intc', (ev) => { if (ev.name === 'pq') latched.push(ev.pq); });
              for (let k = 0; k < 3; k++) {
                assert.strictEqual(a.host.signal(e).ret, 0);
                assert.throws(() => a.runUntilIdle(), /the machine is stopped \\(it was migrated away/);
              }
              assert.deepStrictEqual(latched, [3, 3, 3], 'each signal while stopped sets Q on a latched source');
              b.runUntilIdle();
            });
            """);
    }

    @Test
    void theGuestOfAStoppedMachineSendsNothing() throws IOException {
        CheckpointRun r = run("""
            it('a stopped source refuses what its kernel would do', () => {
              const a = pseries.machine({ cpus: 2, icMode: 'xive' });
              a.boot();
              pseries.migrate(a);
              assert.throws(() => a.guest.ipi(0, 1), /^Error: m.guest.ipi: the machine is stopped \\(it was migrated away with pseries.migrate/);
              assert.throws(() => a.guest.ipis([0, 1]), /m.guest.ipis: the machine is stopped/);
              assert.throws(() => a.guest.setAffinity(0x1000, 1), /m.guest.setAffinity: the machine is stopped/);
              assert.deepStrictEqual(a.guest.stats().map((s) => s.ipis), [0, 0]);
            });
            """, 1000);
        assertEquals(0, r.result().failures(), r.output() + r.result());
    }
}
