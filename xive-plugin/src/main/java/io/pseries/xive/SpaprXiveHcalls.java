package io.pseries.xive;

import static io.pseries.xive.SpaprXive.BLOCK_ID;
import static io.pseries.xive.SpaprXive.END_ALWAYS_NOTIFY;
import static io.pseries.xive.SpaprXive.END_DEBUG;
import static io.pseries.xive.SpaprXive.ESB_STORE;
import static io.pseries.xive.SpaprXive.NVT_BASE;
import static io.pseries.xive.SpaprXive.SRC_H_INT_ESB;
import static io.pseries.xive.SpaprXive.SRC_LSI;
import static io.pseries.xive.SpaprXive.SRC_MASK;
import static io.pseries.xive.SpaprXive.SRC_SET_EISN;
import static io.pseries.xive.SpaprXive.SRC_STORE_EOI;
import static io.pseries.xive.SpaprXive.SRC_TRIGGER;
import static io.pseries.xive.SpaprXive.VC_BASE;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.intc.IntcHost;
import io.pseries.core.mem.MmioRegion;
import io.pseries.core.trace.TraceCategory;

/**
 * The eleven sPAPR H_INT_* hcalls of {@link SpaprXive} (QEMU's hw/intc/spapr_xive.c), with
 * QEMU's checks and return codes. They answer H_FUNCTION until CAS negotiated exploitation
 * mode. While the controller is in-kernel they are still served here, by the VMM, and forward
 * their effect to the KVM device ({@link io.pseries.xive.kvm.SpaprXiveKvm}).
 *
 * <p>Threading: the machine's thread only.
 */
final class SpaprXiveHcalls {
    private final SpaprXive x;
    private final IntcHost host;
    private final XiveSource source;
    private final XiveRouter router;
    private final int nrIrqs;
    private final long endBase;

    SpaprXiveHcalls(SpaprXive x, IntcHost host) {
        this.x = x;
        this.host = host;
        this.source = x.source();
        this.router = x.router();
        this.nrIrqs = x.nrIrqs();
        this.endBase = x.endEsbBase();
    }

    void register() {
        host.hcalls().register(Hcalls.H_INT_GET_SOURCE_INFO, "H_INT_GET_SOURCE_INFO", 4, this::hGetSourceInfo);
        host.hcalls().register(Hcalls.H_INT_SET_SOURCE_CONFIG, "H_INT_SET_SOURCE_CONFIG", 0, this::hSetSourceConfig);
        host.hcalls().register(Hcalls.H_INT_GET_SOURCE_CONFIG, "H_INT_GET_SOURCE_CONFIG", 3, this::hGetSourceConfig);
        host.hcalls().register(Hcalls.H_INT_GET_QUEUE_INFO, "H_INT_GET_QUEUE_INFO", 2, this::hGetQueueInfo);
        host.hcalls().register(Hcalls.H_INT_SET_QUEUE_CONFIG, "H_INT_SET_QUEUE_CONFIG", 0, this::hSetQueueConfig);
        host.hcalls().register(Hcalls.H_INT_GET_QUEUE_CONFIG, "H_INT_GET_QUEUE_CONFIG", 4, this::hGetQueueConfig);
        host.hcalls().register(Hcalls.H_INT_SET_OS_REPORTING_LINE, "H_INT_SET_OS_REPORTING_LINE", 0, this::hReportingLine);
        host.hcalls().register(Hcalls.H_INT_GET_OS_REPORTING_LINE, "H_INT_GET_OS_REPORTING_LINE", 1, this::hReportingLine);
        host.hcalls().register(Hcalls.H_INT_ESB, "H_INT_ESB", 1, this::hEsb);
        host.hcalls().register(Hcalls.H_INT_SYNC, "H_INT_SYNC", 0, this::hSync);
        host.hcalls().register(Hcalls.H_INT_RESET, "H_INT_RESET", 0, this::hReset);
    }

    /** Common LISN check: unknown (out of range) or unclaimed (EAS not valid) is H_P2. */
    private boolean badLisn(VCpu cpu, long lisn) {
        if (Long.compareUnsigned(lisn, nrIrqs) >= 0) {
            host.trace().guestError(cpu.index(), String.format("XIVE: Unknown LISN 0x%x", lisn), "lisn", lisn);
            return true;
        }
        if (!Eas.valid(router.eas((int) lisn))) {
            host.trace().guestError(cpu.index(), String.format("XIVE: Invalid LISN 0x%x", lisn), "lisn", lisn);
            return true;
        }
        return false;
    }

    private void reservedPriority(VCpu cpu, long priority) {
        host.trace().guestError(cpu.index(), "XIVE: priority " + priority + " is reserved", "priority", priority);
    }

    /** H_INT_GET_SOURCE_INFO(flags, lisn) -> (flags, EOI page, trigger page, page shift). */
    private long hGetSourceInfo(VCpu cpu, long[] a) {
        if (!x.exploitationNegotiated()) {
            return PaprRc.H_FUNCTION;
        }
        long flags = a[0];
        long lisn = a[1];
        if (flags != 0) {
            return PaprRc.H_PARAMETER;
        }
        if (badLisn(cpu, lisn)) {
            return PaprRc.H_P2;
        }
        int n = (int) lisn;
        long out = 0;
        if (!source.hasTwoPages()) {
            out |= SRC_TRIGGER;
        }
        if (source.storeEoi()) {
            out |= SRC_STORE_EOI;
        }
        // LSIs must go through H_INT_ESB so that a still-asserted level can re-fire
        if (source.isLsi(n)) {
            out |= SRC_H_INT_ESB | SRC_LSI;
        }
        a[0] = out;
        a[1] = (out & SRC_H_INT_ESB) == 0 ? VC_BASE + source.managementPage(n) : -1;
        a[2] = source.hasTwoPages() && (out & SRC_H_INT_ESB) == 0 ? VC_BASE + source.triggerPage(n) : -1;
        a[3] = source.hasTwoPages() ? source.esbShift() - 1 : source.esbShift();
        return PaprRc.H_SUCCESS;
    }

    /** H_INT_SET_SOURCE_CONFIG(flags, lisn, target, priority, eisn). */
    private long hSetSourceConfig(VCpu cpu, long[] a) {
        if (!x.exploitationNegotiated()) {
            return PaprRc.H_FUNCTION;
        }
        long flags = a[0];
        long lisn = a[1];
        long target = a[2];
        long priority = a[3];
        long eisn = a[4];
        if ((flags & ~(SRC_SET_EISN | SRC_MASK)) != 0) {
            return PaprRc.H_PARAMETER;
        }
        if (badLisn(cpu, lisn)) {
            return PaprRc.H_P2;
        }
        int n = (int) lisn;
        long eas = router.eas(n);
        if (priority == 0xff) {
            // priority 0xFF resets the EAS: target and EISN are forgotten. QEMU 7.2 does not tell
            // the kernel (it jumps past kvmppc_xive_set_source_config), so an in-kernel source
            // keeps its routing: Linux masks the ESB (SET_PQ_01) before, so nothing reaches it
            router.setEas(n, Eas.VALID | Eas.MASKED);
            return PaprRc.H_SUCCESS;
        }
        long neu = (flags & SRC_MASK) != 0 ? eas | Eas.MASKED : eas & ~Eas.MASKED;
        if (SpaprXive.priorityReserved(priority)) {
            reservedPriority(cpu, priority);
            return PaprRc.H_P4;
        }
        VCpu t = host.cpuByVcpuId(target);
        if (t == null) {
            return PaprRc.H_P3;
        }
        neu = Field.set(Eas.END_BLOCK, neu, BLOCK_ID);
        neu = Field.set(Eas.END_INDEX, neu, SpaprXive.endIndex(t.vcpuId(), (int) priority));
        if ((flags & SRC_SET_EISN) != 0) {
            neu = Field.set(Eas.END_DATA, neu, eisn);
        }
        return storeEas(n, neu);
    }

    /** The EAS goes to the kernel first when in-kernel (H_HARDWARE if refused), then into the table. */
    private long storeEas(int n, long eas) {
        if (x.kvm() != null && !x.kvm().setSourceConfig(n, eas)) {
            return PaprRc.H_HARDWARE;
        }
        router.setEas(n, eas);
        return PaprRc.H_SUCCESS;
    }

    /** H_INT_GET_SOURCE_CONFIG(flags, lisn) -> (target, priority, eisn). */
    private long hGetSourceConfig(VCpu cpu, long[] a) {
        if (!x.exploitationNegotiated()) {
            return PaprRc.H_FUNCTION;
        }
        long flags = a[0];
        long lisn = a[1];
        if (flags != 0) {
            return PaprRc.H_PARAMETER;
        }
        if (badLisn(cpu, lisn)) {
            return PaprRc.H_P2;
        }
        long eas = router.eas((int) lisn);
        int endIdx = Eas.endIndex(eas);
        int w6 = router.endWord(endIdx, 6);
        int w7 = router.endWord(endIdx, 7);
        // target from the END's NVT (idx - 0x400: 0xfffffc00 for a never-configured END)
        a[0] = (Field.get32(End.W6_NVT_INDEX, w6) - NVT_BASE) & 0xffff_ffffL;
        a[1] = Eas.masked(eas) ? 0xff : Field.get32(End.W7_F0_PRIORITY, w7);
        a[2] = Eas.endData(eas);
        return PaprRc.H_SUCCESS;
    }

    /** H_INT_GET_QUEUE_INFO(flags, target, priority) -> (END ESB page, queue size shift or 0). */
    private long hGetQueueInfo(VCpu cpu, long[] a) {
        long rc = queueArgs(cpu, a, 0);
        if (rc != PaprRc.H_SUCCESS) {
            return rc;
        }
        long priority = a[2];
        VCpu t = host.cpuByVcpuId(a[1]);
        int e = SpaprXive.endIndex(t.vcpuId(), (int) priority);
        int w0 = router.endWord(e, 0);
        a[0] = endBase + (1L << (XiveSource.ESB_64K + 1)) * e;
        a[1] = (w0 & End.W0_ENQUEUE) != 0 ? Field.get32(End.W0_QSIZE, w0) + 12 : 0;
        return PaprRc.H_SUCCESS;
    }

    /** H_INT_SET_QUEUE_CONFIG(flags, target, priority, qpage, qsize). */
    private long hSetQueueConfig(VCpu cpu, long[] a) {
        long rc = queueArgs(cpu, a, END_ALWAYS_NOTIFY);
        if (rc != PaprRc.H_SUCCESS) {
            return rc;
        }
        long flags = a[0];
        long priority = a[2];
        long qpage = a[3];
        long qsize = a[4];
        VCpu t = host.cpuByVcpuId(a[1]);
        int e = SpaprXive.endIndex(t.vcpuId(), (int) priority);
        if (qsize == 0) {
            int[] old = endWords(e);
            x.resetEnd(e);
            return pushEnd(e, old);
        }
        if (qsize != 12 && qsize != 16 && qsize != 21 && qsize != 24) {
            host.trace().guestError(cpu.index(), String.format("XIVE: invalid EQ size %x", qsize), "qsize", qsize);
            return PaprRc.H_P5;
        }
        long size = 1L << qsize;
        if ((qpage & (size - 1)) != 0) {
            host.trace().guestError(cpu.index(), String.format("XIVE: EQ @0x%x is not naturally aligned with 0x%x", qpage, size),
                "qpage", qpage);
            return PaprRc.H_P4;
        }
        if (!host.memory().contains(qpage, (int) size)) {
            host.trace().guestError(cpu.index(), String.format("XIVE: failed to map EQ @0x%x", qpage), "qpage", qpage);
            return PaprRc.H_P4;
        }
        // generation starts at 1, the queue index at 0 (ESn/ESe become 00)
        int[] old = endWords(e);
        EndConfig.configureQueue(router, e, qpage, (int) qsize, (flags & END_ALWAYS_NOTIFY) != 0, BLOCK_ID,
            NVT_BASE + t.vcpuId(), (int) priority);
        return pushEnd(e, old);
    }

    /**
     * The checks every queue hcall makes first, in QEMU's order, on (flags, target, priority):
     * exploitation mode negotiated, only {@code allowedFlags} set, a priority the guest may use,
     * a known target. {@code H_SUCCESS} when they pass, else the return code.
     */
    private long queueArgs(VCpu cpu, long[] a, long allowedFlags) {
        if (!x.exploitationNegotiated()) {
            return PaprRc.H_FUNCTION;
        }
        if ((a[0] & ~allowedFlags) != 0) {
            return PaprRc.H_PARAMETER;
        }
        if (SpaprXive.priorityReserved(a[2])) {
            reservedPriority(cpu, a[2]);
            return PaprRc.H_P3;
        }
        return host.cpuByVcpuId(a[1]) == null ? PaprRc.H_P2 : PaprRc.H_SUCCESS;
    }

    private int[] endWords(int e) {
        int[] w = new int[End.WORDS];
        for (int i = 0; i < End.WORDS; i++) {
            w[i] = router.endWord(e, i);
        }
        return w;
    }

    /** In-kernel: the new END goes to the kernel; refused, the old words come back and the hcall fails. */
    private long pushEnd(int e, int[] old) {
        if (x.kvm() != null && !x.kvm().setQueueConfig(e)) {
            for (int i = 0; i < End.WORDS; i++) {
                router.setEndWord(e, i, old[i]);
            }
            return PaprRc.H_HARDWARE;
        }
        return PaprRc.H_SUCCESS;
    }

    /** H_INT_GET_QUEUE_CONFIG(flags, target, priority) -> (flags, qpage, qsize, index). */
    private long hGetQueueConfig(VCpu cpu, long[] a) {
        long rc = queueArgs(cpu, a, END_DEBUG);
        if (rc != PaprRc.H_SUCCESS) {
            return rc;
        }
        long flags = a[0];
        long priority = a[2];
        VCpu t = host.cpuByVcpuId(a[1]);
        int e = SpaprXive.endIndex(t.vcpuId(), (int) priority);
        if (x.kvm() != null && (flags & END_DEBUG) != 0 && (router.endWord(e, 0) & End.W0_VALID) != 0
            && !x.kvm().getQueueConfig(e)) {
            return PaprRc.H_HARDWARE;
        }
        int w0 = router.endWord(e, 0);
        int w1 = router.endWord(e, 1);
        long out = (w0 & End.W0_UCOND_NOTIFY) != 0 ? END_ALWAYS_NOTIFY : 0;
        if ((w0 & End.W0_ENQUEUE) != 0) {
            a[1] = End.queueAddress(router.endWord(e, 2), router.endWord(e, 3));
            a[2] = Field.get32(End.W0_QSIZE, w0) + 12;
        } else {
            a[1] = 0;
            a[2] = 0;
        }
        if ((flags & END_DEBUG) != 0) {
            // QEMU puts the generation at bit 62 (IBM bit 1), not bit 62 in IBM numbering: kept
            out |= (long) Field.get32(End.W1_GENERATION, w1) << 62;
            a[3] = w1 & End.W1_PAGE_OFF;
        } else {
            a[3] = 0;
        }
        a[0] = out;
        return PaprRc.H_SUCCESS;
    }

    /** H_INT_SET/GET_OS_REPORTING_LINE: not implemented by QEMU either. */
    private long hReportingLine(VCpu cpu, long[] a) {
        if (!x.exploitationNegotiated()) {
            return PaprRc.H_FUNCTION;
        }
        host.trace().emit(TraceCategory.UNIMPLEMENTED, cpu.index(), "hcall",
            "message", "H_INT_SET/GET_OS_REPORTING_LINE are not implemented (as on QEMU)");
        return PaprRc.H_FUNCTION;
    }

    /** H_INT_ESB(flags, lisn, offset, data): an 8-byte ESB access done by the hypervisor. */
    private long hEsb(VCpu cpu, long[] a) {
        if (!x.exploitationNegotiated()) {
            return PaprRc.H_FUNCTION;
        }
        long flags = a[0];
        long lisn = a[1];
        long offset = a[2];
        long data = a[3];
        if ((flags & ~ESB_STORE) != 0) {
            return PaprRc.H_PARAMETER;
        }
        if (badLisn(cpu, lisn)) {
            return PaprRc.H_P2;
        }
        // QEMU compares with the whole two-page span (1 << 17) and uses '>': kept as is
        if (Long.compareUnsigned(offset, 1L << source.esbShift()) > 0) {
            return PaprRc.H_P3;
        }
        if (x.kvm() != null) {
            a[0] = x.kvm().esbRw((int) lisn, (int) offset, data, (flags & ESB_STORE) != 0);
            return PaprRc.H_SUCCESS;
        }
        long addr = VC_BASE + source.managementPage((int) lisn) + offset;
        MmioRegion r = host.mmio().find(addr);
        if (r == null || !r.covers(addr + 7)) {
            host.trace().guestError(cpu.index(), String.format("XIVE: failed to access ESB @0x%x", addr), "addr", addr);
            return PaprRc.H_HARDWARE;
        }
        boolean store = (flags & ESB_STORE) != 0;
        if (host.trace().on(TraceCategory.MMIO)) {
            host.trace().emit(TraceCategory.MMIO, cpu.index(), store ? "store" : "load", "region", r.name(),
                "addr", addr, "offset", addr - r.base(), "size", 8, "value", store ? data : 0L, "via", "H_INT_ESB");
        }
        if (store) {
            r.handler().write(cpu, addr - r.base(), 8, data);
            a[0] = -1;
        } else {
            long v = r.handler().read(cpu, addr - r.base(), 8);
            // esbLoads: 'qemu': QEMU 7.2 hands back the MMIO value as host-endian bytes, so on a
            // little-endian host the ESB byte lands in R4's top byte
            a[0] = host.config().platform().qemuEsbLoads() ? Long.reverseBytes(v) : v;
        }
        return PaprRc.H_SUCCESS;
    }

    /** H_INT_SYNC(flags, lisn): nothing is in flight in an emulated controller. */
    private long hSync(VCpu cpu, long[] a) {
        if (!x.exploitationNegotiated()) {
            return PaprRc.H_FUNCTION;
        }
        if (a[0] != 0) {
            return PaprRc.H_PARAMETER;
        }
        if (badLisn(cpu, a[1])) {
            return PaprRc.H_P2;
        }
        if (x.kvm() != null && !x.kvm().syncSource((int) a[1])) {
            return PaprRc.H_HARDWARE;
        }
        return PaprRc.H_SUCCESS;
    }

    /** H_INT_RESET(flags): every EAS masked, every END and source reset (thread contexts kept). */
    private long hReset(VCpu cpu, long[] a) {
        if (!x.exploitationNegotiated()) {
            return PaprRc.H_FUNCTION;
        }
        if (a[0] != 0) {
            return PaprRc.H_PARAMETER;
        }
        x.resetRouting();
        source.reset();
        if (x.kvm() != null && !x.kvm().reset()) {
            return PaprRc.H_HARDWARE;
        }
        return PaprRc.H_SUCCESS;
    }
}
