package io.pseries.xive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.trace.Trace;

/**
 * The ESB PQ state machine (facts §2.1-2.2): one test per trigger and per EOI transition, on
 * the pure functions and on a source's ESB (where the "forward" answer reaches the router).
 */
class PqTest {

    // ------------------------------------------------------------------ trigger transitions

    @Test
    void pqTrigger_from00_goesTo10AndForwards() {
        int r = Pq.trigger(0b00);
        assertEquals(0b10, Pq.state(r));
        assertTrue(Pq.forwards(r));
    }

    @Test
    void pqTrigger_from01_staysOffAndDrops() {
        int r = Pq.trigger(0b01);
        assertEquals(0b01, Pq.state(r));
        assertFalse(Pq.forwards(r));
    }

    @Test
    void pqTrigger_from10_goesTo11AndCoalesces() {
        int r = Pq.trigger(0b10);
        assertEquals(0b11, Pq.state(r));
        assertFalse(Pq.forwards(r));
    }

    @Test
    void pqTrigger_from11_staysQueuedAndCoalesces() {
        int r = Pq.trigger(0b11);
        assertEquals(0b11, Pq.state(r));
        assertFalse(Pq.forwards(r));
    }

    // ------------------------------------------------------------------ EOI transitions

    @Test
    void pqEoi_from00_staysResetNoForward() {
        int r = Pq.eoi(0b00);
        assertEquals(0b00, Pq.state(r));
        assertFalse(Pq.forwards(r));
    }

    @Test
    void pqEoi_from01_staysOffNoForward() {
        int r = Pq.eoi(0b01);
        assertEquals(0b01, Pq.state(r));
        assertFalse(Pq.forwards(r));
    }

    @Test
    void pqEoi_from10_goesTo00NoForward() {
        int r = Pq.eoi(0b10);
        assertEquals(0b00, Pq.state(r));
        assertFalse(Pq.forwards(r));
    }

    @Test
    void pqEoi_from11_goesTo10AndRetriggers() {
        int r = Pq.eoi(0b11);
        assertEquals(0b10, Pq.state(r));
        assertTrue(Pq.forwards(r));
    }

    @Test
    void pqTransitions_ignoreBitsAboveThePqPair() {
        // the ASSERTED status bit (0x4) shares the status byte: it must not change the decision
        assertEquals(Pq.trigger(0b00), Pq.trigger(Pq.ASSERTED | 0b00));
        assertEquals(Pq.eoi(0b11), Pq.eoi(Pq.ASSERTED | 0b11));
    }

    @Test
    void pqName_printsAsInfoPic() {
        assertEquals("--", Pq.name(0));
        assertEquals("-Q", Pq.name(1));
        assertEquals("P-", Pq.name(2));
        assertEquals("PQ", Pq.name(3));
    }

    // ------------------------------------------------------------------ on a source ESB

    private final List<Integer> forwarded = new ArrayList<>();
    private final XiveSource src = new XiveSource(16, XiveSource.ESB_64K_2PAGE, false, forwarded::add,
        new Trace(() -> 0L));

    @Test
    void sourceReset_putsEveryPqAt01() {
        for (int n = 0; n < 16; n++) {
            assertEquals(Pq.OFF, src.pq(n), "source " + n);
        }
    }

    @Test
    void sourceSetPq_returnsOldPqAndWritesNew() {
        assertEquals(0b01, src.setPq(3, 0b10));
        assertEquals(0b10, src.setPq(3, 0b11));
        assertEquals(0b11, src.pq(3));
    }

    @Test
    void sourceTrigger_from00_forwardsOnceThenCoalescesUntilEoi() {
        src.setPq(5, 0b00);
        assertTrue(src.trigger(5));
        assertFalse(src.trigger(5));
        assertFalse(src.trigger(5));
        assertEquals(0b11, src.pq(5));
        // EOI from 11 gives one re-trigger for all the coalesced events, then nothing more
        assertTrue(src.eoi(5));
        assertEquals(0b10, src.pq(5));
        assertFalse(src.eoi(5));
        assertEquals(0b00, src.pq(5));
    }

    @Test
    void sourceSetIrq_msiRisingEdgeTriggers_fallingEdgeIgnored() {
        src.setPq(2, 0b00);
        src.setIrq(2, true);
        assertEquals(List.of(2), forwarded);
        assertEquals(0b10, src.pq(2));
        src.setIrq(2, false);
        assertEquals(0b10, src.pq(2));
        assertEquals(List.of(2), forwarded);
    }
}
