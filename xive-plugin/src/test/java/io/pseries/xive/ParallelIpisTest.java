package io.pseries.xive;

import static io.pseries.xive.XiveTestSupport.osReg;
import static io.pseries.xive.XiveTestSupport.pq;
import static io.pseries.xive.XiveTestSupport.xive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.host.ExitKind;
import io.pseries.core.trace.TraceCategory;
import io.pseries.xive.guest.XiveGuestDriver;

/**
 * The parallel IPI run (hostThreads above 1) against the deterministic mode: the same pairs on a
 * twin machine with one host thread give the same per-vCPU counts, the same queue positions, the
 * same enqueue and MMIO-exit counts, and leave the controller idle (every IPI source at PQ 00,
 * every CPPR 0xFF, no IPB, no line up). Unpaced, a burst to one vCPU coalesces in its IPI's PQ
 * bits (P then Q: at most two taken per call), in both modes: the rule the stress test checks.
 */
class ParallelIpisTest {

    private static Machine booted(int cpus, int hostThreads) {
        Machine m = Machine.create(MachineConfig.builder().cpus(cpus).icMode("xive").devices(List.of())
            .hostThreads(hostThreads).seed(1).build());
        m.boot(GuestOs.BootOptions.defaults());
        m.runUntilIdle();
        return m;
    }

    /** The deterministic mode's unpaced m.guest.ipis: every IPI sent, then the machine runs until idle. */
    private static void deterministic(Machine m, int[] pairs, int repeat) {
        for (int r = 0; r < repeat; r++) {
            for (int i = 0; i < pairs.length; i += 2) {
                m.guest().ipi(pairs[i], pairs[i + 1]);
            }
        }
        m.runUntilIdle();
    }

    private static int[] pairs(String kind, int n, SplittableRandom rnd) {
        int[] p = new int[2 * n];
        for (int k = 0; k < n; k++) {
            p[2 * k] = k;
            p[2 * k + 1] = switch (kind) {
                case "ring" -> (k + 1) % n;
                case "cross" -> (k + n / 2) % n;
                case "local" -> k ^ 1;
                case "self" -> k;
                default -> rnd.nextInt(n);
            };
        }
        return p;
    }

    private static void assertIdle(Machine m) {
        GuestOs g = m.guest();
        for (int c = 0; c < g.cpuCount(); c++) {
            int lisn = g.ipiOf(c).hwirq();
            assertEquals(0b00, pq(m, lisn), "cpu " + c + " IPI " + lisn + " PQ");
            assertEquals(0xFF, osReg(m, c, ThreadContext.CPPR), "cpu " + c + " CPPR");
            assertEquals(0, osReg(m, c, ThreadContext.IPB), "cpu " + c + " IPB");
            assertEquals(0, osReg(m, c, ThreadContext.NSR), "cpu " + c + " NSR");
            assertFalse(m.cpu(c).osInterrupt(), "cpu " + c + " line");
        }
        assertEquals(0, m.scheduler().pending(), "events left");
    }

    @ParameterizedTest(name = "{0} vCPUs, {1} host threads, {2} pairs, repeat {3}")
    @CsvSource({
        "4, 2, ring, 1", "4, 2, cross, 3", "4, 2, local, 2", "4, 2, self, 5", "4, 2, random, 4",
        "64, 2, ring, 1", "64, 2, cross, 2", "64, 2, local, 1", "64, 2, random, 3",
        "64, 3, ring, 2", "64, 4, random, 6", "5, 3, random, 2"})
    void sameCountsQueuesAndStateAsTheDeterministicMode(int cpus, int hostThreads, String kind, int repeat) {
        Machine det = booted(cpus, 1);
        Machine par = booted(cpus, hostThreads);
        int[] p = pairs(kind, cpus, new SplittableRandom(7));
        long exitsDet = det.host().stats().vmmExits(ExitKind.MMIO);
        long exitsPar = par.host().stats().vmmExits(ExitKind.MMIO);
        long before = par.now();
        deterministic(det, p, repeat);
        long now = par.parallelIpis().run(p, repeat);
        assertEquals(Math.min(hostThreads, cpus), par.parallelIpis().domains());
        assertTrue(now >= before && par.now() == now, "the clock folds back to the latest domain's");
        XiveGuestDriver dd = (XiveGuestDriver) det.guest().driver();
        XiveGuestDriver pd = (XiveGuestDriver) par.guest().driver();
        List<Map<String, Object>> ds = det.guest().stats();
        List<Map<String, Object>> ps = par.guest().stats();
        for (int c = 0; c < cpus; c++) {
            assertEquals(ds.get(c), ps.get(c), "cpu " + c + " stats");
            assertEquals(dd.queueIndex(c), pd.queueIndex(c), "cpu " + c + " queue index");
            assertEquals(dd.queueToggle(c), pd.queueToggle(c), "cpu " + c + " queue toggle");
        }
        assertEquals(xive(det).router().enqueuedCount(), xive(par).router().enqueuedCount(), "events enqueued");
        assertEquals(det.host().stats().vmmExits(ExitKind.MMIO) - exitsDet,
            par.host().stats().vmmExits(ExitKind.MMIO) - exitsPar, "MMIO exits");
        assertEquals(0, par.trace().guestErrorCount() - det.trace().guestErrorCount());
        assertIdle(par);
        assertIdle(det);
        // the machine is back in the deterministic mode: a paced IPI goes through the machine's clock
        long t = par.now();
        par.guest().ipi(0, cpus - 1);
        par.runUntilIdle();
        assertTrue(par.now() > t);
        assertIdle(par);
    }

    @Test
    void everyIpiSentIsTakenOnce_whenNoVcpuGetsMoreThanTwoPerCall() {
        Machine m = booted(64, 2);
        int[] ring = pairs("ring", 64, null);
        for (int call = 0; call < 10; call++) {
            m.parallelIpis().run(ring, 2);
        }
        for (int c = 0; c < 64; c++) {
            assertEquals(20, m.guest().ipisTaken(c), "cpu " + c);
        }
        assertIdle(m);
    }

    /** Many short runs of random pairs; each vCPU takes min(sent to it, 2) per call (P, then Q). */
    @Test
    void stress_manyRandomRuns_eachVcpuTakesWhatItsPqBitsAllow() {
        int cpus = 64;
        Machine m = booted(cpus, 2);
        SplittableRandom rnd = new SplittableRandom(42);
        long[] expected = new long[cpus];
        long deadline = System.nanoTime() + 5_000_000_000L;
        int runs = 0;
        while (runs < 5000 && System.nanoTime() < deadline) {
            int n = 1 + rnd.nextInt(3 * cpus);
            int[] p = new int[2 * n];
            int[] got = new int[cpus];
            for (int i = 0; i < n; i++) {
                p[2 * i] = rnd.nextInt(cpus);
                p[2 * i + 1] = rnd.nextInt(cpus);
            }
            int repeat = 1 + rnd.nextInt(2);
            for (int i = 0; i < n; i++) {
                got[p[2 * i + 1]] += repeat;
            }
            for (int c = 0; c < cpus; c++) {
                expected[c] += Math.min(got[c], 2);
            }
            m.parallelIpis().run(p, repeat);
            runs++;
        }
        for (int c = 0; c < cpus; c++) {
            assertEquals(expected[c], m.guest().ipisTaken(c), "cpu " + c + " after " + runs + " runs");
        }
        assertIdle(m);
        assertTrue(runs >= 100, "only " + runs + " runs in 5 s");
    }

    /** More posted stores than a ring holds: the senders wait, performing what is posted to them meanwhile. */
    @Test
    void fullRings_holdTheSendersBack_andLoseNothing() {
        Machine m = booted(64, 2);
        m.parallelIpis().run(pairs("cross", 64, null), 100);
        assertEquals(6400, m.parallelIpis().lastPosted(), "every IPI crosses the two domains");
        for (int c = 0; c < 64; c++) {
            assertEquals(2, m.guest().ipisTaken(c), "cpu " + c + ": P, then Q; the other 98 coalesce");
        }
        assertIdle(m);
    }

    @Test
    void refused_whenTheTraceHasAListener() {
        Machine m = booted(4, 2);
        m.trace().subscribe(TraceCategory.IRQ, e -> { });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.parallelIpis().run(new int[] {0, 1}, 1));
        assertTrue(e.getMessage().contains("on 2 host threads is refused: the trace is recording or has listeners"), e.getMessage());
        assertEquals(0, m.guest().ipisTaken(1), "nothing was sent");
    }

    @Test
    void refused_withTheInKernelController() {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("xive").kernelIrqchip("on").devices(List.of())
            .hostThreads(2).build());
        m.boot(GuestOs.BootOptions.defaults());
        m.runUntilIdle();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.parallelIpis().run(new int[] {0, 1}, 1));
        assertTrue(e.getMessage().contains("the interrupt controller is the in-kernel device"), e.getMessage());
    }

    @Test
    void refused_whileEventsArePending() {
        Machine m = booted(4, 2);
        m.guest().ipi(0, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.parallelIpis().run(new int[] {0, 1}, 1));
        assertTrue(e.getMessage().contains("1 events are pending on the machine's clock"), e.getMessage());
        m.runUntilIdle();
        m.parallelIpis().run(new int[] {0, 1}, 1);
        assertEquals(2, m.guest().ipisTaken(1));
    }

    @Test
    void hostThreads_isCheckedWhenTheMachineIsMade() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> MachineConfig.builder().cpus(2).hostThreads(3).build());
        assertTrue(e.getMessage().contains("invalid machine option hostThreads: 3; expected an integer from 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MachineConfig.builder().cpus(2).hostThreads(0).build());
        assertEquals(1, MachineConfig.defaults().hostThreads());
    }
}
