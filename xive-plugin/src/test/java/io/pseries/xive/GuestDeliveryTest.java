package io.pseries.xive;

import static io.pseries.xive.XiveTestSupport.PRIO;
import static io.pseries.xive.XiveTestSupport.endWord;
import static io.pseries.xive.XiveTestSupport.enqueued;
import static io.pseries.xive.XiveTestSupport.guestErrors;
import static io.pseries.xive.XiveTestSupport.osReg;
import static io.pseries.xive.XiveTestSupport.pq;
import static io.pseries.xive.XiveTestSupport.queueIndex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.trace.TraceEvent;

/**
 * End-to-end delivery with the Linux-like guest model booted on 4 vCPUs in XIVE mode
 * (facts §13.2-13.5, qemu-observed "XIVE as the guest drives it"): IPIs, device MSIs on their
 * round-robin targets, and PQ coalescing of IPI bursts.
 */
class GuestDeliveryTest {
    static final int CPUS = 4;

    Machine m;
    GuestOs g;
    List<TraceEvent> errors;
    Map<Integer, Integer> targets = new HashMap<>();
    Map<Integer, Integer> virqs = new HashMap<>();

    @BeforeEach
    void boot() {
        m = Machine.create(MachineConfig.builder().cpus(CPUS).icMode("xive").build());
        errors = guestErrors(m);
        GuestOs.BootReport r = m.boot(GuestOs.BootOptions.defaults());
        assertEquals("xive", r.mode());
        for (Map<String, Object> irq : r.irqs()) {
            targets.put((Integer) irq.get("hwirq"), (Integer) irq.get("cpu"));
            virqs.put((Integer) irq.get("hwirq"), (Integer) irq.get("virq"));
        }
        g = m.guest();
    }

    private long qaddr(int cpu) {
        return End.queueAddress(endWord(m, cpu, PRIO, 2), endWord(m, cpu, PRIO, 3));
    }

    private void assertAllIdle() {
        for (int lisn = 0; lisn < CPUS; lisn++) {
            assertEquals(0b00, pq(m, lisn), "IPI " + lisn + " PQ");
        }
        for (int c = 0; c < CPUS; c++) {
            assertEquals(0xFF, osReg(m, c, ThreadContext.CPPR), "cpu " + c + " CPPR");
            assertEquals(0, osReg(m, c, ThreadContext.IPB), "cpu " + c + " IPB");
            assertEquals(0, osReg(m, c, ThreadContext.NSR), "cpu " + c + " NSR");
            assertFalse(m.cpu(c).osInterrupt(), "cpu " + c + " line");
        }
    }

    @Test
    void boot_everyIpiIsRoutedToItsCpu_atPriority6_withEisn0x10_andUnmasked() {
        for (int c = 0; c < CPUS; c++) {
            HcallResult r = m.hcall(0, Hcalls.H_INT_GET_SOURCE_CONFIG, 0, c);
            assertArrayEquals(new long[] {c, 6, 0x10}, r.rets(), "IPI " + c);
            assertEquals(0b00, pq(m, c));
        }
        assertAllIdle();
    }

    @Test
    void ipis_afterRunUntilIdle_everyIpiSourceEndsPq00_andEveryCpprFF() {
        for (int from = 0; from < CPUS; from++) {
            for (int to = 0; to < CPUS; to++) {
                if (from != to) {
                    g.ipi(from, to);
                }
            }
        }
        for (int c = 0; c < CPUS; c++) {
            assertEquals(0b11, pq(m, c), "three IPIs before any handling: the first set P, the others Q");
            assertEquals(1, queueIndex(m, c, PRIO), "only the first was queued");
        }
        m.runUntilIdle();
        assertAllIdle();
        for (int c = 0; c < CPUS; c++) {
            // ESB EOI (SET_PQ_00) returns 11: the guest re-triggers once for the two coalesced IPIs
            assertEquals(2, g.ipisTaken(c), "cpu " + c + ": three IPIs coalesce into two deliveries");
            assertEquals(2, queueIndex(m, c, PRIO));
        }
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void ipis_queueEntriesCarryEisn0x10_withTheFirstLapGenerationBit() {
        for (int c = 0; c < CPUS; c++) {
            g.ipi((c + 1) % CPUS, c);
            m.runUntilIdle();
            g.ipi((c + 2) % CPUS, c);
            m.runUntilIdle();
        }
        for (int c = 0; c < CPUS; c++) {
            int n = queueIndex(m, c, PRIO);
            assertEquals(2, n, "cpu " + c + " queue index");
            assertEquals(2, g.ipisTaken(c));
            for (int i = 0; i < n; i++) {
                assertEquals(0x8000_0010, m.memory().read32(qaddr(c) + 4L * i), "cpu " + c + " entry " + i);
            }
        }
        assertAllIdle();
    }

    @ParameterizedTest(name = "IRQ {0} is started on vCPU {1} and handled there")
    @CsvSource({"0x1000,0", "0x1001,1", "0x1100,2"})
    void deviceInterrupt_pulse_isHandledOnItsRoundRobinTarget(String hwirq, int cpu) {
        int irq = Integer.decode(hwirq);
        assertEquals(cpu, targets.get(irq), "round-robin over the vCPUs in start order");
        m.irq(irq).pulse();
        m.runUntilIdle();
        for (int c = 0; c < CPUS; c++) {
            assertEquals(c == cpu ? 1 : 0, g.irqsTaken(c, irq), "cpu " + c);
        }
        assertEquals(0x8000_0000 | virqs.get(irq), m.memory().read32(qaddr(cpu)), "EISN = the Linux virq");
        assertEquals(0b00, pq(m, irq));
        assertAllIdle();
    }

    @Test
    void ipiBurst_toOneCpu_isCoalescedByPq_andCountedOncePerDelivery() {
        long before = enqueued(m);
        g.ipi(1, 0);
        assertEquals(0b10, pq(m, 0));
        assertEquals(before + 1, enqueued(m));
        int sent = 1;
        for (int round = 0; round < 3; round++) {
            for (int from = 1; from < CPUS; from++) {
                g.ipi(from, 0);
                sent++;
            }
        }
        assertEquals(0b11, pq(m, 0), "further IPIs only set Q");
        assertEquals(before + 1, enqueued(m), "PQ prevents double queueing");

        m.runUntilIdle();

        long deliveries = enqueued(m) - before;
        // the EOI (SET_PQ_00) returns 11: the guest re-triggers once for everything coalesced
        assertEquals(2, deliveries);
        assertEquals(deliveries, g.ipisTaken(0), "each queued IPI is counted exactly once");
        assertTrue(g.ipisTaken(0) <= sent);
        for (int c = 1; c < CPUS; c++) {
            assertEquals(0, g.ipisTaken(c), "cpu " + c);
        }
        assertAllIdle();
    }

    @Test
    void ipi_sentAgainAfterHandling_isDeliveredAgain() {
        g.ipi(2, 3);
        m.runUntilIdle();
        g.ipi(2, 3);
        m.runUntilIdle();
        assertEquals(2, g.ipisTaken(3));
        assertEquals(2, queueIndex(m, 3, PRIO));
        assertAllIdle();
    }

    @Test
    void ipiAndDeviceInterrupt_onTheSameCpu_bothHandled() {
        int irq = 0x1001;
        int cpu = targets.get(irq);
        g.ipi(0, cpu);
        m.irq(irq).pulse();
        m.runUntilIdle();
        assertEquals(1, g.ipisTaken(cpu));
        assertEquals(1, g.irqsTaken(cpu, irq));
        assertAllIdle();
        assertEquals(0b00, pq(m, irq));
    }
}
