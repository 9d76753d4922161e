package io.pseries.xive;

import static io.pseries.xive.ThreadContext.QW1_OS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * What the router reports on the way (facts §3, §4; QEMU's xive_router_notify and
 * xive_router_end_notify): the guest errors for a LISN or END past the tables, the 'present'
 * event of a delivered event (named by the guest's LISN when a host router backs it), the
 * 'not dispatched' note of an NVT no thread holds, the 'escalate' event; and a queue larger
 * than one 64 KiB page written on across the page boundary.
 */
class RouterEventsTest {
    private final PresenterBench b = new PresenterBench(0, 1);
    private final List<TraceEvent> events = new ArrayList<>();

    private List<String> messages() {
        return b.guestErrors.stream().map(e -> String.valueOf(e.fields().get("message"))).toList();
    }

    /** Thread 0 holds OS CAM (block 0, NVT 0x400); END 1 notifies that NVT at priority 5, always. */
    private void dispatchedEnd() {
        b.presenter.setWord2(0, QW1_OS, ThreadContext.QW1W2_VO | Presenter.camLine(0, 0x400));
        b.end(1, 0, 0x400, 5);
    }

    @Test
    void notify_ofALisnPastTheTable_isUnknown_theLastOneIsOnlyInvalid() {
        b.router.notify(64);
        b.router.notify(63);
        assertEquals(List.of("XIVE: Unknown LISN 40", "XIVE: invalid LISN 3f"), messages());
    }

    @Test
    void endTrigger_ofAnEndPastTheTable_isAGuestError() {
        b.router.endTrigger(0, 64, 0, 0, 0);
        b.router.endTrigger(0, 63, 0, 0, 0);
        assertEquals(List.of("XIVE: No END 0/40", "XIVE: END 0/3f is invalid"), messages());
    }

    @Test
    void delivery_emitsPresent_withLisnEisnPriorityRingAndEnd() {
        dispatchedEnd();
        b.trace.subscribe(TraceCategory.IRQ, events::add);
        b.router.endTrigger(0, 1, 0x42, 7, 0);
        assertEquals(1, events.size(), events.toString());
        TraceEvent e = events.get(0);
        assertEquals("present", e.name());
        assertEquals(0, e.cpu());
        assertEquals(List.of(7, 0x42, 5, QW1_OS, 1), List.of(e.fields().get("lisn"), e.fields().get("eisn"),
            e.fields().get("priority"), e.fields().get("ring"), e.fields().get("end")));
        assertTrue(!e.fields().containsKey("hwIrq"));
        assertEquals(ThreadContext.priorityToIpb(5), b.reg(0, QW1_OS, ThreadContext.IPB));
    }

    @Test
    void delivery_ofAHostRouter_namesTheGuestsLisn_andTheHardwareNumber() {
        dispatchedEnd();
        b.router.setTraceNumbering(n -> n == 7 ? 0x1200 : n);
        b.trace.subscribe(TraceCategory.IRQ, events::add);
        b.router.endTrigger(0, 1, 0x42, 7, 0);
        assertEquals(1, events.size());
        assertEquals(0x1200, events.get(0).fields().get("lisn"));
        assertEquals(7, events.get(0).fields().get("hwIrq"));
    }

    @Test
    void noThreadHoldsTheNvt_isNotedAsNotDispatched_anAmbiguousOneIsNot() {
        b.end(1, 0, 0x402, 5);
        b.trace.subscribe(TraceCategory.UNIMPLEMENTED, events::add);
        b.router.endTrigger(0, 1, 0x42, 7, 0);
        assertEquals(List.of("XIVE: NVT 0/402 is not dispatched"),
            events.stream().map(e -> String.valueOf(e.fields().get("message"))).toList());
        // both threads holding NVT 0x403: reported as ambiguous by the presenter, no 'not dispatched'
        events.clear();
        b.presenter.setWord2(0, QW1_OS, ThreadContext.QW1W2_VO | Presenter.camLine(0, 0x403));
        b.presenter.setWord2(1, QW1_OS, ThreadContext.QW1W2_VO | Presenter.camLine(0, 0x403));
        b.end(2, 0, 0x403, 5);
        b.router.endTrigger(0, 2, 0x42, 7, 0);
        assertEquals(List.of(), events);
    }

    @Test
    void escalation_emitsEscalate_namingBothEndsAndTheData() {
        b.end(1, 0, 0x402, 5);                       // nobody holds 0x402: escalate
        b.router.setEndWord(1, 0, b.router.endWord(1, 0) | End.W0_ESCALATE_CTL | End.W0_UNCOND_ESCALATE);
        b.router.setEndWord(1, 4, 2);
        b.router.setEndWord(1, 5, 0x77);
        b.presenter.setWord2(0, QW1_OS, ThreadContext.QW1W2_VO | Presenter.camLine(0, 0x400));
        b.end(2, 0, 0x400, 3);
        b.trace.subscribe(TraceCategory.INTC, events::add);
        b.router.endTrigger(0, 1, 0x42, 7, 0);
        List<String> esc = events.stream().filter(e -> e.name().equals("escalate"))
            .map(e -> e.fields().get("end") + "->" + e.fields().get("toEnd") + " " + e.fields().get("data")).toList();
        assertEquals(List.of("1->2 119"), esc);
        assertEquals(ThreadContext.priorityToIpb(3), b.reg(0, QW1_OS, ThreadContext.IPB), "END 2 presented priority 3");
    }

    /**
     * A 2 MiB queue (qsize 21) spans 32 pages of 64 KiB: the entry after the 16384th is the
     * first word of the second page, not the first word of the first page again.
     */
    @Test
    void queueOf2MiB_isWrittenOnAcrossThe64KiBPageBoundary() {
        Machine m = XiveTestSupport.casMachine(1);
        long q = 0x0200_0000L;
        XiveTestSupport.queue(m, 0, XiveTestSupport.PRIO, q, 21, 1);
        int lisn = 0;
        XiveTestSupport.route(m, lisn, 0, XiveTestSupport.PRIO, 0x99);
        XiveTestSupport.setPq(m, lisn, 0);
        XiveTestSupport.trigger(m, lisn);                     // entry 0, caches what it may
        m.runUntilIdle();
        int end = XiveTestSupport.endIndex(0, XiveTestSupport.PRIO);
        SpaprXive x = XiveTestSupport.xive(m);
        int w1 = x.router().endWord(end, 1);
        x.router().setEndWord(end, 1, (w1 & ~End.W1_PAGE_OFF) | 16383);
        for (int i = 0; i < 2; i++) {
            XiveTestSupport.setPq(m, lisn, 0);
            XiveTestSupport.trigger(m, lisn);
            m.runUntilIdle();
        }
        assertEquals(0x8000_0099L, m.memory().read32(q + 0xFFFC) & 0xFFFF_FFFFL, "entry 16383: the first page's last word");
        assertEquals(0x8000_0099L, m.memory().read32(q + 0x10000) & 0xFFFF_FFFFL, "entry 16384: the second page's first word");
        assertEquals(0x8000_0099L, m.memory().read32(q) & 0xFFFF_FFFFL, "entry 0 is the first event's");
        assertEquals(0, m.memory().read32(q + 4), "nothing wrapped into the first page");
        assertEquals(16385, x.router().endWord(end, 1) & End.W1_PAGE_OFF);
    }
}
