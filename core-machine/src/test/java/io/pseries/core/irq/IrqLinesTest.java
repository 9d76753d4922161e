package io.pseries.core.irq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;

/**
 * Interrupt lines ({@link IrqLines}): claims and frees reach every controller, QEMU's refusals,
 * the line of a number, level changes to the active controller only, the raised lines.
 */
class IrqLinesTest {
    private final Machine m = FakeIntc.machine(2, "dual");
    private final FakeIntc xics = FakeIntc.of(m, "xics");
    private final FakeIntc xive = FakeIntc.of(m, "xive");

    @Test
    void claimGoesToEveryController() {
        IrqLine l = m.claimIrq(0x1210, true, "a second PHB's INTA");
        assertTrue(l.lsi());
        assertEquals(Boolean.TRUE, xics.claims.get(0x1210));
        assertEquals(Boolean.TRUE, xive.claims.get(0x1210));
        assertTrue(m.irqSpace().isLsi(0x1210));
        assertSame(l, m.irq(0x1210));
    }

    @Test
    void doubleClaimIsRefusedBeforeAnyControllerSeesIt() {
        int before = xics.logged("claim").size();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.claimIrq(0x1100, false, "again"));
        assertEquals("IRQ 4352 (0x1100) is not free", e.getMessage());
        assertEquals(before, xics.logged("claim").size());
        assertEquals("spapr-vty vty@71000000", m.irq(0x1100).driver(), "the first owner keeps the line");
    }

    @Test
    void claimOutsideTheDeviceRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> m.claimIrq(0x0005, false, "ipi?"));
        assertThrows(IllegalArgumentException.class, () -> m.claimIrq(0x2000, false, "too high"));
        assertTrue(xive.logged("claim 0x5").isEmpty());
    }

    @Test
    void freeGoesToEveryControllerAndAllowsAReclaim() {
        m.claimIrq(0x1300, false, "msi");
        m.freeIrq(0x1300);
        assertFalse(xics.claims.containsKey(0x1300));
        assertFalse(xive.claims.containsKey(0x1300));
        assertTrue(xive.log.contains("free 0x1300"));
        assertThrows(IllegalArgumentException.class, () -> m.irq(0x1300));
        m.claimIrq(0x1300, true, "again");
        assertTrue(m.irqSpace().isLsi(0x1300));
    }

    @Test
    void freeingAnUnclaimedNumberIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.freeIrq(0x1234));
        assertEquals("IRQ 0x1234 is not claimed", e.getMessage());
    }

    @Test
    void unknownLineNamesTheClaimedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.irq(0x1105));
        assertEquals("IRQ 4357 (0x1105) is not a claimed device interrupt; claimed: 0x1000, 0x1001, 0x1100, 0x1101, 0x1200,"
            + " 0x1201, 0x1202, 0x1203", e.getMessage());
    }

    @Test
    void levelChangesReachOnlyTheActiveController() {
        m.irq(0x1100).pulse();
        assertEquals(List.of("setIrq 0x1100 1", "setIrq 0x1100 0"), xics.logged("setIrq"));
        assertTrue(xive.logged("setIrq").isEmpty());
    }

    @Test
    void raisedLinesAreListed() {
        m.irq(0x1001).raise();
        assertArrayEquals(new int[] {0x1001}, m.raisedLines());
        m.irq(0x1001).lower();
        assertArrayEquals(new int[0], m.raisedLines());
    }
}
