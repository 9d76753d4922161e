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

    @Test
    void aMigratedAwaySourceOnASharedHostIsStillSkippedWithTheReason() throws IOException {
        CheckpointRun r = run("""
            it('a stopped source on a shared host', () => {
              const host = pseries.host({});
              const a = host.machine({ cpus: 2 });
              a.boot();
              pseries.migrate(a);
              assert.throws(() => a.runUntilIdle(), /stopped/);
            });
            """, 1000);
        assertEquals(0, r.result().failures(), r.output());
        assertTrue(r.output().contains("it is stopped (pseries.migrate moved it away) and shares its host with other machines"),
            r.output());
    }
}
