package io.pseries.xive;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pseries.core.snapshot.SnapshotParticipant;
import io.pseries.core.snapshot.SnapshotSection;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.dt.DtNode;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.host.Host;
import io.pseries.core.intc.CasRole;
import io.pseries.core.intc.IntcHost;
import io.pseries.core.intc.InterruptController;
import io.pseries.core.irq.SpaprIrq;
import io.pseries.core.mem.MmioHandler;
import io.pseries.core.mem.MmioRegion;
import io.pseries.core.cas.OptionVector;
import io.pseries.core.trace.TraceCategory;
import io.pseries.xive.kvm.SpaprXiveKvm;

/**
 * The sPAPR XIVE controller as QEMU's pseries machine exposes it (hw/intc/spapr_xive.c):
 * sources, router and presenter wired with sPAPR's fixed mappings, the ESB and TIMA MMIO
 * windows, the eleven H_INT_* hcalls and the device-tree node.
 *
 * <pre>
 *  LISNs      0x0000-0x1FFF (IPIs 0..nr_servers-1 claimed at creation, devices from 0x1000)
 *  ESB        0x0006_0100_0000_0000 + lisn * 0x20000 (trigger page, then EOI page)
 *  END ESB    0x0006_0100_4000_0000 + end * 0x20000 (kept disabled, as QEMU does)
 *  TIMA       0x0006_0302_0318_0000, 4 x 64 KiB (HW, HV, OS, USER)
 *  END index  (vcpu_id << 3) + priority; NVT index 0x400 + vcpu_id (never shown to the guest)
 * </pre>
 *
 * <p>The hcalls answer H_FUNCTION until CAS negotiated exploitation mode; the MMIO windows are
 * enabled only while this controller is active.
 *
 * <p><b>In-kernel.</b> While connected to the native XIVE KVM device ({@link #connectKernel}),
 * the kernel owns the sources, queues and thread contexts: guest ESB and TIMA accesses go
 * through the device's pages mapped into the guest, the H_INT_* hcalls are still served here and
 * forwarded to the device's attributes, and {@link #pic()} first copies the kernel's state back
 * ({@link SpaprXiveKvm}).
 */
public final class SpaprXive implements InterruptController, SnapshotParticipant {
    public static final long VC_BASE = 0x0006_0100_0000_0000L;
    public static final long TM_BASE = 0x0006_0302_0318_0000L;
    public static final int NVT_BASE = 0x400;
    public static final int BLOCK_ID = 0;
    /** Priorities from this one up are reserved to the hypervisor (QEMU's hv_prio). */
    public static final int HV_PRIO = 7;

    static final long SRC_H_INT_ESB = 0x8;
    static final long SRC_LSI = 0x4;
    static final long SRC_TRIGGER = 0x2;
    static final long SRC_STORE_EOI = 0x1;
    static final long SRC_SET_EISN = 0x2;
    static final long SRC_MASK = 0x1;
    static final long END_ALWAYS_NOTIFY = 0x1;
    static final long END_DEBUG = 0x1;
    static final long ESB_STORE = 0x1;

    private final IntcHost host;
    private final int nrIrqs;
    private final int nrEnds;
    private final XiveSource source;
    private final XiveRouter router;
    private final Presenter presenter;
    private final Tima tima;
    private final ThreadContext[] tctx;
    private final BitSet claimed = new BitSet();
    private final MmioRegion esbRegion;
    private final MmioRegion timaRegion;
    private final long endBase;
    /** The in-kernel device connection, or null (emulated). */
    private SpaprXiveKvm kvm;

    public SpaprXive(IntcHost host) {
        this.host = host;
        this.nrIrqs = host.config().nrIrqs();
        // ENDs follow server numbers (vCPU ids, which VSMT may space out), contexts follow vCPUs
        this.nrEnds = host.nrServers() << 3;
        this.tctx = new ThreadContext[host.config().cpus()];
        this.presenter = new Presenter(tctx, host.trace());
        XiveRouter.NvtDirectory nvts = (blk, idx) -> host.cpuByVcpuId((long) idx - NVT_BASE) != null;
        this.router = new XiveRouter(nrIrqs, nrEnds, host.memory(), presenter, nvts, host.trace());
        this.source = new XiveSource(nrIrqs, XiveSource.ESB_64K_2PAGE, false, router, host.trace());
        this.tima = new Tima(presenter, nvts, host.trace());
        this.endBase = VC_BASE + source.regionSize();

        esbRegion = new MmioRegion("xive.esb", VC_BASE, source.regionSize(), new MmioHandler() {
            @Override
            public long read(VCpu cpu, long offset, int size) {
                return source.esbRead(cpu.index(), offset);
            }

            @Override
            public void write(VCpu cpu, long offset, int size, long value) {
                source.esbWrite(cpu.index(), offset);
            }
        });
        timaRegion = new MmioRegion("xive.tima", TM_BASE, Tima.SIZE, tima);
        esbRegion.setEnabled(false);
        timaRegion.setEnabled(false);
        host.mmio().map(esbRegion);
        host.mmio().map(timaRegion);

        // one IPI per possible server number, claimed by the controller itself (spapr_irq_init)
        for (int i = 0; i < host.nrServers(); i++) {
            claim(SpaprIrq.IPI + i, false);
        }
        registerHcalls();
    }

    @Override
    public String name() {
        return "xive";
    }

    @Override
    public CasRole casRole() {
        return CasRole.EXPLOITATION;
    }

    public XiveSource source() {
        return source;
    }

    public XiveRouter router() {
        return router;
    }

    public Presenter presenter() {
        return presenter;
    }

    /** The number of thread contexts (one per vCPU). */
    public int threads() {
        return tctx.length;
    }

    /** Whether this controller is the machine's active one. */
    boolean isActive() {
        return host.isActive(this);
    }

    /** The sections of this controller's state (see {@link XiveSnapshotSections}). */
    @Override
    public List<SnapshotSection> snapshotSections() {
        return XiveSnapshotSections.of(this);
    }

    public ThreadContext threadContext(int cpu) {
        return tctx[cpu];
    }

    public MmioRegion esbRegion() {
        return esbRegion;
    }

    public MmioRegion timaRegion() {
        return timaRegion;
    }

    /** Base of the END ESB pages (H_INT_GET_QUEUE_INFO reports addresses there). */
    public long endEsbBase() {
        return endBase;
    }

    public int nrIrqs() {
        return nrIrqs;
    }

    /** The interrupt server numbers (max vCPU id + 1). */
    public int nrServers() {
        return host.nrServers();
    }

    // ------------------------------------------------------------------ in-kernel device

    @Override
    public String connectKernel(Host h) {
        if (kvm != null) {
            // the device is already in use: a reboot in XIVE-only mode
            return null;
        }
        SpaprXiveKvm k = new SpaprXiveKvm(this, h);
        String err = k.connect();
        if (err == null) {
            kvm = k;
        }
        return err;
    }

    @Override
    public void disconnectKernel() {
        if (kvm != null) {
            kvm.disconnect();
            kvm = null;
        }
    }

    @Override
    public boolean inKernel() {
        return kvm != null;
    }

    /** The in-kernel connection, or null. */
    public SpaprXiveKvm kvm() {
        return kvm;
    }

    public int nrEnds() {
        return nrEnds;
    }

    // ------------------------------------------------------------------ sPAPR mappings

    /** END index of (vCPU id, priority). */
    public static int endIndex(int vcpuId, int priority) {
        return (vcpuId << 3) + priority;
    }

    /** The OS CAM line QEMU pushes into a vCPU's context: VO | (block 0, NVT 0x400 + vcpu_id). */
    public static int osCam(int vcpuId) {
        return ThreadContext.QW1W2_VO | Presenter.camLine(BLOCK_ID, NVT_BASE + vcpuId);
    }

    private static boolean priorityReserved(long priority) {
        return priority < 0 || priority >= HV_PRIO;
    }

    private boolean exploitationNegotiated() {
        return host.ov5Cas().test(OptionVector.OV5_XIVE_EXPLOIT);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void cpuCreated(VCpu cpu) {
        ThreadContext t = new ThreadContext(cpu);
        tctx[cpu.index()] = t;
        presenter.setWord2(cpu.index(), ThreadContext.QW1_OS, osCam(cpu.vcpuId()));
    }

    @Override
    public void claim(int irq, boolean lsi) {
        long w = router.eas(irq);
        if (Eas.valid(w)) {
            throw new IllegalStateException(String.format("IRQ %d is not free", irq));
        }
        router.setEas(irq, w | Eas.VALID | Eas.MASKED);
        if (lsi) {
            source.setLsi(irq);
        }
        claimed.set(irq);
        if (kvm != null) {
            kvm.sourceReset(irq);
        }
    }

    @Override
    public void free(int irq) {
        router.setEas(irq, router.eas(irq) & ~Eas.VALID);
        claimed.clear(irq);
    }

    /**
     * Controller reset (spapr_xive_reset, source reset, thread-context reset): valid EASs become
     * VALID|MASKED, every END is cleared with its ESn/ESe set to "off", every PQ to 01, every
     * thread context to its reset values with the OS CAM pushed.
     */
    @Override
    public void reset() {
        resetRouting();
        source.reset();
        for (ThreadContext t : tctx) {
            t.reset();
            presenter.setWord2(t.cpu().index(), ThreadContext.QW1_OS, osCam(t.cpu().vcpuId()));
        }
    }

    private void resetRouting() {
        for (int i = claimed.nextSetBit(0); i >= 0; i = claimed.nextSetBit(i + 1)) {
            router.setEas(i, Eas.VALID | Eas.MASKED);
        }
        for (int i = 0; i < nrIrqs; i++) {
            if (!claimed.get(i)) {
                router.setEas(i, 0);
            }
        }
        for (int e = 0; e < nrEnds; e++) {
            resetEnd(e);
        }
    }

    private void resetEnd(int e) {
        EndConfig.reset(router, e);
    }

    @Override
    public void activate() {
        esbRegion.setEnabled(true);
        timaRegion.setEnabled(true);
    }

    @Override
    public void deactivate() {
        esbRegion.setEnabled(false);
        timaRegion.setEnabled(false);
    }

    @Override
    public void setIrq(int irq, boolean level) {
        if (kvm != null) {
            kvm.setIrq(irq, level);
            return;
        }
        source.setIrq(irq, level);
    }

    // ------------------------------------------------------------------ device tree

    @Override
    public void writeDeviceTree(DtNode root, int nrServers, int phandle) {
        DtNode n = root.addChild(String.format("interrupt-controller@%x", TM_BASE + Tima.PAGE_USER * (1L << Tima.SHIFT)));
        n.setCells("phandle", phandle);
        n.setCells("linux,phandle", phandle);
        n.setCells("#interrupt-cells", 2);
        n.setEmpty("interrupt-controller");
        n.setCells("ibm,xive-lisn-ranges", 0, nrServers);
        n.setCells("ibm,xive-eq-sizes", 16);
        n.setString("compatible", "ibm,power-ivpe");
        n.setU64s("reg", TM_BASE + Tima.PAGE_USER * (1L << Tima.SHIFT), 1L << Tima.SHIFT,
            TM_BASE + Tima.PAGE_OS * (1L << Tima.SHIFT), 1L << Tima.SHIFT);
        n.setString("device_type", "power-ivpe");
        // reserved priorities (start, count): 7..0xFE, so the guest uses 6
        root.setCells("ibm,plat-res-int-priorities", HV_PRIO, 0xff - HV_PRIO);
    }

    // ------------------------------------------------------------------ hcalls

    private void registerHcalls() {
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
        if (!exploitationNegotiated()) {
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
        if (!exploitationNegotiated()) {
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
            // priority 0xFF resets the EAS: target and EISN are forgotten
            return storeEas(n, Eas.VALID | Eas.MASKED);
        }
        long neu = (flags & SRC_MASK) != 0 ? eas | Eas.MASKED : eas & ~Eas.MASKED;
        if (priorityReserved(priority)) {
            reservedPriority(cpu, priority);
            return PaprRc.H_P4;
        }
        VCpu t = host.cpuByVcpuId(target);
        if (t == null) {
            return PaprRc.H_P3;
        }
        neu = Field.set(Eas.END_BLOCK, neu, BLOCK_ID);
        neu = Field.set(Eas.END_INDEX, neu, endIndex(t.vcpuId(), (int) priority));
        if ((flags & SRC_SET_EISN) != 0) {
            neu = Field.set(Eas.END_DATA, neu, eisn);
        }
        return storeEas(n, neu);
    }

    /** The EAS goes to the kernel first when in-kernel (H_HARDWARE if refused), then into the table. */
    private long storeEas(int n, long eas) {
        if (kvm != null && !kvm.setSourceConfig(n, eas)) {
            return PaprRc.H_HARDWARE;
        }
        router.setEas(n, eas);
        return PaprRc.H_SUCCESS;
    }

    /** H_INT_GET_SOURCE_CONFIG(flags, lisn) -> (target, priority, eisn). */
    private long hGetSourceConfig(VCpu cpu, long[] a) {
        if (!exploitationNegotiated()) {
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
        if (!exploitationNegotiated()) {
            return PaprRc.H_FUNCTION;
        }
        long flags = a[0];
        long target = a[1];
        long priority = a[2];
        if (flags != 0) {
            return PaprRc.H_PARAMETER;
        }
        if (priorityReserved(priority)) {
            reservedPriority(cpu, priority);
            return PaprRc.H_P3;
        }
        VCpu t = host.cpuByVcpuId(target);
        if (t == null) {
            return PaprRc.H_P2;
        }
        int e = endIndex(t.vcpuId(), (int) priority);
        int w0 = router.endWord(e, 0);
        a[0] = endBase + (1L << (XiveSource.ESB_64K + 1)) * e;
        a[1] = (w0 & End.W0_ENQUEUE) != 0 ? Field.get32(End.W0_QSIZE, w0) + 12 : 0;
        return PaprRc.H_SUCCESS;
    }

    /** H_INT_SET_QUEUE_CONFIG(flags, target, priority, qpage, qsize). */
    private long hSetQueueConfig(VCpu cpu, long[] a) {
        if (!exploitationNegotiated()) {
            return PaprRc.H_FUNCTION;
        }
        long flags = a[0];
        long target = a[1];
        long priority = a[2];
        long qpage = a[3];
        long qsize = a[4];
        if ((flags & ~END_ALWAYS_NOTIFY) != 0) {
            return PaprRc.H_PARAMETER;
        }
        if (priorityReserved(priority)) {
            reservedPriority(cpu, priority);
            return PaprRc.H_P3;
        }
        VCpu t = host.cpuByVcpuId(target);
        if (t == null) {
            return PaprRc.H_P2;
        }
        int e = endIndex(t.vcpuId(), (int) priority);
        if (qsize == 0) {
            int[] old = endWords(e);
            resetEnd(e);
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
        if (pushEnd(e, old) != PaprRc.H_SUCCESS) {
            return PaprRc.H_HARDWARE;
        }
        return PaprRc.H_SUCCESS;
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
        if (kvm != null && !kvm.setQueueConfig(e)) {
            for (int i = 0; i < End.WORDS; i++) {
                router.setEndWord(e, i, old[i]);
            }
            return PaprRc.H_HARDWARE;
        }
        return PaprRc.H_SUCCESS;
    }

    /** H_INT_GET_QUEUE_CONFIG(flags, target, priority) -> (flags, qpage, qsize, index). */
    private long hGetQueueConfig(VCpu cpu, long[] a) {
        if (!exploitationNegotiated()) {
            return PaprRc.H_FUNCTION;
        }
        long flags = a[0];
        long target = a[1];
        long priority = a[2];
        if ((flags & ~END_DEBUG) != 0) {
            return PaprRc.H_PARAMETER;
        }
        if (priorityReserved(priority)) {
            reservedPriority(cpu, priority);
            return PaprRc.H_P3;
        }
        VCpu t = host.cpuByVcpuId(target);
        if (t == null) {
            return PaprRc.H_P2;
        }
        int e = endIndex(t.vcpuId(), (int) priority);
        if (kvm != null && (flags & END_DEBUG) != 0 && (router.endWord(e, 0) & End.W0_VALID) != 0
            && !kvm.getQueueConfig(e)) {
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
        if (!exploitationNegotiated()) {
            return PaprRc.H_FUNCTION;
        }
        host.trace().emit(TraceCategory.UNIMPLEMENTED, cpu.index(), "hcall",
            "message", "H_INT_SET/GET_OS_REPORTING_LINE are not implemented (as on QEMU)");
        return PaprRc.H_FUNCTION;
    }

    /** H_INT_ESB(flags, lisn, offset, data): an 8-byte ESB access done by the hypervisor. */
    private long hEsb(VCpu cpu, long[] a) {
        if (!exploitationNegotiated()) {
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
        if (kvm != null) {
            a[0] = kvm.esbRw((int) lisn, (int) offset, data, (flags & ESB_STORE) != 0);
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
            a[0] = r.handler().read(cpu, addr - r.base(), 8);
        }
        return PaprRc.H_SUCCESS;
    }

    /** H_INT_SYNC(flags, lisn): nothing is in flight in an emulated controller. */
    private long hSync(VCpu cpu, long[] a) {
        if (!exploitationNegotiated()) {
            return PaprRc.H_FUNCTION;
        }
        if (a[0] != 0) {
            return PaprRc.H_PARAMETER;
        }
        if (badLisn(cpu, a[1])) {
            return PaprRc.H_P2;
        }
        if (kvm != null && !kvm.syncSource((int) a[1])) {
            return PaprRc.H_HARDWARE;
        }
        return PaprRc.H_SUCCESS;
    }

    /** H_INT_RESET(flags): every EAS masked, every END and source reset (thread contexts kept). */
    private long hReset(VCpu cpu, long[] a) {
        if (!exploitationNegotiated()) {
            return PaprRc.H_FUNCTION;
        }
        if (a[0] != 0) {
            return PaprRc.H_PARAMETER;
        }
        resetRouting();
        source.reset();
        if (kvm != null && !kvm.reset()) {
            return PaprRc.H_HARDWARE;
        }
        return PaprRc.H_SUCCESS;
    }

    // ------------------------------------------------------------------ state as data

    @Override
    public Map<String, Object> pic() {
        if (kvm != null) {
            kvm.synchronizeState();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", "xive");
        List<Object> cpus = new ArrayList<>();
        for (ThreadContext t : tctx) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("cpu", t.cpu().index());
            c.put("os", ring(t, ThreadContext.QW1_OS));
            cpus.add(c);
        }
        m.put("cpus", cpus);
        List<Object> sources = new ArrayList<>();
        for (int i = claimed.nextSetBit(0); i >= 0; i = claimed.nextSetBit(i + 1)) {
            long eas = router.eas(i);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("lisn", i);
            s.put("type", source.isLsi(i) ? "LSI" : "MSI");
            s.put("pq", Pq.name(source.pq(i)));
            s.put("asserted", source.asserted(i));
            s.put("masked", Eas.masked(eas));
            s.put("eisn", Eas.endData(eas));
            int e = Eas.endIndex(eas);
            s.put("server", e >>> 3);
            s.put("priority", Eas.masked(eas) ? 0xff : e & 7);
            s.put("end", e);
            sources.add(s);
        }
        m.put("sources", sources);
        List<Object> queues = new ArrayList<>();
        for (int e = 0; e < nrEnds; e++) {
            int w0 = router.endWord(e, 0);
            if ((w0 & End.W0_VALID) == 0) {
                continue;
            }
            int w1 = router.endWord(e, 1);
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("end", e);
            q.put("server", e >>> 3);
            q.put("priority", e & 7);
            q.put("enqueue", (w0 & End.W0_ENQUEUE) != 0);
            q.put("notify", (w0 & End.W0_UCOND_NOTIFY) != 0);
            q.put("escalate", (w0 & End.W0_ESCALATE_CTL) != 0);
            q.put("qaddr", End.queueAddress(router.endWord(e, 2), router.endWord(e, 3)));
            int qsize = Field.get32(End.W0_QSIZE, w0);
            q.put("qsize", qsize + 12);
            q.put("entries", End.entries(qsize));
            q.put("index", w1 & End.W1_PAGE_OFF);
            q.put("generation", (w1 & End.W1_GENERATION) != 0 ? 1 : 0);
            q.put("esn", Pq.name(Field.get32(End.W1_ESN, w1)));
            q.put("ese", Pq.name(Field.get32(End.W1_ESE, w1)));
            queues.add(q);
        }
        m.put("queues", queues);
        return m;
    }

    private static Map<String, Object> ring(ThreadContext t, int ring) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("nsr", t.reg(ring + ThreadContext.NSR));
        r.put("cppr", t.reg(ring + ThreadContext.CPPR));
        r.put("ipb", t.reg(ring + ThreadContext.IPB));
        r.put("lsmfb", t.reg(ring + ThreadContext.LSMFB));
        r.put("ack", t.reg(ring + ThreadContext.ACK_CNT));
        r.put("inc", t.reg(ring + ThreadContext.INC));
        r.put("age", t.reg(ring + ThreadContext.AGE));
        r.put("pipr", t.reg(ring + ThreadContext.PIPR));
        r.put("w2", t.word2(ring) & 0xffff_ffffL);
        return r;
    }

    @Override
    public String picText() {
        if (kvm != null) {
            kvm.synchronizeState();
        }
        StringBuilder sb = new StringBuilder();
        String[] names = {"USER", "OS", "POOL", "PHYS"};
        for (ThreadContext t : tctx) {
            int c = t.cpu().index();
            sb.append(String.format("CPU[%04x]:   QW   NSR CPPR IPB LSMFB ACK# INC AGE PIPR  W2%n", c));
            for (int r = 0; r < 4; r++) {
                int o = r * 16;
                sb.append(String.format("CPU[%04x]: %4s    %02x   %02x  %02x    %02x   %02x  %02x  %02x   %02x  %08x%n", c,
                    names[r], t.reg(o), t.reg(o + 1), t.reg(o + 2), t.reg(o + 3), t.reg(o + 4), t.reg(o + 5),
                    t.reg(o + 6), t.reg(o + 7), t.word2(o)));
            }
        }
        sb.append("  LISN         PQ    EISN     CPU/PRIO EQ\n");
        for (int i = claimed.nextSetBit(0); i >= 0; i = claimed.nextSetBit(i + 1)) {
            long eas = router.eas(i);
            int pq = source.pq(i);
            sb.append(String.format("  %08x %s %s%s %s %08x ", i, source.isLsi(i) ? "LSI" : "MSI", Pq.name(pq),
                source.asserted(i) ? "A" : " ", Eas.masked(eas) ? "M" : " ", Eas.endData(eas)));
            if (!Eas.masked(eas)) {
                int e = Eas.endIndex(eas);
                int w0 = router.endWord(e, 0);
                if ((w0 & End.W0_VALID) != 0) {
                    int w1 = router.endWord(e, 1);
                    int qsize = Field.get32(End.W0_QSIZE, w0);
                    sb.append(String.format("%3d/%d % 6d/%5d @%x ^%d", e >>> 3, e & 7, w1 & End.W1_PAGE_OFF,
                        End.entries(qsize), End.queueAddress(router.endWord(e, 2), router.endWord(e, 3)),
                        (w1 & End.W1_GENERATION) != 0 ? 1 : 0));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
