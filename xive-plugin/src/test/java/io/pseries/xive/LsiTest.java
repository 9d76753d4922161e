package io.pseries.xive;

import static io.pseries.xive.XiveTestSupport.PRIO;
import static io.pseries.xive.XiveTestSupport.QPAGE;
import static io.pseries.xive.XiveTestSupport.anyMessageContains;
import static io.pseries.xive.XiveTestSupport.casMachine;
import static io.pseries.xive.XiveTestSupport.cppr;
import static io.pseries.xive.XiveTestSupport.enqueued;
import static io.pseries.xive.XiveTestSupport.guestErrors;
import static io.pseries.xive.XiveTestSupport.ok;
import static io.pseries.xive.XiveTestSupport.osReg;
import static io.pseries.xive.XiveTestSupport.pq;
import static io.pseries.xive.XiveTestSupport.queue;
import static io.pseries.xive.XiveTestSupport.route;
import static io.pseries.xive.XiveTestSupport.xive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.irq.IrqLine;
import io.pseries.core.trace.TraceEvent;

/**
 * Level-triggered sources (facts §2.3): assertion, re-fire on EOI while still asserted, no Q
 * bit, deassertion. The LSI 0x1200 (the PHB's INTA) is routed to a 4 KiB always-notify queue of vCPU 0 with
 * EISN 0x11 and unmasked through H_INT_ESB, as Linux does for LSIs.
 */
class LsiTest {
    static final int LSI = 0x1200;
    static final int EISN = 0x11;

    Machine m;
    IrqLine line;
    List<TraceEvent> errors;

    @BeforeEach
    void setUp() {
        m = casMachine(2);
        line = m.irq(LSI); // the PCI host bridge's INTA, claimed level-triggered by the machine
        queue(m, 0, PRIO, QPAGE, 12, 1);
        route(m, LSI, 0, PRIO, EISN);
        assertEquals(0b01, esb(0xC00, false), "unmask through H_INT_ESB SET_PQ_00");
        cppr(m, 0, 0xff);
        errors = guestErrors(m);
    }

    /** H_INT_ESB load (store=false) or store at a management-page offset; R4. */
    private long esb(long offset, boolean store) {
        HcallResult r = m.hcall(0, Hcalls.H_INT_ESB, store ? 1 : 0, LSI, offset, 0);
        ok(r);
        return r.rets()[0];
    }

    private boolean asserted() {
        return xive(m).source().asserted(LSI);
    }

    private int entry(int i) {
        return m.memory().read32(QPAGE + 4L * i);
    }

    @Test
    void lsiAssert_fromPq00_goesTo10_setsAsserted_andForwards() {
        line.raise();
        assertEquals(0b10, pq(m, LSI));
        assertTrue(asserted());
        assertEquals(0x8000_0011, entry(0));
        assertEquals(0x02, osReg(m, 0, ThreadContext.IPB));
        assertTrue(m.cpu(0).osInterrupt());
    }

    @Test
    void lsiAssert_whilePending_doesNotSetQ_andDoesNotForward() {
        line.raise();
        line.lower();
        line.raise();
        assertEquals(0b10, pq(m, LSI), "no Q on LSIs");
        assertEquals(1, enqueued(m));
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void lsiAssert_whileOff_recordsAssertion_butDoesNotForward() {
        esb(0xD00, false);                                   // SET_PQ_01: masked
        line.raise();
        assertEquals(0b01, pq(m, LSI));
        assertTrue(asserted());
        assertEquals(0, enqueued(m));
    }

    @Test
    void lsiDeassert_clearsAssertedOnly_pqUnchanged() {
        line.raise();
        line.lower();
        assertFalse(asserted());
        assertEquals(0b10, pq(m, LSI));
        assertEquals(1, enqueued(m));
    }

    @Test
    void lsiLoadEoi_viaHIntEsb_whileStillAsserted_refiresAndRequeues() {
        line.raise();
        assertEquals(1, esb(0x000, false), "LOAD_EOI reports the new notification");
        assertEquals(0b10, pq(m, LSI));
        assertTrue(asserted());
        assertEquals(2, enqueued(m));
        assertEquals(0x8000_0011, entry(1), "re-queued");
    }

    @Test
    void lsiLoadEoi_everyEoiWhileAsserted_firesOnceMore() {
        line.raise();
        for (int i = 0; i < 5; i++) {
            assertEquals(1, esb(0x000, false));
        }
        assertEquals(6, enqueued(m));
        assertEquals(6, XiveTestSupport.queueIndex(m, 0, PRIO));
    }

    @Test
    void lsiDeassertThenEoi_doesNotRefire() {
        line.raise();
        line.lower();
        assertEquals(0, esb(0x000, false));
        assertEquals(0b00, pq(m, LSI));
        assertEquals(1, enqueued(m));
    }

    @Test
    void lsiEoi_whileMaskedAndAsserted_doesNotRefire() {
        line.raise();
        esb(0xD00, false);                                   // mask (PQ 01) while pending
        assertEquals(0, esb(0x000, false));
        assertEquals(0b01, pq(m, LSI));
        assertEquals(1, enqueued(m));
    }

    @Test
    void lsiSetPq00_whileAsserted_isNotAnEoi_doesNotRefire() {
        line.raise();
        assertEquals(0b10, esb(0xC00, false));
        assertEquals(0b00, pq(m, LSI));
        assertEquals(1, enqueued(m), "only LOAD_EOI re-runs the level check");
        // the level is still up: the next EOI fires it
        assertEquals(1, esb(0x000, false));
        assertEquals(2, enqueued(m));
    }

    @Test
    void lsiAssertedWhileMasked_unmaskingDoesNotFire_theNextEoiDoes() {
        esb(0xD00, false);                                   // masked
        line.raise();
        assertEquals(0, enqueued(m));
        esb(0xC00, false);                                   // unmask: plain SET_PQ_00, nothing yet
        assertEquals(0, enqueued(m));
        assertEquals(1, esb(0x000, false), "EOI sees the level");
        assertEquals(1, enqueued(m));
    }

    @Test
    void lsiTriggerStore_fromPending_reachesQueued_logsGuestError() {
        line.raise();
        esb(0x000, true);                                    // trigger store through H_INT_ESB
        assertEquals(0b11, pq(m, LSI));
        assertTrue(anyMessageContains(errors, "queued an event on LSI"), errors.toString());
    }

    @Test
    void lsiGet_viaHIntEsb_returnsPqWithoutAssertedBit() {
        line.raise();
        assertEquals(0b10, esb(0x800, false));
    }

    @Test
    void lsi_machineResetDropsAssertedState() {
        line.raise();
        xive(m).reset();
        assertFalse(asserted());
        assertEquals(0b01, pq(m, LSI));
        assertTrue(xive(m).source().isLsi(LSI), "the LSI type survives a reset");
    }
}
