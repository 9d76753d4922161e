package io.pseries.xics;

import static io.pseries.xics.Ics.STATUS_ASSERTED;
import static io.pseries.xics.Ics.STATUS_MASKED_PENDING;
import static io.pseries.xics.Ics.STATUS_REJECTED;
import static io.pseries.xics.Ics.STATUS_SENT;
import static io.pseries.xics.XicsTestSupport.EPOW;
import static io.pseries.xics.XicsTestSupport.HOTPLUG;
import static io.pseries.xics.XicsTestSupport.LSI;
import static io.pseries.xics.XicsTestSupport.VTY;
import static io.pseries.xics.XicsTestSupport.cppr;
import static io.pseries.xics.XicsTestSupport.eoi;
import static io.pseries.xics.XicsTestSupport.icp;
import static io.pseries.xics.XicsTestSupport.ics;
import static io.pseries.xics.XicsTestSupport.ipi;
import static io.pseries.xics.XicsTestSupport.opened;
import static io.pseries.xics.XicsTestSupport.rtas;
import static io.pseries.xics.XicsTestSupport.setXive;
import static io.pseries.xics.XicsTestSupport.status;
import static io.pseries.xics.XicsTestSupport.xirr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;

/**
 * One test per XICS presentation rule (facts §7.4), driven through the guest ABI (hcalls,
 * RTAS, device lines) of a 2-vCPU XICS machine whose CPUs opened their CPPR to 0xFF.
 */
class PresentationRulesTest {
    final Machine m = opened(2);

    private void assertXirr(int cpu, long xirr) {
        assertEquals(xirr, icp(m).xirr(cpu) & 0xFFFF_FFFFL, () -> String.format("cpu %d XIRR 0x%08x", cpu, icp(m).xirr(cpu)));
    }

    private void assertLine(int cpu, boolean up) {
        assertEquals(up, m.cpu(cpu).osInterrupt(), "cpu " + cpu + " external interrupt input");
    }

    // ------------------------------------------------------------------ accept (H_XIRR)

    @Test
    void accept_withAMoreFavouredPending_returnsOldXirr_cpprBecomesPending_lineLowered() {
        setXive(m, VTY, 0, 5);
        m.irq(VTY).pulse();
        assertXirr(0, 0xFF00_1100L);
        assertEquals(5, icp(m).pending(0));
        assertLine(0, true);

        assertEquals(0xFF00_1100L, xirr(m, 0), "H_XIRR returns the XIRR before the accept");
        assertXirr(0, 0x0500_0000L);
        assertEquals(0xFF, icp(m).pending(0));
        assertFalse(icp(m).icsOwned(0));
        assertLine(0, false);
    }

    @Test
    void accept_withNothingPending_returnsCpprOnly_andDropsCpprTo0xFF() {
        cppr(m, 0, 5);
        assertEquals(0x0500_0000L, xirr(m, 0));
        assertXirr(0, 0xFF00_0000L);
    }

    // ------------------------------------------------------------------ icp_irq

    @Test
    void icpIrq_priorityNotBelowCppr_isRejected_andResentWhenCpprIsLowered() {
        cppr(m, 0, 5);
        setXive(m, VTY, 0, 5);
        m.irq(VTY).pulse();
        assertXirr(0, 0x0500_0000L);
        assertEquals(STATUS_REJECTED, status(m, VTY));
        assertLine(0, false);

        cppr(m, 0, 6);
        assertXirr(0, 0x0600_1100L);
        assertEquals(0, status(m, VTY), "the resend cleared REJECTED");
        assertLine(0, true);
    }

    @Test
    void icpIrq_aMoreFavouredOneIsPending_isRejected_andResentAtEoi() {
        setXive(m, EPOW, 0, 4);
        setXive(m, VTY, 0, 5);
        setXive(m, HOTPLUG, 0, 4);
        m.irq(EPOW).pulse();
        m.irq(VTY).pulse();
        m.irq(HOTPLUG).pulse();
        assertXirr(0, 0xFF00_1000L);
        assertEquals(STATUS_REJECTED, status(m, VTY), "5 is less favoured than the pending 4");
        assertEquals(STATUS_REJECTED, status(m, HOTPLUG), "an equal priority does not displace the pending one");

        long x = xirr(m, 0);
        assertXirr(0, 0x0400_0000L);
        eoi(m, 0, x);
        // resend in source order: 0x1001 (4) is presented, then 0x1100 (5) is rejected again
        assertXirr(0, 0xFF00_1001L);
        assertEquals(0, status(m, HOTPLUG));
        assertEquals(STATUS_REJECTED, status(m, VTY));

        eoi(m, 0, xirr(m, 0));
        assertXirr(0, 0xFF00_1100L);
        eoi(m, 0, xirr(m, 0));
        assertXirr(0, 0xFF00_0000L);
        assertLine(0, false);
    }

    @Test
    void icpIrq_aMoreFavouredArrival_rejectsTheCurrentXisr() {
        setXive(m, VTY, 0, 5);
        setXive(m, EPOW, 0, 3);
        m.irq(VTY).pulse();
        assertXirr(0, 0xFF00_1100L);
        m.irq(EPOW).pulse();
        assertXirr(0, 0xFF00_1000L);
        assertEquals(3, icp(m).pending(0));
        assertEquals(STATUS_REJECTED, status(m, VTY), "the displaced source goes back to its ICS");
        assertLine(0, true);

        eoi(m, 0, xirr(m, 0));
        assertXirr(0, 0xFF00_1100L);
    }

    // ------------------------------------------------------------------ H_CPPR

    @Test
    void setCppr_raisedToThePendingPriority_withdrawsAndRejectsIt() {
        setXive(m, VTY, 0, 5);
        m.irq(VTY).pulse();
        cppr(m, 0, 6);
        assertXirr(0, 0x0600_1100L);
        assertLine(0, true);

        cppr(m, 0, 5);
        assertXirr(0, 0x0500_0000L);
        assertEquals(0xFF, icp(m).pending(0));
        assertEquals(STATUS_REJECTED, status(m, VTY));
        assertLine(0, false);

        cppr(m, 0, 0xFF);
        assertXirr(0, 0xFF00_1100L);
        assertLine(0, true);
    }

    @Test
    void setCppr_raisedToTheIpiPriority_withdrawsTheIpi_whichMfrrBringsBackOnLowering() {
        ipi(m, 0, 0, 4);
        assertXirr(0, 0xFF00_0002L);
        cppr(m, 0, 4);
        assertXirr(0, 0x0400_0000L);
        assertLine(0, false);
        assertEquals(4, icp(m).mfrr(0), "MFRR is kept");
        cppr(m, 0, 0xFF);
        assertXirr(0, 0xFF00_0002L);
    }

    // ------------------------------------------------------------------ resend

    @Test
    void resend_presentsTheIpiFirst_thenWalksRejectedSources() {
        cppr(m, 0, 3);
        ipi(m, 0, 0, 4);
        assertXirr(0, 0x0300_0000L);
        setXive(m, VTY, 0, 5);
        m.irq(VTY).pulse();
        assertEquals(STATUS_REJECTED, status(m, VTY));

        cppr(m, 0, 0xFF);
        // check_ipi took XISR (4), then the ICS resend offered 0x1100 (5): rejected again
        assertXirr(0, 0xFF00_0002L);
        assertEquals(4, icp(m).pending(0));
        assertEquals(STATUS_REJECTED, status(m, VTY));

        long x = xirr(m, 0);
        ipi(m, 0, 0, 0xFF);
        eoi(m, 0, x);
        assertXirr(0, 0xFF00_1100L);
    }

    @Test
    void resend_walksSourcesInAscendingOrder_aLaterMoreFavouredOneWins() {
        cppr(m, 0, 0);
        setXive(m, EPOW, 0, 6);
        setXive(m, VTY, 0, 5);
        m.irq(VTY).pulse();
        m.irq(EPOW).pulse();
        cppr(m, 0, 0xFF);
        // 0x1000 (6) is presented first, then 0x1100 (5) displaces it
        assertXirr(0, 0xFF00_1100L);
        assertEquals(STATUS_REJECTED, status(m, EPOW));
        assertEquals(0, status(m, VTY));
    }

    @Test
    void resend_hasNoServerFilter_anEoiOnOneCpuResendsAnotherCpusSource() {
        setXive(m, EPOW, 1, 3);
        setXive(m, VTY, 1, 5);
        m.irq(EPOW).pulse();
        m.irq(VTY).pulse();
        assertEquals(STATUS_REJECTED, status(m, VTY));
        xirr(m, 1);
        assertXirr(1, 0x0300_0000L);
        // a more favoured priority for the rejected source; an MSI's write_xive does not resend it
        setXive(m, VTY, 1, 2);
        assertXirr(1, 0x0300_0000L);
        // CPU 0's EOI (its XISR is empty) resends the whole ICS: CPU 1 gets 0x1100
        eoi(m, 0, 0xFF00_0000L);
        assertXirr(1, 0x0300_1100L);
        assertLine(1, true);
    }

    @Test
    void resend_candidatesAreOnlyWhatTheWalkWouldActOn() {
        setXive(m, VTY, 0, 5);
        assertEquals(0, ics(m).resendCandidates());
        cppr(m, 0, 0);
        m.irq(VTY).pulse();
        assertEquals(1, ics(m).resendCandidates());
        cppr(m, 0, 0xFF);
        assertEquals(0, ics(m).resendCandidates());
    }

    // ------------------------------------------------------------------ MFRR (H_IPI)

    @Test
    void mfrr_belowCppr_presentsTheIpi() {
        ipi(m, 1, 0, 4);
        assertXirr(0, 0xFF00_0002L);
        assertEquals(4, icp(m).pending(0));
        assertEquals(4, icp(m).mfrr(0));
        assertFalse(icp(m).icsOwned(0));
        assertLine(0, true);
    }

    @Test
    void mfrr_equalToOrAboveCppr_doesNotPresent_untilCpprIsLowered() {
        cppr(m, 0, 5);
        ipi(m, 1, 0, 5);
        assertXirr(0, 0x0500_0000L);
        ipi(m, 1, 0, 6);
        assertXirr(0, 0x0500_0000L);
        assertEquals(6, icp(m).mfrr(0));
        assertLine(0, false);
        cppr(m, 0, 0xFF);
        assertXirr(0, 0xFF00_0002L);
        assertEquals(6, icp(m).pending(0));
    }

    @Test
    void mfrr_0xFF_neverPresents() {
        ipi(m, 1, 0, 0xFF);
        assertXirr(0, 0xFF00_0000L);
    }

    @Test
    void mfrr_versusAPendingSource_onlyAStrictlyMoreFavouredMfrrTakesXisr() {
        setXive(m, VTY, 0, 5);
        m.irq(VTY).pulse();
        ipi(m, 1, 0, 5);
        assertXirr(0, 0xFF00_1100L);
        ipi(m, 1, 0, 4);
        assertXirr(0, 0xFF00_0002L);
        assertEquals(STATUS_REJECTED, status(m, VTY), "the source is rejected to its ICS");

        long x = xirr(m, 0);
        ipi(m, 0, 0, 0xFF);
        eoi(m, 0, x);
        assertXirr(0, 0xFF00_1100L);
    }

    @Test
    void mfrr_aMoreFavouredSource_displacesThePendingIpi_whichComesBackAfterItsEoi() {
        ipi(m, 1, 0, 4);
        setXive(m, VTY, 0, 5);
        setXive(m, EPOW, 0, 3);
        m.irq(VTY).pulse();
        assertXirr(0, 0xFF00_0002L);
        assertEquals(STATUS_REJECTED, status(m, VTY));
        m.irq(EPOW).pulse();
        assertXirr(0, 0xFF00_1000L);
        assertEquals(3, icp(m).pending(0));

        eoi(m, 0, xirr(m, 0));
        // resend: MFRR 4 < CPPR 0xFF brings the IPI back, and 0x1100 (5) is rejected again
        assertXirr(0, 0xFF00_0002L);
        assertEquals(STATUS_REJECTED, status(m, VTY));
    }

    // ------------------------------------------------------------------ H_EOI

    @Test
    void eoi_restoresCpprFromTheValue_andResends() {
        setXive(m, VTY, 0, 5);
        setXive(m, EPOW, 0, 5);
        m.irq(VTY).pulse();
        long x = xirr(m, 0);
        m.irq(EPOW).pulse();
        assertEquals(STATUS_REJECTED, status(m, EPOW), "5 is not below the accepted CPPR 5");
        eoi(m, 0, x);
        assertXirr(0, 0xFF00_1000L);
        assertEquals(0, status(m, EPOW));
    }

    @Test
    void eoi_withXisrOccupied_doesNotResend() {
        setXive(m, VTY, 0, 5);
        setXive(m, EPOW, 0, 5);
        m.irq(VTY).pulse();
        m.irq(EPOW).pulse();
        assertXirr(0, 0xFF00_1100L);
        assertEquals(STATUS_REJECTED, status(m, EPOW));
        eoi(m, 0, 0xFF00_0000L);
        assertXirr(0, 0xFF00_1100L);
        assertEquals(STATUS_REJECTED, status(m, EPOW), "no resend while XISR holds an interrupt");
    }

    // ------------------------------------------------------------------ LSI

    @Test
    void lsi_rePresentedOnEoiWhileStillAsserted_notAfterDeassert() {
        m.claimIrq(LSI, true, "test lsi");
        setXive(m, LSI, 0, 5);
        m.irq(LSI).raise();
        assertXirr(0, 0xFF00_0000L | LSI);
        assertEquals(STATUS_ASSERTED | STATUS_SENT, status(m, LSI));

        long x = xirr(m, 0);
        eoi(m, 0, x);
        assertXirr(0, 0xFF00_0000L | LSI);
        assertEquals(STATUS_ASSERTED | STATUS_SENT, status(m, LSI), "still asserted: sent again");

        x = xirr(m, 0);
        m.irq(LSI).lower();
        eoi(m, 0, x);
        assertXirr(0, 0xFF00_0000L);
        assertEquals(0, status(m, LSI));
        assertLine(0, false);
    }

    @Test
    void lsi_assertedWhileMasked_firesWhenSetXiveUnmasksIt() {
        m.claimIrq(LSI, true, "test lsi");
        m.irq(LSI).raise();
        assertEquals(STATUS_ASSERTED, status(m, LSI));
        assertXirr(0, 0xFF00_0000L);
        setXive(m, LSI, 1, 5);
        assertXirr(1, 0xFF00_0000L | LSI);
    }

    @Test
    void lsi_rejected_becomesUnsent_andIsResent() {
        m.claimIrq(LSI, true, "test lsi");
        setXive(m, LSI, 0, 5);
        cppr(m, 0, 2);
        m.irq(LSI).raise();
        assertEquals(STATUS_ASSERTED, status(m, LSI), "rejected: SENT cleared again");
        cppr(m, 0, 0xFF);
        assertXirr(0, 0xFF00_0000L | LSI);
    }

    // ------------------------------------------------------------------ MSI masking

    @Test
    void msi_whileMasked_becomesMaskedPending_andIsDeliveredWhenSetXiveUnmasksIt() {
        assertEquals(0xFF, ics(m).priority(VTY - Ics.OFFSET), "reset priority");
        m.irq(VTY).pulse();
        assertEquals(STATUS_MASKED_PENDING, status(m, VTY));
        assertXirr(0, 0xFF00_0000L);

        setXive(m, VTY, 1, 5);
        assertEquals(0, status(m, VTY));
        assertXirr(1, 0xFF00_1100L);
        assertLine(1, true);
    }

    @Test
    void msi_maskedPending_isNotDeliveredBySetXiveKeepingItMasked() {
        m.irq(VTY).pulse();
        setXive(m, VTY, 1, 0xFF);
        assertEquals(STATUS_MASKED_PENDING, status(m, VTY));
        assertXirr(1, 0xFF00_0000L);
    }

    @Test
    void intOffIntOn_restoreTheSavedPriority_andDeliverWhatCameWhileOff() {
        setXive(m, VTY, 1, 5);
        assertEquals(0, rtas(m, "ibm,int-off", VTY));
        assertEquals(0xFF, ics(m).priority(VTY - Ics.OFFSET));
        assertEquals(5, ics(m).savedPriority(VTY - Ics.OFFSET));
        assertEquals(1, ics(m).server(VTY - Ics.OFFSET), "the server is kept");
        m.irq(VTY).pulse();
        assertEquals(STATUS_MASKED_PENDING, status(m, VTY));

        assertEquals(0, rtas(m, "ibm,int-on", VTY));
        assertEquals(5, ics(m).priority(VTY - Ics.OFFSET));
        assertEquals(5, ics(m).savedPriority(VTY - Ics.OFFSET));
        assertXirr(1, 0xFF00_1100L);
    }

    @Test
    void intOff_twice_savesThe0xFFItFound_soIntOnStaysMasked_asQemu() {
        setXive(m, VTY, 0, 5);
        rtas(m, "ibm,int-off", VTY);
        rtas(m, "ibm,int-off", VTY);
        assertEquals(0xFF, ics(m).savedPriority(VTY - Ics.OFFSET));
        rtas(m, "ibm,int-on", VTY);
        assertEquals(0xFF, ics(m).priority(VTY - Ics.OFFSET));
    }

    @Test
    void intOn_withoutIntOff_restoresTheResetSavedPriority0xFF() {
        setXive(m, VTY, 0, 5);
        // set-xive saves the priority it sets
        assertEquals(5, ics(m).savedPriority(VTY - Ics.OFFSET));
        rtas(m, "ibm,int-on", VTY);
        assertEquals(5, ics(m).priority(VTY - Ics.OFFSET));
        m.reset();
        rtas(m, "ibm,int-on", VTY);
        assertEquals(0xFF, ics(m).priority(VTY - Ics.OFFSET));
    }

    // ------------------------------------------------------------------ reset, claim, free

    @Test
    void reset_icpsAndSourcesBackToResetValues_claimsKept() {
        setXive(m, VTY, 1, 5);
        m.irq(VTY).pulse();
        ipi(m, 0, 0, 4);
        m.reset();
        for (int c = 0; c < 2; c++) {
            assertXirr(c, 0);
            assertEquals(0xFF, icp(m).pending(c));
            assertEquals(0xFF, icp(m).mfrr(c));
            assertLine(c, false);
        }
        int s = VTY - Ics.OFFSET;
        assertEquals(0, ics(m).server(s));
        assertEquals(0xFF, ics(m).priority(s));
        assertEquals(0xFF, ics(m).savedPriority(s));
        assertEquals(0, ics(m).status(s));
        assertEquals(Ics.FLAG_MSI, ics(m).flags(s));
        assertEquals(0, ics(m).resendCandidates());
    }

    @Test
    void free_zeroesTheEntry_andAReclaimStartsAtPriority0_asQemu() {
        m.claimIrq(LSI, true, "test");
        setXive(m, LSI, 1, 5);
        m.freeIrq(LSI);
        int s = LSI - Ics.OFFSET;
        assertEquals(0, ics(m).flags(s));
        assertEquals(0, ics(m).priority(s));
        assertEquals(0, ics(m).savedPriority(s));
        assertFalse(ics(m).isClaimed(s));
        m.claimIrq(LSI, false, "test");
        assertEquals(Ics.FLAG_MSI, ics(m).flags(s));
        m.irq(LSI).pulse();
        assertXirr(0, 0xFF00_0000L | LSI);
        assertEquals(0, icp(m).pending(0));
    }

    @Test
    void claim_twice_isRefused() {
        m.claimIrq(LSI, true, "test");
        assertTrue(ics(m).isClaimed(LSI - Ics.OFFSET));
        assertThrowsNotFree();
    }

    private void assertThrowsNotFree() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
            () -> XicsTestSupport.xics(m).claim(LSI, false));
        assertEquals("IRQ " + LSI + " is not free", e.getMessage());
    }
}
