package io.pseries.xics;

import static io.pseries.xics.XicsTestSupport.VTY;
import static io.pseries.xics.XicsTestSupport.guestErrors;
import static io.pseries.xics.XicsTestSupport.opened;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.pseries.core.Machine;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.trace.TraceEvent;

/**
 * Every path where a guest does something wrong to the XICS reports exactly one
 * {@code guest_error} event, with the message QEMU logs (hw/intc/xics_spapr.c, xics.c), on
 * behalf of the vCPU that did it. The answers are pinned by the hcall and RTAS tests.
 */
class XicsGuestErrorsTest {

    static Arguments c(String what, String message, int cpu, Consumer<Machine> action) {
        return Arguments.of(what, message, cpu, action);
    }

    static Stream<Arguments> errorPaths() {
        return Stream.of(
            c("H_IPI to an unknown server", "XICS: H_IPI to unknown server 0x7", 1,
                m -> m.hcall(1, Hcalls.H_IPI, 7, 5)),
            c("H_IPOLL of an unknown server", "XICS: H_IPOLL of unknown server 0x9", 0,
                m -> m.hcall(0, Hcalls.H_IPOLL, 9)),
            c("ibm,set-xive with a wrong count", "ibm,set-xive: takes 3 arguments and 1 returns, got 2 and 1", 0,
                m -> m.rtas(0, "ibm,set-xive", new int[] {VTY, 0}, 1)),
            c("ibm,get-xive outside the ICS", "ibm,get-xive: interrupt 0x2000 is outside the ICS [0x1000, 0x2000)", 1,
                m -> m.rtas(1, "ibm,get-xive", new int[] {0x2000}, 3)),
            c("ibm,int-off outside the ICS", "ibm,int-off: interrupt 0xfff is outside the ICS", 0,
                m -> m.rtas(0, "ibm,int-off", new int[] {0xFFF}, 1)),
            c("ibm,int-on with a wrong nret", "ibm,int-on: takes 1 arguments and 1 returns, got 1 and 2", 0,
                m -> m.rtas(0, "ibm,int-on", new int[] {VTY}, 2)),
            c("ibm,set-xive to an unknown server", "ibm,set-xive: unknown server 0x5", 1,
                m -> m.rtas(1, "ibm,set-xive", new int[] {VTY, 5, 5}, 1)),
            c("ibm,set-xive above priority 0xff", "ibm,set-xive: priority 0x100 > 0xff", 0,
                m -> m.rtas(0, "ibm,set-xive", new int[] {VTY, 1, 0x100}, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errorPaths")
    void eachErrorPath_reportsOneGuestError_withQemusMessage_forTheCallingVcpu(String what, String message, int cpu,
                                                                              Consumer<Machine> action) {
        Machine m = opened(2);
        List<TraceEvent> errors = guestErrors(m);
        action.accept(m);
        assertEquals(1, errors.size(), what + ": " + errors);
        String got = String.valueOf(errors.get(0).fields().get("message"));
        assertTrue(got.startsWith(message), what + ": got \"" + got + "\"");
        assertEquals(cpu, errors.get(0).cpu(), what);
    }

    @ParameterizedTest(name = "{0} after CAS chose XIVE")
    @MethodSource("gated")
    void afterCasChoseXive_eachXicsEntryPoint_reportsThatItIsForEmulatedXicsOnly(String func, Consumer<Machine> action) {
        Machine m = XicsTestSupport.dual(2);
        m.cas(GuestOv5.linuxVector(0x40));
        List<TraceEvent> errors = guestErrors(m);
        action.accept(m);
        assertEquals(1, errors.size(), func + ": " + errors);
        assertEquals("pseries: " + func + " must only be called for emulated XICS", errors.get(0).fields().get("message"));
    }

    static Stream<Arguments> gated() {
        return Stream.of(
            Arguments.of("h_ipi", (Consumer<Machine>) m -> m.hcall(0, Hcalls.H_IPI, 1, 5)),
            Arguments.of("h_ipoll", (Consumer<Machine>) m -> m.hcall(0, Hcalls.H_IPOLL, 1)),
            Arguments.of("rtas_set_xive", (Consumer<Machine>) m -> m.rtas(0, "ibm,set-xive", new int[] {VTY, 0, 5}, 1)),
            Arguments.of("rtas_int_on", (Consumer<Machine>) m -> m.rtas(0, "ibm,int-on", new int[] {VTY}, 1)));
    }
}
