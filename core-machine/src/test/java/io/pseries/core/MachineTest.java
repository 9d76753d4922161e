package io.pseries.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The machine as composition root, with fake interrupt controllers (core-machine has no
 * controller plugin): creation order and wiring, vCPU lookup, and the machine reset across
 * its pieces. Each piece's own rules are tested next to it (AddressSpaceTest, HcallDispatchTest,
 * RtasDispatchTest, PlatformRtasTest, CasNegotiationTest, ControllerSetTest, IrqLinesTest,
 * PlatformTreeTest).
 */
class MachineTest {

    // ================================================================== creation and wiring

    @Nested
    class Creation {
        @Test
        void eventSourcesAndVioClaimTheirQemuNumbersInEveryController() {
            Machine m = FakeIntc.machine(MachineConfig.builder().device("spapr-vlan", Map.of()).build());
            // qemu-observed "IRQ numbers": EPOW 0x1000, hot-plug 0x1001, vty 0x1100, nvram 0x1101, l-lan 0x1102,
            // and the default PHB's LSIs 0x1200-0x1203 (level)
            Map<Integer, Boolean> expected = Map.of(0x1000, false, 0x1001, false, 0x1100, false, 0x1101, false, 0x1102, false,
                0x1200, true, 0x1201, true, 0x1202, true, 0x1203, true);
            assertEquals(expected, FakeIntc.of(m, "xics").claims);
            assertEquals(expected, FakeIntc.of(m, "xive").claims);
            assertArrayEquals(new int[] {0x1000, 0x1001, 0x1100, 0x1101, 0x1102, 0x1200, 0x1201, 0x1202, 0x1203},
                m.irqSpace().claimedIrqs());
            assertEquals("spapr-vty vty@71000000", m.irq(0x1100).driver());
        }

        @Test
        void controllersExistBeforeCpusAndCpusBeforeDevices() {
            Machine m = FakeIntc.machine(2, "xics");
            List<String> log = FakeIntc.of(m, "xics").log;
            assertTrue(log.indexOf("cpu 1") < log.indexOf("claim 0x1000 msi"), log.toString());
        }

        @Test
        void onlyTheBootCpuRunsAfterCreation() {
            Machine m = FakeIntc.machine(4, "dual");
            assertTrue(m.cpu(0).running());
            for (int i = 1; i < 4; i++) {
                assertFalse(m.cpu(i).running(), "cpu " + i);
            }
            assertEquals(0, m.resetCount(), "the creation reset is not counted");
        }

        @Test
        void vcpuIdsEqualIndicesWithOneThreadPerCore() {
            Machine m = FakeIntc.machine(4, "dual");
            for (int i = 0; i < 4; i++) {
                assertEquals(i, m.cpu(i).vcpuId());
                assertSame(m.cpu(i), m.cpuByVcpuId(i));
            }
            assertNull(m.cpuByVcpuId(4));
            assertNull(m.cpuByVcpuId(-1));
            assertEquals(4, m.nrServers());
        }
    }

    // ================================================================== cpus

    @Test
    void cpuOutOfRangeNamesTheValidIndices() {
        Machine m = FakeIntc.machine(4, "dual");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.cpu(4));
        assertEquals("cpu 4 does not exist: the machine has 4 vCPUs (0..3)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.cpu(-1));
        assertThrows(IllegalArgumentException.class, () -> m.hcall(7, 0x64));
        assertThrows(IllegalArgumentException.class, () -> m.load(4, 0, 4));
    }

    @Test
    void cpuOutOfRangeOnASingleCpuMachine() {
        Machine m = FakeIntc.machine(1, "dual");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.cpu(1));
        assertEquals("cpu 1 does not exist: the machine has 1 vCPU (0)", e.getMessage());
    }

    // ================================================================== reset

    @Nested
    class Reset {
        private final Machine m = FakeIntc.machine(MachineConfig.builder().cpus(4).build());
        private final FakeIntc xics = FakeIntc.of(m, "xics");
        private final FakeIntc xive = FakeIntc.of(m, "xive");

        @Test
        void resetResetsEveryControllerAndStopsTheSecondaries() {
            m.rtas(0, "start-cpu", new int[] {3, 0x10000, 3}, 1);
            int xicsResets = xics.resets;
            int xiveResets = xive.resets;
            m.reset();
            assertEquals(xicsResets + 1, xics.resets);
            assertEquals(xiveResets + 1, xive.resets);
            assertFalse(m.cpu(3).running());
            assertTrue(m.cpu(0).running());
        }

        @Test
        void resetDropsLineLevelsAndKeepsClaims() {
            m.irq(0x1100).raise();
            m.reset();
            assertFalse(m.irq(0x1100).level());
            assertEquals(Boolean.FALSE, xive.claims.get(0x1100));
            assertArrayEquals(new int[0], m.raisedLines());
        }

        @Test
        void resetKeepsVirtualTimeAndDropsPendingEvents() {
            m.run(1000);
            List<Long> fired = new ArrayList<>();
            m.scheduler().after(10, fired::add);
            m.reset();
            m.run(100);
            assertTrue(fired.isEmpty());
            assertEquals(1100, m.now());
        }
    }
}
