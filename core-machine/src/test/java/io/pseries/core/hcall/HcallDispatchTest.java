package io.pseries.core.hcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.TestTraces;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * Hcall dispatch ({@link HcallDispatch}): unknown and out-of-range opcodes answer H_FUNCTION
 * with QEMU's unimplemented message, the argument limit, opcodes by name.
 */
class HcallDispatchTest {

    private static List<TraceEvent> record(Machine m, TraceCategory c) {
        return TestTraces.record(m, c);
    }

    private static String message(TraceEvent e) {
        return TestTraces.message(e);
    }

    @Test
    void unknownHcallReturnsHFunctionAndReportsUnimplemented() {
        Machine m = FakeIntc.machine(1, "dual");
        List<TraceEvent> unimp = record(m, TraceCategory.UNIMPLEMENTED);
        List<TraceEvent> hcalls = record(m, TraceCategory.HCALL);
        HcallResult r = m.hcall(0, Hcalls.H_INT_ESB, 0, 0x1000, 0xc00, 0);
        assertEquals(-2, r.rc());
        assertEquals(PaprRc.H_FUNCTION, r.rc());
        assertEquals("H_FUNCTION", r.rcName());
        assertEquals(0, r.rets().length);
        assertEquals(1, unimp.size());
        assertEquals("Unimplemented SPAPR hcall 0x3c8", message(unimp.get(0)));
        assertEquals((long) Hcalls.H_INT_ESB, unimp.get(0).fields().get("opcode"));
        assertEquals("hcall_0x3c8", hcalls.get(0).name());
        assertEquals(-2L, hcalls.get(0).fields().get("rc"));
    }

    @Test
    void hcallOpcodesOutsideThePaprAndKvmRangesAreHFunction() {
        Machine m = FakeIntc.machine(1, "dual");
        assertEquals(PaprRc.H_FUNCTION, m.hcall(0, 0x65).rc(), "not a multiple of 4");
        assertEquals(PaprRc.H_FUNCTION, m.hcall(0, 0x804).rc(), "past the PAPR range");
        assertEquals(PaprRc.H_FUNCTION, m.hcall(0, 0xF001).rc(), "unregistered KVM-private hcall");
        assertEquals(PaprRc.H_FUNCTION, m.hcall(0, -4).rc());
    }

    @Test
    void hcallTakesAtMostNineArguments() {
        Machine m = FakeIntc.machine(1, "dual");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> m.hcall(0, 0x64, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        assertEquals("an hcall takes at most 9 arguments (R4..R12), got 10", e.getMessage());
    }

    @Test
    void hcallByNameSuggestsTheClosest() {
        Machine m = FakeIntc.machine(1, "dual");
        assertEquals(0xF000, m.hcallOpcode("KVMPPC_H_RTAS"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.hcallOpcode("KVMPPC_H_RTA"));
        assertEquals("unknown hcall 'KVMPPC_H_RTA' (did you mean 'KVMPPC_H_RTAS'?); this machine serves: H_GET_TERM_CHAR, H_PUT_TERM_CHAR, H_SET_MODE, KVMPPC_H_CAS, KVMPPC_H_RTAS", e.getMessage());
    }
}
