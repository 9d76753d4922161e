package io.pseries.core.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class TraceTest {

    private long clock = 100;
    private final Trace trace = new Trace(() -> clock);

    @Test
    void onlyGuestErrorsAndUnimplementedAreOnByDefault() {
        for (TraceCategory c : TraceCategory.values()) {
            boolean always = c == TraceCategory.GUEST_ERROR || c == TraceCategory.UNIMPLEMENTED;
            assertEquals(always, trace.on(c), c.name());
        }
    }

    @Test
    void aCategoryIsOnWhileItHasAListener() {
        List<TraceEvent> got = new ArrayList<>();
        Runnable off = trace.subscribe(TraceCategory.HCALL, got::add);
        assertTrue(trace.on(TraceCategory.HCALL));
        assertFalse(trace.on(TraceCategory.RTAS));
        trace.emit(TraceCategory.HCALL, 2, "H_EOI", "xirr", 0xff000002L);
        off.run();
        assertFalse(trace.on(TraceCategory.HCALL));
        trace.emit(TraceCategory.HCALL, 2, "H_EOI");
        assertEquals(1, got.size());
        TraceEvent e = got.get(0);
        assertEquals(TraceCategory.HCALL, e.category());
        assertEquals(2, e.cpu());
        assertEquals(100, e.timeNs());
        assertEquals("H_EOI", e.name());
        assertEquals(0xff000002L, e.fields().get("xirr"));
    }

    @Test
    void eventsOfACategoryThatIsOffAreDropped() {
        trace.setRingCapacity(0);
        trace.emit(TraceCategory.MMIO, 0, "load");
        assertTrue(trace.recent().isEmpty());
    }

    @Test
    void theRingKeepsTheLastEventsOfEveryCategoryOldestFirst() {
        trace.setRingCapacity(3);
        assertTrue(trace.on(TraceCategory.MMIO));
        for (int i = 0; i < 5; i++) {
            clock = i;
            trace.emit(TraceCategory.MMIO, 0, "e" + i);
        }
        assertEquals(List.of("e2", "e3", "e4"), trace.recent().stream().map(TraceEvent::name).toList());
        assertEquals(List.of(3L, 4L, 5L), trace.recent().stream().map(TraceEvent::seq).toList());
        assertEquals(3, trace.ringCapacity());
    }

    @Test
    void negativeRingCapacityIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trace.setRingCapacity(-1));
        assertEquals("trace ring capacity must be >= 0, got -1", e.getMessage());
    }

    @Test
    void guestErrorsAreCountedAndCarryTheirMessage() {
        List<TraceEvent> got = new ArrayList<>();
        trace.subscribe(TraceCategory.GUEST_ERROR, got::add);
        trace.guestError(1, "load from unassigned address", "addr", 0x7000L, "size", 4);
        trace.guestError(0, "bad");
        assertEquals(2, trace.guestErrorCount());
        assertEquals("guest_error", got.get(0).name());
        assertEquals(List.of("message", "addr", "size"), new ArrayList<>(got.get(0).fields().keySet()));
        assertEquals("#1 t=100ns guest_error guest_error cpu=1 message=load from unassigned address addr=0x7000 size=0x4",
            got.get(0).toString());
    }

    @Test
    void toStringLeavesOutTheCpuWhenThereIsNone() {
        List<TraceEvent> got = new ArrayList<>();
        trace.subscribe(TraceCategory.INTC, got::add);
        trace.emit(TraceCategory.INTC, -1, "line", "irq", 0x1100, "level", true);
        assertEquals("#1 t=100ns intc line irq=0x1100 level=true", got.get(0).toString());
    }

    @Test
    void categoriesHaveScriptNames() {
        assertEquals("guest_error", TraceCategory.GUEST_ERROR.jsName());
        assertEquals(TraceCategory.HCALL, TraceCategory.fromJsName("hcall"));
        assertEquals(null, TraceCategory.fromJsName("HCALL"));
    }
}
