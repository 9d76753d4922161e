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
import io.pseries.core.host.Host;
import io.pseries.core.intc.CasRole;
import io.pseries.core.intc.IntcHost;
import io.pseries.core.intc.InterruptController;
import io.pseries.core.irq.SpaprIrq;
import io.pseries.core.mem.MmioHandler;
import io.pseries.core.mem.MmioRegion;
import io.pseries.core.cas.OptionVector;
import io.pseries.core.util.Row;
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
 * <p>The hcalls ({@link SpaprXiveHcalls}) answer H_FUNCTION until CAS negotiated exploitation
 * mode; the MMIO windows are enabled only while this controller is active.
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
        new SpaprXiveHcalls(this, host).register();
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

    @Override
    public void kernelVmStopped() {
        if (kvm != null) {
            kvm.vmStop();
        }
    }

    @Override
    public void kernelVmRunning() {
        if (kvm != null) {
            kvm.vmRun();
        }
    }

    @Override
    public void kernelStayStopped() {
        if (kvm != null) {
            kvm.stayStopped();
        }
    }

    @Override
    public void kernelPreSave() {
        if (kvm != null) {
            kvm.preSave();
        }
    }

    @Override
    public String kernelPostLoad() {
        return kvm == null ? null : kvm.postLoad();
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

    static boolean priorityReserved(long priority) {
        return priority < 0 || priority >= HV_PRIO;
    }

    boolean exploitationNegotiated() {
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

    void resetRouting() {
        for (int i = claimed.nextSetBit(0); i >= 0; i = claimed.nextSetBit(i + 1)) {
            router.setEas(i, Eas.VALID | Eas.MASKED);
        }
        // the other entries in use (a freed number keeps its EAS but VALID): QEMU zeroes every
        // invalid entry; visiting only the non-zero ones gives the same table
        for (int i = router.nextNonZeroEas(0); i >= 0; i = router.nextNonZeroEas(i + 1)) {
            if (!claimed.get(i)) {
                router.setEas(i, 0);
            }
        }
        for (int e = 0; e < nrEnds; e++) {
            resetEnd(e);
        }
    }

    void resetEnd(int e) {
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

    // ------------------------------------------------------------------ state as data

    /** The rows of {@link #pic()}, in the keys' order of pseries.d.ts's XivePic. */
    private static final Row.Keys PIC_CPU = Row.keys("cpu", "os");
    private static final Row.Keys PIC_RING = Row.keys("nsr", "cppr", "ipb", "lsmfb", "ack", "inc", "age", "pipr", "w2");
    private static final Row.Keys PIC_SOURCE = Row.keys("lisn", "type", "pq", "asserted", "masked", "eisn", "server",
        "priority", "end");
    private static final Row.Keys PIC_QUEUE = Row.keys("end", "server", "priority", "enqueue", "notify", "escalate",
        "qaddr", "qsize", "entries", "index", "generation", "esn", "ese");

    /**
     * The state as data: every vCPU's OS ring, the claimed sources, the valid queues. Each row is
     * a {@link Row} (one object and a value array), so the cost is the rows listed: at 4096 vCPUs
     * and 10 k sources, about a fifth of the LinkedHashMaps it replaced.
     */
    @Override
    public Map<String, Object> pic() {
        if (kvm != null) {
            kvm.synchronizeState();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", "xive");
        List<Object> cpus = new ArrayList<>(tctx.length);
        for (ThreadContext t : tctx) {
            cpus.add(PIC_CPU.row(t.cpu().index(), ring(t, ThreadContext.QW1_OS)));
        }
        m.put("cpus", cpus);
        List<Object> sources = new ArrayList<>(claimed.cardinality());
        for (int i = claimed.nextSetBit(0); i >= 0; i = claimed.nextSetBit(i + 1)) {
            long eas = router.eas(i);
            int e = Eas.endIndex(eas);
            boolean masked = Eas.masked(eas);
            sources.add(PIC_SOURCE.row(i, source.isLsi(i) ? "LSI" : "MSI", Pq.name(source.pq(i)), source.asserted(i),
                masked, Eas.endData(eas), e >>> 3, masked ? 0xff : e & 7, e));
        }
        m.put("sources", sources);
        List<Object> queues = new ArrayList<>();
        for (int e = 0; e < nrEnds; e++) {
            int w0 = router.endWord(e, 0);
            if ((w0 & End.W0_VALID) == 0) {
                continue;
            }
            int w1 = router.endWord(e, 1);
            int qsize = Field.get32(End.W0_QSIZE, w0);
            queues.add(PIC_QUEUE.row(e, e >>> 3, e & 7, (w0 & End.W0_ENQUEUE) != 0, (w0 & End.W0_UCOND_NOTIFY) != 0,
                (w0 & End.W0_ESCALATE_CTL) != 0, End.queueAddress(router.endWord(e, 2), router.endWord(e, 3)),
                qsize + 12, End.entries(qsize), w1 & End.W1_PAGE_OFF, (w1 & End.W1_GENERATION) != 0 ? 1 : 0,
                Pq.name(Field.get32(End.W1_ESN, w1)), Pq.name(Field.get32(End.W1_ESE, w1))));
        }
        m.put("queues", queues);
        return m;
    }

    private static Map<String, Object> ring(ThreadContext t, int ring) {
        return PIC_RING.row(t.reg(ring + ThreadContext.NSR), t.reg(ring + ThreadContext.CPPR), t.reg(ring + ThreadContext.IPB),
            t.reg(ring + ThreadContext.LSMFB), t.reg(ring + ThreadContext.ACK_CNT), t.reg(ring + ThreadContext.INC),
            t.reg(ring + ThreadContext.AGE), t.reg(ring + ThreadContext.PIPR), t.word2(ring) & 0xffff_ffffL);
    }

    /**
     * QEMU 7.2's {@code info pic} for XIVE, line for line: each vCPU's thread context (the four
     * rings), then every claimed source's LISN, type, PQ, asserted and masked flags and EISN, with
     * its END (target/priority, queue index/size, address, generation) and the last six queue
     * entries read from guest memory, the newest marked {@code ^}; then the {@code irqchip:} line.
     */
    @Override
    public String picText() {
        if (kvm != null) {
            kvm.synchronizeState();
        }
        StringBuilder sb = new StringBuilder();
        String[] names = {"USER", "OS", "POOL", "PHYS"};
        for (ThreadContext t : tctx) {
            int c = t.cpu().index();
            sb.append(String.format("CPU[%04x]:   QW   NSR CPPR IPB LSMFB ACK# INC AGE PIPR  W2\n", c));
            for (int r = 0; r < 4; r++) {
                int o = r * 16;
                sb.append(String.format("CPU[%04x]: %4s    %02x   %02x  %02x    %02x   %02x  %02x  %02x   %02x  %08x\n", c,
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
                    long qaddr = End.queueAddress(router.endWord(e, 2), router.endWord(e, 3));
                    int entries = End.entries(qsize);
                    int qindex = w1 & End.W1_PAGE_OFF;
                    sb.append(String.format("%3d/%d % 6d/%5d @%x ^%d", e >>> 3, e & 7, qindex, entries, qaddr,
                        (w1 & End.W1_GENERATION) != 0 ? 1 : 0));
                    appendQueueTail(sb, qaddr, qindex, entries);
                }
            }
            sb.append('\n');
        }
        sb.append("irqchip: ").append(kvm != null ? "in-kernel" : "emulated").append('\n');
        return sb.toString();
    }

    /** The six queue entries ending at {@code qindex} (the slot the next event goes to), as QEMU prints them. */
    private void appendQueueTail(StringBuilder sb, long qaddr, int qindex, int entries) {
        final int width = 6;
        sb.append(" [ ");
        int i = (qindex - (width - 1)) & (entries - 1);
        for (int k = 0; k < width; k++) {
            long a = qaddr + ((long) i << 2);
            int v = host.memory().contains(a, 4) ? host.memory().read32(a) : -1;
            sb.append(k == width - 1 ? "^" : "").append(String.format("%08x ", v));
            i = (i + 1) & (entries - 1);
        }
        sb.append(']');
    }
}
