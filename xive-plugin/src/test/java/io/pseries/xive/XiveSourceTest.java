package io.pseries.xive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * The source controller on its own (facts §2.5, §2.7, §2.8), for the configurations sPAPR
 * never uses and so cannot be reached through the machine: one-page ESBs (no trigger page),
 * the 4 KiB geometries, and sources with the StoreEOI flag.
 */
class XiveSourceTest {
    private final List<Integer> forwarded = new ArrayList<>();
    private final List<TraceEvent> errors = new ArrayList<>();
    private final List<String> pqEvents = new ArrayList<>();
    private final Trace trace = new Trace(() -> 0L);

    {
        trace.subscribe(TraceCategory.GUEST_ERROR, errors::add);
    }

    private XiveSource source(int shift, boolean storeEoi) {
        return new XiveSource(8, shift, storeEoi, forwarded::add, trace);
    }

    @ParameterizedTest(name = "shift {0}: trigger page of source 3 at {1}, management page at {2}")
    @CsvSource({"12,0x3000,0x3000", "13,0x6000,0x7000", "16,0x30000,0x30000", "17,0x60000,0x70000"})
    void geometry_pagesPerShift(int shift, String trig, String mgmt) {
        XiveSource s = source(shift, false);
        assertEquals((long) Long.decode(trig), s.triggerPage(3));
        assertEquals((long) Long.decode(mgmt), s.managementPage(3));
        assertEquals(8L << shift, s.regionSize());
        assertEquals(shift == 13 || shift == 17, s.hasTwoPages());
    }

    @ParameterizedTest(name = "shift {0} is rejected")
    @ValueSource(ints = {0, 11, 14, 15, 18, 24})
    void geometry_onlyShifts12_13_16_17_areValid(int shift) {
        assertThrows(IllegalArgumentException.class, () -> source(shift, false));
    }

    @Test
    void onePageMode_managementPageLoadsDecode_noTriggerPageError() {
        XiveSource s = source(XiveSource.ESB_64K, false);
        s.setPq(2, 0b11);
        assertEquals(0b11, s.esbRead(0, s.managementPage(2) + 0x800));
        assertEquals(1, s.esbRead(0, s.managementPage(2)));
        assertEquals(List.of(2), forwarded);
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void onePageMode_storeAt0x000_triggers_storeAt0xC00_setsPq() {
        XiveSource s = source(XiveSource.ESB_64K, false);
        s.setPq(2, 0b00);
        s.esbWrite(0, s.managementPage(2) + 0xC00);
        assertEquals(0b00, s.pq(2));
        assertTrue(forwarded.isEmpty());
        s.esbWrite(0, s.managementPage(2));
        assertEquals(0b10, s.pq(2));
        assertEquals(List.of(2), forwarded);
    }

    @Test
    void twoPage4K_triggerPageIsTheEven4KPage() {
        XiveSource s = source(XiveSource.ESB_4K_2PAGE, false);
        s.setPq(1, 0b00);
        assertEquals(-1L, s.esbRead(0, s.triggerPage(1) + 0xC00));
        assertEquals(0b00, s.pq(1));
        s.esbWrite(0, s.triggerPage(1) + 0xC00);
        assertEquals(0b10, s.pq(1), "trigger page: any store triggers");
        assertEquals(0b10, s.esbRead(0, s.managementPage(1) + 0x800));
    }

    @ParameterizedTest(name = "StoreEOI store at +{0} from PQ 11 runs the EOI and re-triggers")
    @ValueSource(strings = {"0x400", "0x7F8"})
    void storeEoiFlag_storeEoiRange_runsEoiTransition(String off) {
        XiveSource s = source(XiveSource.ESB_64K_2PAGE, true);
        s.setPq(4, 0b11);
        s.esbWrite(0, s.managementPage(4) + Long.decode(off));
        assertEquals(0b10, s.pq(4));
        assertEquals(List.of(4), forwarded);
        s.esbWrite(0, s.managementPage(4) + Long.decode(off));
        assertEquals(0b00, s.pq(4));
        assertEquals(List.of(4), forwarded);
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void storeEoiFlag_isReportedByTheSource() {
        assertTrue(source(XiveSource.ESB_64K_2PAGE, true).storeEoi());
        assertFalse(source(XiveSource.ESB_64K_2PAGE, false).storeEoi());
    }

    @Test
    void sourceReset_keepsTheLsiBitmap_clearsAsserted() {
        XiveSource s = source(XiveSource.ESB_64K_2PAGE, false);
        s.setLsi(6);
        s.setPq(6, 0b00);
        s.setIrq(6, true);
        assertTrue(s.asserted(6));
        s.reset();
        assertTrue(s.isLsi(6));
        assertFalse(s.asserted(6));
        assertEquals(0b01, s.pq(6));
        assertFalse(s.isLsi(5));
    }

    /**
     * Every PQ change is an INTC 'pq' event naming the source, its PQ after the change and the
     * transition: 'set' (a SET_PQ load), 'trigger' (00 -> 10, forwarded), 'trigger_coalesced'
     * (10 -> 11, not forwarded), 'eoi_trigger' (11 -> 10, re-fired), 'eoi' (10 -> 00); an LSI
     * asserted from 00 is a 'trigger'. Nothing is emitted while no one listens for INTC.
     */
    @Test
    void pqEvents_nameTheSource_thePqAfterTheChange_andTheTransition() {
        XiveSource s = source(13, false);
        s.setLsi(5);
        s.setPq(2, Pq.RESET);
        s.setPq(5, Pq.RESET);
        assertEquals(List.of(), pqEvents, "no INTC listener yet: no event");
        trace.subscribe(TraceCategory.INTC, e -> {
            if (e.name().equals("pq")) {
                pqEvents.add(e.fields().get("lisn") + " " + e.fields().get("pq") + " " + e.fields().get("op"));
            }
        });
        s.setPq(2, Pq.RESET);
        assertTrue(s.trigger(2));
        assertFalse(s.trigger(2));
        assertTrue(s.eoi(2));
        assertFalse(s.eoi(2));
        s.setIrq(5, true);
        assertEquals(List.of("2 0 set", "2 2 trigger", "2 3 trigger_coalesced", "2 2 eoi_trigger", "2 0 eoi", "5 2 trigger"),
            pqEvents);
        assertEquals(List.of(5), forwarded, "trigger() and eoi() answer; only a line change notifies the router itself");
    }

    /** An LSI asserted while its PQ is 10 keeps PQ 10, sets ASSERTED and forwards nothing (no Q on LSIs). */
    @Test
    void lsiAsserted_whilePending_keepsPq10_setsAsserted_forwardsNothing() {
        XiveSource s = source(13, false);
        s.setLsi(5);
        s.setPq(5, Pq.PENDING);
        s.setIrq(5, true);
        assertEquals(Pq.PENDING, s.pq(5));
        assertTrue(s.asserted(5));
        assertEquals(List.of(), forwarded);
        // from 00 the same assertion forwards once and leaves PQ 10 with the line up
        s.setPq(5, Pq.RESET);
        s.setIrq(5, true);
        assertEquals(Pq.PENDING | Pq.ASSERTED, s.status(5));
        assertEquals(List.of(5), forwarded);
    }

    /** The LSI bitmap is one bit per source, in whole 64-bit words (what a snapshot's lsi_map holds). */
    @ParameterizedTest(name = "{0} sources: {1} words")
    @CsvSource({"1,1", "64,1", "65,2", "4096,64"})
    void lsiBitmap_isOneBitPerSource_inWholeWords(int n, int words) {
        XiveSource s = new XiveSource(n, 17, false, forwarded::add, trace);
        assertEquals(words, s.lsiWords().length);
        s.setLsi(n - 1);
        assertEquals(1L << ((n - 1) & 63), s.lsiWords()[words - 1]);
    }
}
