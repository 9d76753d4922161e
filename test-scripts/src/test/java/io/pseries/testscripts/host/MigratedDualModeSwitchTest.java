package io.pseries.testscripts.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.snapshot.Migration;
import io.pseries.testscripts.host.MigratedIpiStormTest.Guest;

/**
 * Migration across a dual-mode switch, at the points where the active controller changes under
 * the guest: with XICS IPIs in flight before CAS; right after CAS chose XIVE and before the guest
 * set up a queue (so the destination must come up with XIVE active, the post-CAS device tree and
 * nothing routed); mid XIVE storm; right after a machine reset took the machine back to its XICS
 * start; and after a second CAS on the destination. Every migration also swaps the kernel's
 * controller for the VMM's or back, so the in-kernel device of one mode is released while the
 * other's is connected. At each phase every IPI sent is taken exactly once, but for the
 * controller's own coalescing (counted per vCPU by {@link MigratedIpiStormTest.Guest}).
 */
class MigratedDualModeSwitchTest {

    private String kernel;
    private int migrations;

    private Machine migrate(Machine src) {
        src.runUntilIdle();
        String next = "on".equals(kernel) ? "off" : "on";
        byte[] fdt = src.fdt();
        String mode = src.activeController().name();
        Machine dst = Migration.migrate(src, c -> Machine.create(c.withKernelIrqchip(next))).destination();
        assertFalse(src.running(), "the source is stopped");
        assertEquals(mode, dst.activeController().name(), "the active controller migrates");
        assertEquals("on".equals(next), dst.activeController().inKernel(), "kernelIrqchip " + next + " on the destination");
        assertArrayEquals(fdt, dst.fdt(), "the destination's device tree is the source's (" + mode + ")");
        kernel = next;
        migrations++;
        return dst;
    }

    /** {@code n} random sends and takes on {@code g}, migrating with probability 1/50 per step. */
    private void storm(Guest g, SplittableRandom rnd, int n) {
        for (int i = 0; i < n; i++) {
            int r = rnd.nextInt(50);
            if (r < 34) {
                int from = rnd.nextInt(MigratedIpiStormTest.CPUS);
                int to = rnd.nextInt(MigratedIpiStormTest.CPUS);
                if (from != to) {
                    g.send(from, to);
                }
            } else if (r < 49) {
                g.m.runUntilIdle();
                g.take(rnd.nextInt(MigratedIpiStormTest.CPUS));
            } else {
                g.m = migrate(g.m);
            }
        }
    }

    private static void allTaken(Guest g, String phase) {
        g.drain();
        assertArrayEquals(g.expected, g.taken, phase + ": taken per vCPU = sent minus what coalescing merged (sent "
            + java.util.Arrays.toString(g.sent) + ")");
        for (int s : g.state) {
            assertEquals(0, s, phase + ": nothing left pending");
        }
        long sent = java.util.Arrays.stream(g.sent).sum();
        assertTrue(sent > 50, phase + ": a storm, " + sent + " IPIs sent");
    }

    @ParameterizedTest(name = "starting with kernelIrqchip {0}")
    @ValueSource(strings = {"on", "off"})
    void migratingAcrossCasAndReset_losesAndDuplicatesNothing_andCarriesTheModeAndTree(String first) {
        kernel = first;
        SplittableRandom rnd = new SplittableRandom(23);
        Machine m = Machine.create(MachineConfig.builder().cpus(MigratedIpiStormTest.CPUS).icMode("dual")
            .kernelIrqchip(first).build());
        byte[] preCasTree = m.fdt();

        Guest xics = new Guest(m, false);
        storm(xics, rnd, 300);
        xics.send(0, 1);                                     // in flight across the migration
        xics.m = migrate(xics.m);
        allTaken(xics, "XICS before CAS");

        Machine afterCas = xics.m;
        assertEquals("xive", afterCas.cas(GuestOv5.linuxVector(0x40)).mode());
        byte[] postCasTree = afterCas.fdt();
        assertFalse(java.util.Arrays.equals(preCasTree, postCasTree), "CAS changed the tree");
        Machine between = migrate(afterCas);                  // between CAS and queue set-up
        Guest xive = new Guest(between, true);
        storm(xive, rnd, 400);
        xive.send(2, 3);
        xive.m = migrate(xive.m);
        allTaken(xive, "XIVE after CAS");

        xive.m.reset();
        assertEquals("xics", xive.m.activeController().name(), "a reset takes a dual-mode machine back to XICS");
        assertArrayEquals(preCasTree, xive.m.fdt(), "and back to the pre-CAS tree");
        Machine afterReset = migrate(xive.m);
        Guest again = new Guest(afterReset, false);
        storm(again, rnd, 200);
        allTaken(again, "XICS after the reset");

        assertEquals("xive", again.m.cas(GuestOv5.linuxVector(0x40)).mode());
        // the rebooted guest's queue pages are fresh, zeroed pages (as Linux allocates them), not the
        // first boot's queues still holding their old entries
        for (long a = MigratedIpiStormTest.QPAGE; a < MigratedIpiStormTest.QPAGE + 0x10000L * MigratedIpiStormTest.CPUS; a += 4) {
            again.m.memory().write32(a, 0);
        }
        Guest xive2 = new Guest(again.m, true);
        storm(xive2, rnd, 300);
        allTaken(xive2, "XIVE after the second CAS");
        assertTrue(migrations >= 8, "migrated " + migrations + " times");
    }
}
