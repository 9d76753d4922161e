package io.pseries.xive;

import static io.pseries.xive.XiveTestSupport.HV;
import static io.pseries.xive.XiveTestSupport.HW;
import static io.pseries.xive.XiveTestSupport.OS;
import static io.pseries.xive.XiveTestSupport.PRIO;
import static io.pseries.xive.XiveTestSupport.QPAGE;
import static io.pseries.xive.XiveTestSupport.USER;
import static io.pseries.xive.XiveTestSupport.ack;
import static io.pseries.xive.XiveTestSupport.anyMessageContains;
import static io.pseries.xive.XiveTestSupport.cppr;
import static io.pseries.xive.XiveTestSupport.enqueued;
import static io.pseries.xive.XiveTestSupport.guestErrors;
import static io.pseries.xive.XiveTestSupport.machine;
import static io.pseries.xive.XiveTestSupport.osReg;
import static io.pseries.xive.XiveTestSupport.queue;
import static io.pseries.xive.XiveTestSupport.route;
import static io.pseries.xive.XiveTestSupport.setPq;
import static io.pseries.xive.XiveTestSupport.tctx;
import static io.pseries.xive.XiveTestSupport.trigger;
import static io.pseries.xive.XiveTestSupport.xive;
import static io.pseries.xive.ThreadContext.CPPR;
import static io.pseries.xive.ThreadContext.IPB;
import static io.pseries.xive.ThreadContext.NSR;
import static io.pseries.xive.ThreadContext.PIPR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.pseries.core.Machine;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.trace.TraceEvent;

/**
 * The TIMA and the presenter (facts §5): reset values, the OS-ring special operations, raw
 * register access rules, OS context push/pull, and CAM matching. The TIMA is per vCPU: each
 * access uses the accessing vCPU's thread context.
 */
class TimaTest {
    Machine m;
    List<TraceEvent> errors;

    @BeforeEach
    void setUp() {
        m = machine(2);
        errors = guestErrors(m);
    }

    private void pending(int cpu, int prio) {
        m.store(cpu, OS + 0x812, 1, prio);
    }

    // ------------------------------------------------------------------ reset values

    @ParameterizedTest(name = "vCPU {0}: OS ring reset values")
    @ValueSource(ints = {0, 1})
    void reset_osRing_lsmfbAckAgeFF_piprFF_cppr0_word2IsOsCam(int cpu) {
        assertEquals(0x00, osReg(m, cpu, NSR));
        assertEquals(0x00, osReg(m, cpu, CPPR), "CPPR 0: nothing deliverable until the OS writes it");
        assertEquals(0x00, osReg(m, cpu, IPB));
        assertEquals(0xFF, osReg(m, cpu, ThreadContext.LSMFB));
        assertEquals(0xFF, osReg(m, cpu, ThreadContext.ACK_CNT));
        assertEquals(0x00, osReg(m, cpu, ThreadContext.INC));
        assertEquals(0xFF, osReg(m, cpu, ThreadContext.AGE));
        assertEquals(0xFF, osReg(m, cpu, PIPR));
        assertEquals(0x8000_0400 + cpu, tctx(m, cpu).word2(ThreadContext.QW1_OS));
        assertEquals(0x8000_0400L + cpu, m.load(cpu, HV + 0x18, 4), "W2 as the HV page reads it");
        assertEquals(0xFF, tctx(m, cpu).reg(ThreadContext.QW3_HV_PHYS + PIPR));
        assertFalse(m.cpu(cpu).osInterrupt());
    }

    @Test
    void reset_machineReset_restoresContextAfterChanges() {
        cppr(m, 1, 0xff);
        pending(1, 3);
        m.load(1, HV + 0x818, 4);
        m.reset();
        assertEquals(0, osReg(m, 1, CPPR));
        assertEquals(0, osReg(m, 1, IPB));
        assertEquals(0xFF, osReg(m, 1, PIPR));
        assertEquals(0x8000_0401, tctx(m, 1).word2(ThreadContext.QW1_OS));
    }

    // ------------------------------------------------------------------ special operations

    @Test
    void ackOs_2byteLoadAt0x810_returnsNsrCppr_cpprTakesPipr_clearsIpbBit_lowersLine() {
        cppr(m, 0, 0xff);
        pending(0, PRIO);
        assertEquals(0x80, osReg(m, 0, NSR));
        assertTrue(m.cpu(0).osInterrupt());
        assertEquals(0x8006, ack(m, 0));
        assertEquals(6, osReg(m, 0, CPPR));
        assertEquals(0, osReg(m, 0, IPB));
        assertEquals(0xFF, osReg(m, 0, PIPR));
        assertEquals(0, osReg(m, 0, NSR));
        assertFalse(m.cpu(0).osInterrupt());
    }

    @Test
    void ackOs_takesTheMostFavouredPending_andKeepsTheOthers() {
        cppr(m, 0, 0xff);
        pending(0, 6);
        pending(0, 2);
        assertEquals(0x22, osReg(m, 0, IPB));
        assertEquals(0x8002, ack(m, 0));
        assertEquals(0x02, osReg(m, 0, IPB), "prio 6 still pending");
        assertEquals(6, osReg(m, 0, PIPR));
        assertFalse(m.cpu(0).osInterrupt(), "prio 6 is not more favoured than CPPR 2");
    }

    @Test
    void ackOs_withoutException_returnsCppr_andChangesNothing() {
        cppr(m, 0, 5);
        pending(0, 6);                                   // not deliverable: 6 >= CPPR 5
        assertEquals(0x0005, ack(m, 0));
        assertEquals(5, osReg(m, 0, CPPR));
        assertEquals(0x02, osReg(m, 0, IPB));
        assertEquals(6, osReg(m, 0, PIPR));
    }

    @Test
    void setOsPending_1byteStoreAt0x812_orsIpb_recomputesPipr_signalsWhenMoreFavoured() {
        cppr(m, 0, 0xff);
        pending(0, 4);
        assertEquals(0x08, osReg(m, 0, IPB));
        assertEquals(4, osReg(m, 0, PIPR));
        assertEquals(0x80, osReg(m, 0, NSR));
        assertTrue(m.cpu(0).osInterrupt());
        assertFalse(m.cpu(1).osInterrupt(), "only the accessing vCPU's context");
    }

    @Test
    void setOsPending_priorityAbove7_setsNoIpbBit() {
        cppr(m, 0, 0xff);
        pending(0, 0xff);
        assertEquals(0, osReg(m, 0, IPB));
        assertEquals(0xFF, osReg(m, 0, PIPR));
        assertFalse(m.cpu(0).osInterrupt());
    }

    @Test
    void setOsPending_withCppr0_recordsButDoesNotSignal() {
        pending(0, 3);
        assertEquals(0x10, osReg(m, 0, IPB));
        assertEquals(3, osReg(m, 0, PIPR));
        assertEquals(0, osReg(m, 0, NSR));
        assertFalse(m.cpu(0).osInterrupt());
    }

    @ParameterizedTest(name = "CPPR store of {0} gives CPPR {1}")
    @CsvSource({"0,0", "5,5", "7,7", "8,255", "0x80,255", "0xff,255"})
    void setOsCppr_1byteStoreAt0x011_valuesAbove7Become0xFF(String v, int expected) {
        cppr(m, 0, Integer.decode(v));
        assertEquals(expected, osReg(m, 0, CPPR));
    }

    @Test
    void setOsCppr_lessFavouredThanPipr_raisesLine() {
        pending(0, 4);                                   // CPPR 0: held
        assertFalse(m.cpu(0).osInterrupt());
        cppr(m, 0, 5);
        assertEquals(0x80, osReg(m, 0, NSR));
        assertTrue(m.cpu(0).osInterrupt());
    }

    @Test
    void setOsCppr_equalOrMoreFavouredThanPipr_doesNotSignal() {
        pending(0, 4);
        cppr(m, 0, 4);
        assertFalse(m.cpu(0).osInterrupt());
        cppr(m, 0, 2);
        assertFalse(m.cpu(0).osInterrupt());
        assertEquals(0, osReg(m, 0, NSR));
    }

    @Test
    void tima_isPerVcpu_eachCpuSeesItsOwnContext() {
        cppr(m, 1, 3);
        assertEquals(3, osReg(m, 1, CPPR));
        assertEquals(0, osReg(m, 0, CPPR));
        assertEquals(0x0003, ack(m, 1));
        assertEquals(0x0000, ack(m, 0));
    }

    // ------------------------------------------------------------------ raw access rules

    @Test
    void rawLoad_1byte_isInvalid_returnsAllOnes_withGuestError() {
        cppr(m, 0, 5);
        assertEquals(0xFF, m.load(0, OS + 0x11, 1), "not the CPPR value 5");
        assertTrue(anyMessageContains(errors, "invalid read"), errors.toString());
    }

    @Test
    void rawLoad_2byte_isInvalid_returnsAllOnes() {
        cppr(m, 0, 5);
        assertEquals(0xFFFF, m.load(0, OS + 0x10, 2));
        assertTrue(anyMessageContains(errors, "invalid read"), errors.toString());
    }

    @Test
    void rawLoad_4byteAtOs0x10_returnsNsrCpprIpbLsmfb() {
        cppr(m, 0, 5);
        pending(0, 6);
        assertEquals(0x0005_02FFL, m.load(0, OS + 0x10, 4));
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void rawLoad_8byteAtOs0x10_masksTheUnreadableAgeByte() {
        cppr(m, 0, 5);
        // NSR CPPR IPB LSMFB ACK# INC AGE(no read access from the OS page) PIPR
        assertEquals(0x0005_00FF_FF00_00FFL, m.load(0, OS + 0x10, 8));
    }

    @Test
    void rawLoad_4byteAtOs0x18_word2NotVisibleFromOsPage_returns0xFFFFFFFF() {
        assertEquals(0xFFFF_FFFFL, m.load(0, OS + 0x18, 4));
        assertTrue(anyMessageContains(errors, "invalid read"), errors.toString());
    }

    @Test
    void rawStore_4byteAtOs0x10_changesOnlyCppr_andDoesNotSignal() {
        pending(0, 4);                                   // IPB 0x08, PIPR 4, CPPR 0
        m.store(0, OS + 0x10, 4, 0x11_07_22_33L);
        assertEquals(7, osReg(m, 0, CPPR));
        assertEquals(0x00, osReg(m, 0, NSR), "NSR is read-only from the OS page");
        assertEquals(0x08, osReg(m, 0, IPB), "IPB is read-only from the OS page");
        assertEquals(0xFF, osReg(m, 0, ThreadContext.LSMFB));
        assertFalse(m.cpu(0).osInterrupt(), "raw writes have no set_cppr side effect (PIPR 4 < CPPR 7)");
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void rawStore_cppr_isNotClampedLikeTheSpecialOp() {
        m.store(0, OS + 0x10, 4, 0x00_09_00_00L);
        assertEquals(9, osReg(m, 0, CPPR));
    }

    @Test
    void rawStore_2byte_isInvalid_andIgnored() {
        m.store(0, OS + 0x10, 2, 0x0005);
        assertEquals(0, osReg(m, 0, CPPR));
        assertTrue(anyMessageContains(errors, "invalid write"), errors.toString());
    }

    @Test
    void rawAccess_userRingFromOsPage_isInvalid_evenWhereTheViewAllowsIt() {
        assertEquals(0xFFFF_FFFFL, m.load(0, OS + 0x00, 4));
        assertEquals(0xFFFF_FFFFL, m.load(0, OS + 0x08, 4));
        m.store(0, OS + 0x08, 4, 0x8000_1234L);
        assertEquals(0, tctx(m, 0).word2(ThreadContext.QW0_USER));
        assertEquals(3, errors.size(), errors.toString());
    }

    @Test
    void rawAccess_userPage_osRingIsInvalid() {
        cppr(m, 0, 5);
        assertEquals(0xFFFF_FFFFL, m.load(0, USER + 0x10, 4));
        m.store(0, USER + 0x10, 4, 0x0003_0000L);
        assertEquals(5, osReg(m, 0, CPPR));
        assertEquals(2, errors.size(), errors.toString());
    }

    @Test
    void rawStore_word2FromOsPage_isInvalid_contextUnchanged() {
        m.store(0, OS + 0x18, 4, 0);
        assertEquals(0x8000_0400, tctx(m, 0).word2(ThreadContext.QW1_OS));
        assertTrue(anyMessageContains(errors, "invalid write"), errors.toString());
    }

    @ParameterizedTest(name = "{0}-byte load at OS+0x810 is not ACK: invalid, all ones")
    @ValueSource(ints = {1, 4, 8})
    void specialOp_ackWithWrongSize_isInvalid_andHasNoSideEffect(int size) {
        cppr(m, 0, 0xff);
        pending(0, PRIO);
        long allOnes = size == 8 ? -1L : (1L << (8 * size)) - 1;
        assertEquals(allOnes, m.load(0, OS + 0x810, size));
        assertEquals(0x02, osReg(m, 0, IPB));
        assertEquals(0x80, osReg(m, 0, NSR));
        assertTrue(m.cpu(0).osInterrupt());
        assertTrue(anyMessageContains(errors, "invalid read"), errors.toString());
    }

    @Test
    void specialOp_setOsPendingWithWrongSize_isInvalid() {
        m.store(0, OS + 0x812, 2, PRIO);
        assertEquals(0, osReg(m, 0, IPB));
        assertTrue(anyMessageContains(errors, "invalid write"), errors.toString());
    }

    @Test
    void specialOp_undefinedOffsetAbove0x800_loadIsInvalid() {
        assertEquals(-1L, m.load(0, OS + 0x800, 8), "ACK_EBB is not implemented");
        assertEquals(0xFFFFL, m.load(0, OS + 0xC10, 2));
        assertEquals(2, errors.size(), errors.toString());
    }

    @ParameterizedTest(name = "ACK from page at +0x{0}")
    @ValueSource(strings = {"0x00000", "0x10000"})
    void specialOp_ackFromMorePrivilegedPage_works(String page) {
        cppr(m, 0, 0xff);
        pending(0, PRIO);
        assertEquals(0x8006, m.load(0, HW + Long.decode(page) + 0x810, 2));
        assertEquals(6, osReg(m, 0, CPPR));
        assertFalse(m.cpu(0).osInterrupt());
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void specialOp_cpprAndPendingFromHvPage_work() {
        m.store(0, HV + 0x11, 1, 0xff);
        assertEquals(0xFF, osReg(m, 0, CPPR));
        m.store(0, HV + 0x812, 1, 2);
        assertEquals(0x20, osReg(m, 0, IPB));
        assertTrue(m.cpu(0).osInterrupt());
    }

    @Test
    void specialOp_ackFromUserPage_isInvalid() {
        cppr(m, 0, 0xff);
        pending(0, PRIO);
        assertEquals(0xFFFF, m.load(0, USER + 0x810, 2));
        assertEquals(0x02, osReg(m, 0, IPB));
        assertTrue(m.cpu(0).osInterrupt());
    }

    @Test
    void specialOp_pullFromOsPage_isInvalid() {
        assertEquals(0xFFFF_FFFFL, m.load(0, OS + 0x818, 4));
        assertEquals(0x8000_0400, tctx(m, 0).word2(ThreadContext.QW1_OS));
    }

    // ------------------------------------------------------------------ push / pull OS context

    @ParameterizedTest(name = "{0}-byte pull at HV+0x818")
    @ValueSource(ints = {4, 8})
    void pullOsCtx_fromHvPage_returnsWord2_clearsVo_lowersLine(int size) {
        cppr(m, 1, 0xff);
        pending(1, PRIO);
        assertTrue(m.cpu(1).osInterrupt());
        assertEquals(0x8000_0401L, m.load(1, HV + 0x818, size));
        assertEquals(0x0000_0401, tctx(m, 1).word2(ThreadContext.QW1_OS));
        assertFalse(m.cpu(1).osInterrupt());
        assertEquals(0x02, osReg(m, 1, IPB), "pending state stays in the context");
        assertEquals(0x8000_0400, tctx(m, 0).word2(ThreadContext.QW1_OS), "other vCPU untouched");
    }

    @Test
    void pullOsCtx_ofAnInvalidContext_logsGuestError() {
        m.load(0, HV + 0x818, 4);
        assertTrue(errors.isEmpty());
        assertEquals(0x0000_0400L, m.load(0, HV + 0x818, 4));
        assertTrue(anyMessageContains(errors, "pulling invalid NVT"), errors.toString());
    }

    @Test
    void pushOsCtx_4byteStoreAtHv0x18_setsWord2_andResendsPending() {
        cppr(m, 0, 0xff);
        pending(0, PRIO);
        long w2 = m.load(0, HV + 0x818, 4);
        assertFalse(m.cpu(0).osInterrupt());
        m.store(0, HV + 0x18, 4, w2);
        assertEquals(0x8000_0400, tctx(m, 0).word2(ThreadContext.QW1_OS));
        assertTrue(m.cpu(0).osInterrupt(), "the pending priority is signalled again on push");
        assertEquals(0x80, osReg(m, 0, NSR));
    }

    @Test
    void pushOsCtx_withoutVo_setsWord2_butDoesNotSignal() {
        cppr(m, 0, 0xff);
        pending(0, PRIO);
        m.load(0, HV + 0x818, 4);
        m.store(0, HV + 0x18, 4, 0x0000_0400L);
        assertEquals(0x0000_0400, tctx(m, 0).word2(ThreadContext.QW1_OS));
        assertFalse(m.cpu(0).osInterrupt());
    }

    @Test
    void pushOsCtx_fromOsPage_isNotASpecialOp() {
        m.load(0, HV + 0x818, 4);
        m.store(0, OS + 0x18, 4, 0x8000_0400L);
        assertEquals(0x0000_0400, tctx(m, 0).word2(ThreadContext.QW1_OS));
    }

    // ------------------------------------------------------------------ presenter match

    /** Source 1 routed to (vCPU 1, prio 6), both CPPRs open. Needs CAS for the hcalls. */
    @Nested
    class PresenterMatch {
        @BeforeEach
        void route1ToCpu1() {
            m.cas(GuestOv5.linuxVector(0x40));
            queue(m, 1, PRIO, QPAGE, 16, 1);
            route(m, 1, 1, PRIO, 0x10);
            setPq(m, 1, 0);
            cppr(m, 0, 0xff);
            cppr(m, 1, 0xff);
        }

        private void event() {
            trigger(m, 1);
            setPq(m, 1, 0);
        }

        @Test
        void presenter_matchesOsCam_deliversToTheCpuHoldingNvt0x400PlusVcpu() {
            event();
            assertEquals(0x02, osReg(m, 1, IPB));
            assertTrue(m.cpu(1).osInterrupt());
            assertEquals(0, osReg(m, 0, IPB));
            assertFalse(m.cpu(0).osInterrupt());
        }

        @Test
        void presenter_pulledContext_notificationNoLongerReachesTheCpu() {
            m.load(1, HV + 0x818, 4);
            event();
            assertEquals(1, enqueued(m), "the queue is still written");
            assertEquals(0, osReg(m, 1, IPB));
            assertFalse(m.cpu(1).osInterrupt());
            assertEquals(0, osReg(m, 0, IPB));
        }

        @Test
        void presenter_contextPushedOnAnotherCpu_isFoundThere() {
            long w2 = m.load(1, HV + 0x818, 4);
            m.load(0, HV + 0x818, 4);
            m.store(0, HV + 0x18, 4, w2);             // vCPU 1's NVT now dispatched on vCPU 0
            event();
            assertEquals(0x02, osReg(m, 0, IPB));
            assertTrue(m.cpu(0).osInterrupt());
            assertEquals(0, osReg(m, 1, IPB));
        }

        @Test
        void presenter_sameCamInTwoContexts_dropsNotification_withGuestError() {
            m.store(0, HV + 0x18, 4, 0x8000_0401L);    // vCPU 0 also claims NVT 0x401
            event();
            assertTrue(anyMessageContains(errors, "already found a thread context"), errors.toString());
            assertEquals(0, osReg(m, 0, IPB));
            assertEquals(0, osReg(m, 1, IPB));
            assertFalse(m.cpu(0).osInterrupt());
            assertFalse(m.cpu(1).osInterrupt());
        }

        @Test
        void presenter_duplicateResolved_byPullingOne_deliversAgain() {
            m.store(0, HV + 0x18, 4, 0x8000_0401L);
            m.load(0, HV + 0x818, 4);
            event();
            assertEquals(0x02, osReg(m, 1, IPB));
            assertEquals(0, osReg(m, 0, IPB));
        }

        @Test
        void presenter_threeHoldersThenTwoPulled_lastHolderReceives() {
            Machine m3 = XiveTestSupport.casMachine(3);
            queue(m3, 2, PRIO, QPAGE, 16, 1);
            route(m3, 1, 2, PRIO, 0x10);
            setPq(m3, 1, 0);
            for (int c = 0; c < 3; c++) {
                cppr(m3, c, 0xff);
            }
            m3.store(0, HV + 0x18, 4, 0x8000_0402L);
            m3.store(1, HV + 0x18, 4, 0x8000_0402L);
            m3.load(2, HV + 0x818, 4);
            m3.load(0, HV + 0x818, 4);
            trigger(m3, 1);
            assertEquals(0x02, osReg(m3, 1, IPB), "vCPU 1 is the only holder left");
            assertEquals(0, osReg(m3, 0, IPB));
            assertEquals(0, osReg(m3, 2, IPB));
        }
    }

    @Test
    void timaRegion_isUnmappedWhileXiveIsNotTheActiveController() {
        xive(m).deactivate();
        assertEquals(0xFFFF, m.load(0, OS + 0x810, 2));
        assertTrue(anyMessageContains(errors, "unassigned"), errors.toString());
    }
}
