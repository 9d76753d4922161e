package io.pseries.xics;

import static io.pseries.xics.XicsTestSupport.LSI;
import static io.pseries.xics.XicsTestSupport.VTY;
import static io.pseries.xics.XicsTestSupport.cppr;
import static io.pseries.xics.XicsTestSupport.ics;
import static io.pseries.xics.XicsTestSupport.opened;
import static io.pseries.xics.XicsTestSupport.rtas;
import static io.pseries.xics.XicsTestSupport.setXive;
import static io.pseries.xics.XicsTestSupport.xirr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.trace.Trace;

/**
 * XICS rules at their edges (QEMU hw/intc/xics.c, xics_spapr.c): ibm,set-xive's priority
 * bound, a CPPR equal to the presented priority, an LSI turned away by the CPPR, a freed
 * source, the ICP's reset of its output line, an IPI to the sender itself.
 */
class XicsEdgeRulesTest {

    @Test
    void setXive_priority0xFF_isAccepted_andMasks_0x100IsAParamError() {
        Machine m = opened(1);
        setXive(m, VTY, 0, 0xFF);
        assertEquals(0xFF, ics(m).priority(VTY - Ics.OFFSET));
        assertEquals(-3, rtas(m, "ibm,set-xive", VTY, 0, 0x100));
        assertEquals(0xFF, ics(m).priority(VTY - Ics.OFFSET), "the refused call changed nothing");
    }

    /** icp_set_cppr: a new CPPR equal to the presented priority withdraws it (the source is rejected, then resent). */
    @Test
    void cppr_equalToThePresentedPriority_withdrawsIt_untilTheCpprOpensAgain() {
        Machine m = opened(1);
        setXive(m, VTY, 0, 5);
        m.irq(VTY).pulse();
        assertTrue(m.cpu(0).osInterrupt(), "presented at priority 5");
        cppr(m, 0, 5);
        assertFalse(m.cpu(0).osInterrupt(), "CPPR 5 is as favoured as the interrupt: withdrawn");
        assertEquals(Ics.STATUS_REJECTED, ics(m).status(VTY - Ics.OFFSET) & Ics.STATUS_REJECTED);
        cppr(m, 0, 6);
        assertEquals(0x0600_1100L, xirr(m, 0), "a less favoured CPPR resends it");
    }

    /** An LSI the CPPR turned away is "not sent" again, and fires when the CPPR opens while its line is up. */
    @Test
    void anLsiTurnedAwayByTheCppr_firesAgainWhenTheCpprOpens() {
        Machine m = opened(1);
        m.claimIrq(LSI, true, "test");
        cppr(m, 0, 3);
        setXive(m, LSI, 0, 5);
        m.irq(LSI).raise();
        assertEquals(0, ics(m).status(LSI - Ics.OFFSET) & (Ics.STATUS_SENT | Ics.STATUS_REJECTED),
            "rejected: not sent, and an LSI keeps no REJECTED bit");
        cppr(m, 0, 0xFF);
        assertEquals(0xFF00_1210L, xirr(m, 0), "the level is still up: presented");
    }

    @SuppressWarnings("unchecked")
    @Test
    void aFreedSource_isGoneFromPic_itsEntryZeroed_andItCanBeClaimedAsAnotherKind() {
        Machine m = opened(1);
        m.claimIrq(LSI, true, "test");
        setXive(m, LSI, 0, 5);
        m.freeIrq(LSI);
        List<Object> irqs = ((List<Object>) m.pic().get("sources")).stream()
            .map(o -> ((Map<String, Object>) o).get("irq")).toList();
        assertFalse(irqs.contains(LSI), irqs.toString());
        // RTAS checks the ICS range only (ics_valid_irq), as QEMU: the zeroed entry reads back
        io.pseries.core.rtas.RtasResult r = m.rtas(0, "ibm,get-xive", new int[] {LSI}, -1);
        assertEquals(List.of(0, 0, 0), List.of(r.status(), r.rets()[0], r.rets()[1]),
            "xics_spapr_free_irq zeroed the whole entry: server 0, priority 0");
        m.claimIrq(LSI, false, "again");
        assertFalse(ics(m).isLsi(LSI - Ics.OFFSET), "claimed again as an MSI: the old kind is gone");
    }

    @Test
    void icpReset_lowersTheOutputLine() {
        Ics ics = new Ics(new Trace(() -> 0L));
        boolean[] out = new boolean[1];
        Icp icp = new Icp(1, ics, (c, l) -> out[c] = l, new Trace(() -> 0L));
        icp.addServer(0, 0);
        icp.setMfrr(0, 5);
        icp.setCppr(0, 0xFF);
        assertTrue(out[0], "the IPI raised the line");
        icp.reset(0);
        assertFalse(out[0]);
        assertEquals(0, icp.cppr(0));
        assertEquals(0xFF, icp.mfrr(0));
    }

    @Test
    void hcallIpi_toItself_isPresentedOnItsOwnLine() {
        Machine m = opened(2);
        m.hcall(1, Hcalls.H_IPI, 1, 5);
        assertTrue(m.cpu(1).osInterrupt());
        assertFalse(m.cpu(0).osInterrupt());
    }
}
