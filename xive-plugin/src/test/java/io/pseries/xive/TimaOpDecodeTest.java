package io.pseries.xive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.trace.Trace;

/**
 * The TIMA's special-operation decode (facts §5.5, "Special operations table"): an access selects
 * an operation when its offset within the page (0xFFF, as QEMU 7.2 masks it), its exact size and
 * its direction match a row, on the row's page or a more privileged (lower-numbered) one; every
 * other access selects none. Checked exhaustively against the facts' table over every offset of
 * the four pages, every access size and both directions, so the direct index cannot drift from it.
 */
class TimaOpDecodeTest {
    /** The facts' table: operation, page it is defined for, offset, size, load? */
    private record Row(String op, int page, int offset, int size, boolean load) {
    }

    private static final List<Row> TABLE = List.of(
        new Row("SET_OS_CPPR", Tima.PAGE_OS, 0x011, 1, false),
        new Row("PUSH_OS_CTX", Tima.PAGE_HV, 0x018, 4, false),
        new Row("SET_HV_CPPR", Tima.PAGE_HV, 0x031, 1, false),
        new Row("VT_PUSH", Tima.PAGE_HV, 0x038, 1, false),
        new Row("VT_POLL", Tima.PAGE_HV, 0x038, 1, true),
        new Row("ACK_OS_REG", Tima.PAGE_OS, 0x810, 2, true),
        new Row("SET_OS_PENDING", Tima.PAGE_OS, 0x812, 1, false),
        new Row("PULL_OS_CTX_4", Tima.PAGE_HV, 0x818, 4, true),
        new Row("PULL_OS_CTX_8", Tima.PAGE_HV, 0x818, 8, true),
        new Row("ACK_HV_REG", Tima.PAGE_HV, 0x830, 2, true),
        new Row("PULL_POOL_CTX_4", Tima.PAGE_HV, 0x828, 4, true),
        new Row("PULL_POOL_CTX_8", Tima.PAGE_HV, 0x828, 8, true),
        new Row("PULL_PHYS_CTX", Tima.PAGE_HV, 0x838, 1, true));

    private static String expected(int page, int offset, int size, boolean load) {
        for (Row r : TABLE) {
            if (r.offset == offset && r.size == size && r.load == load && page <= r.page) {
                return r.op;
            }
        }
        return null;
    }

    @Test
    void everyAccessOfEveryPageDecodesAsTheFactsTableSays() {
        int[] sizes = {0, 1, 2, 3, 4, 5, 8, 15, 16, 17, 24};
        int ops = 0;
        for (int page = 0; page < 4; page++) {
            for (int offset = 0; offset < 0x1000; offset++) {
                long addr = ((long) page << Tima.SHIFT) | offset;
                for (int size : sizes) {
                    for (boolean load : new boolean[] {false, true}) {
                        Tima.Op got = Tima.findOp(addr, size, load);
                        String want = expected(page, offset, size, load);
                        assertEquals(want, got == null ? null : got.name(), String.format(
                            "page %d offset 0x%03x size %d %s", page, offset, size, load ? "load" : "store"));
                        if (got != null) {
                            ops++;
                        }
                    }
                }
            }
        }
        // HW page: all 13, HV: all 13, OS: the 3 OS rows, USER: none
        assertEquals(13 + 13 + 3, ops);
    }

    @Test
    void offsetBitsAboveThePageSelectNothingElse() {
        // only bits 16-17 pick the page; higher bits (the region is 4 pages) and bits 12-15 are ignored
        assertEquals("ACK_OS_REG", Tima.findOp(0x2_0810L | 0xF000L, 2, true).name());
        assertEquals("SET_OS_CPPR", Tima.findOp(0x12_0011L, 1, false).name());
        assertNull(Tima.findOp(0x3_0810L, 2, true), "USER page: the OS ACK is not defined there");
    }

    /** A thread context with its own presenter and TIMA, for comparing two access paths. */
    private record Thread(VCpu cpu, ThreadContext t, Tima tima) {
        static Thread create() {
            Trace trace = new Trace(() -> 0L);
            VCpu cpu = new VCpu(0, 0);
            ThreadContext t = new ThreadContext(cpu);
            Presenter p = new Presenter(new ThreadContext[] {t}, trace);
            return new Thread(cpu, t, new Tima(p, (blk, idx) -> true, trace));
        }
    }

    /**
     * The OS ACK and the OS CPPR store are tested before the decode at their exact offsets; at an
     * alias (offset bits 12-15 set) they take the decode. Both paths give the same answers, the
     * same registers and the same OS line, through a signal, an ACK, a CPPR change that signals
     * again, and an ACK with nothing pending; other sizes at those offsets stay a raw write and an
     * invalid load.
     */
    @Test
    void theOsAckAndCpprAtTheirOffsetsAnswerAsTheDecodedOperations() {
        long os = (long) Tima.PAGE_OS << Tima.SHIFT;
        Thread fast = Thread.create();
        Thread decoded = Thread.create();
        long[][] steps = { // {is load, offset, value, size}
            {0, ThreadContext.QW1_OS + ThreadContext.CPPR, 0xff, 1},
            {1, Tima.SPC_ACK_OS_REG, 0, 2},
            {0, ThreadContext.QW1_OS + ThreadContext.CPPR, 7, 1},
            {1, Tima.SPC_ACK_OS_REG, 0, 2},
            {0, ThreadContext.QW1_OS + ThreadContext.CPPR, 0x85, 1}, // above 7: 0xFF
            {1, Tima.SPC_ACK_OS_REG, 0, 2},
            {1, Tima.SPC_ACK_OS_REG, 0, 2},
            // other sizes at the same offsets are not these operations (a raw write, an invalid load)
            {0, ThreadContext.QW1_OS + ThreadContext.CPPR, 0x0500_0000, 4},
            {1, Tima.SPC_ACK_OS_REG, 0, 4}};
        int[] pending = {6, 5}; // priorities made pending before the first two steps
        for (int i = 0; i < steps.length; i++) {
            if (i < pending.length) {
                fast.t().ipbUpdate(ThreadContext.QW1_OS, ThreadContext.priorityToIpb(pending[i]));
                decoded.t().ipbUpdate(ThreadContext.QW1_OS, ThreadContext.priorityToIpb(pending[i]));
            }
            long[] s = steps[i];
            int size = (int) s[3];
            if (s[0] == 1) {
                assertEquals(decoded.tima().read(decoded.cpu(), os | 0xF000 | s[1], size),
                    fast.tima().read(fast.cpu(), os | s[1], size), "load of step " + i);
            } else {
                decoded.tima().write(decoded.cpu(), os | 0xF000 | s[1], size, s[2]);
                fast.tima().write(fast.cpu(), os | s[1], size, s[2]);
            }
            assertEquals(Arrays.toString(decoded.t().registers()), Arrays.toString(fast.t().registers()),
                "registers after step " + i);
            assertEquals(decoded.cpu().osInterrupt(), fast.cpu().osInterrupt(), "OS line after step " + i);
        }
        assertEquals(5, fast.t().reg(ThreadContext.QW1_OS + ThreadContext.CPPR), "CPPR after the raw write");
    }
}
