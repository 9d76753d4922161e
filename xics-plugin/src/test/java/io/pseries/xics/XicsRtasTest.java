package io.pseries.xics;

import static io.pseries.xics.XicsTestSupport.VTY;
import static io.pseries.xics.XicsTestSupport.dual;
import static io.pseries.xics.XicsTestSupport.guestErrors;
import static io.pseries.xics.XicsTestSupport.ics;
import static io.pseries.xics.XicsTestSupport.messages;
import static io.pseries.xics.XicsTestSupport.opened;
import static io.pseries.xics.XicsTestSupport.setXive;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.pseries.core.Machine;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.dt.DtNode;
import io.pseries.core.rtas.RtasResult;
import io.pseries.core.trace.TraceEvent;

/**
 * The XICS RTAS calls (facts §7.6, QEMU xics_spapr.c): every check in QEMU's order (XIVE
 * negotiated -1; nargs/nret -3; interrupt number -3; set-xive server and priority -3), the
 * outputs of get-xive and the effects of set-xive, int-off and int-on.
 */
class XicsRtasTest {
    final Machine m = opened(4);

    private RtasResult call(String name, int nret, int... args) {
        return m.rtas(0, name, args, nret);
    }

    /** Each call with arguments that succeed, and its nret. */
    static Stream<Arguments> allCalls() {
        return Stream.of(
            Arguments.of("ibm,set-xive", "rtas_set_xive", 1, new int[] {VTY, 1, 5}),
            Arguments.of("ibm,get-xive", "rtas_get_xive", 3, new int[] {VTY}),
            Arguments.of("ibm,int-off", "rtas_int_off", 1, new int[] {VTY}),
            Arguments.of("ibm,int-on", "rtas_int_on", 1, new int[] {VTY}));
    }

    @Test
    void tokensAreQemus_andListedUnderRtas() {
        DtNode rtas = m.deviceTree().child("rtas");
        assertArrayEquals(new long[] {0x200a}, rtas.cells("ibm,set-xive"));
        assertArrayEquals(new long[] {0x200b}, rtas.cells("ibm,get-xive"));
        assertArrayEquals(new long[] {0x200c}, rtas.cells("ibm,int-off"));
        assertArrayEquals(new long[] {0x200d}, rtas.cells("ibm,int-on"));
    }

    @ParameterizedTest(name = "{0} succeeds")
    @MethodSource("allCalls")
    void eachCall_withGoodArguments_succeeds(String name, String func, int nret, int[] args) {
        assertEquals(0, call(name, nret, args).status());
    }

    @ParameterizedTest(name = "{0} with one argument too many -> -3")
    @MethodSource("allCalls")
    void eachCall_wrongNargs_isParamError(String name, String func, int nret, int[] args) {
        int[] more = java.util.Arrays.copyOf(args, args.length + 1);
        List<TraceEvent> errors = guestErrors(m);
        assertEquals(-3, call(name, nret, more).status());
        assertEquals(-3, call(name, nret, java.util.Arrays.copyOf(args, args.length - 1)).status());
        assertEquals(2, errors.size());
        assertTrue(messages(errors).get(0).startsWith(name + ": takes"), messages(errors).toString());
    }

    @ParameterizedTest(name = "{0} with nret+1 and nret-1 -> -3")
    @MethodSource("allCalls")
    void eachCall_wrongNret_isParamError(String name, String func, int nret, int[] args) {
        List<TraceEvent> errors = guestErrors(m);
        assertEquals(-3, call(name, nret + 1, args).status());
        RtasResult r = call(name, nret - 1, args);
        if (nret - 1 > 0) {
            assertEquals(-3, r.status());
            assertEquals(nret - 2, r.rets().length);
        } else {
            // nret 0: the buffer has no status word, so nothing at all is written back
            assertEquals(0, r.status(), "no status word to carry -3");
            assertEquals(0, r.rets().length);
        }
        assertEquals(2, errors.size(), "each wrong count is reported: " + messages(errors));
        assertTrue(messages(errors).get(1).startsWith(name + ": takes"), messages(errors).toString());
        assertEquals(0xFF, ics(m).priority(VTY - Ics.OFFSET), "nothing was written, even when the status had no room");
        assertEquals(0xFF, ics(m).savedPriority(VTY - Ics.OFFSET));
        assertEquals(0, ics(m).server(VTY - Ics.OFFSET));
    }

    @ParameterizedTest(name = "{0}(irq 0x{4}) -> -3")
    @MethodSource("badIrqs")
    void eachCall_irqOutsideTheIcs_isParamError(String name, String func, int nret, int[] args, String irq) {
        int[] a = args.clone();
        a[0] = (int) Long.parseLong(irq, 16);
        assertEquals(-3, call(name, nret, a).status());
    }

    static Stream<Arguments> badIrqs() {
        return allCalls().flatMap(a -> Stream.of("0", "2", "fff", "2000", "ffffffff").map(irq ->
            Arguments.of(a.get()[0], a.get()[1], a.get()[2], a.get()[3], irq)));
    }

    @Test
    void theIrqCheck_comesAfterTheCountCheck() {
        List<TraceEvent> errors = guestErrors(m);
        assertEquals(-3, call("ibm,get-xive", 1, 0x42).status());
        assertTrue(messages(errors).get(0).contains("takes 1 arguments and 3 returns"), messages(errors).toString());
    }

    @ParameterizedTest(name = "ibm,set-xive(server 0x{0}) -> {1}")
    @CsvSource({"0, 0", "3, 0", "4, -3", "ffffffff, -3", "80000000, -3"})
    void setXive_unknownServer_isParamError(String server, int status) {
        assertEquals(status, call("ibm,set-xive", 1, VTY, (int) Long.parseLong(server, 16), 5).status());
    }

    @ParameterizedTest(name = "ibm,set-xive(priority 0x{0}) -> {1}")
    @CsvSource({"0, 0", "ff, 0", "100, -3", "ffffffff, -3"})
    void setXive_priorityAbove0xFF_isParamError(String prio, int status) {
        assertEquals(status, call("ibm,set-xive", 1, VTY, 2, (int) Long.parseLong(prio, 16)).status());
        assertEquals(status == 0 ? Integer.parseInt(prio, 16) : 0xFF, ics(m).priority(VTY - Ics.OFFSET));
    }

    @Test
    void setXive_storesServerPriorityAndSavedPriority() {
        setXive(m, VTY, 3, 7);
        int s = VTY - Ics.OFFSET;
        assertEquals(3, ics(m).server(s));
        assertEquals(7, ics(m).priority(s));
        assertEquals(7, ics(m).savedPriority(s));
    }

    @Test
    void setXive_onAnUnclaimedNumber_isAccepted_asQemu() {
        assertEquals(0, call("ibm,set-xive", 1, 0x1fff, 1, 5).status());
        assertArrayEquals(new int[] {1, 5}, call("ibm,get-xive", 3, 0x1fff).rets());
        assertTrue(!ics(m).isClaimed(0xfff));
    }

    @Test
    void getXive_returnsStatusServerAndTheCurrentPriority() {
        RtasResult r = call("ibm,get-xive", 3, VTY);
        assertEquals(0, r.status());
        assertArrayEquals(new int[] {0, 0xFF}, r.rets(), "reset: server 0, masked");
        setXive(m, VTY, 2, 5);
        assertArrayEquals(new int[] {2, 5}, call("ibm,get-xive", 3, VTY).rets());
        call("ibm,int-off", 1, VTY);
        assertArrayEquals(new int[] {2, 0xFF}, call("ibm,get-xive", 3, VTY).rets(), "the current priority, not the saved one");
    }

    @Test
    void getXive_wrongCount_writesNoOutputs() {
        setXive(m, VTY, 2, 5);
        RtasResult r = call("ibm,get-xive", 4, VTY);
        assertEquals(-3, r.status());
        assertArrayEquals(new int[] {0, 0, 0}, r.rets());
    }

    @Test
    void intOff_keepsServer_savesCurrentPriority() {
        setXive(m, VTY, 3, 6);
        assertEquals(0, call("ibm,int-off", 1, VTY).status());
        int s = VTY - Ics.OFFSET;
        assertEquals(3, ics(m).server(s));
        assertEquals(0xFF, ics(m).priority(s));
        assertEquals(6, ics(m).savedPriority(s));
        assertEquals(0, call("ibm,int-on", 1, VTY).status());
        assertEquals(6, ics(m).priority(s));
        assertEquals(6, ics(m).savedPriority(s));
        assertEquals(3, ics(m).server(s));
    }

    @Nested
    class Dual {
        final Machine d = dual(2);

        @ParameterizedTest(name = "{0} after CAS chose XIVE -> -1 and a guest error")
        @MethodSource("io.pseries.xics.XicsRtasTest#allCalls")
        void afterCasChoseXive_everyCallIsHwError(String name, String func, int nret, int[] args) {
            assertEquals(0, d.rtas(0, name, args, nret).status(), "before CAS XICS serves RTAS");
            d.cas(GuestOv5.linuxVector(0x40));
            List<TraceEvent> errors = guestErrors(d);
            assertEquals(-1, d.rtas(0, name, args, nret).status());
            assertEquals(List.of("pseries: " + func + " must only be called for emulated XICS"), messages(errors));
        }

        @ParameterizedTest(name = "{0} after CAS chose XIVE, even with bad counts -> -1 first")
        @MethodSource("io.pseries.xics.XicsRtasTest#allCalls")
        void afterCasChoseXive_theGatingComesFirst(String name, String func, int nret, int[] args) {
            d.cas(GuestOv5.linuxVector(0x40));
            assertEquals(-1, d.rtas(0, name, new int[] {0}, nret + 1).status());
        }

        @Test
        void afterCasChoseXive_theTokensStayInTheTree_asQemu() {
            d.cas(GuestOv5.linuxVector(0x40));
            assertArrayEquals(new long[] {0x200a}, d.deviceTree().child("rtas").cells("ibm,set-xive"));
        }

        @Test
        void afterCasChoseXive_setXiveChangesNothing() {
            d.cas(GuestOv5.linuxVector(0x40));
            d.rtas(0, "ibm,set-xive", new int[] {VTY, 1, 5}, 1);
            assertEquals(0xFF, ics(d).priority(VTY - Ics.OFFSET));
        }
    }
}
