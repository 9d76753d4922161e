package io.pseries.core.intc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.cas.OptionVector;

/**
 * The all-backends vs active-backend seam ({@link ControllerSet}): both backends of dual mode
 * exist from creation, legacy first, and learn every vCPU; dual starts in XICS; a switch
 * deactivates the old backend, drops the vCPUs' inputs and replays raised lines into the new one.
 */
class ControllerSetTest {

    @Nested
    class Creation {
        @Test
        void dualModeCreatesBothControllersLegacyFirst() {
            Machine m = FakeIntc.machine(2, "dual");
            assertEquals(List.of("xics", "xive"), m.controllers().stream().map(c -> c.name()).toList());
        }

        @Test
        void dualModeStartsInXics() {
            // facts 9.7: "In dual mode the machine therefore always starts in XICS until CAS"
            Machine m = FakeIntc.machine(2, "dual");
            assertEquals("xics", m.icMode());
            assertTrue(m.isActive(m.controller("xics")));
            assertFalse(m.isActive(m.controller("xive")));
            assertEquals(1, FakeIntc.of(m, "xics").activations);
            assertEquals(0, FakeIntc.of(m, "xive").activations);
        }

        @Test
        void xiveOnlyStartsInXive() {
            Machine m = FakeIntc.machine(1, "xive");
            assertEquals("xive", m.icMode());
            assertEquals(1, m.controllers().size());
            assertNull(m.controller("xics"));
        }

        @Test
        void everyControllerLearnsEveryCpu() {
            Machine m = FakeIntc.machine(3, "dual");
            assertEquals(List.of(0, 1, 2), FakeIntc.of(m, "xics").cpus);
            assertEquals(List.of(0, 1, 2), FakeIntc.of(m, "xive").cpus);
        }
    }

    @Nested
    class Switch {
        private final Machine m = FakeIntc.machine(MachineConfig.builder().cpus(4).build());
        private final FakeIntc xics = FakeIntc.of(m, "xics");
        private final FakeIntc xive = FakeIntc.of(m, "xive");

        @Test
        void aRaisedLineIsReplayedIntoTheNewController() {
            m.irq(0x1100).raise();
            assertEquals(List.of("setIrq 0x1100 1"), xics.logged("setIrq"));
            m.cas(GuestOv5.linuxVector(0x40));
            assertEquals(List.of("setIrq 0x1100 1"), xive.logged("setIrq"));
            assertEquals(List.of("setIrq 0x1100 1"), xics.logged("setIrq"), "the old controller is not told more");
        }

        @Test
        void switchingDropsTheCpusInterruptInputs() {
            m.cpu(1).setOsInterrupt(true);
            m.cpu(2).setHvInterrupt(true);
            m.cas(GuestOv5.linuxVector(0x40));
            assertFalse(m.cpu(1).osInterrupt());
            assertFalse(m.cpu(2).hvInterrupt());
        }

        @Test
        void switchingToTheActiveBackendDoesNothing() {
            assertFalse(m.controllerSet().switchTo(m.controller("xics")));
            assertEquals(1, xics.activations);
            assertEquals(0, xics.deactivations);
        }

        @Test
        void theOldBackendIsDeactivatedBeforeTheNewOneIsActivatedAndReplayed() {
            m.irq(0x1100).raise();
            assertTrue(m.controllerSet().switchTo(m.controller("xive")));
            assertEquals("deactivate", xics.log.get(xics.log.size() - 1));
            List<String> tail = xive.log.subList(xive.log.size() - 2, xive.log.size());
            assertEquals(List.of("activate", "setIrq 0x1100 1"), tail);
            assertTrue(m.isActive(m.controller("xive")));
        }

        @Test
        void choiceFollowsQemusUpdateActiveIntc() {
            // spapr_irq_update_active_intc: XIVE when negotiated, XICS otherwise; XIVE when alone
            ControllerSet set = m.controllerSet();
            assertEquals("xics", set.choose(new OptionVector()).name());
            assertEquals("xive", set.choose(OptionVector.ofBytes(23, 0x40)).name());
            assertEquals("xive", FakeIntc.machine(1, "xive").controllerSet().choose(new OptionVector()).name());
            assertEquals("xics", FakeIntc.machine(1, "xics").controllerSet().choose(OptionVector.ofBytes(23, 0x40)).name());
        }
    }
}
