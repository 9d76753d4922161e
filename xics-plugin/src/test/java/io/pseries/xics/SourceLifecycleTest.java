package io.pseries.xics;

import static io.pseries.xics.XicsTestSupport.EPOW;
import static io.pseries.xics.XicsTestSupport.LSI;
import static io.pseries.xics.XicsTestSupport.VTY;
import static io.pseries.xics.XicsTestSupport.ics;
import static io.pseries.xics.XicsTestSupport.opened;
import static io.pseries.xics.XicsTestSupport.rtas;
import static io.pseries.xics.XicsTestSupport.setXive;
import static io.pseries.xics.XicsTestSupport.status;
import static io.pseries.xics.XicsTestSupport.xics;
import static io.pseries.xics.XicsTestSupport.xirr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.rtas.RtasResult;

/**
 * The ICS entry's life (facts §7.3, §7.6; QEMU ics_reset, xics_spapr_free_irq, rtas_int_off /
 * rtas_int_on): a reset puts every source at server 0, priority and saved priority 0xFF and
 * status 0 and keeps its kind; freeing zeroes the whole entry (kind 0 = not allocated);
 * int-off saves the current priority and masks, int-on restores it, and an MSI that fired
 * while off is delivered when it is turned back on. Each starts from a non-zero state.
 */
class SourceLifecycleTest {
    /** H_XIRR with nothing pending: CPPR 0xFF, XISR 0. */
    static final long NOTHING = 0xFF00_0000L;

    final Machine m = opened(2);

    private int src(int irq) {
        return irq - Ics.OFFSET;
    }

    /** The console MSI sent to CPU 1 and rejected there (CPU 1's CPPR 0 turns it away): REJECTED. */
    private void rejectedMsi() {
        setXive(m, VTY, 1, 5);
        XicsTestSupport.cppr(m, 1, 0);
        m.irq(VTY).pulse();
        assertEquals(Ics.STATUS_REJECTED, status(m, VTY));
    }

    /** An LSI asserted and presented on CPU 0: ASSERTED | SENT. */
    private void sentLsi() {
        xics(m).claim(LSI, true);
        setXive(m, LSI, 0, 4);
        ics(m).setIrq(src(LSI), true);
        assertEquals(Ics.STATUS_ASSERTED | Ics.STATUS_SENT, status(m, LSI));
    }

    @Test
    void icsReset_fromNonZeroState_server0_priorityAndSavedFF_status0_kindsKept() {
        rejectedMsi();
        sentLsi();
        rtas(m, "ibm,int-off", EPOW);
        m.reset();
        for (int irq : new int[] {VTY, LSI, EPOW}) {
            int s = src(irq);
            assertEquals(0, ics(m).server(s), "server of 0x" + Integer.toHexString(irq));
            assertEquals(0xFF, ics(m).priority(s));
            assertEquals(0xFF, ics(m).savedPriority(s));
            assertEquals(0, ics(m).status(s));
        }
        assertTrue(ics(m).isLsi(src(LSI)), "the kind survives the reset");
        assertEquals(Ics.FLAG_MSI, ics(m).flags(src(VTY)));
        assertEquals(0, ics(m).resendCandidates(), "nothing left to resend");
    }

    /**
     * The reset rule holds for every source of the ICS, not only the ones a test looked at: after
     * a second reset (the first reset of a machine writes every entry; later ones visit the
     * claimed sources and those written since), a freed source (zeroed by the free, priority 0)
     * and an unclaimed one a state transfer wrote are back at server 0, priorities 0xFF, status 0.
     */
    @Test
    void icsReset_everySourceOfTheIcs_freedAndWrittenUnclaimedIncluded() {
        m.reset();
        setXive(m, VTY, 1, 5);
        ics(m).restoreStatus(src(VTY), Ics.STATUS_REJECTED);
        xics(m).claim(0x1500, false);
        setXive(m, 0x1500, 1, 3);
        xics(m).free(0x1500);
        assertEquals(0, ics(m).priority(src(0x1500)), "precondition: the free zeroes the entry");
        ics(m).restoreXive(src(0x1600), 1, 4, 4);
        ics(m).restoreStatus(src(0x1600), Ics.STATUS_MASKED_PENDING);
        m.reset();
        for (int s = 0; s < ics(m).nrIrqs(); s++) {
            String what = "source 0x" + Integer.toHexString(s + Ics.OFFSET);
            assertEquals(0, ics(m).server(s), what);
            assertEquals(0xFF, ics(m).priority(s), what);
            assertEquals(0xFF, ics(m).savedPriority(s), what);
            assertEquals(0, ics(m).status(s), what);
        }
        assertEquals(0, ics(m).resendCandidates());
    }

    @Test
    void icsReset_thenCpprOpened_nothingIsPresented() {
        rejectedMsi();
        m.reset();
        XicsTestSupport.cppr(m, 1, 0xFF);
        assertFalse(m.cpu(1).osInterrupt(), "the reset dropped the rejected source");
        assertEquals(NOTHING, xirr(m, 1));
    }

    @Test
    void icsFree_fromNonZeroState_zeroesTheWholeEntry_kindNotAllocated() {
        sentLsi();
        xics(m).free(LSI);
        int s = src(LSI);
        assertEquals(0, ics(m).server(s));
        assertEquals(0, ics(m).priority(s), "QEMU zeroes the entry: priority 0, not 0xFF");
        assertEquals(0, ics(m).savedPriority(s));
        assertEquals(0, ics(m).status(s));
        assertEquals(0, ics(m).flags(s), "flags 0 = not allocated");
        assertFalse(ics(m).isClaimed(s));
    }

    @Test
    void icsFree_ofARejectedMsi_isNoLongerAResendCandidate() {
        rejectedMsi();
        xics(m).free(VTY);
        assertEquals(0, ics(m).resendCandidates());
        XicsTestSupport.cppr(m, 1, 0xFF);
        assertEquals(NOTHING, xirr(m, 1), "nothing is resent for a freed source");
    }

    @Test
    void icsFree_thenClaimAgain_onlyTheKindIsSet() {
        sentLsi();
        xics(m).free(LSI);
        xics(m).claim(LSI, false);
        assertEquals(Ics.FLAG_MSI, ics(m).flags(src(LSI)));
        assertEquals(0, ics(m).priority(src(LSI)), "ics_set_irq_type sets the kind only");
        assertEquals(0, ics(m).server(src(LSI)));
    }

    // ------------------------------------------------------------------ int-off / int-on of the EPOW source 0x1000

    @Test
    void intOff_epow0x1000_masks_savesPriority_getXiveReportsFF() {
        setXive(m, EPOW, 1, 5);
        assertEquals(0, rtas(m, "ibm,int-off", EPOW));
        assertEquals(0xFF, ics(m).priority(0));
        assertEquals(5, ics(m).savedPriority(0));
        assertEquals(1, ics(m).server(0));
        RtasResult r = m.rtas(0, "ibm,get-xive", new int[] {EPOW}, 3);
        assertEquals(0, r.status());
        assertArrayEquals(new int[] {1, 0xFF}, r.rets(), "server 1, the current priority 0xFF");
    }

    @Test
    void intOff_epow0x1000_eventWhileOff_isMaskedPending_deliveredByIntOn() {
        setXive(m, EPOW, 1, 5);
        rtas(m, "ibm,int-off", EPOW);
        m.irq(EPOW).pulse();
        assertEquals(Ics.STATUS_MASKED_PENDING, status(m, EPOW));
        assertFalse(m.cpu(1).osInterrupt());
        assertEquals(0, rtas(m, "ibm,int-on", EPOW));
        assertEquals(5, ics(m).priority(0));
        assertEquals(0, status(m, EPOW), "MASKED_PENDING cleared by the delivery");
        assertTrue(m.cpu(1).osInterrupt());
        assertEquals(0xFF00_1000L, xirr(m, 1), "source 0x1000 (and the CPPR before the accept)");
        assertEquals(5, XicsTestSupport.icp(m).cppr(1), "accepted at priority 5");
    }

    @Test
    void intOn_epow0x1000_withoutPendingEvent_restoresPriority_deliversNothing() {
        setXive(m, EPOW, 1, 3);
        rtas(m, "ibm,int-off", EPOW);
        rtas(m, "ibm,int-on", EPOW);
        assertEquals(3, ics(m).priority(0));
        assertEquals(3, ics(m).savedPriority(0));
        assertFalse(m.cpu(1).osInterrupt());
        m.irq(EPOW).pulse();
        assertEquals(0xFF00_1000L, xirr(m, 1));
        assertEquals(3, XicsTestSupport.icp(m).cppr(1), "delivered at the restored priority 3");
    }

    @Test
    void intOff_twice_savesTheMaskedPriority_soIntOnKeepsTheSourceOff() {
        setXive(m, EPOW, 1, 5);
        rtas(m, "ibm,int-off", EPOW);
        rtas(m, "ibm,int-off", EPOW);
        assertEquals(0xFF, ics(m).savedPriority(0), "int-off saves the current priority, now 0xFF (QEMU)");
        rtas(m, "ibm,int-on", EPOW);
        assertEquals(0xFF, ics(m).priority(0), "so int-on restores 0xFF: the source stays off");
    }

    @Test
    void intOnOff_epow_areHwErrorAfterCasChoseXive() {
        Machine d = XicsTestSupport.dual(2);
        d.cas(io.pseries.core.cas.GuestOv5.linuxVector(0x40));
        assertEquals(-1, d.rtas(0, "ibm,int-off", new int[] {EPOW}, 1).status());
        assertEquals(-1, d.rtas(0, "ibm,int-on", new int[] {EPOW}, 1).status());
    }
}
