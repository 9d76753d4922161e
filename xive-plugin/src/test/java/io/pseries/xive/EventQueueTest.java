package io.pseries.xive;

import static io.pseries.xive.XiveTestSupport.HV;
import static io.pseries.xive.XiveTestSupport.PRIO;
import static io.pseries.xive.XiveTestSupport.QPAGE;
import static io.pseries.xive.XiveTestSupport.QPAGE2;
import static io.pseries.xive.XiveTestSupport.QPAGE3;
import static io.pseries.xive.XiveTestSupport.anyMessageContains;
import static io.pseries.xive.XiveTestSupport.casMachine;
import static io.pseries.xive.XiveTestSupport.cppr;
import static io.pseries.xive.XiveTestSupport.endWord;
import static io.pseries.xive.XiveTestSupport.enqueued;
import static io.pseries.xive.XiveTestSupport.generation;
import static io.pseries.xive.XiveTestSupport.guestErrors;
import static io.pseries.xive.XiveTestSupport.mgmt;
import static io.pseries.xive.XiveTestSupport.ok;
import static io.pseries.xive.XiveTestSupport.osReg;
import static io.pseries.xive.XiveTestSupport.pq;
import static io.pseries.xive.XiveTestSupport.queue;
import static io.pseries.xive.XiveTestSupport.queueIndex;
import static io.pseries.xive.XiveTestSupport.route;
import static io.pseries.xive.XiveTestSupport.setEndWord;
import static io.pseries.xive.XiveTestSupport.setPq;
import static io.pseries.xive.XiveTestSupport.trigger;
import static io.pseries.xive.XiveTestSupport.ack;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.trace.TraceEvent;

/**
 * The router's END path (facts §1 step 3-4, §3.2, §4): event-queue writes, index and
 * generation, END masking, ESn coalescing, escalation through ESe and the END w4/w5 EAS, and
 * EAS validity/masking.
 */
class EventQueueTest {
    static final int LISN = 1;
    static final int EISN = 0x123;
    static final int IPB_PRIO6 = 0x02;

    Machine m;
    List<TraceEvent> errors;

    @BeforeEach
    void setUp() {
        m = casMachine(2);
        errors = guestErrors(m);
    }

    /** One event and its EOI: trigger-page store, then SET_PQ_00 so the next trigger forwards. */
    private void event() {
        trigger(m, LISN);
        setPq(m, LISN, 0);
    }

    private int entry(long qpage, int i) {
        return m.memory().read32(qpage + 4L * i);
    }

    /** A 4 KiB always-notify queue for (vCPU 0, prio 6), the source routed there, CPPR open. */
    private void fourKQueue() {
        queue(m, 0, PRIO, QPAGE, 12, 1);
        route(m, LISN, 0, PRIO, EISN);
        setPq(m, LISN, 0);
        cppr(m, 0, 0xff);
    }

    // ------------------------------------------------------------------ entries, index, generation

    @Test
    void enqueue_writesGenerationBitAndEisn_bigEndian() {
        fourKQueue();
        event();
        assertEquals(0x8000_0123, entry(QPAGE, 0));
        assertEquals(0x80, m.memory().read8(QPAGE), "MSB (generation) first");
        assertEquals(0x00, m.memory().read8(QPAGE + 1));
        assertEquals(0x01, m.memory().read8(QPAGE + 2));
        assertEquals(0x23, m.memory().read8(QPAGE + 3));
    }

    @Test
    void enqueue_advancesIndex_andWritesConsecutiveEntries() {
        fourKQueue();
        assertEquals(0, queueIndex(m, 0, PRIO));
        event();
        event();
        event();
        assertEquals(3, queueIndex(m, 0, PRIO));
        for (int i = 0; i < 3; i++) {
            assertEquals(0x8000_0123, entry(QPAGE, i), "entry " + i);
        }
        assertEquals(0, entry(QPAGE, 3), "next slot not written yet");
    }

    @Test
    void enqueue_dataIsTheEasEisnTruncatedTo31Bits() {
        queue(m, 0, PRIO, QPAGE, 12, 1);
        ok(m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, LISN, 0, PRIO, 0xffff_ffffL));
        setPq(m, LISN, 0);
        event();
        assertEquals(0xffff_ffff, entry(QPAGE, 0), "gen 1 | 0x7fffffff");
    }

    @Test
    void setQueueConfig_startsGeneration1Index0() {
        queue(m, 0, PRIO, QPAGE, 12, 1);
        assertEquals(End.W1_GENERATION, endWord(m, 0, PRIO, 1), "w1 = GEN=1, PAGE_OFF=0, ESn/ESe 00");
        route(m, LISN, 0, PRIO, EISN);
        setPq(m, LISN, 0);
        event();
        event();
        assertEquals(2, queueIndex(m, 0, PRIO));
        // configuring again restarts the producer
        queue(m, 0, PRIO, QPAGE2, 12, 1);
        assertEquals(0, queueIndex(m, 0, PRIO));
        assertEquals(1, generation(m, 0, PRIO));
        event();
        assertEquals(0x8000_0123, entry(QPAGE2, 0));
    }

    @Test
    void enqueue_wrapOf4KQueue_flipsGeneration_secondLapEntriesHaveGen0() {
        fourKQueue();
        for (int i = 0; i < 1024; i++) {
            event();
        }
        assertEquals(0, queueIndex(m, 0, PRIO), "1024 entries: back at index 0");
        assertEquals(0, generation(m, 0, PRIO), "generation toggled on wrap");
        assertEquals(0x8000_0123, entry(QPAGE, 1023), "last entry of the first lap has gen 1");
        event();
        assertEquals(0x0000_0123, entry(QPAGE, 0), "first entry of the second lap has gen 0");
        assertEquals(0x8000_0123, entry(QPAGE, 1), "not yet overwritten");
        assertEquals(1, queueIndex(m, 0, PRIO));
    }

    @Test
    void enqueue_64KQueueHolds16384Entries_wrapsAfterTheLast() {
        queue(m, 0, PRIO, QPAGE, 16, 1);
        route(m, LISN, 0, PRIO, EISN);
        setPq(m, LISN, 0);
        int w1 = endWord(m, 0, PRIO, 1);
        setEndWord(m, 0, PRIO, 1, (w1 & ~End.W1_PAGE_OFF) | 16383);
        event();
        assertEquals(0x8000_0123, entry(QPAGE, 16383));
        assertEquals(0, queueIndex(m, 0, PRIO));
        assertEquals(0, generation(m, 0, PRIO));
        event();
        assertEquals(0x0000_0123, entry(QPAGE, 0));
    }

    @Test
    void enqueue_outsideRam_logsGuestError_andLeavesIndex() {
        fourKQueue();
        setEndWord(m, 0, PRIO, 2, 0x7);       // queue at 0x7_0000_0000, beyond 1 GiB of RAM
        setEndWord(m, 0, PRIO, 3, 0);
        event();
        assertTrue(anyMessageContains(errors, "failed to write END data"), errors.toString());
        assertEquals(0, queueIndex(m, 0, PRIO));
    }

    // ------------------------------------------------------------------ notification

    @Test
    void enqueue_withAlwaysNotify_setsIpbOfTheEndPriority_andRaisesLine() {
        fourKQueue();
        event();
        assertEquals(IPB_PRIO6, osReg(m, 0, ThreadContext.IPB));
        assertEquals(PRIO, osReg(m, 0, ThreadContext.PIPR));
        assertEquals(0x80, osReg(m, 0, ThreadContext.NSR));
        assertTrue(m.cpu(0).osInterrupt());
        assertFalse(m.cpu(1).osInterrupt());
    }

    @Test
    void maskedEnd_priorityFF_stillEnqueues_butDoesNotNotify() {
        fourKQueue();
        setEndWord(m, 0, PRIO, 7, 0x00ff_0000);
        event();
        assertEquals(0x8000_0123, entry(QPAGE, 0), "the queue write precedes the mask check");
        assertEquals(0, osReg(m, 0, ThreadContext.IPB));
        assertFalse(m.cpu(0).osInterrupt());
    }

    @Test
    void maskedEnd_doesNotTouchEsn() {
        queue(m, 0, PRIO, QPAGE, 12, 0);
        route(m, LISN, 0, PRIO, EISN);
        setPq(m, LISN, 0);
        setEndWord(m, 0, PRIO, 7, 0x00ff_0000);
        event();
        assertEquals(0, endWord(m, 0, PRIO, 1) & End.W1_ESN);
    }

    @Test
    void esn_withoutUnconditionalNotify_coalescesNotifications() {
        queue(m, 0, PRIO, QPAGE, 12, 0);
        assertEquals(0, endWord(m, 0, PRIO, 0) & End.W0_UCOND_NOTIFY);
        route(m, LISN, 0, PRIO, EISN);
        setPq(m, LISN, 0);
        cppr(m, 0, 0xff);

        event();
        assertEquals(End.W1_ESN_P, endWord(m, 0, PRIO, 1) & End.W1_ESN, "ESn 00 -> 10, notified");
        assertEquals(IPB_PRIO6, osReg(m, 0, ThreadContext.IPB));
        assertEquals(0x8006, ack(m, 0));
        cppr(m, 0, 0xff);
        assertFalse(m.cpu(0).osInterrupt());

        event();
        assertEquals(End.W1_ESN, endWord(m, 0, PRIO, 1) & End.W1_ESN, "ESn 10 -> 11, coalesced");
        assertEquals(0, osReg(m, 0, ThreadContext.IPB));
        assertFalse(m.cpu(0).osInterrupt());
        event();
        assertEquals(End.W1_ESN, endWord(m, 0, PRIO, 1) & End.W1_ESN);
        assertEquals(0, osReg(m, 0, ThreadContext.IPB));
        assertEquals(3, queueIndex(m, 0, PRIO), "coalescing affects notification only: all 3 queued");

        // once the END ESB is EOI'd (ESn back to 00) the next event notifies again
        int w1 = endWord(m, 0, PRIO, 1);
        setEndWord(m, 0, PRIO, 1, w1 & ~End.W1_ESN);
        event();
        assertEquals(IPB_PRIO6, osReg(m, 0, ThreadContext.IPB));
        assertTrue(m.cpu(0).osInterrupt());
    }

    @Test
    void esn_off01_neverNotifies_butStillEnqueues() {
        queue(m, 0, PRIO, QPAGE, 12, 0);
        route(m, LISN, 0, PRIO, EISN);
        setPq(m, LISN, 0);
        cppr(m, 0, 0xff);
        setEndWord(m, 0, PRIO, 1, endWord(m, 0, PRIO, 1) | End.W1_ESN_Q);
        event();
        event();
        assertEquals(End.W1_ESN_Q, endWord(m, 0, PRIO, 1) & End.W1_ESN);
        assertEquals(0, osReg(m, 0, ThreadContext.IPB));
        assertEquals(2, queueIndex(m, 0, PRIO));
    }

    @Test
    void unconditionalNotify_ignoresEsn() {
        fourKQueue();
        setEndWord(m, 0, PRIO, 1, endWord(m, 0, PRIO, 1) | End.W1_ESN);
        event();
        assertEquals(IPB_PRIO6, osReg(m, 0, ThreadContext.IPB));
        assertEquals(End.W1_ESN, endWord(m, 0, PRIO, 1) & End.W1_ESN, "ESn untouched");
    }

    @Test
    void noMatchingContext_entryStaysInQueue_noException_andNoBacklogOnRepush() {
        fourKQueue();
        long w2 = m.load(0, HV + 0x818, 4);            // pull vCPU 0's OS context
        event();
        assertEquals(0x8000_0123, entry(QPAGE, 0));
        assertEquals(0, osReg(m, 0, ThreadContext.IPB));
        assertFalse(m.cpu(0).osInterrupt());
        m.store(0, HV + 0x18, 4, w2);                  // push it back
        assertFalse(m.cpu(0).osInterrupt(), "sPAPR keeps no NVT backlog: nothing to resend");
        assertTrue(errors.isEmpty(), errors.toString());
    }

    // ------------------------------------------------------------------ EAS

    @Test
    void easMasked_forwardedEventIsDroppedSilently() {
        queue(m, 0, PRIO, QPAGE, 12, 1);
        ok(m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 3, LISN, 0, PRIO, EISN));   // SET_EISN | MASK
        setPq(m, LISN, 0);
        cppr(m, 0, 0xff);
        trigger(m, LISN);
        assertEquals(0b10, pq(m, LISN), "the source did forward");
        assertEquals(0, enqueued(m));
        assertEquals(0, entry(QPAGE, 0));
        assertEquals(0, osReg(m, 0, ThreadContext.IPB));
        assertTrue(errors.isEmpty(), "masked is not an error: " + errors);
    }

    @Test
    void easInvalid_unclaimedLisn_logsGuestError_andDrops() {
        int lisn = 0x1500;
        setPq(m, lisn, 0);
        m.store(0, XiveTestSupport.trig(lisn), 8, 0);
        assertEquals(0b10, pq(m, lisn));
        assertTrue(anyMessageContains(errors, "invalid LISN"), errors.toString());
        assertEquals(0, enqueued(m));
    }

    @Test
    void easInvalid_afterFreeIrq_logsGuestError() {
        int lisn = 0x1400;
        m.claimIrq(lisn, false, "test");
        m.freeIrq(lisn);
        m.load(0, mgmt(lisn) + 0xC00, 8);
        m.store(0, XiveTestSupport.trig(lisn), 8, 0);
        assertTrue(anyMessageContains(errors, "invalid LISN"), errors.toString());
    }

    @Test
    void endInvalid_sourceRoutedToUnconfiguredQueue_logsGuestError() {
        route(m, LISN, 1, 5, EISN);           // END (1, 5) never configured
        setPq(m, LISN, 0);
        trigger(m, LISN);
        assertTrue(anyMessageContains(errors, "is invalid"), errors.toString());
        assertEquals(0, enqueued(m));
        assertEquals(0, osReg(m, 1, ThreadContext.IPB));
    }

    @Test
    void endWithUnknownNvt_logsGuestError_afterQueueing() {
        fourKQueue();
        setEndWord(m, 0, PRIO, 6, 0x405);                 // NVT 0x405: no vCPU 5
        byte[] before = XiveTestSupport.xive(m).threadContext(0).registers();
        event();
        assertEquals(0x8000_0123, entry(QPAGE, 0));
        assertTrue(anyMessageContains(errors, "no NVT"), errors.toString());
        assertEquals(0, osReg(m, 0, ThreadContext.IPB));
        assertArrayEquals(before, XiveTestSupport.xive(m).threadContext(0).registers(), "no ring of vCPU 0 is signalled");
    }

    @Test
    void easPointingBeyondTheEndTable_logsGuestError() {
        fourKQueue();
        XiveRouter r = XiveTestSupport.xive(m).router();
        r.setEas(LISN, Eas.VALID | ((long) r.nrEnds() << 32) | EISN);
        event();
        assertTrue(anyMessageContains(errors, "No END"), errors.toString());
        assertEquals(0, enqueued(m));
    }

    @Test
    void endFormat0_camIgnoreBit_isUnsupported_noDelivery() {
        fourKQueue();
        setEndWord(m, 0, PRIO, 7, endWord(m, 0, PRIO, 7) | End.W7_F0_IGNORE);
        event();
        assertEquals(1, queueIndex(m, 0, PRIO));
        assertEquals(0, osReg(m, 0, ThreadContext.IPB), "logical-server notification is not modelled (P9 QEMU)");
    }

    // ------------------------------------------------------------------ escalation

    /**
     * END A = (vCPU 0, prio 5) with a queue at QPAGE2 escalating to END B = (vCPU 1, prio 3)
     * with a queue at QPAGE3, escalation data 0x77. The source is routed to END A.
     */
    @Nested
    class Escalation {
        static final int A_PRIO = 5;
        static final int B_PRIO = 3;
        static final int ESC_DATA = 0x77;

        @BeforeEach
        void setUpEnds() {
            queue(m, 0, A_PRIO, QPAGE2, 12, 1);
            queue(m, 1, B_PRIO, QPAGE3, 12, 1);
            route(m, LISN, 0, A_PRIO, 0x55);
            setPq(m, LISN, 0);
            cppr(m, 0, 0xff);
            cppr(m, 1, 0xff);
            setEndWord(m, 0, A_PRIO, 4, XiveTestSupport.endIndex(1, B_PRIO));
            setEndWord(m, 0, A_PRIO, 5, ESC_DATA);
        }

        private void addW0(int bits) {
            setEndWord(m, 0, A_PRIO, 0, endWord(m, 0, A_PRIO, 0) | bits);
        }

        private void pullCpu0() {
            assertEquals(0x8000_0400L, m.load(0, HV + 0x818, 4));
        }

        @Test
        void escalation_noMatch_triggersTheEndHeldInW4W5_withW5Data() {
            addW0(End.W0_ESCALATE_CTL);
            pullCpu0();
            event();
            assertEquals(0x8000_0055, entry(QPAGE2, 0), "END A still queues");
            assertEquals(0x8000_0077, entry(QPAGE3, 0), "escalation queued w5 data on END B");
            assertEquals(0x10, osReg(m, 1, ThreadContext.IPB), "END B notified vCPU 1 at prio 3");
            assertTrue(m.cpu(1).osInterrupt());
            assertEquals(End.W1_ESE_P, endWord(m, 0, A_PRIO, 1) & End.W1_ESE, "ESe 00 -> 10");
        }

        @Test
        void escalation_esePqCoalescesFurtherEscalations() {
            addW0(End.W0_ESCALATE_CTL);
            pullCpu0();
            event();
            event();
            event();
            assertEquals(3, queueIndex(m, 0, A_PRIO));
            assertEquals(1, queueIndex(m, 1, B_PRIO), "only the first escalation went through ESe");
            assertEquals(End.W1_ESE, endWord(m, 0, A_PRIO, 1) & End.W1_ESE, "ESe 11");
        }

        @Test
        void escalation_unconditional_u_bypassesEse() {
            addW0(End.W0_ESCALATE_CTL | End.W0_UNCOND_ESCALATE);
            pullCpu0();
            event();
            event();
            event();
            assertEquals(3, queueIndex(m, 1, B_PRIO));
            assertEquals(0, endWord(m, 0, A_PRIO, 1) & End.W1_ESE, "ESe untouched");
        }

        @Test
        void escalation_notTakenWhenAThreadMatched() {
            addW0(End.W0_ESCALATE_CTL);
            event();
            assertEquals(0x04, osReg(m, 0, ThreadContext.IPB), "vCPU 0 notified at prio 5");
            assertEquals(0, queueIndex(m, 1, B_PRIO));
            assertEquals(0, osReg(m, 1, ThreadContext.IPB));
        }

        @Test
        void escalation_withoutEBit_noMatchStopsAfterTheQueue() {
            pullCpu0();
            event();
            assertEquals(1, queueIndex(m, 0, A_PRIO));
            assertEquals(0, queueIndex(m, 1, B_PRIO));
            assertEquals(0, endWord(m, 0, A_PRIO, 1) & End.W1_ESE);
        }

        @Test
        void silentEscalation_s_queuesAndEscalates_butNeverNotifiesTheTarget() {
            addW0(End.W0_ESCALATE_CTL | End.W0_SILENT_ESCALATE);
            event();                                   // vCPU 0 is dispatched: would match
            assertEquals(0x8000_0055, entry(QPAGE2, 0));
            assertEquals(0, osReg(m, 0, ThreadContext.IPB), "silent: no notification");
            assertFalse(m.cpu(0).osInterrupt());
            assertEquals(0x8000_0077, entry(QPAGE3, 0), "escalated");
            assertEquals(0x10, osReg(m, 1, ThreadContext.IPB));
        }

        @Test
        void silentEscalation_goesThroughEseUnlessU() {
            addW0(End.W0_ESCALATE_CTL | End.W0_SILENT_ESCALATE);
            event();
            event();
            assertEquals(1, queueIndex(m, 1, B_PRIO));
        }

        @Test
        void silentWithoutEscalateBit_onlyQueues() {
            addW0(End.W0_SILENT_ESCALATE);
            event();
            assertEquals(1, queueIndex(m, 0, A_PRIO));
            assertEquals(0, osReg(m, 0, ThreadContext.IPB));
            assertEquals(0, queueIndex(m, 1, B_PRIO));
        }

        @Test
        void escalation_toAnInvalidEnd_logsGuestError() {
            addW0(End.W0_ESCALATE_CTL);
            setEndWord(m, 0, A_PRIO, 4, XiveTestSupport.endIndex(1, 4));   // never configured
            pullCpu0();
            event();
            assertTrue(anyMessageContains(errors, "is invalid"), errors.toString());
        }

        @Test
        void escalation_ambiguousMatch_isTreatedAsNoMatch_andEscalates() {
            addW0(End.W0_ESCALATE_CTL);
            m.store(1, HV + 0x18, 4, 0x8000_0400L);   // vCPU 1 also holds NVT 0x400
            event();
            assertTrue(anyMessageContains(errors, "already found"), errors.toString());
            assertEquals(0x8000_0077, entry(QPAGE3, 0), "escalated as on no match");
        }
    }
}
