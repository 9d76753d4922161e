package io.pseries.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.pseries.core.cas.CasException;
import io.pseries.core.cas.CasResult;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.cas.OptionVector;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.dt.DtNode;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.irq.IrqLine;
import io.pseries.core.mem.MmioHandler;
import io.pseries.core.mem.MmioRegion;
import io.pseries.core.rtas.RtasResult;
import io.pseries.core.rtas.RtasStatus;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * The machine's guest ABI and lifecycle, with fake interrupt controllers (core-machine has no
 * controller plugin): hcall and RTAS dispatch, KVMPPC_H_RTAS, loads and stores, CAS and reset.
 */
class MachineTest {

    /** QEMU 7.2's answers (shared/reference/qemu-dt/dual_smp4_after_cas_{xive,xics}.dts). */
    private static final byte[] QEMU_VEC5_XIVE = bytes(0x19, 0x00, 0x20, 0x00, 0x00, 0xa0, 0x05, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0x80, 0x40, 0x40, 0x00, 0x40);
    private static final byte[] QEMU_VEC5_XICS = bytes(0x19, 0x00, 0x20, 0x00, 0x00, 0xa0, 0x05, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0x80, 0x00, 0x40, 0x00, 0x40);

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private static List<TraceEvent> record(Machine m, TraceCategory c) {
        List<TraceEvent> l = new ArrayList<>();
        m.on(c, l::add);
        return l;
    }

    private static String message(TraceEvent e) {
        return String.valueOf(e.fields().get("message"));
    }

    // ================================================================== creation and wiring

    @Nested
    class Creation {
        @Test
        void dualModeCreatesBothControllersLegacyFirst() {
            Machine m = FakeIntc.machine(2, "dual");
            assertEquals(List.of("xics", "xive"), m.controllers().stream().map(c -> c.name()).toList());
        }

        @Test
        void dualModeStartsInXics() {
            // facts 9.7: "In dual mode the machine therefore always starts in XICS until CAS"
            Machine m = FakeIntc.machine(2, "dual");
            assertEquals("xics", m.icMode());
            assertTrue(m.isActive(m.controller("xics")));
            assertFalse(m.isActive(m.controller("xive")));
            assertEquals(1, FakeIntc.of(m, "xics").activations);
            assertEquals(0, FakeIntc.of(m, "xive").activations);
        }

        @Test
        void xiveOnlyStartsInXive() {
            Machine m = FakeIntc.machine(1, "xive");
            assertEquals("xive", m.icMode());
            assertEquals(1, m.controllers().size());
            assertNull(m.controller("xics"));
        }

        @Test
        void everyControllerLearnsEveryCpu() {
            Machine m = FakeIntc.machine(3, "dual");
            assertEquals(List.of(0, 1, 2), FakeIntc.of(m, "xics").cpus);
            assertEquals(List.of(0, 1, 2), FakeIntc.of(m, "xive").cpus);
        }

        @Test
        void eventSourcesAndVioClaimTheirQemuNumbersInEveryController() {
            Machine m = FakeIntc.machine(MachineConfig.builder().device("spapr-nvram", Map.of())
                .device("spapr-vlan", Map.of()).build());
            // qemu-observed "IRQ numbers": EPOW 0x1000, hot-plug 0x1001, vty 0x1100, nvram 0x1101, l-lan 0x1102,
            // and the default PHB's LSIs 0x1200-0x1203 (level)
            Map<Integer, Boolean> expected = Map.of(0x1000, false, 0x1001, false, 0x1100, false, 0x1101, false, 0x1102, false,
                0x1200, true, 0x1201, true, 0x1202, true, 0x1203, true);
            assertEquals(expected, FakeIntc.of(m, "xics").claims);
            assertEquals(expected, FakeIntc.of(m, "xive").claims);
            assertArrayEquals(new int[] {0x1000, 0x1001, 0x1100, 0x1101, 0x1102, 0x1200, 0x1201, 0x1202, 0x1203},
                m.irqSpace().claimedIrqs());
            assertEquals("spapr-vty vty@71000000", m.irq(0x1100).driver());
        }

        @Test
        void controllersExistBeforeCpusAndCpusBeforeDevices() {
            Machine m = FakeIntc.machine(2, "xics");
            List<String> log = FakeIntc.of(m, "xics").log;
            assertTrue(log.indexOf("cpu 1") < log.indexOf("claim 0x1000 msi"), log.toString());
        }

        @Test
        void onlyTheBootCpuRunsAfterCreation() {
            Machine m = FakeIntc.machine(4, "dual");
            assertTrue(m.cpu(0).running());
            for (int i = 1; i < 4; i++) {
                assertFalse(m.cpu(i).running(), "cpu " + i);
            }
            assertEquals(0, m.resetCount(), "the creation reset is not counted");
        }

        @Test
        void vcpuIdsEqualIndicesWithOneThreadPerCore() {
            Machine m = FakeIntc.machine(4, "dual");
            for (int i = 0; i < 4; i++) {
                assertEquals(i, m.cpu(i).vcpuId());
                assertSame(m.cpu(i), m.cpuByVcpuId(i));
            }
            assertNull(m.cpuByVcpuId(4));
            assertNull(m.cpuByVcpuId(-1));
            assertEquals(4, m.nrServers());
        }

        @Test
        void machineOv5HasXiveExploitOnlyWithAnXiveBackend() {
            // facts 9.3
            assertEquals(0x40, FakeIntc.machine(1, "dual").ov5().getByte(23));
            assertEquals(0x40, FakeIntc.machine(1, "xive").ov5().getByte(23));
            assertEquals(0x00, FakeIntc.machine(1, "xics").ov5().getByte(23));
        }
    }

    // ================================================================== cpus

    @Test
    void cpuOutOfRangeNamesTheValidIndices() {
        Machine m = FakeIntc.machine(4, "dual");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.cpu(4));
        assertEquals("cpu 4 does not exist: the machine has 4 vCPUs (0..3)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.cpu(-1));
        assertThrows(IllegalArgumentException.class, () -> m.hcall(7, 0x64));
        assertThrows(IllegalArgumentException.class, () -> m.load(4, 0, 4));
    }

    @Test
    void cpuOutOfRangeOnASingleCpuMachine() {
        Machine m = FakeIntc.machine(1, "dual");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.cpu(1));
        assertEquals("cpu 1 does not exist: the machine has 1 vCPU (0)", e.getMessage());
    }

    // ================================================================== interrupt lines

    @Nested
    class Lines {
        private final Machine m = FakeIntc.machine(2, "dual");
        private final FakeIntc xics = FakeIntc.of(m, "xics");
        private final FakeIntc xive = FakeIntc.of(m, "xive");

        @Test
        void claimGoesToEveryController() {
            IrqLine l = m.claimIrq(0x1210, true, "a second PHB's INTA");
            assertTrue(l.lsi());
            assertEquals(Boolean.TRUE, xics.claims.get(0x1210));
            assertEquals(Boolean.TRUE, xive.claims.get(0x1210));
            assertTrue(m.irqSpace().isLsi(0x1210));
            assertSame(l, m.irq(0x1210));
        }

        @Test
        void doubleClaimIsRefusedBeforeAnyControllerSeesIt() {
            int before = xics.logged("claim").size();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.claimIrq(0x1100, false, "again"));
            assertEquals("IRQ 4352 (0x1100) is not free", e.getMessage());
            assertEquals(before, xics.logged("claim").size());
            assertEquals("spapr-vty vty@71000000", m.irq(0x1100).driver(), "the first owner keeps the line");
        }

        @Test
        void claimOutsideTheDeviceRangeIsRefused() {
            assertThrows(IllegalArgumentException.class, () -> m.claimIrq(0x0005, false, "ipi?"));
            assertThrows(IllegalArgumentException.class, () -> m.claimIrq(0x2000, false, "too high"));
            assertTrue(xive.logged("claim 0x5").isEmpty());
        }

        @Test
        void freeGoesToEveryControllerAndAllowsAReclaim() {
            m.claimIrq(0x1300, false, "msi");
            m.freeIrq(0x1300);
            assertFalse(xics.claims.containsKey(0x1300));
            assertFalse(xive.claims.containsKey(0x1300));
            assertTrue(xive.log.contains("free 0x1300"));
            assertThrows(IllegalArgumentException.class, () -> m.irq(0x1300));
            m.claimIrq(0x1300, true, "again");
            assertTrue(m.irqSpace().isLsi(0x1300));
        }

        @Test
        void freeingAnUnclaimedNumberIsRefused() {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.freeIrq(0x1234));
            assertEquals("IRQ 0x1234 is not claimed", e.getMessage());
        }

        @Test
        void unknownLineNamesTheClaimedOnes() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.irq(0x1105));
            assertEquals("IRQ 4357 (0x1105) is not a claimed device interrupt; claimed: 0x1000, 0x1001, 0x1100, 0x1200,"
                + " 0x1201, 0x1202, 0x1203", e.getMessage());
        }

        @Test
        void levelChangesReachOnlyTheActiveController() {
            m.irq(0x1100).pulse();
            assertEquals(List.of("setIrq 0x1100 1", "setIrq 0x1100 0"), xics.logged("setIrq"));
            assertTrue(xive.logged("setIrq").isEmpty());
        }

        @Test
        void raisedLinesAreListed() {
            m.irq(0x1001).raise();
            assertArrayEquals(new int[] {0x1001}, m.raisedLines());
            m.irq(0x1001).lower();
            assertArrayEquals(new int[0], m.raisedLines());
        }
    }

    // ================================================================== hcalls

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
        assertEquals("unknown hcall 'KVMPPC_H_RTA' (did you mean 'KVMPPC_H_RTAS'?); known: KVMPPC_H_RTAS", e.getMessage());
    }

    // ================================================================== RTAS

    @Nested
    class Rtas {
        private final Machine m = FakeIntc.machine(MachineConfig.builder().cpus(4).build());
        private final List<TraceEvent> errors = record(m, TraceCategory.GUEST_ERROR);

        private RtasResult call(String name, int nret, int... args) {
            return m.rtas(0, name, args, nret);
        }

        @Test
        void tokensAreQemus() {
            DtNode rtas = m.deviceTree().child("rtas");
            // qemu-dt/xics_smp4.dts /rtas
            assertArrayEquals(new long[] {0x2000}, rtas.cells("display-character"));
            assertArrayEquals(new long[] {0x2001}, rtas.cells("get-time-of-day"));
            assertArrayEquals(new long[] {0x2005}, rtas.cells("query-cpu-stopped-state"));
            assertArrayEquals(new long[] {0x2006}, rtas.cells("start-cpu"));
            assertArrayEquals(new long[] {0x2007}, rtas.cells("stop-self"));
            assertArrayEquals(new long[] {0x201f}, rtas.cells("ibm,os-term"));
            assertFalse(rtas.has("ibm,set-xive"), "the fake controllers register no XICS call");
            assertArrayEquals(new long[] {0, 0, 0, 0x10000000L, 4}, rtas.cells("ibm,lrdr-capacity"));
        }

        @Test
        void unknownNameThrowsWithASuggestion() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> call("display-charater", 1, 'x'));
            assertEquals("unknown RTAS call 'display-charater' (did you mean 'display-character'?)", e.getMessage());
        }

        @Test
        void aQemuCallThisMachineLacksIsSaidSo() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> call("ibm,set-xive", 1, 0x1100, 0, 5));
            assertTrue(e.getMessage().startsWith("unknown RTAS call 'ibm,set-xive'"), e.getMessage());
            assertTrue(e.getMessage().endsWith("(this machine does not provide it)"), e.getMessage());
        }

        @Test
        void unknownTokenIsAParameterErrorAndAGuestError() {
            RtasResult r = m.rtasByToken(m.cpu(1), 0x1234, new int[] {1, 2}, 1);
            assertEquals(-3, r.status());
            assertEquals(1, errors.size());
            assertEquals("Unknown RTAS token 0x1234", message(errors.get(0)));
            assertEquals(1, errors.get(0).cpu());
            assertEquals(1, m.trace().guestErrorCount());
        }

        @Test
        void displayCharacterPrintsOneCharacter() {
            assertEquals(0, call("display-character", 1, 'o').status());
            assertEquals(0, call("display-character", 1, 'k').status());
            assertEquals("ok", m.console());
        }

        @Test
        void displayCharacterChecksItsArgumentCounts() {
            assertEquals(RtasStatus.PARAM_ERROR, call("display-character", 1).status());
            assertEquals(-3, call("display-character", 1, 'a', 'b').status());
            assertEquals(-3, call("display-character", 2, 'a').status());
            assertEquals("", m.console());
        }

        @Test
        void getTimeOfDayChecksItsArgumentCounts() {
            assertEquals(-3, call("get-time-of-day", 8, 0).status());
            assertEquals(-3, call("get-time-of-day", 7).status());
        }

        @Test
        void getTimeOfDayCountsVirtualTimeFrom2026() {
            RtasResult r = call("get-time-of-day", -1);
            assertEquals(0, r.status());
            assertArrayEquals(new int[] {2026, 1, 1, 0, 0, 0, 0}, r.rets());
            m.run(61_500_000_000L);
            assertArrayEquals(new int[] {2026, 1, 1, 0, 1, 1, 500_000_000}, call("get-time-of-day", 8).rets());
        }

        @Test
        void setTimeOfDayMovesTheClockTheGuestSees() {
            assertEquals(0, call("set-time-of-day", 1, 2030, 6, 15, 12, 30, 45, 0).status());
            m.run(2_000_000_000L);
            assertArrayEquals(new int[] {2030, 6, 15, 12, 30, 47, 0}, call("get-time-of-day", 8).rets());
            assertEquals(-3, call("set-time-of-day", 1, 2030, 13, 1, 0, 0, 0, 0).status(), "month 13");
            assertEquals(-3, call("set-time-of-day", 1, 2030).status());
        }

        @Test
        void startCpuChecksItsArgumentCounts() {
            assertEquals(-3, call("start-cpu", 1, 1, 0x10000).status());
            assertEquals(-3, call("start-cpu", 2, 1, 0x10000, 1).status());
            assertFalse(m.cpu(1).running());
        }

        @Test
        void startCpuOfAnUnknownCpuIsAParameterError() {
            assertEquals(-3, call("start-cpu", 1, 4, 0x10000, 4).status());
        }

        @Test
        void startCpuStartsAStoppedCpu() {
            assertEquals(0, call("start-cpu", 1, 2, 0x10000, 2).status());
            assertTrue(m.cpu(2).running());
            assertFalse(m.cpu(1).running());
        }

        @Test
        void startCpuOfARunningCpuIsAHardwareError() {
            // QEMU rtas_start_cpu: "if (!CPU(newcpu)->halted) RTAS_OUT_HW_ERROR"
            assertEquals(-1, call("start-cpu", 1, 0, 0x10000, 0).status());
            assertEquals(0, call("start-cpu", 1, 1, 0x10000, 1).status());
            assertEquals(-1, call("start-cpu", 1, 1, 0x10000, 1).status());
        }

        @Test
        void queryCpuStoppedStateSaysZeroForStoppedAndTwoForRunning() {
            RtasResult stopped = call("query-cpu-stopped-state", 2, 3);
            assertEquals(0, stopped.status());
            assertArrayEquals(new int[] {0}, stopped.rets());
            assertArrayEquals(new int[] {2}, call("query-cpu-stopped-state", 2, 0).rets());
            call("start-cpu", 1, 3, 0x10000, 3);
            assertArrayEquals(new int[] {2}, call("query-cpu-stopped-state", 2, 3).rets());
        }

        @Test
        void queryCpuStoppedStateChecksItsArguments() {
            assertEquals(-3, call("query-cpu-stopped-state", 2).status());
            assertEquals(-3, call("query-cpu-stopped-state", 1, 0).status());
            assertEquals(-3, call("query-cpu-stopped-state", 2, 9).status(), "no such cpu");
        }

        @Test
        void stopSelfStopsTheCallingCpu() {
            call("start-cpu", 1, 1, 0x10000, 1);
            assertEquals(0, m.rtas(1, "stop-self", new int[0], 1).status());
            assertFalse(m.cpu(1).running());
            assertArrayEquals(new int[] {0}, call("query-cpu-stopped-state", 2, 1).rets());
        }

        @Test
        void powerOffAndOsTerm() {
            assertEquals(-3, call("power-off", 1, 0).status());
            assertFalse(m.poweredOff());
            assertEquals(0, call("power-off", 1, 0, 0).status());
            assertTrue(m.poweredOff());
            assertEquals(0, call("ibm,os-term", 1, 0x1000).status());
            assertEquals("os-term", m.osTerm());
        }

        @Test
        void systemRebootResetsOnceTheCallHasReturned() {
            call("start-cpu", 1, 1, 0x10000, 1);
            assertEquals(0, call("system-reboot", 1).status());
            assertEquals(0, m.resetCount(), "not during the call");
            assertTrue(m.cpu(1).running());
            m.run(0);
            assertEquals(1, m.resetCount());
            assertFalse(m.cpu(1).running());
        }

        @Test
        void eventScanAndCheckExceptionFindNothing() {
            assertEquals(RtasStatus.NO_ERRORS_FOUND, call("event-scan", 1, 0, 0, 0, 0).status());
            assertEquals(-3, call("event-scan", 1, 0).status());
            assertEquals(1, call("check-exception", 1, 0, 0, 0, 0, 0, 0).status());
            assertEquals(1, call("check-exception", 1, 0, 0, 0, 0, 0, 0, 0).status());
            assertEquals(-3, call("check-exception", 1, 0, 0, 0, 0, 0).status());
        }

        @Test
        void rtasCallsAreTraced() {
            List<TraceEvent> rtas = record(m, TraceCategory.RTAS);
            call("query-cpu-stopped-state", 2, 1);
            assertEquals(1, rtas.size());
            assertEquals("query-cpu-stopped-state", rtas.get(0).name());
            assertEquals(0x2005, rtas.get(0).fields().get("token"));
            assertEquals(List.of(1L), rtas.get(0).fields().get("args"));
            assertEquals(List.of(0L), rtas.get(0).fields().get("rets"));
        }
    }

    // ================================================================== KVMPPC_H_RTAS

    @Nested
    class HRtas {
        private final Machine m = FakeIntc.machine(MachineConfig.builder().cpus(2).build());
        private final List<TraceEvent> errors = record(m, TraceCategory.GUEST_ERROR);
        private static final long BUF = 0x20000;

        /** Lays out an RTAS argument buffer: token, nargs, nret, args, then nret words of 0xdeadbeef. */
        private void buffer(int token, int nret, int... args) {
            var mem = m.memory();
            mem.write32(BUF, token);
            mem.write32(BUF + 4, args.length);
            mem.write32(BUF + 8, nret);
            for (int i = 0; i < args.length; i++) {
                mem.write32(BUF + 12 + 4L * i, args[i]);
            }
            for (int i = 0; i < nret; i++) {
                mem.write32(BUF + 12 + 4L * (args.length + i), 0xdeadbeef);
            }
        }

        private long ret(int nargs, int i) {
            return m.memory().read32(BUF + 12 + 4L * (nargs + i)) & 0xffff_ffffL;
        }

        @Test
        void readsTheBufferCallsByTokenAndWritesTheRetsBack() {
            buffer(0x2005, 2, 1); // query-cpu-stopped-state(cpu 1)
            HcallResult r = m.hcall(0, Hcalls.KVMPPC_H_RTAS, BUF);
            assertEquals(PaprRc.H_SUCCESS, r.rc());
            assertEquals(0, r.rets().length);
            assertEquals(0, ret(1, 0), "status");
            assertEquals(0, ret(1, 1), "stopped");

            buffer(0x2006, 1, 1, 0x10000, 1); // start-cpu(1, entry, r3)
            assertEquals(0, m.hcall(0, Hcalls.KVMPPC_H_RTAS, BUF).rc());
            assertEquals(0, ret(3, 0));
            assertTrue(m.cpu(1).running());

            buffer(0x2005, 2, 1);
            m.hcall(0, Hcalls.KVMPPC_H_RTAS, BUF);
            assertEquals(2, ret(1, 1), "running");
        }

        @Test
        void retsAreBigEndian32BitWords() {
            buffer(0x2001, 8); // get-time-of-day
            m.hcall(0, Hcalls.KVMPPC_H_RTAS, BUF);
            assertArrayEquals(bytes(0, 0, 0, 0, 0, 0, 0x07, 0xea, 0, 0, 0, 1, 0, 0, 0, 1),
                m.memory().readBytes(BUF + 12, 16), "status 0, year 2026 = 0x7ea, month 1, day 1");
        }

        @Test
        void argumentsAreReadBigEndian() {
            m.memory().writeBytes(BUF, bytes(0, 0, 0x20, 0x00, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 'Q'));
            m.hcall(0, Hcalls.KVMPPC_H_RTAS, BUF);
            assertEquals("Q", m.console());
            assertEquals(0, m.memory().read32(BUF + 16));
        }

        @Test
        void statusOfAnUnknownTokenIsWrittenAsMinusThree() {
            buffer(0x7777, 1, 5);
            assertEquals(PaprRc.H_SUCCESS, m.hcall(0, Hcalls.KVMPPC_H_RTAS, BUF).rc());
            assertEquals(0xfffffffdL, ret(1, 0));
            assertEquals("Unknown RTAS token 0x7777", message(errors.get(0)));
        }

        @Test
        void onlyNretWordsAreWritten() {
            buffer(0x2001, 3); // get-time-of-day with room for three outputs: a parameter error
            m.memory().write32(BUF + 12 + 12, 0x5a5a5a5a);
            m.hcall(0, Hcalls.KVMPPC_H_RTAS, BUF);
            assertEquals(0xfffffffdL, ret(0, 0), "RTAS_OUT_PARAM_ERROR: nret must be 8");
            assertEquals(0x5a5a5a5aL, ret(0, 3), "the word after the buffer is untouched");
        }

        @Test
        void aBufferOutsideRamIsHParameter() {
            long addr = m.memory().size() - 8;
            assertEquals(PaprRc.H_PARAMETER, m.hcall(0, Hcalls.KVMPPC_H_RTAS, addr).rc());
            assertEquals("RTAS argument buffer outside RAM", message(errors.get(0)));
            assertEquals(addr, errors.get(0).fields().get("addr"));
        }

        @Test
        void absurdArgumentCountsAreHParameter() {
            buffer(0x2000, 1, 'x');
            m.memory().write32(BUF + 4, 65);
            assertEquals(PaprRc.H_PARAMETER, m.hcall(0, Hcalls.KVMPPC_H_RTAS, BUF).rc());
            m.memory().write32(BUF + 4, -1);
            assertEquals(PaprRc.H_PARAMETER, m.hcall(0, Hcalls.KVMPPC_H_RTAS, BUF).rc());
            assertEquals("bad RTAS argument buffer", message(errors.get(0)));
            assertEquals("", m.console());
        }

        @Test
        void aBufferRunningPastRamIsHParameter() {
            long addr = m.memory().size() - 16;
            m.memory().write32(addr, 0x2000);
            m.memory().write32(addr + 4, 1);
            m.memory().write32(addr + 8, 1);
            assertEquals(PaprRc.H_PARAMETER, m.hcall(0, Hcalls.KVMPPC_H_RTAS, addr).rc());
        }
    }

    // ================================================================== loads and stores

    @Nested
    class LoadStore {
        private final Machine m = FakeIntc.machine(1, "dual");
        private final List<TraceEvent> errors = record(m, TraceCategory.GUEST_ERROR);

        @Test
        void storesAndLoadsOfRamAreBigEndian() {
            m.store(0, 0x1000, 8, 0x0102030405060708L);
            assertEquals(0x0102030405060708L, m.load(0, 0x1000, 8));
            assertEquals(0x01020304L, m.load(0, 0x1000, 4));
            assertEquals(0x0506L, m.load(0, 0x1004, 2));
            assertEquals(0x08L, m.load(0, 0x1007, 1));
            m.store(0, 0x2002, 2, 0xabcd);
            assertEquals(0xabcd, m.memory().read16(0x2002));
            assertTrue(errors.isEmpty());
        }

        @Test
        void ramLoadsAreZeroExtended() {
            m.store(0, 0x3000, 8, -1L);
            assertEquals(0xffL, m.load(0, 0x3000, 1));
            assertEquals(0xffff_ffffL, m.load(0, 0x3000, 4));
        }

        @Test
        void unalignedRamAccessIsFine() {
            m.store(0, 0xfffd, 4, 0x11223344);
            assertEquals(0x11223344L, m.load(0, 0xfffd, 4));
            assertTrue(errors.isEmpty());
        }

        @Test
        void loadFromUnassignedAddressReturnsAllOnesOfTheAccessSize() {
            long a = 0x7000_0000_0000L;
            assertEquals(0xffL, m.load(0, a, 1));
            assertEquals(0xffffL, m.load(0, a, 2));
            assertEquals(0xffff_ffffL, m.load(0, a, 4));
            assertEquals(-1L, m.load(0, a, 8));
            assertEquals(4, errors.size());
            TraceEvent e = errors.get(3);
            assertEquals("load from unassigned address", message(e));
            assertEquals(a, e.fields().get("addr"));
            assertEquals(8, e.fields().get("size"));
        }

        @Test
        void loadJustPastRamIsUnassigned() {
            assertEquals(0xffff_ffffL, m.load(0, m.memory().size(), 4));
            assertEquals(1, errors.size());
        }

        @Test
        void storeToUnassignedAddressIsIgnoredAndReported() {
            m.store(0, 0x7000_0000_0000L, 4, 0x1234);
            assertEquals(1, errors.size());
            assertEquals("store to unassigned address", message(errors.get(0)));
            assertEquals(0x1234L, errors.get(0).fields().get("value"));
            assertEquals(0, m.memory().residentBytes());
        }

        @Test
        void invalidAccessSizeThrows() {
            IllegalArgumentException l = assertThrows(IllegalArgumentException.class, () -> m.load(0, 0x1000, 3));
            assertEquals("access size must be 1, 2, 4 or 8 bytes, got 3", l.getMessage());
            IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> m.store(0, 0x1000, 16, 0));
            assertEquals("access size must be 1, 2, 4 or 8 bytes, got 16", s.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.load(0, 0x1000, 0));
            assertTrue(errors.isEmpty(), "script misuse is an exception, not a guest error");
        }

        /** A device window that records accesses and answers a fixed pattern. */
        private final List<String> accesses = new ArrayList<>();
        private final MmioRegion region = new MmioRegion("dev", 0x6000_0000_0000L, 0x1000, new MmioHandler() {
            @Override
            public long read(VCpu cpu, long offset, int size) {
                accesses.add("r " + cpu.index() + " 0x" + Long.toHexString(offset) + " " + size);
                return 0x1122334455667788L;
            }

            @Override
            public void write(VCpu cpu, long offset, int size, long value) {
                accesses.add("w " + cpu.index() + " 0x" + Long.toHexString(offset) + " " + size + " 0x" + Long.toHexString(value));
            }
        });

        @Test
        void mmioAccessesReachTheRegionWithTheirOffsetAndAreMaskedToTheSize() {
            m.mmio().map(region);
            assertEquals(0x55667788L, m.load(0, region.base() + 0x10, 4));
            assertEquals(0x1122334455667788L, m.load(0, region.base() + 0x18, 8));
            m.store(0, region.base() + 0x22, 2, 0x12345);
            assertEquals(List.of("r 0 0x10 4", "r 0 0x18 8", "w 0 0x22 2 0x2345"), accesses);
            assertTrue(errors.isEmpty());
        }

        @Test
        void misalignedMmioIsAGuestError() {
            m.mmio().map(region);
            assertEquals(0xffff_ffffL, m.load(0, region.base() + 2, 4));
            m.store(0, region.base() + 1, 8, 5);
            assertTrue(accesses.isEmpty());
            assertEquals("misaligned MMIO load", message(errors.get(0)));
            assertEquals("misaligned MMIO store", message(errors.get(1)));
            assertEquals("dev", errors.get(0).fields().get("region"));
        }

        @Test
        void mmioAccessRunningPastTheRegionIsUnassigned() {
            m.mmio().map(region);
            assertEquals(-1L, m.load(0, region.base() + 0xffc, 8));
            assertEquals("load from unassigned address", message(errors.get(0)));
            assertTrue(accesses.isEmpty());
        }

        @Test
        void aDisabledRegionBehavesAsUnmapped() {
            m.mmio().map(region);
            region.setEnabled(false);
            assertEquals(0xffL, m.load(0, region.base(), 1));
            assertTrue(accesses.isEmpty());
            assertEquals("load from unassigned address", message(errors.get(0)));
            region.setEnabled(true);
            m.load(0, region.base(), 1);
            assertEquals(1, accesses.size());
        }

        @Test
        void overlappingRegionsAreRefused() {
            m.mmio().map(region);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.mmio().map(new MmioRegion("other", region.base() + 0xff8, 0x100, region.handler())));
            assertTrue(e.getMessage().contains("overlaps dev"), e.getMessage());
        }

        @Test
        void mmioAccessesAreTracedWhenSubscribed() {
            m.mmio().map(region);
            List<TraceEvent> mmio = record(m, TraceCategory.MMIO);
            m.load(0, region.base() + 8, 4);
            assertEquals(1, mmio.size());
            assertEquals("load", mmio.get(0).name());
            assertEquals(8L, mmio.get(0).fields().get("offset"));
            assertEquals(0x55667788L, mmio.get(0).fields().get("value"));
        }
    }

    // ================================================================== CAS

    @Nested
    class Cas {
        private final Machine m = FakeIntc.machine(MachineConfig.builder().cpus(4).build());
        private final FakeIntc xics = FakeIntc.of(m, "xics");
        private final FakeIntc xive = FakeIntc.of(m, "xive");

        private byte[] chosenVec5() {
            return m.deviceTree().child("chosen").prop("ibm,architecture-vec-5");
        }

        private void assertUnchanged() {
            assertEquals("xics", m.icMode());
            assertTrue(m.ov5Cas().isEmpty());
            assertArrayEquals(new byte[] {0, 0}, chosenVec5());
            assertEquals(0, xive.activations);
        }

        @Test
        void beforeCasTheNegotiatedVectorIsEmpty() {
            assertArrayEquals(new byte[] {0, 0}, chosenVec5());
        }

        @Test
        void missingVector5IsHParameter() {
            CasException e = assertThrows(CasException.class, () -> m.cas(null));
            assertEquals(PaprRc.H_PARAMETER, e.rc());
            assertEquals(-4, e.rc());
            assertFalse(e.fatal());
            assertEquals("guest didn't provide option vector 5", e.getMessage());
            assertUnchanged();
        }

        @Test
        void byte23BothIsFatal() {
            CasException e = assertThrows(CasException.class, () -> m.cas(GuestOv5.linuxVector(0x80)));
            assertTrue(e.fatal());
            assertEquals(0, e.rc());
            assertEquals("guest requested an invalid interrupt mode", e.getMessage());
            assertUnchanged();
        }

        @Test
        void byte23BothIsFatalEvenWithTheXiveBitSet() {
            CasException e = assertThrows(CasException.class, () -> m.cas(GuestOv5.linuxVector(0xc0)));
            assertTrue(e.fatal());
            assertEquals("guest requested an invalid interrupt mode", e.getMessage());
        }

        @Test
        void hashAndRadixTogetherIsFatal() {
            OptionVector v = GuestOv5.linuxVector(0x40);
            v.setByte(24, 0xc0);
            CasException e = assertThrows(CasException.class, () -> m.cas(v));
            assertTrue(e.fatal());
            assertEquals("guest requested hash and radix MMU, which is invalid.", e.getMessage());
            assertUnchanged();
        }

        @Test
        void aRunningSecondaryIsHMultiThreadsActive() {
            m.rtas(0, "start-cpu", new int[] {2, 0x10000, 2}, 1);
            CasException e = assertThrows(CasException.class, () -> m.cas(GuestOv5.linuxVector(0x40)));
            assertEquals(PaprRc.H_MULTI_THREADS_ACTIVE, e.rc());
            assertEquals(-9005, e.rc());
            assertFalse(e.fatal());
            assertEquals("guest has multiple active vCPUs at CAS, which is not allowed", e.getMessage());
            assertUnchanged();
            // once the secondary stopped itself, CAS goes through
            m.rtas(2, "stop-self", new int[0], 1);
            assertEquals("xive", m.cas(GuestOv5.linuxVector(0x40)).mode());
        }

        @Test
        void theRunningSecondaryCheckComesFirst() {
            m.rtas(0, "start-cpu", new int[] {1, 0x10000, 1}, 1);
            CasException e = assertThrows(CasException.class, () -> m.cas(null));
            assertEquals(PaprRc.H_MULTI_THREADS_ACTIVE, e.rc());
        }

        @Test
        void refusalsAreTraced() {
            List<TraceEvent> cas = record(m, TraceCategory.CAS);
            assertThrows(CasException.class, () -> m.cas(GuestOv5.linuxVector(0x80)));
            assertEquals("cas_refused", cas.get(0).name());
            assertEquals(true, cas.get(0).fields().get("fatal"));
            assertEquals(0x80, cas.get(0).fields().get("requested"));
        }

        @Test
        void guestAskingXiveSwitchesDualToXiveInPlace() {
            CasResult r = m.cas(GuestOv5.linuxVector(0x40));
            assertEquals("xive", r.mode());
            assertEquals(0x40, r.requested());
            assertEquals(0x40, r.answer());
            assertTrue(r.switched());
            assertEquals("xive", m.icMode());
            assertEquals(1, xics.deactivations);
            assertEquals(1, xive.activations);
            assertEquals(0, m.resetCount(), "no machine reset (facts 9.6)");
        }

        @Test
        void afterCasChosenHoldsQemusNegotiatedVector() {
            m.cas(GuestOv5.linuxVector(0x40));
            assertArrayEquals(QEMU_VEC5_XIVE, chosenVec5());
            assertArrayEquals(QEMU_VEC5_XIVE, m.ov5Cas().encode());
        }

        @Test
        void guestAskingXicsKeepsXicsAndGetsQemusXicsVector() {
            CasResult r = m.cas(GuestOv5.linuxVector(0x00));
            assertEquals("xics", r.mode());
            assertEquals(0x00, r.answer());
            assertFalse(r.switched());
            assertEquals(1, xics.activations);
            assertEquals(0, xics.deactivations);
            assertArrayEquals(QEMU_VEC5_XICS, chosenVec5());
        }

        @Test
        void negotiatedVectorIsTheIntersectionWithTheMachines() {
            CasResult r = m.cas(GuestOv5.linuxVector(0x40));
            assertEquals(m.ov5().intersect(GuestOv5.linuxVector(0x40)), r.negotiated());
            assertEquals(0, r.negotiated().getByte(11), "guest-only bytes are dropped");
        }

        @Test
        void afterSwitchingTheTreeHasTheXiveNodeAndReservedPriorities() {
            DtNode before = m.deviceTree();
            assertNotNull(before.child("interrupt-controller"));
            assertFalse(before.has("ibm,plat-res-int-priorities"));
            m.cas(GuestOv5.linuxVector(0x40));
            DtNode after = m.deviceTree();
            assertNull(after.child("interrupt-controller"));
            assertNotNull(after.child("interrupt-controller@60302031b0000"));
            // facts 10.1: <hv_prio, 0xff - hv_prio> = <7, 0xf8>
            assertArrayEquals(new long[] {7, 0xf8}, after.cells("ibm,plat-res-int-priorities"));
        }

        @Test
        void aRaisedLineIsReplayedIntoTheNewController() {
            m.irq(0x1100).raise();
            assertEquals(List.of("setIrq 0x1100 1"), xics.logged("setIrq"));
            m.cas(GuestOv5.linuxVector(0x40));
            assertEquals(List.of("setIrq 0x1100 1"), xive.logged("setIrq"));
            assertEquals(List.of("setIrq 0x1100 1"), xics.logged("setIrq"), "the old controller is not told more");
        }

        @Test
        void switchingDropsTheCpusInterruptInputs() {
            m.cpu(1).setOsInterrupt(true);
            m.cpu(2).setHvInterrupt(true);
            m.cas(GuestOv5.linuxVector(0x40));
            assertFalse(m.cpu(1).osInterrupt());
            assertFalse(m.cpu(2).hvInterrupt());
        }

        @Test
        void successIsTraced() {
            List<TraceEvent> cas = record(m, TraceCategory.CAS);
            m.cas(GuestOv5.linuxVector(0x40));
            assertEquals("cas", cas.get(0).name());
            assertEquals("xive", cas.get(0).fields().get("mode"));
            assertEquals(true, cas.get(0).fields().get("switched"));
        }

        @Test
        void xiveRequestOnAnXicsOnlyMachineIsFatal() {
            Machine x = FakeIntc.machine(1, "xics");
            CasException e = assertThrows(CasException.class, () -> x.cas(GuestOv5.linuxVector(0x40)));
            assertTrue(e.fatal());
            assertEquals("Guest requested unavailable interrupt mode (XIVE), try the ic-mode=xive or ic-mode=dual"
                + " machine property", e.getMessage());
            assertEquals("xics", x.icMode());
        }

        @Test
        void xicsRequestOnAnXiveOnlyMachineIsFatal() {
            Machine x = FakeIntc.machine(1, "xive");
            CasException e = assertThrows(CasException.class, () -> x.cas(GuestOv5.linuxVector(0x00)));
            assertTrue(e.fatal());
            assertEquals("Guest requested unavailable interrupt mode (XICS), either don't set the ic-mode machine"
                + " property or try ic-mode=xics or ic-mode=dual", e.getMessage());
        }

        @Test
        void xiveRequestOnAnXiveOnlyMachineKeepsXive() {
            Machine x = FakeIntc.machine(1, "xive");
            CasResult r = x.cas(GuestOv5.linuxVector(0x40));
            assertEquals("xive", r.mode());
            assertFalse(r.switched());
            assertArrayEquals(QEMU_VEC5_XIVE, x.deviceTree().child("chosen").prop("ibm,architecture-vec-5"));
        }

        @Test
        void resetForgetsTheCasOutcome() {
            m.rtas(0, "display-character", new int[] {'x'}, 1);
            m.cas(GuestOv5.linuxVector(0x40));
            m.reset();
            assertTrue(m.ov5Cas().isEmpty());
            assertArrayEquals(new byte[] {0, 0}, chosenVec5());
            assertEquals("xics", m.icMode(), "dual mode starts in XICS again (facts 9.7)");
            assertEquals(1, xive.deactivations);
            assertEquals(2, xics.activations);
            assertEquals(1, m.resetCount());
            assertNotNull(m.deviceTree().child("interrupt-controller"));
        }

        @Test
        void resetResetsEveryControllerAndStopsTheSecondaries() {
            m.rtas(0, "start-cpu", new int[] {3, 0x10000, 3}, 1);
            int xicsResets = xics.resets;
            int xiveResets = xive.resets;
            m.reset();
            assertEquals(xicsResets + 1, xics.resets);
            assertEquals(xiveResets + 1, xive.resets);
            assertFalse(m.cpu(3).running());
            assertTrue(m.cpu(0).running());
        }

        @Test
        void resetDropsLineLevelsAndKeepsClaims() {
            m.irq(0x1100).raise();
            m.reset();
            assertFalse(m.irq(0x1100).level());
            assertEquals(Boolean.FALSE, xive.claims.get(0x1100));
            assertArrayEquals(new int[0], m.raisedLines());
        }

        @Test
        void resetKeepsVirtualTimeAndDropsPendingEvents() {
            m.run(1000);
            List<Long> fired = new ArrayList<>();
            m.scheduler().after(10, fired::add);
            m.reset();
            m.run(100);
            assertTrue(fired.isEmpty());
            assertEquals(1100, m.now());
        }

        @Test
        void casAfterResetNegotiatesAgain() {
            m.cas(GuestOv5.linuxVector(0x40));
            m.reset();
            CasResult r = m.cas(GuestOv5.linuxVector(0x40));
            assertTrue(r.switched());
            assertArrayEquals(QEMU_VEC5_XIVE, chosenVec5());
        }
    }

    // ================================================================== platform advertisement

    @Test
    void platformSupportCellsPerIcMode() {
        // qemu-observed: <0x17XX18c0 0x19001a40>, XX = 00 xics, 40 xive, 80 dual
        assertArrayEquals(new long[] {0x178018c0L, 0x19001a40L}, platformSupport(FakeIntc.machine(1, "dual")));
        assertArrayEquals(new long[] {0x174018c0L, 0x19001a40L}, platformSupport(FakeIntc.machine(1, "xive")));
        assertArrayEquals(new long[] {0x170018c0L, 0x19001a40L}, platformSupport(FakeIntc.machine(1, "xics")));
    }

    @Test
    void platformSupportDoesNotChangeWithCas() {
        Machine m = FakeIntc.machine(1, "dual");
        m.cas(GuestOv5.linuxVector(0x40));
        assertArrayEquals(new long[] {0x178018c0L, 0x19001a40L}, platformSupport(m));
        assertEquals(0x80, m.platformInterruptModes());
    }

    private static long[] platformSupport(Machine m) {
        return m.deviceTree().child("chosen").cells("ibm,arch-vec-5-platform-support");
    }

    // ================================================================== device tree pieces QEMU also writes

    @Test
    void cpuNodesCarryTheirInterruptServerNumbers() {
        DtNode cpus = FakeIntc.machine(4, "dual").deviceTree().child("cpus");
        for (int i = 0; i < 4; i++) {
            DtNode c = cpus.child("PowerPC,POWER9@" + i);
            assertNotNull(c, "cpu " + i);
            assertArrayEquals(new long[] {i}, c.cells("ibm,ppc-interrupt-server#s"));
            assertArrayEquals(new long[] {i, 0}, c.cells("ibm,ppc-interrupt-gserver#s"));
            assertArrayEquals(new long[] {i}, c.cells("reg"));
        }
    }

    @Test
    void deviceInterruptsAppearAsEdgeSpecifiers() {
        DtNode t = FakeIntc.machine(MachineConfig.builder().device("spapr-vlan", Map.of()).build()).deviceTree();
        assertArrayEquals(new long[] {0x1100, 0}, t.find("vdevice/vty@71000000").cells("interrupts"));
        assertArrayEquals(new long[] {0x1101, 0}, t.find("vdevice/l-lan@71000001").cells("interrupts"));
        assertArrayEquals(new long[] {0x1000, 1, 0x1001, 1}, t.child("event-sources").cells("interrupt-ranges"));
        assertArrayEquals(new long[] {0x1000, 0}, t.find("event-sources/epow-events").cells("interrupts"));
        assertArrayEquals(new long[] {0x1001, 0}, t.find("event-sources/hot-plug-events").cells("interrupts"));
        assertEquals(List.of("/vdevice/vty@71000000"), t.child("chosen").strings("stdout-path"));
    }

    @Test
    void theTreeIsDeterministicForASeed() {
        MachineConfig c = MachineConfig.builder().cpus(2).seed(7).build();
        assertArrayEquals(FakeIntc.machine(c).fdt(), FakeIntc.machine(c).fdt());
        MachineConfig d = MachineConfig.builder().cpus(2).seed(8).build();
        assertFalse(java.util.Arrays.equals(FakeIntc.machine(c).fdt(), FakeIntc.machine(d).fdt()), "rng-seed follows the seed");
    }
}
