package io.pseries.xive;

import static io.pseries.xive.XiveTestSupport.HV;
import static io.pseries.xive.XiveTestSupport.OS;
import static io.pseries.xive.XiveTestSupport.PRIO;
import static io.pseries.xive.XiveTestSupport.QPAGE;
import static io.pseries.xive.XiveTestSupport.QPAGE2;
import static io.pseries.xive.XiveTestSupport.anyMessageContains;
import static io.pseries.xive.XiveTestSupport.casMachine;
import static io.pseries.xive.XiveTestSupport.cppr;
import static io.pseries.xive.XiveTestSupport.endWord;
import static io.pseries.xive.XiveTestSupport.enqueued;
import static io.pseries.xive.XiveTestSupport.generation;
import static io.pseries.xive.XiveTestSupport.guestErrors;
import static io.pseries.xive.XiveTestSupport.osReg;
import static io.pseries.xive.XiveTestSupport.queue;
import static io.pseries.xive.XiveTestSupport.queueIndex;
import static io.pseries.xive.XiveTestSupport.route;
import static io.pseries.xive.XiveTestSupport.setEndWord;
import static io.pseries.xive.XiveTestSupport.setPq;
import static io.pseries.xive.XiveTestSupport.trigger;
import static io.pseries.xive.ThreadContext.IPB;
import static io.pseries.xive.ThreadContext.PIPR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pseries.core.Machine;
import io.pseries.core.trace.TraceEvent;

/**
 * Router rules no other test pins (facts §1 step 4, §4, §5.4): the match found for an END is
 * only reused while no context was pushed, pulled or moved and the END's words are unchanged;
 * an END without the q bit notifies without writing; the b bit with no dispatched thread is a
 * guest error (sPAPR has no NVT table); escalation loops end; queues larger than one 64 KiB
 * page are written across pages and wrap with a generation flip; priority 7 is IPB bit 0x01.
 */
class RouterRulesTest {
    static final int LISN = 1;
    static final int EISN = 0x123;

    Machine m;
    List<TraceEvent> errors;

    @BeforeEach
    void setUp() {
        m = casMachine(2);
        errors = guestErrors(m);
        cppr(m, 0, 0xff);
        cppr(m, 1, 0xff);
    }

    private void event() {
        trigger(m, LISN);
        setPq(m, LISN, 0);
    }

    /** Delivers one event to vCPU 0's prio-6 queue and acknowledges it, so IPB is clear again. */
    private void deliveredAndAcked(int cpu) {
        event();
        assertEquals(0x02, osReg(m, cpu, IPB), "delivered to vCPU " + cpu);
        assertEquals(0x8006, (int) m.load(cpu, OS + 0x810, 2));
        cppr(m, cpu, 0xff);
        assertEquals(0, osReg(m, cpu, IPB));
    }

    private void routeToCpu0() {
        queue(m, 0, PRIO, QPAGE, 16, 1);
        route(m, LISN, 0, PRIO, EISN);
        setPq(m, LISN, 0);
    }

    private int entry(long qpage, long i) {
        return m.memory().read32(qpage + 4L * i);
    }

    // ------------------------------------------------------------------ the match cache

    @Test
    void matchCache_contextPulledAfterADelivery_nextEventIsNotPresented() {
        routeToCpu0();
        deliveredAndAcked(0);
        m.load(0, HV + 0x818, 4);
        event();
        assertEquals(2, enqueued(m));
        assertEquals(0, osReg(m, 0, IPB), "NVT 0x400 is no longer dispatched on vCPU 0");
        assertFalse(m.cpu(0).osInterrupt());
    }

    @Test
    void matchCache_contextMovedToAnotherCpu_nextEventFollowsIt() {
        routeToCpu0();
        deliveredAndAcked(0);
        long w2 = m.load(0, HV + 0x818, 4);
        m.load(1, HV + 0x818, 4);
        m.store(1, HV + 0x18, 4, w2);
        event();
        assertEquals(0, osReg(m, 0, IPB));
        assertEquals(0x02, osReg(m, 1, IPB), "vCPU 1 now holds NVT 0x400");
        assertTrue(m.cpu(1).osInterrupt());
    }

    @Test
    void matchCache_secondHolderPushedAfterADelivery_nextEventIsAmbiguous() {
        routeToCpu0();
        deliveredAndAcked(0);
        m.store(1, HV + 0x18, 4, 0x8000_0400L);
        event();
        assertTrue(anyMessageContains(errors, "already found a thread context"), errors.toString());
        assertEquals(0, osReg(m, 0, IPB));
        assertEquals(0, osReg(m, 1, IPB));
    }

    @Test
    void matchCache_contextPulledAndPushedBack_isPresentedAgain() {
        routeToCpu0();
        deliveredAndAcked(0);
        long w2 = m.load(0, HV + 0x818, 4);
        event();
        assertEquals(0, osReg(m, 0, IPB));
        m.store(0, HV + 0x18, 4, w2);
        event();
        assertEquals(0x02, osReg(m, 0, IPB));
    }

    @Test
    void matchCache_endTargetRewritten_nextEventGoesToTheNewNvt() {
        routeToCpu0();
        deliveredAndAcked(0);
        setEndWord(m, 0, PRIO, 6, 0x401);                 // END (0, 6) now targets NVT 0x401 = vCPU 1
        event();
        assertEquals(0, osReg(m, 0, IPB));
        assertEquals(0x02, osReg(m, 1, IPB));
    }

    @Test
    void matchCache_camIgnoreSetAfterADelivery_nextEventIsNotPresented() {
        routeToCpu0();
        deliveredAndAcked(0);
        setEndWord(m, 0, PRIO, 7, endWord(m, 0, PRIO, 7) | End.W7_F0_IGNORE);
        event();
        assertEquals(0, osReg(m, 0, IPB));
    }

    @Test
    void matchCache_queueReconfiguredElsewhere_nextEntryIsWrittenToTheNewQueue() {
        queue(m, 0, PRIO, QPAGE, 12, 1);
        route(m, LISN, 0, PRIO, EISN);
        setPq(m, LISN, 0);
        event();
        assertEquals(0x8000_0000 | EISN, entry(QPAGE, 0));
        queue(m, 0, PRIO, QPAGE2, 12, 1);
        event();
        assertEquals(0x8000_0000 | EISN, entry(QPAGE2, 0), "H_INT_SET_QUEUE_CONFIG moved the queue");
        assertEquals(0, entry(QPAGE, 1), "nothing more in the old queue");
    }

    // ------------------------------------------------------------------ q, b and escalation

    @Test
    void endWithoutEnqueueBit_notifiesButWritesNoEntry_indexUnchanged() {
        routeToCpu0();
        setEndWord(m, 0, PRIO, 0, endWord(m, 0, PRIO, 0) & ~End.W0_ENQUEUE);
        event();
        assertEquals(0, enqueued(m));
        assertEquals(0, queueIndex(m, 0, PRIO));
        assertEquals(0, entry(QPAGE, 0));
        assertEquals(0x02, osReg(m, 0, IPB), "the notification does not depend on q");
        assertTrue(m.cpu(0).osInterrupt());
    }

    @Test
    void endBacklog_noDispatchedThread_isAGuestError_queueStillWritten() {
        routeToCpu0();
        setEndWord(m, 0, PRIO, 0, endWord(m, 0, PRIO, 0) | End.W0_BACKLOG);
        m.load(0, HV + 0x818, 4);
        event();
        assertTrue(anyMessageContains(errors, "backlog for NVT 0/400"), errors.toString());
        assertEquals(1, queueIndex(m, 0, PRIO));
        assertEquals(0, osReg(m, 0, IPB));
    }

    @Test
    void endBacklog_withADispatchedThread_isNoError() {
        routeToCpu0();
        setEndWord(m, 0, PRIO, 0, endWord(m, 0, PRIO, 0) | End.W0_BACKLOG);
        event();
        assertTrue(errors.isEmpty(), errors.toString());
        assertEquals(0x02, osReg(m, 0, IPB));
    }

    @Test
    void escalationLoop_endEscalatingToItself_isCutAfter8Escalations_withGuestError() {
        routeToCpu0();
        // END (0, 6) escalates unconditionally to itself with data 0x77; its NVT is not dispatched
        setEndWord(m, 0, PRIO, 0, endWord(m, 0, PRIO, 0) | End.W0_ESCALATE_CTL | End.W0_UNCOND_ESCALATE);
        setEndWord(m, 0, PRIO, 4, XiveTestSupport.endIndex(0, PRIO));
        setEndWord(m, 0, PRIO, 5, 0x77);
        m.load(0, HV + 0x818, 4);
        event();
        assertEquals(1 + XiveRouter.MAX_ESCALATION_DEPTH, queueIndex(m, 0, PRIO), "the event and 8 escalations");
        assertEquals(0x8000_0000 | EISN, entry(QPAGE, 0));
        for (int i = 1; i <= XiveRouter.MAX_ESCALATION_DEPTH; i++) {
            assertEquals(0x8000_0077, entry(QPAGE, i), "escalation " + i);
        }
        assertEquals(1, errors.stream().filter(e -> String.valueOf(e.fields().get("message"))
            .contains("escalation loop from END 0/6 dropped")).count(), errors.toString());
    }

    @Test
    void escalationLoop_machineStillDeliversAfterwards() {
        escalationLoop_endEscalatingToItself_isCutAfter8Escalations_withGuestError();
        m.store(0, HV + 0x18, 4, 0x8000_0400L);
        setEndWord(m, 0, PRIO, 0, endWord(m, 0, PRIO, 0) & ~End.W0_ESCALATE_CTL);
        event();
        assertEquals(0x02, osReg(m, 0, IPB));
    }

    // ------------------------------------------------------------------ queues beyond one 64 KiB page

    @ParameterizedTest(name = "qsize {0}")
    @CsvSource({"21", "24"})
    void largeQueue_entriesCrossThe64KPageBoundary_consecutively(int qsize) {
        queue(m, 0, PRIO, QPAGE, qsize, 1);
        route(m, LISN, 0, PRIO, EISN);
        setPq(m, LISN, 0);
        int last = 0x10000 / 4 - 1;                        // the last entry of the first 64 KiB page
        setEndWord(m, 0, PRIO, 1, (endWord(m, 0, PRIO, 1) & ~End.W1_PAGE_OFF) | last);
        event();
        event();
        assertEquals(0x8000_0000 | EISN, m.memory().read32(QPAGE + 0xFFFC));
        assertEquals(0x8000_0000 | EISN, m.memory().read32(QPAGE + 0x10000), "the next page, not the first");
        assertEquals(0, m.memory().read32(QPAGE), "entry 0 untouched");
        assertEquals(last + 2, queueIndex(m, 0, PRIO));
        assertEquals(1, generation(m, 0, PRIO));
    }

    @ParameterizedTest(name = "qsize {0}: {1} entries")
    @CsvSource({"21, 524288", "24, 4194304"})
    void largeQueue_wrapsAfterItsLastEntry_flipsGeneration(int qsize, int entries) {
        queue(m, 0, PRIO, QPAGE, qsize, 1);
        route(m, LISN, 0, PRIO, EISN);
        setPq(m, LISN, 0);
        setEndWord(m, 0, PRIO, 1, (endWord(m, 0, PRIO, 1) & ~End.W1_PAGE_OFF) | (entries - 1));
        event();
        assertEquals(0x8000_0000 | EISN, m.memory().read32(QPAGE + (1L << qsize) - 4), "the queue's last entry");
        assertEquals(0, queueIndex(m, 0, PRIO));
        assertEquals(0, generation(m, 0, PRIO), "generation flips on the wrap");
        event();
        assertEquals(EISN, m.memory().read32(QPAGE), "second lap: generation bit 0");
        assertEquals(0, m.memory().read32(QPAGE + (1L << qsize)), "nothing written past the queue");
    }

    // ------------------------------------------------------------------ priority 7

    @Test
    void priority7_isIpbBit0x01() {
        assertEquals(0x01, ThreadContext.priorityToIpb(7));
        assertEquals(0x80, ThreadContext.priorityToIpb(0));
        assertEquals(0, ThreadContext.priorityToIpb(8));
        assertEquals(0, ThreadContext.priorityToIpb(0xFF));
    }

    @Test
    void priority7_setOsPending_setsIpb0x01_pipr7_andSignalsUnderCpprFF() {
        m.store(1, OS + 0x812, 1, 7);
        assertEquals(0x01, osReg(m, 1, IPB));
        assertEquals(7, osReg(m, 1, PIPR));
        assertTrue(m.cpu(1).osInterrupt());
        assertEquals(0x8007, (int) m.load(1, OS + 0x810, 2));
    }

    @Test
    void priority7_endNotification_setsIpb0x01() {
        routeToCpu0();
        setEndWord(m, 0, PRIO, 7, 7 << 16);               // the hcalls reserve 7 for the hypervisor
        event();
        assertEquals(0x01, osReg(m, 0, IPB));
        assertEquals(7, osReg(m, 0, PIPR));
    }
}
