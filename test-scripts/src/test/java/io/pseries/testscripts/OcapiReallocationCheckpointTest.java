package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pseries.script.ScriptEngine;

/**
 * {@code --checkpoint-invariance} after an OpenCAPI AFU irq was freed and its LISN allocated
 * again, with the controller in the kernel: the stream lists the AFU irqs in allocation order,
 * so the re-allocated one (the lowest host IPI) comes after the kept one. A restore re-makes every
 * AFU irq on its host IPI before giving any to the guest: attaching one claims its number, and
 * the in-kernel device connected then makes its source on the lowest free IPI, which would
 * otherwise be the re-allocated irq's, and the device the restore makes could no longer hold the
 * stream's source table (the checkpoint refused).
 */
class OcapiReallocationCheckpointTest {
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

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"xive", "xics"})
    void everyPointAfterAFreedLisnIsAllocatedAgainIsTaken(String icMode) throws IOException {
        CheckpointRun r = CheckpointRun.of(engine, dir, "s.test.js", """
            it('a freed AFU irq allocated again', () => {
              const AFU = '0000:03:00.0';
              const h = pseries.host({ pci: [{ addr: AFU, msix: 0, intx: false, ocapi: { irqs: 4 } }] });
              const m = h.machine({ cpus: 2, icMode: '%s', kernelIrqchip: 'on', experimental: ['ocapi-rfc-2019'],
                devices: [{ type: 'vfio-pci', host: AFU }] });
              m.boot();
              const cfg = Object.values(m.dt('/pci@800000020000000').children)[0].props.reg[0];
              const ocxl = (op, ...args) => m.hcall(0, 'H_OCXL_CONFIG_ADAPTER', 0x800000020000000n, cfg, op, ...args);
              const alloc = () => Number(ocxl(6).ret[0]);
              const a = alloc();
              alloc();
              assert.strictEqual(ocxl(7, a).rcName, 'H_SUCCESS');
              assert.strictEqual(alloc(), a);
              for (let n = 0; n < 3; n++) { m.guest.ipi(0, 1); m.runUntilIdle(); }
              const c = alloc();
              m.guest.requestIrq(c);
              const fresh = m.host.ocxl().find((i) => i.guestIrq === c);
              assert.strictEqual(h.pci(AFU).afuStore(fresh.triggerPage), true);
              m.runUntilIdle();
              assert.strictEqual(m.guest.stats().reduce((n, s) => n + (s.irqs[String(c)] ?? 0), 0), 1);
            });
            """.formatted(icMode), 1000);
        assertEquals(0, r.result().failures(), r.output() + r.result());
        assertFalse(r.output().contains("skipped"), r.output());
        assertTrue(r.output().contains("no difference"), r.output());
    }
}
