package io.pseries.xive;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.mem.GuestMemory;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * A presenter, router and TIMA wired by hand, without a machine: threads with any vCPU ids
 * (the chip block of a hardwired CAM comes from bits 8-11 of the PIR), an NVT directory that
 * accepts every NVT, and guest RAM for queues. It reaches the rings and NVT blocks that sPAPR
 * itself never uses (physical and pool contexts, NVT block != 0, logical servers), which the
 * architecture still defines and the model implements.
 */
final class PresenterBench {
    static final int HW = Tima.PAGE_HW << Tima.SHIFT;
    static final int HV = Tima.PAGE_HV << Tima.SHIFT;
    static final int OS = Tima.PAGE_OS << Tima.SHIFT;

    final VCpu[] cpus;
    final ThreadContext[] tctx;
    final Trace trace = new Trace(() -> 0);
    final Presenter presenter;
    final XiveRouter router;
    final Tima tima;
    final GuestMemory memory = new GuestMemory(64L << 20);
    final List<TraceEvent> guestErrors = new ArrayList<>();

    /** One thread per vCPU id, thread i having index i. */
    PresenterBench(int... vcpuIds) {
        cpus = new VCpu[vcpuIds.length];
        tctx = new ThreadContext[vcpuIds.length];
        for (int i = 0; i < vcpuIds.length; i++) {
            cpus[i] = new VCpu(i, vcpuIds[i]);
            tctx[i] = new ThreadContext(cpus[i]);
        }
        trace.subscribe(TraceCategory.GUEST_ERROR, guestErrors::add);
        presenter = new Presenter(tctx, trace);
        XiveRouter.NvtDirectory all = (blk, idx) -> true;
        router = new XiveRouter(64, 64, memory, presenter, all, trace);
        tima = new Tima(presenter, all, trace);
    }

    long load(int thread, int offset, int size) {
        return tima.read(cpus[thread], offset, size);
    }

    void store(int thread, int offset, int size, long value) {
        tima.write(cpus[thread], offset, size, value);
    }

    int reg(int thread, int ring, int reg) {
        return tctx[thread].reg(ring + reg);
    }

    /** A valid END {@code end} notifying NVT blk/idx at {@code prio}, format 0, always notify, no queue. */
    void end(int end, int blk, int idx, int prio) {
        router.setEndWord(end, 0, End.W0_VALID | End.W0_UCOND_NOTIFY);
        router.setEndWord(end, 6, (blk << 19) | idx);
        router.setEndWord(end, 7, prio << 16);
    }

    boolean errorContains(String s) {
        return XiveTestSupport.anyMessageContains(guestErrors, s);
    }
}
