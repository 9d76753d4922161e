package io.pseries.xive;

import static io.pseries.xive.PresenterBench.HW;
import static io.pseries.xive.ThreadContext.IPB;
import static io.pseries.xive.ThreadContext.QW0_USER;
import static io.pseries.xive.ThreadContext.QW1_OS;
import static io.pseries.xive.ThreadContext.QW2_HV_POOL;
import static io.pseries.xive.ThreadContext.QW3_HV_PHYS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The presenter's CAM match on every ring (facts §5.7; QEMU {@code xive_presenter_tctx_match}
 * and sPAPR {@code match_nvt}): format 0 tests PHYS (VT set and the hardwired CAM
 * {@code blk << 19 | 1 << 7 | PIR & 0x7F}, blk = PIR bits 8-11), then POOL (VP and POOL_CAM),
 * then OS (VO and OS_CAM), the first matching ring wins; a second thread matching is an error
 * and the notification is dropped; format 1 (logical server) matches the USER ring when the
 * OS CAM matches with VO, QW0.VU is set and QW0 LOGIC_SERV equals the END's log server id.
 * The thread contexts here have vCPU ids != index and chip blocks != 0.
 */
class PresenterRingsTest {

    private static long hit(int thread, int ring) {
        return ((long) thread << 8) | ring;
    }

    private static void push(PresenterBench b, int thread, int ring, int w2) {
        b.presenter.setWord2(thread, ring, w2);
    }

    @Test
    void hwCamLine_isChipBlockFromPirBits8to11_1shl7_andThreadBits0to6() {
        assertEquals((1 << 19) | 0x80 | 0x05, Presenter.hwCamLine(0x105));
        assertEquals((0xf << 19) | 0x80 | 0x7f, Presenter.hwCamLine(0xfff));
        assertEquals(0x80, Presenter.hwCamLine(0));
    }

    @Test
    void physRing_vtSet_matchesTheHardwiredCamOfTheThreadsVcpuId_inItsChipBlock() {
        PresenterBench b = new PresenterBench(0x004, 0x105);
        b.store(1, PresenterBench.HV + 0x38, 1, 0x80);        // VT push on thread 1 (PIR 0x105)
        assertEquals(hit(1, QW3_HV_PHYS), b.presenter.match(0, 1, 0x85, false, 0));
        assertEquals(Presenter.NO_MATCH, b.presenter.match(0, 0, 0x85, false, 0), "block 0 is another chip");
        assertEquals(Presenter.NO_MATCH, b.presenter.match(0, 0, 0x84, false, 0), "thread 0 has no VT");
    }

    @Test
    void physRing_withoutVt_neverMatches() {
        PresenterBench b = new PresenterBench(0x105);
        assertEquals(Presenter.NO_MATCH, b.presenter.match(0, 1, 0x85, false, 0));
        b.store(0, PresenterBench.HV + 0x38, 1, 0x80);
        b.load(0, PresenterBench.HV + 0x838, 1);              // pulled again
        assertEquals(Presenter.NO_MATCH, b.presenter.match(0, 1, 0x85, false, 0));
    }

    @Test
    void poolRing_vpSet_matchesPoolCam() {
        PresenterBench b = new PresenterBench(3, 7);
        b.store(1, HW + 0x28, 4, 0x8000_0000L | Presenter.camLine(2, 0x123));
        assertEquals(hit(1, QW2_HV_POOL), b.presenter.match(0, 2, 0x123, false, 0));
        assertEquals(Presenter.NO_MATCH, b.presenter.match(0, 0, 0x123, false, 0));
    }

    @Test
    void osRing_nvtBlockNot0_matchesOnlyThatBlock() {
        PresenterBench b = new PresenterBench(0, 1);
        push(b, 1, QW1_OS, ThreadContext.QW1W2_VO | Presenter.camLine(3, 0x401));
        assertEquals(hit(1, QW1_OS), b.presenter.match(0, 3, 0x401, false, 0));
        assertEquals(Presenter.NO_MATCH, b.presenter.match(0, 0, 0x401, false, 0));
        assertEquals(Presenter.NO_MATCH, b.presenter.match(0, 2, 0x401, false, 0));
    }

    @Test
    void sameThread_physBeforePoolBeforeOs() {
        PresenterBench b = new PresenterBench(0x105);
        int cam = Presenter.hwCamLine(0x105);
        push(b, 0, QW1_OS, ThreadContext.QW1W2_VO | cam);
        assertEquals(hit(0, QW1_OS), b.presenter.match(0, 1, 0x85, false, 0));
        b.store(0, HW + 0x28, 4, 0x8000_0000L | cam);
        assertEquals(hit(0, QW2_HV_POOL), b.presenter.match(0, 1, 0x85, false, 0), "pool before OS");
        b.store(0, PresenterBench.HV + 0x38, 1, 0x80);
        assertEquals(hit(0, QW3_HV_PHYS), b.presenter.match(0, 1, 0x85, false, 0), "phys before pool");
        assertTrue(b.guestErrors.isEmpty(), "one thread holding the CAM on several rings is no ambiguity");
    }

    @Test
    void crossRing_poolOnOneThreadOsOnAnother_isAmbiguous_droppedWithGuestError() {
        PresenterBench b = new PresenterBench(0, 1);
        int cam = Presenter.camLine(0, 0x500);
        b.store(0, HW + 0x28, 4, 0x8000_0000L | cam);
        push(b, 1, QW1_OS, ThreadContext.QW1W2_VO | cam);
        assertEquals(Presenter.AMBIGUOUS, b.presenter.match(0, 0, 0x500, false, 0));
        assertTrue(b.errorContains("already found a thread context NVT 0/500"), b.guestErrors.toString());
    }

    @Test
    void crossRing_physOnOneThreadOsOnAnother_isAmbiguous() {
        PresenterBench b = new PresenterBench(0x105, 0x106);
        b.store(0, PresenterBench.HV + 0x38, 1, 0x80);
        push(b, 1, QW1_OS, ThreadContext.QW1W2_VO | Presenter.hwCamLine(0x105));
        assertEquals(Presenter.AMBIGUOUS, b.presenter.match(0, 1, 0x85, false, 0));
    }

    @Test
    void crossRing_physOnOneThreadPoolOnAnother_isAmbiguous() {
        PresenterBench b = new PresenterBench(0x105, 0x106);
        b.store(0, PresenterBench.HV + 0x38, 1, 0x80);
        b.store(1, HW + 0x28, 4, 0x8000_0000L | Presenter.hwCamLine(0x105));
        assertEquals(Presenter.AMBIGUOUS, b.presenter.match(0, 1, 0x85, false, 0));
    }

    @ParameterizedTest(name = "ring 0x{0}")
    @ValueSource(ints = {QW1_OS, QW2_HV_POOL})
    void sameRing_twoThreads_isAmbiguous_untilOneIsPulled(int ring) {
        PresenterBench b = new PresenterBench(0, 1);
        int w2 = 0x8000_0000 | Presenter.camLine(0, 0x600);
        push(b, 0, ring, w2);
        push(b, 1, ring, w2);
        assertEquals(Presenter.AMBIGUOUS, b.presenter.match(0, 0, 0x600, false, 0));
        push(b, 0, ring, w2 & 0x00FF_FFFF);
        assertEquals(hit(1, ring), b.presenter.match(0, 0, 0x600, false, 0));
    }

    @Test
    void camIgnore_format0_neverMatchesOnAnyRing() {
        PresenterBench b = new PresenterBench(0x105, 0x106, 0x107);
        int cam = Presenter.hwCamLine(0x105);
        b.store(0, PresenterBench.HV + 0x38, 1, 0x80);                 // phys on thread 0
        b.store(1, HW + 0x28, 4, 0x8000_0000L | cam);                   // pool on thread 1
        push(b, 2, QW1_OS, ThreadContext.QW1W2_VO | Presenter.camLine(1, 0x401));   // OS on thread 2
        assertEquals(Presenter.NO_MATCH, b.presenter.match(0, 1, 0x85, true, 0), "phys/pool holders ignored");
        assertEquals(Presenter.NO_MATCH, b.presenter.match(0, 1, 0x401, true, 0), "OS holder ignored");
        assertEquals(hit(2, QW1_OS), b.presenter.match(0, 1, 0x401, false, 0), "without the bit it matches");
        assertTrue(b.guestErrors.isEmpty(), "logical-server groups are unimplemented, not a guest error");
    }

    // ------------------------------------------------------------------ format 1 (logical server, user ring)

    private static PresenterBench userBench(int logicServ, boolean vu) {
        PresenterBench b = new PresenterBench(4, 9);
        push(b, 1, QW1_OS, ThreadContext.QW1W2_VO | Presenter.camLine(0, 0x409));
        push(b, 1, QW0_USER, (vu ? ThreadContext.QW0W2_VU : 0) | logicServ);
        return b;
    }

    @Test
    void format1_osCamMatches_vuSet_logicServEqual_matchesTheUserRing() {
        PresenterBench b = userBench(0x2A, true);
        assertEquals(hit(1, QW0_USER), b.presenter.match(1, 0, 0x409, false, 0x2A));
    }

    @Test
    void format1_otherLogicalServer_noMatch() {
        PresenterBench b = userBench(0x2A, true);
        assertEquals(Presenter.NO_MATCH, b.presenter.match(1, 0, 0x409, false, 0x2B));
    }

    @Test
    void format1_vuClear_noMatch() {
        PresenterBench b = userBench(0x2A, false);
        assertEquals(Presenter.NO_MATCH, b.presenter.match(1, 0, 0x409, false, 0x2A));
    }

    @Test
    void format1_osContextPulled_noMatch() {
        PresenterBench b = userBench(0x2A, true);
        push(b, 1, QW1_OS, Presenter.camLine(0, 0x409));
        assertEquals(Presenter.NO_MATCH, b.presenter.match(1, 0, 0x409, false, 0x2A));
    }

    @Test
    void format1_ignoresPoolAndPhysHolders() {
        PresenterBench b = new PresenterBench(0);
        b.store(0, HW + 0x28, 4, 0x8000_0000L | Presenter.camLine(0, 0x409));
        push(b, 0, QW0_USER, ThreadContext.QW0W2_VU | 1);
        assertEquals(Presenter.NO_MATCH, b.presenter.match(1, 0, 0x409, false, 1));
    }

    @Test
    void format1_twoOsHolders_isAmbiguous() {
        PresenterBench b = userBench(0x2A, true);
        push(b, 0, QW1_OS, ThreadContext.QW1W2_VO | Presenter.camLine(0, 0x409));
        assertEquals(Presenter.AMBIGUOUS, b.presenter.match(1, 0, 0x409, false, 0x2A));
    }

    @Test
    void format1End_throughTheRouter_notifiesTheUserRingIpb_noOutputLine() {
        PresenterBench b = userBench(0x2A, true);
        b.router.setEndWord(0, 0, End.W0_VALID | End.W0_UCOND_NOTIFY);
        b.router.setEndWord(0, 6, End.W6_FORMAT_BIT | 0x409);
        b.router.setEndWord(0, 7, 0x2A);
        b.router.endTrigger(0, 0, 0x10, 1, 0);
        // format 1 reads no F0 priority (w7 bits 8-15 are the log server id's): 0x2A has none set
        assertEquals(ThreadContext.priorityToIpb(0), b.reg(1, QW0_USER, IPB));
        assertEquals(0, b.reg(1, QW1_OS, IPB), "the OS ring is not the one notified");
        assertFalse(b.cpus[1].osInterrupt(), "the user ring has no output line (QEMU: not supported)");
        assertFalse(b.cpus[1].hvInterrupt());
    }

    // ------------------------------------------------------------------ edges of the CAM space and of the presenter's life

    @Test
    void freshPresenter_nothingPushed_anEndTriggerReachesNoThread() {
        PresenterBench b = new PresenterBench(0, 1);
        b.end(0, 0, 0, 6);                                     // NVT 0/0, which no context holds
        b.router.endTrigger(0, 0, 0x10, 1, 0);
        for (int t = 0; t < 2; t++) {
            for (int ring : new int[] {QW0_USER, QW1_OS, QW2_HV_POOL, QW3_HV_PHYS}) {
                assertEquals(0, b.reg(t, ring, IPB), "thread " + t + " ring 0x" + Integer.toHexString(ring));
            }
        }
    }

    @Test
    void camLine0_block0Nvt0_isACamLikeAnyOther() {
        PresenterBench b = new PresenterBench(0, 1);
        push(b, 1, QW1_OS, ThreadContext.QW1W2_VO);             // VO | CAM 0
        assertEquals(hit(1, QW1_OS), b.presenter.match(0, 0, 0, false, 0));
        b.store(0, HW + 0x28, 4, 0x8000_0000L);                  // and pool CAM 0 on thread 0
        assertEquals(Presenter.AMBIGUOUS, b.presenter.match(0, 0, 0, false, 0));
    }

    @Test
    void format1_onThread0_matchesItsUserRing() {
        PresenterBench b = new PresenterBench(5);
        push(b, 0, QW1_OS, ThreadContext.QW1W2_VO | Presenter.camLine(0, 0x405));
        push(b, 0, QW0_USER, ThreadContext.QW0W2_VU | 7);
        assertEquals(hit(0, QW0_USER), b.presenter.match(1, 0, 0x405, false, 7));
    }

    @Test
    void camIgnore_isReportedAsUnimplemented_namingTheNvt() {
        PresenterBench b = new PresenterBench(0);
        java.util.List<io.pseries.core.trace.TraceEvent> events = new java.util.ArrayList<>();
        b.trace.subscribe(io.pseries.core.trace.TraceCategory.UNIMPLEMENTED, events::add);
        b.presenter.match(0, 2, 0x401, true, 0);
        assertEquals(1, events.size(), events.toString());
        assertEquals("XIVE: no support for LS NVT 2/401", events.get(0).fields().get("message"));
    }

    @Test
    void threadContextReset_lowersBothOutputLines() {
        PresenterBench b = new PresenterBench(0);
        b.store(0, PresenterBench.OS + 0x11, 1, 0xFF);
        b.store(0, PresenterBench.OS + 0x812, 1, 2);
        b.store(0, PresenterBench.HV + 0x31, 1, 0xFF);
        b.tctx[0].ipbUpdate(QW3_HV_PHYS, ThreadContext.priorityToIpb(1));
        assertTrue(b.cpus[0].osInterrupt());
        assertTrue(b.cpus[0].hvInterrupt());
        b.tctx[0].reset();
        assertFalse(b.cpus[0].osInterrupt());
        assertFalse(b.cpus[0].hvInterrupt());
    }
}
