package io.pseries.core.rtas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.TestTraces;
import io.pseries.core.dt.DtNode;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * RTAS dispatch ({@link RtasDispatch}): QEMU's tokens, calls by name and by token, unknown
 * names and tokens, the rtas trace, and the KVMPPC_H_RTAS argument buffer.
 */
class RtasDispatchTest {

    private static List<TraceEvent> record(Machine m, TraceCategory c) {
        return TestTraces.record(m, c);
    }

    private static String message(TraceEvent e) {
        return TestTraces.message(e);
    }

    private static byte[] bytes(int... v) {
        return TestTraces.bytes(v);
    }

    @Nested
    class ByNameAndToken {
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
}
