package io.pseries.xive;

import static io.pseries.xive.XiveTestSupport.ESB_BASE;
import static io.pseries.xive.XiveTestSupport.anyMessageContains;
import static io.pseries.xive.XiveTestSupport.casMachine;
import static io.pseries.xive.XiveTestSupport.enqueued;
import static io.pseries.xive.XiveTestSupport.guestErrors;
import static io.pseries.xive.XiveTestSupport.mgmt;
import static io.pseries.xive.XiveTestSupport.pq;
import static io.pseries.xive.XiveTestSupport.routedSource;
import static io.pseries.xive.XiveTestSupport.trig;
import static io.pseries.xive.XiveTestSupport.xive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.pseries.core.Machine;
import io.pseries.core.trace.TraceEvent;

/**
 * ESB MMIO through the machine's load/store path (facts §2.5-2.7): the management-page load
 * and store offset ranges, the trigger page, and access sizes. Source {@value #N} (an IPI, an
 * MSI) is routed to a queue of vCPU 0 so that "forwarded" is visible as one more queue entry.
 */
class EsbMmioTest {
    static final int N = 1;
    static final int EISN = 0x42;

    Machine m;
    List<TraceEvent> errors;

    @BeforeEach
    void setUp() {
        m = casMachine(2);
        routedSource(m, N, 0, EISN);
        errors = guestErrors(m);
    }

    private void setState(int v) {
        xive(m).source().setPq(N, v);
    }

    // ------------------------------------------------------------------ geometry

    @Test
    void esbAddress_sourceNumberIsOffsetShift17_triggerPageEvenManagementPageOdd() {
        XiveSource s = xive(m).source();
        s.setPq(N - 1, 0);
        s.setPq(N + 1, 0);
        m.store(0, ESB_BASE + 0x20000L * N, 8, 0);
        assertEquals(0b10, pq(m, N));
        assertEquals(0b00, pq(m, N - 1), "neighbour below untouched");
        assertEquals(0b00, pq(m, N + 1), "neighbour above untouched");
        assertEquals(0b10, m.load(0, ESB_BASE + 0x20000L * N + 0x10000 + 0x800, 8), "GET on the odd page");
    }

    @Test
    void esbRegion_isUnmappedWhileXiveIsNotTheActiveController() {
        // (the XICS plugin is not on this module's class path, so the switch is driven directly:
        // in dual mode the machine deactivates XIVE while XICS is the active controller)
        SpaprXive x = xive(m);
        x.deactivate();
        assertEquals(-1L, m.load(0, mgmt(N) + 0x800, 8));
        assertTrue(anyMessageContains(errors, "unassigned"), errors.toString());
        m.store(0, trig(N), 8, 0);
        assertEquals(0b00, pq(m, N), "a store to a disabled window changes nothing");
        x.activate();
        assertEquals(0b00, m.load(0, mgmt(N) + 0x800, 8));
    }

    @Test
    void endEsbPages_areNotMapped_asQemuKeepsThemDisabled() {
        // H_INT_GET_QUEUE_INFO reports END ESB pages at END_ESB_BASE, but QEMU sPAPR never enables them
        assertEquals(-1L, m.load(0, XiveTestSupport.END_ESB_BASE + 0x800, 8));
        assertTrue(anyMessageContains(errors, "unassigned"), errors.toString());
    }

    // ------------------------------------------------------------------ management-page loads

    @ParameterizedTest(name = "LOAD_EOI at mgmt+{0} from PQ 11 returns 1, PQ 10, forwards")
    @ValueSource(strings = {"0x000", "0x008", "0x400", "0x7F8"})
    void mgmtLoad_eoiRange_from11_returns1_goesTo10_andForwards(String off) {
        setState(0b11);
        long before = enqueued(m);
        assertEquals(1, m.load(0, mgmt(N) + Long.decode(off), 8));
        assertEquals(0b10, pq(m, N));
        assertEquals(before + 1, enqueued(m));
    }

    @ParameterizedTest(name = "LOAD_EOI at mgmt+{0} from PQ 10 returns 0, PQ 00, no forward")
    @ValueSource(strings = {"0x000", "0x3F8", "0x7F8"})
    void mgmtLoad_eoiRange_from10_returns0_goesTo00_noForward(String off) {
        setState(0b10);
        long before = enqueued(m);
        assertEquals(0, m.load(0, mgmt(N) + Long.decode(off), 8));
        assertEquals(0b00, pq(m, N));
        assertEquals(before, enqueued(m));
    }

    @Test
    void mgmtLoad_eoi_from01_returns0_staysOff() {
        setState(0b01);
        assertEquals(0, m.load(0, mgmt(N), 8));
        assertEquals(0b01, pq(m, N));
    }

    @ParameterizedTest(name = "GET at mgmt+{0} returns PQ {1} unchanged")
    @CsvSource({"0x800,0", "0x800,1", "0x9F0,2", "0xBF8,3"})
    void mgmtLoad_getRange_returnsPq_withoutChangingIt(String off, int state) {
        setState(state);
        long before = enqueued(m);
        assertEquals(state, m.load(0, mgmt(N) + Long.decode(off), 8));
        assertEquals(state, pq(m, N));
        assertEquals(before, enqueued(m));
    }

    @ParameterizedTest(name = "load at mgmt+{0} from PQ {1}: returns old PQ, PQ becomes {2}, no forward")
    @CsvSource({
        "0xC00,3,0", "0xC00,2,0", "0xCF8,1,0",
        "0xD00,0,1", "0xDF8,2,1",
        "0xE00,0,2", "0xEF8,1,2",
        "0xF00,0,3", "0xFF8,1,3"})
    void mgmtLoad_setPqRange_returnsOldPq_setsNewPq_noForward(String off, int old, int neu) {
        setState(old);
        long before = enqueued(m);
        assertEquals(old, m.load(0, mgmt(N) + Long.decode(off), 8));
        assertEquals(neu, pq(m, N));
        assertEquals(before, enqueued(m), "SET_PQ never notifies the router");
    }

    @Test
    void mgmtLoad_0xE40_loadAfterStoreOrdering_decodesAsSetPq10() {
        setState(0b00);
        assertEquals(0b00, m.load(0, mgmt(N) + 0xE40, 8));
        assertEquals(0b10, pq(m, N));
    }

    @Test
    void mgmtLoad_decodesOnlyOffsetBits0to11_withinThe64KPage() {
        setState(0b11);
        // 0x5D00 inside the management page decodes as 0xD00 (SET_PQ_01)
        assertEquals(0b11, m.load(0, mgmt(N) + 0x5D00, 8));
        assertEquals(0b01, pq(m, N));
    }

    @ParameterizedTest(name = "{0}-byte SET_PQ_01 load returns the old PQ")
    @ValueSource(ints = {1, 2, 4, 8})
    void mgmtLoad_anyAccessSize_1_2_4_8_isDecoded(int size) {
        setState(0b10);
        assertEquals(0b10, m.load(0, mgmt(N) + 0xD00, size));
        assertEquals(0b01, pq(m, N));
        assertTrue(errors.isEmpty(), errors.toString());
    }

    // ------------------------------------------------------------------ trigger-page loads

    @ParameterizedTest(name = "{0}-byte load on the trigger page returns all ones and logs a guest error")
    @CsvSource({"1,0xFF", "2,0xFFFF", "4,0xFFFFFFFF", "8,-1"})
    void triggerPageLoad_returnsAllOnesMaskedToSize_andLogsGuestError(int size, String expected) {
        setState(0b10);
        long before = enqueued(m);
        assertEquals(Long.decode(expected).longValue(), m.load(0, trig(N) + 0xC00, size));
        assertEquals(0b10, pq(m, N), "a trigger-page load has no ESB side effect");
        assertEquals(before, enqueued(m));
        assertTrue(anyMessageContains(errors, "trigger page"), errors.toString());
    }

    // ------------------------------------------------------------------ management-page stores

    @ParameterizedTest(name = "store at mgmt+{0} from PQ 00 triggers: PQ 10 and forwards")
    @ValueSource(strings = {"0x000", "0x200", "0x3F8"})
    void mgmtStore_triggerRange_0x000to0x3FF_triggers(String off) {
        setState(0b00);
        long before = enqueued(m);
        m.store(0, mgmt(N) + Long.decode(off), 8, 0);
        assertEquals(0b10, pq(m, N));
        assertEquals(before + 1, enqueued(m));
        m.store(0, mgmt(N) + Long.decode(off), 8, 0);
        assertEquals(0b11, pq(m, N), "second trigger coalesces");
        assertEquals(before + 1, enqueued(m));
    }

    @ParameterizedTest(name = "store at mgmt+{0} (STORE_EOI) without the StoreEOI flag is ignored with a guest error")
    @ValueSource(strings = {"0x400", "0x600", "0x7F8"})
    void mgmtStore_storeEoiRange_ignoredWithoutStoreEoiFlag_andLogsGuestError(String off) {
        setState(0b11);
        long before = enqueued(m);
        m.store(0, mgmt(N) + Long.decode(off), 8, 0);
        assertEquals(0b11, pq(m, N), "no EOI transition");
        assertEquals(before, enqueued(m), "no re-trigger");
        assertTrue(anyMessageContains(errors, "Store EOI"), errors.toString());
    }

    @ParameterizedTest(name = "store at mgmt+{0} (INJECT) from PQ {1} forwards and leaves PQ alone")
    @CsvSource({"0x800,1", "0x800,3", "0xA00,0", "0xBF8,2"})
    void mgmtStore_injectRange_forwardsWithoutChangingPq(String off, int state) {
        setState(state);
        long before = enqueued(m);
        m.store(0, mgmt(N) + Long.decode(off), 8, 0);
        assertEquals(state, pq(m, N));
        assertEquals(before + 1, enqueued(m), "inject bypasses PQ, even when off");
    }

    @ParameterizedTest(name = "store at mgmt+{0} from PQ {1} sets PQ {2} without forwarding")
    @CsvSource({
        "0xC00,3,0", "0xCF8,1,0",
        "0xD00,0,1", "0xD80,3,1",
        "0xE00,0,2", "0xE40,1,2",
        "0xF00,0,3", "0xFF8,2,3"})
    void mgmtStore_setPqRange_0xC00to0xFFF_setsPq_noForward(String off, int old, int neu) {
        setState(old);
        long before = enqueued(m);
        m.store(0, mgmt(N) + Long.decode(off), 8, 0);
        assertEquals(neu, pq(m, N));
        assertEquals(before, enqueued(m));
        assertTrue(errors.isEmpty(), errors.toString());
    }

    // ------------------------------------------------------------------ trigger-page stores

    @ParameterizedTest(name = "store at trigger+{0} triggers")
    @ValueSource(strings = {"0x000", "0x400", "0x800", "0xC00", "0xD00", "0xFF8", "0x8000", "0xFFF8"})
    void triggerPageStore_anyOffset_triggers(String off) {
        setState(0b00);
        long before = enqueued(m);
        m.store(0, trig(N) + Long.decode(off), 8, 0);
        assertEquals(0b10, pq(m, N), "trigger, not EOI/SET_PQ/inject");
        assertEquals(before + 1, enqueued(m));
    }

    @ParameterizedTest(name = "{0}-byte store on the trigger page triggers")
    @ValueSource(ints = {1, 2, 4, 8})
    void triggerPageStore_anyAccessSize_1_2_4_8_triggers(int size) {
        setState(0b00);
        long before = enqueued(m);
        m.store(0, trig(N), size, 0x5a);
        assertEquals(0b10, pq(m, N));
        assertEquals(before + 1, enqueued(m));
    }

    @Test
    void triggerPageStore_whileOff_isDropped() {
        setState(0b01);
        long before = enqueued(m);
        m.store(0, trig(N), 8, 0);
        assertEquals(0b01, pq(m, N));
        assertEquals(before, enqueued(m));
    }

    @Test
    void triggerPageStore_valueIsIrrelevant() {
        setState(0b00);
        m.store(0, trig(N), 8, 0xffff_ffff_ffff_ffffL);
        assertEquals(0b10, pq(m, N));
    }

    @ParameterizedTest(name = "{0}-byte SET_PQ_00 store on the management page is decoded")
    @ValueSource(ints = {1, 2, 4, 8})
    void mgmtStore_anyAccessSize_1_2_4_8_isDecoded(int size) {
        setState(0b11);
        m.store(0, mgmt(N) + 0xC00, size, 0);
        assertEquals(0b00, pq(m, N));
    }

    @Test
    void esbAccess_fromEitherCpu_seesTheSameSourceState() {
        setState(0b00);
        m.store(1, trig(N), 8, 0);
        assertEquals(0b10, m.load(0, mgmt(N) + 0x800, 8));
        assertTrue(errors.isEmpty(), errors.toString());
    }
}
