package io.pseries.xics;

import static io.pseries.core.hcall.Hcalls.H_CPPR;
import static io.pseries.core.hcall.Hcalls.H_EOI;
import static io.pseries.core.hcall.Hcalls.H_IPI;
import static io.pseries.core.hcall.Hcalls.H_IPOLL;
import static io.pseries.core.hcall.Hcalls.H_XIRR;
import static io.pseries.core.hcall.Hcalls.H_XIRR_X;
import static io.pseries.core.hcall.PaprRc.H_HARDWARE;
import static io.pseries.core.hcall.PaprRc.H_PARAMETER;
import static io.pseries.core.hcall.PaprRc.H_SUCCESS;
import static io.pseries.xics.XicsTestSupport.VTY;
import static io.pseries.xics.XicsTestSupport.dual;
import static io.pseries.xics.XicsTestSupport.guestErrors;
import static io.pseries.xics.XicsTestSupport.icp;
import static io.pseries.xics.XicsTestSupport.messages;
import static io.pseries.xics.XicsTestSupport.ok;
import static io.pseries.xics.XicsTestSupport.opened;
import static io.pseries.xics.XicsTestSupport.setXive;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.trace.TraceEvent;

/**
 * The six XICS hcalls (facts §7.5, QEMU xics_spapr.c): argument handling with QEMU's C types,
 * the error codes, the outputs, and the gating once CAS negotiated XIVE (§9.9).
 */
class XicsHcallTest {

    @Test
    void registeredUnderTheirPaprNumbers_withTheirOutputCounts() {
        Machine m = opened(1);
        assertEquals(0x68, m.hcallOpcode("H_CPPR"));
        assertEquals(0x6C, m.hcallOpcode("H_IPI"));
        assertEquals(0x74, m.hcallOpcode("H_XIRR"));
        assertEquals(0x2FC, m.hcallOpcode("H_XIRR_X"));
        assertEquals(0x64, m.hcallOpcode("H_EOI"));
        assertEquals(0x70, m.hcallOpcode("H_IPOLL"));
        assertEquals(1, m.hcalls().lookup(H_XIRR).nret());
        assertEquals(2, m.hcalls().lookup(H_XIRR_X).nret());
        assertEquals(2, m.hcalls().lookup(H_IPOLL).nret());
        assertEquals(0, m.hcalls().lookup(H_CPPR).nret());
    }

    // ------------------------------------------------------------------ H_CPPR

    @ParameterizedTest(name = "H_CPPR(0x{0}) -> CPPR 0x{1}")
    @CsvSource({"ff, ff", "5, 5", "0, 0", "1ff, ff", "105, 5", "ffffffffffffff04, 4"})
    void hCppr_truncatesToEightBits(String arg, String cppr) {
        Machine m = opened(1);
        assertEquals(H_SUCCESS, m.hcall(0, H_CPPR, Long.parseUnsignedLong(arg, 16)).rc());
        assertEquals(Integer.parseInt(cppr, 16), icp(m).cppr(0));
    }

    @Test
    void hCppr_actsOnTheCallingCpu() {
        Machine m = opened(2);
        ok(m.hcall(1, H_CPPR, 5));
        assertEquals(0xFF, icp(m).cppr(0));
        assertEquals(5, icp(m).cppr(1));
    }

    // ------------------------------------------------------------------ H_IPI

    @Test
    void hIpi_setsTheTargetsMfrr_notTheCallers() {
        Machine m = opened(2);
        ok(m.hcall(0, H_IPI, 1, 4));
        assertEquals(0xFF, icp(m).mfrr(0));
        assertEquals(4, icp(m).mfrr(1));
        assertEquals(0xFF00_0002, icp(m).xirr(1));
    }

    @ParameterizedTest(name = "H_IPI(server 0x{0}) -> {1}")
    @CsvSource({"2, -4", "ffffffff, -4", "ffffffffffffffff, -4", "7fffffff, -4", "100000001, 0", "1, 0"})
    void hIpi_serverIsACIntLookedUpByVcpuId_unknownIsHParameter(String server, long rc) {
        Machine m = opened(2);
        List<TraceEvent> errors = guestErrors(m);
        assertEquals(rc, m.hcall(0, H_IPI, Long.parseUnsignedLong(server, 16), 4).rc());
        if (rc == 0) {
            assertEquals(4, icp(m).mfrr(1), "0x100000001 truncates to server 1");
        } else {
            assertEquals(0xFF, icp(m).mfrr(0));
            assertEquals(0xFF, icp(m).mfrr(1));
            assertEquals(1, errors.size());
        }
    }

    @Test
    void hIpi_mfrrTruncatesToEightBits() {
        Machine m = opened(1);
        ok(m.hcall(0, H_IPI, 0, 0x304));
        assertEquals(4, icp(m).mfrr(0));
    }

    // ------------------------------------------------------------------ H_XIRR, H_XIRR_X

    @Test
    void hXirr_returnsTheOldXirrZeroExtended_andSetsCpprToThePendingPriority() {
        Machine m = opened(1);
        setXive(m, VTY, 0, 5);
        m.irq(VTY).pulse();
        HcallResult r = m.hcall(0, H_XIRR, 0xFF);
        assertEquals(H_SUCCESS, r.rc());
        assertArrayEquals(new long[] {0xFF00_1100L}, r.rets());
        assertEquals(0x0500_0000, icp(m).xirr(0));
        assertFalse(m.cpu(0).osInterrupt());
    }

    @Test
    void hXirrX_returnsTheXirr_andTheTimebaseAt512MHz() {
        Machine m = opened(1);
        m.run(1_000_000);
        ok(m.hcall(0, H_IPI, 0, 4));
        HcallResult r = m.hcall(0, H_XIRR_X);
        assertEquals(H_SUCCESS, r.rc());
        assertEquals(0xFF00_0002L, r.rets()[0]);
        assertEquals(512_000L, r.rets()[1], "1 ms of virtual time = 512000 ticks of the 0x1e848000 Hz timebase");
        assertEquals(0x0400_0000, icp(m).xirr(0), "the accept happened");
        m.run(3_000_000_123L);
        assertEquals(SpaprXics.timebase(m.now()), m.hcall(0, H_XIRR_X).rets()[1]);
        assertEquals((m.now() * 64) / 125, SpaprXics.timebase(m.now()));
    }

    // ------------------------------------------------------------------ H_EOI

    @Test
    void hEoi_valueTruncatesTo32Bits() {
        Machine m = opened(1);
        ok(m.hcall(0, H_CPPR, 3));
        ok(m.hcall(0, H_EOI, 0x1_0500_0000L));
        assertEquals(5, icp(m).cppr(0));
    }

    @Test
    void hEoi_ofANumberOutsideTheIcs_onlySetsCppr() {
        Machine m = opened(1);
        ok(m.hcall(0, H_CPPR, 3));
        ok(m.hcall(0, H_EOI, 0xFF00_0002L));
        ok(m.hcall(0, H_EOI, 0xFF00_3000L));
        assertEquals(0xFF00_0000, icp(m).xirr(0));
    }

    // ------------------------------------------------------------------ H_IPOLL

    @Test
    void hIpoll_returnsTheTargetsXirrAndMfrr_withoutSideEffects() {
        Machine m = opened(2);
        ok(m.hcall(0, H_IPI, 1, 4));
        HcallResult r = m.hcall(0, H_IPOLL, 1);
        assertEquals(H_SUCCESS, r.rc());
        assertArrayEquals(new long[] {0xFF00_0002L, 4}, r.rets());
        assertEquals(0xFF00_0002, icp(m).xirr(1), "nothing accepted");
        assertTrue(m.cpu(1).osInterrupt(), "line still up");
        assertArrayEquals(new long[] {0xFF00_0000L, 0xFF}, m.hcall(1, H_IPOLL, 0).rets());
    }

    @ParameterizedTest(name = "H_IPOLL(server 0x{0}) -> H_PARAMETER")
    @CsvSource({"2", "ffffffff", "100000002"})
    void hIpoll_unknownServer_isHParameter(String server) {
        Machine m = opened(2);
        assertEquals(H_PARAMETER, m.hcall(0, H_IPOLL, Long.parseUnsignedLong(server, 16)).rc());
    }

    // ------------------------------------------------------------------ gating (dual mode)

    static Stream<Arguments> allHcalls() {
        return Stream.of(
            Arguments.of("h_cppr", H_CPPR, new long[] {0xFF}),
            Arguments.of("h_ipi", H_IPI, new long[] {1, 4}),
            Arguments.of("h_xirr", H_XIRR, new long[] {0xFF}),
            Arguments.of("h_xirr_x", H_XIRR_X, new long[] {}),
            Arguments.of("h_eoi", H_EOI, new long[] {0xFF00_0000L}),
            Arguments.of("h_ipoll", H_IPOLL, new long[] {1}));
    }

    @Nested
    class Dual {
        final Machine m = dual(2);

        @ParameterizedTest(name = "{0} before CAS: XICS is active and answers")
        @MethodSource("io.pseries.xics.XicsHcallTest#allHcalls")
        void beforeCas_xicsHcallsWork(String func, int opcode, long[] args) {
            assertEquals("xics", m.icMode());
            assertEquals(H_SUCCESS, m.hcall(0, opcode, args).rc(), func);
        }

        @ParameterizedTest(name = "{0} after CAS chose XIVE -> H_HARDWARE and a guest error")
        @MethodSource("io.pseries.xics.XicsHcallTest#allHcalls")
        void afterCasChoseXive_everyXicsHcallIsHHardware(String func, int opcode, long[] args) {
            m.cas(GuestOv5.linuxVector(0x40));
            assertEquals("xive", m.icMode());
            List<TraceEvent> errors = guestErrors(m);
            assertEquals(H_HARDWARE, m.hcall(0, opcode, args).rc(), func);
            assertEquals(List.of("pseries: " + func + " must only be called for emulated XICS"), messages(errors));
        }

        @Test
        void afterCasChoseXive_gatedHcallsChangeNothing_butHXirrStillAccepts_asQemu() {
            ok(m.hcall(0, H_CPPR, 0xFF));
            ok(m.hcall(0, H_IPI, 0, 4));
            m.cas(GuestOv5.linuxVector(0x40));
            assertEquals(H_HARDWARE, m.hcall(0, H_CPPR, 3).rc());
            assertEquals(H_HARDWARE, m.hcall(0, H_IPI, 1, 4).rc());
            assertEquals(H_HARDWARE, m.hcall(0, H_EOI, 0x0500_0000L).rc());
            assertEquals(0xFF00_0002, icp(m).xirr(0));
            assertEquals(0xFF, icp(m).mfrr(1));
            // QEMU's h_xirr calls icp_accept before its check: the (unused) ICP still accepts
            HcallResult r = m.hcall(0, H_XIRR, 0xFF);
            assertEquals(H_HARDWARE, r.rc());
            assertEquals(0xFF, r.rets()[0], "R4 keeps the caller's value");
            assertEquals(0x0400_0000, icp(m).xirr(0));
            assertFalse(m.cpu(0).osInterrupt(), "an inactive controller never drives the CPU");
        }

        @Test
        void afterCasChoseXics_hcallsWork_andAfterResetAgain() {
            m.cas(GuestOv5.linuxVector(0x00));
            assertEquals("xics", m.icMode());
            ok(m.hcall(0, H_CPPR, 0xFF));
            m.cas(GuestOv5.linuxVector(0x40));
            assertEquals(H_HARDWARE, m.hcall(0, H_CPPR, 0xFF).rc());
            m.reset();
            assertEquals("xics", m.icMode(), "dual mode starts in XICS after a reset");
            ok(m.hcall(0, H_CPPR, 0xFF));
        }

        @Test
        void afterCasChoseXive_deviceLinesGoToXive_notToTheIcs() {
            ok(m.hcall(0, H_CPPR, 0xFF));
            setXive(m, VTY, 0, 5);
            m.cas(GuestOv5.linuxVector(0x40));
            m.irq(VTY).pulse();
            assertEquals(0, icp(m).xisr(0));
            assertEquals(0, XicsTestSupport.ics(m).status(VTY - Ics.OFFSET));
        }

        @Test
        void aPendingIcpOutput_followsTheActiveController() {
            ok(m.hcall(0, H_CPPR, 0xFF));
            ok(m.hcall(0, H_IPI, 0, 4));
            assertTrue(m.cpu(0).osInterrupt());
            m.cas(GuestOv5.linuxVector(0x40));
            assertFalse(m.cpu(0).osInterrupt(), "XICS no longer drives the CPU");
            assertEquals(0xFF00_0002, icp(m).xirr(0), "its state is kept");
            m.cas(GuestOv5.linuxVector(0x00));
            assertEquals("xics", m.icMode());
            assertTrue(m.cpu(0).osInterrupt(), "activation re-applies the ICP output");
        }
    }
}
