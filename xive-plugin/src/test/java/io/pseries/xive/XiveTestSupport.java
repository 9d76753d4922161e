package io.pseries.xive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * Shared fixtures for the XIVE unit tests: a machine with XIVE as the only (hence active)
 * controller, the fixed sPAPR addresses, and small helpers that drive the guest ABI (hcalls,
 * ESB and TIMA MMIO) the way a guest would.
 */
final class XiveTestSupport {
    static final long ESB_BASE = 0x0006_0100_0000_0000L;
    static final long ESB_STRIDE = 0x20000;
    static final long MGMT = 0x10000;
    static final long END_ESB_BASE = 0x0006_0100_4000_0000L;

    static final long TIMA = 0x0006_0302_0318_0000L;
    static final long HW = TIMA;
    static final long HV = TIMA + 0x10000;
    static final long OS = TIMA + 0x20000;
    static final long USER = TIMA + 0x30000;

    /** Guest RAM used for event queues in the tests (64 KiB aligned, far below the 1 GiB top). */
    static final long QPAGE = 0x0100_0000L;
    static final long QPAGE2 = 0x0110_0000L;
    static final long QPAGE3 = 0x0120_0000L;

    static final int PRIO = 6;

    private XiveTestSupport() {
    }

    /** A machine with {@code cpus} vCPUs, XIVE only, no optional devices. */
    static Machine machine(int cpus) {
        return Machine.create(MachineConfig.builder().cpus(cpus).icMode("xive").devices(List.of()).build());
    }

    /** A machine that negotiated XIVE exploitation mode at CAS (the hcalls answer). */
    static Machine casMachine(int cpus) {
        Machine m = machine(cpus);
        m.cas(GuestOv5.linuxVector(0x40));
        return m;
    }

    static SpaprXive xive(Machine m) {
        return (SpaprXive) m.controller("xive");
    }

    static long trig(int lisn) {
        return ESB_BASE + lisn * ESB_STRIDE;
    }

    static long mgmt(int lisn) {
        return ESB_BASE + lisn * ESB_STRIDE + MGMT;
    }

    /** Starts recording guest errors (subscribe after creation so set-up noise is excluded). */
    static List<TraceEvent> guestErrors(Machine m) {
        List<TraceEvent> l = new ArrayList<>();
        m.trace().subscribe(TraceCategory.GUEST_ERROR, l::add);
        return l;
    }

    static boolean anyMessageContains(List<TraceEvent> events, String s) {
        for (TraceEvent e : events) {
            Object msg = e.fields().get("message");
            if (msg != null && msg.toString().contains(s)) {
                return true;
            }
        }
        return false;
    }

    static void ok(HcallResult r) {
        assertEquals(PaprRc.H_SUCCESS, r.rc(), () -> "hcall failed: " + r.rcName());
    }

    /** H_INT_SET_QUEUE_CONFIG with the given flags (1 = always notify). */
    static void queue(Machine m, int vcpu, int prio, long qpage, int qsize, long flags) {
        ok(m.hcall(0, Hcalls.H_INT_SET_QUEUE_CONFIG, flags, vcpu, prio, qpage, qsize));
    }

    /** H_INT_SET_SOURCE_CONFIG with SET_EISN, unmasked. */
    static void route(Machine m, int lisn, int vcpu, int prio, int eisn) {
        ok(m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, lisn, vcpu, prio, eisn));
    }

    /** ESB load SET_PQ_xx on the management page; returns the old PQ. */
    static long setPq(Machine m, int lisn, int pq) {
        return m.load(0, mgmt(lisn) + 0xC00 + ((long) pq << 8), 8);
    }

    static int pq(Machine m, int lisn) {
        return xive(m).source().pq(lisn);
    }

    /** A store to the trigger page (what an IPI sender does). */
    static void trigger(Machine m, int lisn) {
        m.store(0, trig(lisn), 8, 0);
    }

    static int endIndex(int vcpu, int prio) {
        return (vcpu << 3) + prio;
    }

    static int endWord(Machine m, int vcpu, int prio, int w) {
        return xive(m).router().endWord(endIndex(vcpu, prio), w);
    }

    static void setEndWord(Machine m, int vcpu, int prio, int w, int v) {
        xive(m).router().setEndWord(endIndex(vcpu, prio), w, v);
    }

    static int queueIndex(Machine m, int vcpu, int prio) {
        return endWord(m, vcpu, prio, 1) & End.W1_PAGE_OFF;
    }

    static int generation(Machine m, int vcpu, int prio) {
        return (endWord(m, vcpu, prio, 1) & End.W1_GENERATION) != 0 ? 1 : 0;
    }

    static long enqueued(Machine m) {
        return xive(m).router().enqueuedCount();
    }

    static ThreadContext tctx(Machine m, int cpu) {
        return xive(m).threadContext(cpu);
    }

    static int osReg(Machine m, int cpu, int reg) {
        return tctx(m, cpu).reg(ThreadContext.QW1_OS + reg);
    }

    /** OS CPPR through the architected 1-byte TIMA store at OS page + 0x11. */
    static void cppr(Machine m, int cpu, int v) {
        m.store(cpu, OS + 0x11, 1, v);
    }

    /** ACK through the 2-byte TIMA load at OS page + 0x810. */
    static int ack(Machine m, int cpu) {
        return (int) m.load(cpu, OS + 0x810, 2);
    }

    /**
     * A routed source: a 64 KiB always-notify queue at {@link #QPAGE} for (vcpu, prio 6), the
     * source routed there with {@code eisn} and unmasked (PQ 00), the vCPU's CPPR opened (0xFF).
     */
    static void routedSource(Machine m, int lisn, int vcpu, int eisn) {
        queue(m, vcpu, PRIO, QPAGE, 16, 1);
        route(m, lisn, vcpu, PRIO, eisn);
        setPq(m, lisn, 0);
        cppr(m, vcpu, 0xff);
    }
}
