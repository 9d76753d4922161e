package io.pseries.core.irq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The sPAPR IRQ number space (xive-facts.md section 8) and the device interrupt line. */
class IrqSpaceTest {

    private final IrqSpace space = new IrqSpace();

    @Test
    void layoutMatchesQemu() {
        // facts 8.1 and qemu-observed "IRQ numbers"
        assertEquals(0x1000, SpaprIrq.XIRQ_BASE);
        assertEquals(0x1000, SpaprIrq.EPOW);
        assertEquals(0x1001, SpaprIrq.HOTPLUG);
        assertEquals(0x1100, SpaprIrq.VIO);
        assertEquals(0x1200, SpaprIrq.PCI_LSI);
        assertEquals(0x1300, SpaprIrq.MSI);
        assertEquals(0xd00, SpaprIrq.NR_MSIS);
        assertEquals(0x2000, SpaprIrq.XIVE_NR_IRQS);
        assertEquals(0x1111, SpaprIrq.PHANDLE_INTC);
    }

    @Test
    void claimableRangeIs0x1000To0x2000() {
        space.checkClaimable(0x1000);
        space.checkClaimable(0x1fff);
        assertTrue(SpaprIrq.isXirq(0x1000));
        assertTrue(SpaprIrq.isXirq(0x1fff));
        assertFalse(SpaprIrq.isXirq(0xfff));
        assertFalse(SpaprIrq.isXirq(0x2000));
    }

    @Test
    void claimBelowTheRangeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> space.checkClaimable(0xfff));
        assertEquals("IRQ 4095 (0xfff) is outside the claimable range [0x1000, 0x2000)", e.getMessage());
    }

    @Test
    void claimAboveTheRangeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> space.checkClaimable(0x2000));
        assertTrue(e.getMessage().startsWith("IRQ 8192 (0x2000) is outside"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> space.checkClaimable(-1));
        assertThrows(IllegalArgumentException.class, () -> space.checkClaimable(0x1_0000_1000L));
    }

    @Test
    void doubleClaimIsNotFree() {
        space.checkClaimable(0x1100);
        space.markClaimed(0x1100, false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> space.checkClaimable(0x1100));
        // QEMU: "IRQ %d is not free"
        assertTrue(e.getMessage().startsWith("IRQ 4352 "), e.getMessage());
        assertTrue(e.getMessage().endsWith("is not free"), e.getMessage());
        assertEquals("IRQ 4352 (0x1100) is not free", e.getMessage());
    }

    @Test
    void claimRecordsTheKind() {
        space.markClaimed(0x1200, true);
        space.markClaimed(0x1100, false);
        assertTrue(space.isClaimed(0x1200));
        assertTrue(space.isLsi(0x1200));
        assertFalse(space.isLsi(0x1100));
        assertFalse(space.isClaimed(0x1201));
        assertFalse(space.isClaimed(-5));
        assertFalse(space.isClaimed(0x2000));
    }

    @Test
    void claimedIrqsAreListedInAscendingOrder() {
        space.markClaimed(0x1300, false);
        space.markClaimed(0x1000, false);
        space.markClaimed(0x1200, true);
        assertArrayEquals(new int[] {0x1000, 0x1200, 0x1300}, space.claimedIrqs());
    }

    @Test
    void freeMakesANumberClaimableAgainAndForgetsItsKind() {
        space.markClaimed(0x1203, true);
        space.markFree(0x1203);
        assertFalse(space.isClaimed(0x1203));
        assertFalse(space.isLsi(0x1203));
        space.checkClaimable(0x1203);
        space.markClaimed(0x1203, false);
        assertFalse(space.isLsi(0x1203));
    }

    @Test
    void msiAllocationStartsAt0x1300() {
        assertEquals(0x1300, space.allocMsi(1, 1));
        assertTrue(space.isMsiAllocated(0x1300));
        assertFalse(space.isMsiAllocated(0x1301));
        assertFalse(space.isMsiAllocated(0x12ff));
    }

    @Test
    void msiAllocatorIsFirstFitWithAlignment() {
        assertEquals(0x1300, space.allocMsi(1, 1));
        // virtio-net's MSI-X block of 4 (qemu-observed: 0x1300.. in a fresh machine)
        assertEquals(0x1304, space.allocMsi(4, 4));
        assertEquals(0x1301, space.allocMsi(1, 1), "first fit fills the hole before the aligned block");
        assertEquals(0x1302, space.allocMsi(2, 2));
        assertEquals(0x1308, space.allocMsi(2, 2));
        assertEquals(0x1310, space.allocMsi(8, 8));
        assertEquals(0x130a, space.allocMsi(1, 1));
    }

    @Test
    void msiBlockOfFourOnAFreshMachineIs0x1300() {
        assertEquals(0x1300, space.allocMsi(4, 4));
        for (int i = 0x1300; i < 0x1304; i++) {
            assertTrue(space.isMsiAllocated(i));
        }
        assertFalse(space.isMsiAllocated(0x1304));
    }

    @Test
    void msiAllocationDoesNotClaim() {
        int irq = space.allocMsi(1, 1);
        assertFalse(space.isClaimed(irq), "the device claims the number after allocating it, as spapr_irq_claim");
        space.checkClaimable(irq);
    }

    @Test
    void msiExhaustionUsesQemusMessage() {
        assertEquals(0x1300, space.allocMsi(SpaprIrq.NR_MSIS, 1));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> space.allocMsi(1, 1));
        assertEquals("Unable to allocate 1 IRQs", e.getMessage());
    }

    @Test
    void msiRequestLargerThanTheRangeFails() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> space.allocMsi(SpaprIrq.NR_MSIS + 1, 1));
        assertEquals("Unable to allocate 3329 IRQs", e.getMessage());
    }

    @Test
    void alignmentCanExhaustTheRangeBeforeItIsFull() {
        space.allocMsi(1, 1);
        // 0xd00 free bits minus one, but no aligned run of 0x800 remains after 0x1300
        assertThrows(IllegalStateException.class, () -> space.allocMsi(0x800, 0x800));
        assertEquals(0x1301, space.allocMsi(0x7ff, 1));
    }

    @Test
    void badMsiRequestsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> space.allocMsi(0, 1));
        assertEquals("bad MSI allocation request: num 0, align 1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> space.allocMsi(2, 3));
        assertThrows(IllegalArgumentException.class, () -> space.allocMsi(2, 0));
    }

    @Test
    void freedMsisAreReused() {
        assertEquals(0x1300, space.allocMsi(4, 4));
        assertEquals(0x1304, space.allocMsi(4, 4));
        space.freeMsi(0x1300, 4);
        assertFalse(space.isMsiAllocated(0x1300));
        assertTrue(space.isMsiAllocated(0x1304));
        assertEquals(0x1300, space.allocMsi(4, 4));
    }

    @Test
    void freeingNonMsiNumbersIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> space.freeMsi(0x1200, 1));
        assertEquals("not MSI numbers: 0x1200 +1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> space.freeMsi(0x1fff, 2));
    }

    @Test
    void resetForgetsMsiAllocationsButNotClaims() {
        space.markClaimed(0x1100, false);
        space.allocMsi(3, 1);
        space.resetMsis();
        assertFalse(space.isMsiAllocated(0x1300));
        assertTrue(space.isClaimed(0x1100));
        assertEquals(0x1300, space.allocMsi(1, 1));
    }

    /** The wire from a device to the controller (architecture.md seam 5). */
    @Nested
    class IrqLineTest {
        private final List<String> sink = new ArrayList<>();
        private final IrqLine line = new IrqLine(0x1100, false, "spapr-vty vty@71000000",
            (irq, level) -> sink.add(String.format("0x%x=%d", irq, level ? 1 : 0)));

        @Test
        void knowsItsNumberKindAndDriver() {
            assertEquals(0x1100, line.irq());
            assertFalse(line.lsi());
            assertEquals("spapr-vty vty@71000000", line.driver());
            assertFalse(line.level());
            assertTrue(new IrqLine(0x1200, true, "phb", (i, l) -> { }).lsi());
        }

        @Test
        void repeatedLevelsAreIgnored() {
            line.raise();
            line.raise();
            line.set(true);
            assertEquals(List.of("0x1100=1"), sink);
            assertEquals(1, line.raiseCount());
            line.lower();
            line.lower();
            assertEquals(List.of("0x1100=1", "0x1100=0"), sink);
        }

        @Test
        void loweringALowLineDoesNothing() {
            line.lower();
            line.set(false);
            assertTrue(sink.isEmpty());
            assertEquals(0, line.raiseCount());
        }

        @Test
        void pulseIsARisingThenAFallingEdge() {
            line.pulse();
            assertEquals(List.of("0x1100=1", "0x1100=0"), sink);
            assertFalse(line.level());
            assertEquals(1, line.raiseCount());
        }

        @Test
        void pulseOnARaisedLineOnlyLowersIt() {
            line.raise();
            line.pulse();
            assertEquals(List.of("0x1100=1", "0x1100=0"), sink);
            assertEquals(1, line.raiseCount());
        }

        @Test
        void raiseCountCountsRisingEdges() {
            for (int i = 0; i < 5; i++) {
                line.pulse();
            }
            line.raise();
            assertEquals(6, line.raiseCount());
            assertEquals(11, sink.size());
        }

        @Test
        void resetLevelDropsTheLevelSilently() {
            line.raise();
            line.resetLevel();
            assertFalse(line.level());
            assertEquals(List.of("0x1100=1"), sink, "the controller is reset too, it is not told");
            line.raise();
            assertEquals(List.of("0x1100=1", "0x1100=1"), sink, "a later raise is a new edge");
            assertEquals(2, line.raiseCount());
        }
    }
}
