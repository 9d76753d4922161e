package io.pseries.xive;

import static io.pseries.xive.PresenterBench.HV;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * Pushing and pulling an OS context through the TIMA's HV page (facts §5.5, QEMU's
 * xive_tm_push_os_ctx / xive_tm_pull_os_ctx) with NVT blocks other than 0: the CAM line's block
 * is bits 19-22 of WORD2, its index bits 0-18, and the push checks that NVT against the
 * directory; the guest errors name the block and index. Also raw context accesses that run past
 * the 64 register bytes of the thread context.
 */
class OsContextPushPullTest {
    private final Trace trace = new Trace(() -> 0L);
    private final List<TraceEvent> errors = new ArrayList<>();
    private final VCpu cpu = new VCpu(0, 0);
    private final ThreadContext t = new ThreadContext(cpu);
    private final Presenter presenter = new Presenter(new ThreadContext[] {t}, trace);
    /** The only NVT this directory knows: block 5, index 0x401. */
    private final Tima tima = new Tima(presenter, (blk, idx) -> blk == 5 && idx == 0x401, trace);

    {
        trace.subscribe(TraceCategory.GUEST_ERROR, errors::add);
    }

    private List<String> messages() {
        return errors.stream().map(e -> String.valueOf(e.fields().get("message"))).toList();
    }

    private void push(int blk, int idx) {
        tima.write(cpu, HV + ThreadContext.QW1_OS + ThreadContext.WORD2, 4, ThreadContext.QW1W2_VO | Presenter.camLine(blk, idx));
    }

    @Test
    void pushOs_ofAKnownNvtInBlock5_installsTheCamLine_noError() {
        push(5, 0x401);
        assertEquals(List.of(), messages());
        assertEquals(ThreadContext.QW1W2_VO | (5 << 19) | 0x401, t.word2(ThreadContext.QW1_OS));
    }

    @Test
    void pushOs_ofAnUnknownNvt_isAGuestErrorNamingBlockAndIndex() {
        push(6, 0x401);
        push(5, 0x402);
        assertEquals(List.of("XIVE: no NVT 6/401", "XIVE: no NVT 5/402"), messages());
    }

    @Test
    void pullOs_ofAnInvalidContext_namesItsBlockAndIndex_andReturnsWord2() {
        tima.write(cpu, HV + ThreadContext.QW1_OS + ThreadContext.WORD2, 4, Presenter.camLine(7, 0x1234));
        long w2 = tima.read(cpu, HV + Tima.SPC_PULL_OS_CTX, 4);
        assertEquals(Presenter.camLine(7, 0x1234), w2);
        assertTrue(messages().contains("XIVE: pulling invalid NVT 7/1234 !?"), messages().toString());
    }

    @Test
    void pullOs_ofAValidContext_clearsVo_keepsTheCam_noError() {
        push(5, 0x401);
        assertEquals((ThreadContext.QW1W2_VO | Presenter.camLine(5, 0x401)) & 0xFFFF_FFFFL, tima.read(cpu, HV + Tima.SPC_PULL_OS_CTX, 4));
        assertEquals(Presenter.camLine(5, 0x401), t.word2(ThreadContext.QW1_OS));
        assertEquals(List.of(), messages());
        assertFalse(cpu.osInterrupt());
    }

    /**
     * An 8-byte raw access whose last bytes fall past the context's 64 bytes (the HW view at
     * 0x3C: QW3 bytes 0x3C-0x3E are accessible, 0x3F not): the bytes past the context read as 0
     * and are not written, the bytes inside behave as a 4-byte access at the same offset.
     */
    @Test
    void rawAccess_pastTheContextsLastByte_readsZeroThere_andWritesOnlyInside() {
        int at = PresenterBench.HW + 0x3C;
        tima.write(cpu, at, 4, 0xA1B2_C3D4L);
        assertEquals(0xA1B2_C300L, tima.read(cpu, at, 4), "0x3F is not accessible from the HW view");
        assertEquals(0xA1B2_C300L << 32, tima.read(cpu, at, 8));
        tima.write(cpu, at, 8, 0x1122_3344_5566_7788L);
        assertEquals(0x1122_3300L, tima.read(cpu, at, 4), "the value's first three bytes landed at 0x3C-0x3E");
        assertEquals(0x1122_3300L << 32, tima.read(cpu, at, 8));
        assertEquals(List.of(), messages());
        byte[] regs = t.registers();
        assertEquals(64, regs.length);
        assertEquals(0, regs[0x3F]);
    }
}
