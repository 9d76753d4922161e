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
}
