package io.pseries.xive;

import static io.pseries.xive.PresenterBench.HV;
import static io.pseries.xive.PresenterBench.HW;
import static io.pseries.xive.PresenterBench.OS;
import static io.pseries.xive.ThreadContext.CPPR;
import static io.pseries.xive.ThreadContext.IPB;
import static io.pseries.xive.ThreadContext.NSR;
import static io.pseries.xive.ThreadContext.PIPR;
import static io.pseries.xive.ThreadContext.QW1_OS;
import static io.pseries.xive.ThreadContext.QW2_HV_POOL;
import static io.pseries.xive.ThreadContext.QW3_HV_PHYS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hypervisor rings of the TIMA (facts §5.2, §5.5, §5.6; QEMU hw/intc/xive.c): the HV-page
 * special operations SET_HV_CPPR (HV+0x031, 1-byte store), VT_PUSH / VT_POLL (HV+0x038, 1 byte),
 * ACK_HV_REG (HV+0x830, 2-byte load), PULL_POOL_CTX (HV+0x828, 4 or 8 bytes) and PULL_PHYS_CTX
 * (HV+0x838, 1 byte); the QW3 NSR exception field (HE: POOL 1 -> 0x40, PHYS 2 -> 0x80); and
 * the pool ring, which owns an IPB but signals through the physical ring's NSR, CPPR, PIPR and
 * the HV line (QEMU "pnv/xive: Add special handling for pool targets").
 */
class HvRingTest {
    static final int POOL_CAM = 0x12345;
    PresenterBench b;

    @BeforeEach
    void setUp() {
        b = new PresenterBench(0, 1);
    }

    private int phys(int reg) {
        return b.reg(0, QW3_HV_PHYS, reg);
    }

    private int pool(int reg) {
        return b.reg(0, QW2_HV_POOL, reg);
    }

    // ------------------------------------------------------------------ SET_HV_CPPR

    @ParameterizedTest(name = "SET_HV_CPPR {0} -> CPPR {1}")
    @CsvSource({"0, 0x00", "5, 0x05", "7, 0x07", "8, 0xFF", "0x80, 0xFF", "0xFF, 0xFF"})
    void setHvCppr_1byteStoreAtHv0x031_setsQw3Cppr_valuesAbove7Become0xFF(int v, int expected) {
        b.store(0, HV + 0x31, 1, v);
        assertEquals(expected, phys(CPPR));
        assertEquals(0, b.reg(0, QW1_OS, CPPR), "the OS CPPR is another register");
    }

    @Test
    void setHvCppr_lessFavouredThanPendingPhysPriority_signalsPhysException_raisesHvLine() {
        b.tctx[0].ipbUpdate(QW3_HV_PHYS, ThreadContext.priorityToIpb(3));
        assertFalse(b.cpus[0].hvInterrupt(), "CPPR 0 after reset: nothing is deliverable");
        b.store(0, HV + 0x31, 1, 0xFF);
        assertEquals(0x80, phys(NSR), "HE = PHYS (2) << 6");
        assertTrue(b.cpus[0].hvInterrupt());
        assertFalse(b.cpus[0].osInterrupt(), "the physical ring drives the HV line, not the OS line");
    }

    @Test
    void setHvCppr_fromTheOsPage_isNotASpecialOp_rawByteStoreIsInvalid() {
        b.store(0, OS + 0x31, 1, 5);
        assertEquals(0, phys(CPPR));
        assertTrue(b.errorContains("invalid write access"), b.guestErrors.toString());
    }

    // ------------------------------------------------------------------ VT push / poll / pull phys

    @Test
    void vtPush_1byteStoreAtHv0x038_writesQw3Word2Byte0_vtPollReadsItBack() {
        b.store(0, HV + 0x38, 1, 0x80);
        assertEquals(0x8000_0000, b.tctx[0].word2(QW3_HV_PHYS), "VT set, the other WORD2 bytes untouched");
        assertEquals(0x80, b.load(0, HV + 0x38, 1));
        assertEquals(0, b.load(1, HV + 0x38, 1), "per thread");
    }

    @Test
    void pullPhysCtx_1byteLoadAtHv0x838_returnsWord2Byte0_andClearsVt() {
        b.store(0, HV + 0x38, 1, 0x81);
        assertEquals(0x81, b.load(0, HV + 0x838, 1));
        assertEquals(0x01, b.load(0, HV + 0x38, 1), "VT cleared, the rest of the byte kept");
        assertEquals(0x01, b.load(0, HV + 0x838, 1), "a second pull returns the context without VT");
    }

    @ParameterizedTest(name = "{0}-byte load")
    @ValueSource(ints = {2, 4, 8})
    void pullPhysCtx_otherSizes_areInvalid_returnAllOnes_contextKept(int size) {
        b.store(0, HV + 0x38, 1, 0x80);
        assertEquals(-1L, b.load(0, HV + 0x838, size));
        assertEquals(0x80, b.load(0, HV + 0x38, 1));
        assertTrue(b.errorContains("invalid read access"), b.guestErrors.toString());
    }

    @Test
    void vtPushAndPoll_fromTheOsPage_areNotSpecialOps() {
        b.store(0, OS + 0x38, 1, 0x80);
        assertEquals(0, b.tctx[0].word2(QW3_HV_PHYS));
        assertEquals(-1L, b.load(0, OS + 0x838, 1), "PULL_PHYS_CTX is an HV-page op");
    }

    // ------------------------------------------------------------------ pull pool

    /** Pushes a pool context the only way the TIMA allows: a raw 4-byte store on the HW page. */
    private void pushPool(int thread, int cam) {
        b.store(thread, HW + 0x28, 4, 0x8000_0000L | cam);
    }

    @ParameterizedTest(name = "{0}-byte load")
    @ValueSource(ints = {4, 8})
    void pullPoolCtx_loadAtHv0x828_returnsPoolWord2_andClearsVp(int size) {
        pushPool(0, POOL_CAM);
        assertEquals(0x8000_0000L | POOL_CAM, b.load(0, HV + 0x828, size));
        assertEquals(POOL_CAM, b.tctx[0].word2(QW2_HV_POOL), "VP cleared, CAM kept");
        assertEquals(POOL_CAM, b.load(0, HV + 0x828, size), "a second pull returns it without VP");
    }

    @Test
    void pullPoolCtx_clearsThePoolCam_fromThePresenter() {
        pushPool(0, POOL_CAM);
        assertEquals(QW2_HV_POOL, b.presenter.match(0, 0, POOL_CAM, false, 0) & 0xff);
        b.load(0, HV + 0x828, 4);
        assertEquals(Presenter.NO_MATCH, b.presenter.match(0, 0, POOL_CAM, false, 0));
    }

    @Test
    void poolWord2_isNotWritableFromTheHvPage_vpByteIsHwOnly() {
        b.store(0, HV + 0x28, 4, 0x8000_0000L | POOL_CAM);
        assertEquals(POOL_CAM, b.tctx[0].word2(QW2_HV_POOL), "HV view: QW2 byte 8 has no write right");
        assertEquals(Presenter.NO_MATCH, b.presenter.match(0, 0, POOL_CAM, false, 0));
    }

    // ------------------------------------------------------------------ ACK HV, NSR encodings, pool IPB

    @Test
    void ackHv_2byteLoadAtHv0x830_returnsNsrCppr_cpprTakesPipr_clearsIpbBit_lowersHvLine() {
        b.store(0, HV + 0x31, 1, 0xFF);
        b.tctx[0].ipbUpdate(QW3_HV_PHYS, ThreadContext.priorityToIpb(4) | ThreadContext.priorityToIpb(6));
        assertTrue(b.cpus[0].hvInterrupt());
        assertEquals(0x8004, b.load(0, HV + 0x830, 2), "NSR 0x80 (HE PHYS) before the ack, CPPR 4");
        assertEquals(4, phys(CPPR));
        assertEquals(0x02, phys(IPB), "priority 4's bit cleared, 6 still pending");
        assertEquals(6, phys(PIPR));
        assertEquals(0, phys(NSR));
        assertFalse(b.cpus[0].hvInterrupt());
    }

    @Test
    void ackHv_withoutException_returnsCppr_changesNothing() {
        b.store(0, HV + 0x31, 1, 2);
        b.tctx[0].ipbUpdate(QW3_HV_PHYS, ThreadContext.priorityToIpb(5));
        assertEquals(0x0002, b.load(0, HV + 0x830, 2));
        assertEquals(0x04, phys(IPB));
        assertEquals(2, phys(CPPR));
    }

    @Test
    void ackHv_fromTheOsPage_isInvalid() {
        b.store(0, HV + 0x31, 1, 0xFF);
        b.tctx[0].ipbUpdate(QW3_HV_PHYS, ThreadContext.priorityToIpb(4));
        assertEquals(0xFFFF, b.load(0, OS + 0x830, 2) & 0xFFFF);
        assertEquals(0x80, phys(NSR), "not acknowledged");
    }

    @Test
    void poolNotification_setsQw3NsrHePool0x40_onThePhysicalRing_raisesHvLine() {
        b.store(0, HV + 0x31, 1, 0xFF);
        b.tctx[0].ipbUpdate(QW2_HV_POOL, ThreadContext.priorityToIpb(3));
        assertEquals(0x40, phys(NSR), "HE = POOL (1) << 6");
        assertEquals(0, pool(NSR), "the pool ring has no NSR of its own");
        assertEquals(0x10, pool(IPB), "the pool ring keeps its IPB");
        assertEquals(0, phys(IPB));
        assertTrue(b.cpus[0].hvInterrupt());
        assertFalse(b.cpus[0].osInterrupt());
    }

    @Test
    void poolIpb_mergesIntoThePhysicalPipr_mostFavouredOfBothRings() {
        b.tctx[0].ipbUpdate(QW3_HV_PHYS, ThreadContext.priorityToIpb(5));
        assertEquals(5, phys(PIPR));
        b.tctx[0].ipbUpdate(QW2_HV_POOL, ThreadContext.priorityToIpb(2));
        assertEquals(2, phys(PIPR), "pool priority 2 is more favoured than phys 5");
        b.tctx[0].ipbUpdate(QW2_HV_POOL, ThreadContext.priorityToIpb(7));
        assertEquals(2, phys(PIPR));
    }

    @Test
    void physNotificationAfterAPoolOne_piprKeepsTheMoreFavouredPoolPriority() {
        b.tctx[0].ipbUpdate(QW2_HV_POOL, ThreadContext.priorityToIpb(2));
        b.tctx[0].ipbUpdate(QW3_HV_PHYS, ThreadContext.priorityToIpb(5));
        assertEquals(2, phys(PIPR), "PHYS PIPR is the minimum of the PHYS and POOL priorities");
    }

    @Test
    void ackHv_ofAPhysException_leavesPendingPoolPrioritiesInPipr() {
        b.store(0, HV + 0x31, 1, 0xFF);
        b.tctx[0].ipbUpdate(QW3_HV_PHYS, ThreadContext.priorityToIpb(1));
        b.store(0, HV + 0x31, 1, 0xFF);
        b.tctx[0].ipbUpdate(QW2_HV_POOL, ThreadContext.priorityToIpb(4));
        assertEquals(0x80, phys(NSR), "HE stays PHYS: PIPR 1 is the physical ring's (not PHYS|POOL = LSI)");
        assertEquals(0x8001, b.load(0, HV + 0x830, 2), "the PHYS priority 1 is delivered first");
        assertEquals(0, phys(IPB));
        assertEquals(0x08, pool(IPB), "pool priority 4 still pending");
        assertEquals(4, phys(PIPR));
    }

    @Test
    void physNotificationAfterAMoreFavouredPoolOne_heStaysPool() {
        b.store(0, HV + 0x31, 1, 0xFF);
        b.tctx[0].ipbUpdate(QW2_HV_POOL, ThreadContext.priorityToIpb(2));
        b.tctx[0].ipbUpdate(QW3_HV_PHYS, ThreadContext.priorityToIpb(5));
        assertEquals(0x40, phys(NSR));
        assertEquals(0x4002, b.load(0, HV + 0x830, 2));
        assertEquals(0x04, phys(IPB), "the physical priority 5 stays pending");
    }

    @Test
    void poolNotification_withPhysCpprMoreFavoured_isRecordedButNotSignalled() {
        b.store(0, HV + 0x31, 1, 1);
        b.tctx[0].ipbUpdate(QW2_HV_POOL, ThreadContext.priorityToIpb(3));
        assertEquals(0, phys(NSR));
        assertFalse(b.cpus[0].hvInterrupt());
        assertEquals(0x10, pool(IPB));
    }

    @Test
    void ackHv_ofAPoolException_returnsHePool_andClearsThePoolIpbBit() {
        b.store(0, HV + 0x31, 1, 0xFF);
        b.tctx[0].ipbUpdate(QW2_HV_POOL, ThreadContext.priorityToIpb(3));
        assertEquals(0x4003, b.load(0, HV + 0x830, 2), "NSR 0x40 (HE POOL), CPPR 3");
        assertEquals(3, phys(CPPR));
        assertEquals(0, pool(IPB), "the delivered priority leaves the pool IPB (QEMU: POOL uses the QW2 IPB)");
        assertEquals(0xFF, phys(PIPR));
        assertEquals(0, phys(NSR));
        assertFalse(b.cpus[0].hvInterrupt());
    }

    @Test
    void osNotification_setsNsrEo0x80_onTheOsRing_raisesOsLineOnly() {
        b.store(0, OS + 0x11, 1, 0xFF);
        b.store(0, OS + 0x812, 1, 4);
        assertEquals(0x80, b.reg(0, QW1_OS, NSR));
        assertEquals(0, phys(NSR));
        assertTrue(b.cpus[0].osInterrupt());
        assertFalse(b.cpus[0].hvInterrupt());
    }
}
