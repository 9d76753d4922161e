package io.pseries.xive;

import static io.pseries.xive.XiveTestSupport.HV;
import static io.pseries.xive.XiveTestSupport.OS;
import static io.pseries.xive.XiveTestSupport.QPAGE;
import static io.pseries.xive.XiveTestSupport.USER;
import static io.pseries.xive.XiveTestSupport.casMachine;
import static io.pseries.xive.XiveTestSupport.guestErrors;
import static io.pseries.xive.XiveTestSupport.mgmt;
import static io.pseries.xive.XiveTestSupport.trig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.pseries.core.Machine;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.trace.TraceEvent;

/**
 * Every path where a guest does something wrong to the XIVE controller reports exactly one
 * {@code guest_error} event, with QEMU's message (hw/intc/spapr_xive.c and xive.c log these
 * with LOG_GUEST_ERROR), on behalf of the vCPU that did it. The answers themselves are pinned
 * by the hcall, ESB, TIMA and router tests; this pins that none of them is silent.
 */
class XiveGuestErrorsTest {

    static Arguments c(String what, String message, int cpu, Consumer<Machine> action) {
        return Arguments.of(what, message, cpu, action);
    }

    static Stream<Arguments> errorPaths() {
        return Stream.of(
            c("hcall on a LISN beyond the controller", "XIVE: Unknown LISN 0x5000", 0,
                m -> m.hcall(0, Hcalls.H_INT_GET_SOURCE_INFO, 0, 0x5000)),
            c("hcall on an unclaimed LISN", "XIVE: Invalid LISN 0x10", 1,
                m -> m.hcall(1, Hcalls.H_INT_GET_SOURCE_CONFIG, 0, 0x10)),
            c("H_INT_SET_SOURCE_CONFIG at priority 7", "XIVE: priority 7 is reserved", 0,
                m -> m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 0, 0, 0, 7, 0)),
            c("H_INT_GET_QUEUE_INFO at priority 7", "XIVE: priority 7 is reserved", 0,
                m -> m.hcall(0, Hcalls.H_INT_GET_QUEUE_INFO, 0, 0, 7)),
            c("H_INT_SET_QUEUE_CONFIG at priority 7", "XIVE: priority 7 is reserved", 1,
                m -> m.hcall(1, Hcalls.H_INT_SET_QUEUE_CONFIG, 0, 0, 7, QPAGE, 16)),
            c("H_INT_GET_QUEUE_CONFIG at priority 7", "XIVE: priority 7 is reserved", 0,
                m -> m.hcall(0, Hcalls.H_INT_GET_QUEUE_CONFIG, 0, 0, 7)),
            c("H_INT_SET_QUEUE_CONFIG with qsize 13", "XIVE: invalid EQ size d", 0,
                m -> m.hcall(0, Hcalls.H_INT_SET_QUEUE_CONFIG, 0, 0, 6, QPAGE, 13)),
            c("H_INT_SET_QUEUE_CONFIG misaligned", "XIVE: EQ @0x1001000 is not naturally aligned with 0x10000", 0,
                m -> m.hcall(0, Hcalls.H_INT_SET_QUEUE_CONFIG, 0, 0, 6, QPAGE + 0x1000, 16)),
            c("H_INT_SET_QUEUE_CONFIG outside RAM", "XIVE: failed to map EQ @0x100000000000", 0,
                m -> m.hcall(0, Hcalls.H_INT_SET_QUEUE_CONFIG, 0, 0, 6, 0x1000_0000_0000L, 16)),
            c("ESB load on a trigger page", "XIVE: invalid load on IRQ 1 trigger page", 1,
                m -> m.load(1, trig(1), 8)),
            c("Store EOI, which sPAPR does not advertise", "XIVE: invalid Store EOI for IRQ 1", 0,
                m -> m.store(0, mgmt(1) + 0x400, 8, 0)),
            c("TIMA 1-byte raw load", "XIVE: invalid read access at TIMA @0x20010", 0,
                m -> m.load(0, OS + 0x10, 1)),
            c("TIMA raw store on the user ring", "XIVE: invalid write access at TIMA @0x30000", 1,
                m -> m.store(1, USER, 4, 0)),
            c("TIMA special load that is no op", "XIVE: invalid read access to TIMA @0x20820", 0,
                m -> m.load(0, OS + 0x820, 2)),
            c("TIMA special store that is no op", "XIVE: invalid write access at TIMA @0x20820", 0,
                m -> m.store(0, OS + 0x820, 1, 0)),
            c("pull of an OS context that is not valid (the first pull is fine)", "XIVE: pulling invalid NVT 0/400 !?", 0,
                m -> {
                    m.load(0, HV + 0x818, 4);
                    m.load(0, HV + 0x818, 4);
                }),
            c("push of an OS context naming no vCPU", "XIVE: no NVT 0/7ff", 0,
                m -> m.store(0, HV + 0x18, 4, 0x8000_07FFL)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errorPaths")
    void eachErrorPath_reportsOneGuestError_withQemusMessage_forTheCallingVcpu(String what, String message, int cpu,
                                                                              Consumer<Machine> action) {
        Machine m = casMachine(2);
        List<TraceEvent> errors = guestErrors(m);
        action.accept(m);
        assertEquals(1, errors.size(), what + ": " + errors);
        TraceEvent e = errors.get(0);
        String got = String.valueOf(e.fields().get("message"));
        assertTrue(got.startsWith(message), what + ": got \"" + got + "\"");
        assertEquals(cpu, e.cpu(), what + ": on behalf of the vCPU that did it");
    }
}
