package io.pseries.testscripts.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.snapshot.Migration;

/**
 * An IPI storm migrated mid-flight, several times, between machines with the kernel's and the
 * VMM's interrupt controller in turn: every IPI sent is taken exactly once unless the
 * controller's own coalescing merged it, and the test counts both per vCPU. The guest is
 * driven through raw hcalls and MMIO (a dual-mode machine in its XICS start, before CAS; then
 * after CAS with XIVE exploitation), as Linux's drivers do it:
 *
 * <pre>
 *  XICS  send: H_IPI(server, 5)    take: H_XIRR (XISR 2), H_IPI(self, 0xFF), H_EOI
 *        coalescing: one MFRR per vCPU, an IPI sent while one is pending merges with it
 *  XIVE  send: store to the target's IPI trigger page
 *        take: TIMA ACK, drain the event queue (generation bit), LOAD_EOI on each source's
 *        ESB, CPPR back to 0xFF
 *        coalescing: the IPI's PQ: 00 -> 10 (an event), 10 -> 11 (one more at EOI), 11 stays
 * </pre>
 */
class MigratedIpiStormTest {
    static final int CPUS = 4;
    static final long ESB = 0x0006_0100_0000_0000L;
    static final long TIMA_OS = 0x0006_0302_0318_0000L + 0x20000;
    static final long QPAGE = 0x0100_0000L;
    static final int PRIO = 5;

    /** The guest's side of the storm, with what the controller's coalescing lets through. */
    static final class Guest {
        Machine m;
        final boolean xive;
        final long[] sent = new long[CPUS];
        final long[] taken = new long[CPUS];
        final long[] expected = new long[CPUS];
        /** XICS: whether an IPI is pending for the vCPU; XIVE: the IPI source's PQ as the rules predict. */
        final int[] state = new int[CPUS];
        final int[] qIndex = new int[CPUS];
        final int[] qToggle = new int[CPUS];

        Guest(Machine m, boolean xive) {
            this.m = m;
            this.xive = xive;
            for (int c = 0; c < CPUS; c++) {
                if (xive) {
                    assertEquals(0, m.hcall(c, Hcalls.H_INT_SET_QUEUE_CONFIG, 1, c, PRIO, QPAGE + 0x10000L * c, 16).rc());
                    assertEquals(0, m.hcall(c, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, c, c, PRIO, 0x10 + c).rc());
                    m.load(c, ESB + 0x20000L * c + 0x10000 + 0xc00, 8);      // PQ 00: on
                    m.store(c, TIMA_OS + 0x11, 1, 0xff);
                } else {
                    assertEquals(0, m.hcall(c, Hcalls.H_CPPR, 0xff).rc());
                }
            }
        }

        void send(int from, int to) {
            sent[to]++;
            if (xive) {
                m.store(from, ESB + 0x20000L * to, 8, 0);
                if (state[to] == 0) {
                    state[to] = 2;
                    expected[to]++;
                } else if (state[to] == 2) {
                    state[to] = 3;
                }
            } else {
                assertEquals(0, m.hcall(from, Hcalls.H_IPI, to, PRIO).rc());
                if (state[to] == 0) {
                    state[to] = 1;
                    expected[to]++;
                }
            }
        }

        /** Takes what vCPU {@code c} has; returns whether it took anything. */
        boolean take(int c) {
            if (xive) {
                long ack = m.load(c, TIMA_OS + 0x810, 2);
                if ((ack & 0x8000) == 0) {
                    return false;
                }
                long q = QPAGE + 0x10000L * c;
                while (true) {
                    int e = m.memory().read32(q + 4L * qIndex[c]);
                    if ((e >>> 31) == qToggle[c]) {
                        break;
                    }
                    qIndex[c] = (qIndex[c] + 1) & (16384 - 1);
                    if (qIndex[c] == 0) {
                        qToggle[c] ^= 1;
                    }
                    int eisn = e & 0x7fff_ffff;
                    int lisn = eisn - 0x10;
                    assertEquals(c, lisn, "vCPU " + c + " got another vCPU's IPI");
                    taken[c]++;
                    m.load(c, ESB + 0x20000L * lisn + 0x10000, 8);         // LOAD_EOI
                    if (state[lisn] == 3) {
                        state[lisn] = 2;
                        expected[lisn]++;
                    } else {
                        state[lisn] = 0;
                    }
                }
                m.store(c, TIMA_OS + 0x11, 1, 0xff);
                m.runUntilIdle();
                return true;
            }
            long xirr = m.hcall(c, Hcalls.H_XIRR).rets()[0];
            int xisr = (int) (xirr & 0xff_ffff);
            if (xisr == 0) {
                return false;
            }
            assertEquals(2, xisr, "only IPIs in this storm");
            taken[c]++;
            m.hcall(c, Hcalls.H_IPI, c, 0xff);
            state[c] = 0;
            m.hcall(c, Hcalls.H_EOI, xirr);
            return true;
        }

        void drain() {
            boolean any = true;
            while (any) {
                m.runUntilIdle();
                any = false;
                for (int c = 0; c < CPUS; c++) {
                    while (take(c)) {
                        any = true;
                    }
                }
            }
        }
    }

    static Machine machine(String kernelIrqchip, boolean afterCas) {
        Machine m = Machine.create(MachineConfig.builder().cpus(CPUS).icMode("dual").kernelIrqchip(kernelIrqchip).build());
        if (afterCas) {
            m.cas(GuestOv5.linuxVector(0x40));
        }
        assertEquals(afterCas ? "xive" : "xics", m.activeController().name());
        assertEquals("on".equals(kernelIrqchip), m.activeController().inKernel());
        return m;
    }

    @ParameterizedTest(name = "{0} CAS, starting with kernelIrqchip {1}")
    @CsvSource({"before, on", "before, off", "after, on", "after, off"})
    void anIpiStormMigratedMidFlight_losesAndDuplicatesNothingBeyondCoalescing(String cas, String first) {
        boolean afterCas = "after".equals(cas);
        Guest g = new Guest(machine(first, afterCas), afterCas);
        SplittableRandom rnd = new SplittableRandom(7);
        String kernel = first;
        List<String> path = new ArrayList<>();
        path.add(kernel);
        int migrations = 0;
        for (int step = 0; step < 3000; step++) {
            int r = rnd.nextInt(100);
            if (r < 70) {
                int from = rnd.nextInt(CPUS);
                int to = rnd.nextInt(CPUS);
                if (from != to) {
                    g.send(from, to);
                }
            } else if (r < 98) {
                g.m.runUntilIdle();
                g.take(rnd.nextInt(CPUS));
            } else {
                g.m.runUntilIdle();
                String next = "on".equals(kernel) ? "off" : "on";
                Machine src = g.m;
                g.m = Migration.migrate(src, c -> Machine.create(c.withKernelIrqchip(next))).destination();
                assertFalse(src.running());
                assertEquals("on".equals(next), g.m.activeController().inKernel());
                kernel = next;
                path.add(kernel);
                migrations++;
            }
        }
        g.drain();
        assertTrue(migrations >= 20, "migrated " + migrations + " times");
        long sent = 0;
        long taken = 0;
        for (int c = 0; c < CPUS; c++) {
            sent += g.sent[c];
            taken += g.taken[c];
        }
        assertArrayEquals(g.expected, g.taken, "taken per vCPU = sent minus what the " + (afterCas ? "PQ bits" : "MFRR")
            + " merged (sent " + java.util.Arrays.toString(g.sent) + ")");
        assertTrue(taken < sent && taken > sent / 4, "a storm with some coalescing: sent " + sent + ", taken " + taken);
        for (int s : g.state) {
            assertEquals(0, s, "nothing left pending");
        }
    }
}
