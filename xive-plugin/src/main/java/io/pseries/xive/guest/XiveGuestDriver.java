package io.pseries.xive.guest;

import java.util.List;

import io.pseries.core.dt.DtNode;
import io.pseries.core.guest.GuestIrqDriver;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.guest.IrqDesc;
import io.pseries.core.hcall.HcallTable;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.xive.XiveSource;

/**
 * The guest's XIVE exploitation-mode driver, doing what Linux's arch/powerpc/sysdev/xive
 * (spapr.c + common.c) does, in the same order, through hcalls and ESB/TIMA MMIO:
 *
 * <ul>
 *   <li>discovery from the device tree: the OS TIMA page ({@code reg[1]}), the priority to use
 *       (the highest one not in {@code ibm,plat-res-int-priorities}: 6), the IPI LISN range and
 *       the queue size;</li>
 *   <li>per CPU: one zeroed queue at that priority ({@code H_INT_GET_QUEUE_INFO},
 *       {@code H_INT_SET_QUEUE_CONFIG} with always-notify), CPPR 0xFF through the TIMA, and an
 *       IPI LISN routed to it and unmasked (SET_PQ_00);</li>
 *   <li>per device interrupt, when it is mapped: source info, mask (SET_PQ_01); when it is
 *       requested: route with the kernel irq as EISN to the next CPU round-robin, unmask
 *       (SET_PQ_00); LSIs through {@code H_INT_ESB};</li>
 *   <li>per exception: ACK (2-byte TIMA load at 0x810), drain the queue (generation bit),
 *       handle, source EOI (SET_PQ_00 load and re-trigger on Q for MSIs, LOAD_EOI for LSIs),
 *       queue EOI (peek; CPPR back to 0xFF when empty, replay otherwise).</li>
 * </ul>
 */
public final class XiveGuestDriver implements GuestIrqDriver {
    private static final int TM_QW1_OS = 0x10;
    private static final int TM_CPPR = 0x1;
    private static final int TM_SPC_ACK_OS_REG = 0x810;
    private static final int NSR_EO = 0x80;

    /** ESB pages of one source, as H_INT_GET_SOURCE_INFO told. */
    record Esb(long eoi, long trig, boolean viaHcall, boolean lsi, boolean storeEoi) {
    }

    // package-private where XiveGuestDriverSection reads and installs the state (snapshots)
    final GuestOs os;
    private final long[] regs = new long[HcallTable.NARGS];
    final int n;
    final int[] cppr;
    final int[] pendingPrio;
    final long[] qpage;
    final int[] qidx;
    final int[] qtoggle;
    int qmask;
    long tima;
    int prio;
    int lisnBase;
    int lisnCount;
    int nextIpi;
    int qshift;
    int roundRobin;

    XiveGuestDriver(GuestOs os) {
        this.os = os;
        this.n = os.cpuCount();
        cppr = new int[n];
        pendingPrio = new int[n];
        qpage = new long[n];
        qidx = new int[n];
        qtoggle = new int[n];
    }

    @Override
    public String name() {
        return "xive";
    }

    /** The priority the guest uses for everything (6 on QEMU). */
    public int priority() {
        return prio;
    }

    // ------------------------------------------------------------------ set-up

    @Override
    public void initBootCpu() {
        DtNode tree = os.tree();
        DtNode ivpe = tree.findFirst(x -> {
            List<String> c = x.strings("compatible");
            return c != null && c.contains("ibm,power-ivpe");
        });
        long[] reg = ivpe.cells("reg");
        if (reg == null || reg.length < 8) {
            throw new IllegalStateException("XIVE node has no OS TIMA page in reg[1]");
        }
        tima = (reg[4] << 32) | reg[5];
        prio = pickPriority(tree.cells("ibm,plat-res-int-priorities"));
        long[] ranges = ivpe.cells("ibm,xive-lisn-ranges");
        lisnBase = (int) ranges[0];
        lisnCount = (int) ranges[1];
        long[] sizes = ivpe.cells("ibm,xive-eq-sizes");
        qshift = (int) sizes[sizes.length - 1];
        for (long s : sizes) {
            if (s == 16) {
                qshift = 16;
            }
        }
        qmask = (1 << (qshift - 2)) - 1;
        os.step(String.format("xive: TIMA OS page 0x%x, priority %d, IPI LISNs %d..%d, queues of 2^%d bytes",
            tima, prio, lisnBase, lisnBase + lisnCount - 1, qshift));

        prepareQueue(0);
        setupCpu(0);
        setupIpi(0);
    }

    /** The highest priority in 0..7 that no reserved (start, count) range covers. */
    static int pickPriority(long[] reserved) {
        for (int p = 7; p >= 0; p--) {
            boolean res = false;
            for (int i = 0; reserved != null && i + 1 < reserved.length; i += 2) {
                if (p >= reserved[i] && p < reserved[i] + reserved[i + 1]) {
                    res = true;
                }
            }
            if (!res) {
                return p;
            }
        }
        throw new IllegalStateException("every priority is reserved by the hypervisor");
    }

    @Override
    public void prepareCpu(int cpu) {
        prepareQueue(cpu);
        setupIpi(cpu);
    }

    /** On the boot CPU: the queue page of {@code cpu}, then its END configuration. */
    private void prepareQueue(int cpu) {
        long q = os.alloc(1L << qshift, 1L << qshift);
        qpage[cpu] = q;
        qidx[cpu] = 0;
        qtoggle[cpu] = 0;
        int target = vcpuId(cpu);
        os.hcallOk(0, Hcalls.H_INT_GET_QUEUE_INFO, "H_INT_GET_QUEUE_INFO", 0, target, prio);
        os.hcallOk(0, Hcalls.H_INT_SET_QUEUE_CONFIG, "H_INT_SET_QUEUE_CONFIG", 1, target, prio, q, qshift);
    }

    @Override
    public void setupCpu(int cpu) {
        cppr[cpu] = 0xff;
        os.store(cpu, tima + TM_QW1_OS + TM_CPPR, 1, 0xff);
    }

    /** On the boot CPU: the next IPI LISN, routed to {@code cpu} and unmasked. */
    private void setupIpi(int cpu) {
        if (nextIpi >= lisnCount) {
            throw new IllegalStateException("no IPI LISN left in ibm,xive-lisn-ranges for cpu " + cpu);
        }
        int lisn = lisnBase + nextIpi++;
        IrqDesc d = os.registerIpi(cpu, lisn);
        Esb esb = sourceInfo(lisn);
        d.setDriverData(esb);
        os.hcallOk(0, Hcalls.H_INT_SET_SOURCE_CONFIG, "H_INT_SET_SOURCE_CONFIG", 2, lisn, vcpuId(cpu), prio, GuestOs.IPI_VIRQ);
        esbLoad(0, lisn, esb, XiveSource.ESB_SET_PQ_00);
    }

    private int vcpuId(int cpu) {
        return os.machine().cpu(cpu).vcpuId();
    }

    private Esb sourceInfo(int lisn) {
        os.hcallOk(0, Hcalls.H_INT_GET_SOURCE_INFO, "H_INT_GET_SOURCE_INFO", 0, lisn);
        long flags = os.hret(0);
        return new Esb(os.hret(1), os.hret(2), (flags & 0x8) != 0, (flags & 0x4) != 0, (flags & 0x1) != 0);
    }

    /** An ESB load at a management-page offset: MMIO, or H_INT_ESB when the source requires it. */
    private long esbLoad(int cpu, int lisn, Esb esb, int offset) {
        if (esb.viaHcall()) {
            regs[0] = 0;
            regs[1] = lisn;
            regs[2] = offset;
            regs[3] = 0;
            long rc = os.hcallRegs(cpu, Hcalls.H_INT_ESB, regs);
            return rc == PaprRc.H_SUCCESS ? regs[0] : -1;
        }
        return os.load(cpu, esb.eoi() + offset, 8);
    }

    // ------------------------------------------------------------------ device interrupts

    @Override
    public int pickTarget(IrqDesc desc) {
        for (int i = 0; i < n; i++) {
            int c = (roundRobin + i) % n;
            if (os.machine().cpu(c).running()) {
                roundRobin = c + 1;
                return c;
            }
        }
        return 0;
    }

    /** xive_irq_domain_map: the source's ESB pages and flags, and the source masked (SET_PQ_01). */
    @Override
    public void map(IrqDesc d) {
        Esb esb = sourceInfo(d.hwirq());
        d.setDriverData(esb);
        esbLoad(0, d.hwirq(), esb, XiveSource.ESB_SET_PQ_01);
    }

    /** xive_irq_startup: routed to the picked CPU with the kernel number as EISN, then unmasked. */
    @Override
    public void startup(IrqDesc d) {
        Esb esb = d.driverData();
        os.hcallOk(0, Hcalls.H_INT_SET_SOURCE_CONFIG, "H_INT_SET_SOURCE_CONFIG", 2, d.hwirq(),
            vcpuId(d.target()), prio, d.virq());
        esbLoad(0, d.hwirq(), esb, XiveSource.ESB_SET_PQ_00);
    }

    /**
     * xive_irq_set_affinity: a target already in the mask and online stays (no hcall); otherwise
     * the next online CPU of the mask, round-robin, gets it.
     */
    @Override
    public int affinityMask(IrqDesc d, java.util.BitSet cpus) {
        if (d.target() >= 0 && cpus.get(d.target()) && os.machine().cpu(d.target()).running()) {
            return -1;
        }
        for (int i = 0; i < n; i++) {
            int c = (roundRobin + i) % n;
            if (cpus.get(c) && os.machine().cpu(c).running()) {
                roundRobin = c + 1;
                setAffinity(d, c);
                return c;
            }
        }
        return -1;
    }

    @Override
    public void shutdown(IrqDesc d) {
        Esb esb = d.driverData();
        esbLoad(0, d.hwirq(), esb, XiveSource.ESB_SET_PQ_01);
        os.hcallOk(0, Hcalls.H_INT_SET_SOURCE_CONFIG, "H_INT_SET_SOURCE_CONFIG", 2, d.hwirq(),
            vcpuId(d.target()), 0xff, 0);
    }

    @Override
    public void setAffinity(IrqDesc d, int cpu) {
        os.hcallOk(0, Hcalls.H_INT_SET_SOURCE_CONFIG, "H_INT_SET_SOURCE_CONFIG", 2, d.hwirq(), vcpuId(cpu), prio, d.virq());
    }

    @Override
    public void sendIpi(int from, int to) {
        Esb esb = os.ipiOf(to).driverData();
        os.store(from, esb.trig(), 8, 0);
    }

    /** The IPI's ESB trigger page, when its ESB is MMIO (not H_INT_ESB). */
    @Override
    public long ipiTrigger(int to) {
        IrqDesc d = os.ipiOf(to);
        Esb esb = d == null ? null : d.driverData();
        return esb == null || esb.viaHcall() || esb.trig() == -1 ? -1 : esb.trig();
    }

    @Override
    public long queuePage(int cpu) {
        return qpage[cpu] == 0 ? -1 : qpage[cpu];
    }

    // ------------------------------------------------------------------ exceptions

    @Override
    public void handleException(int cpu) {
        while (true) {
            ack(cpu);
            int irq = scan(cpu, false);
            if (irq == 0) {
                return;
            }
            IrqDesc d = irq == GuestOs.IPI_VIRQ ? os.ipiOf(cpu) : os.byVirq(irq);
            if (d == null) {
                os.spurious(cpu, irq);
                continue;
            }
            os.handle(cpu, d);
            sourceEoi(cpu, d);
            if (scan(cpu, true) == 0) {
                return;
            }
            // more in the queue: the kernel replays the external interrupt
        }
    }

    /** The acknowledge cycle: NSR/CPPR from TIMA+0x810; a signalled priority becomes pending. */
    private void ack(int cpu) {
        int ack = (int) os.load(cpu, tima + TM_SPC_ACK_OS_REG, 2);
        int c = ack & 0xff;
        int nsr = ack >>> 8;
        if ((nsr & NSR_EO) != 0 && c != 0xff) {
            pendingPrio[cpu] |= 1 << c;
            cppr[cpu] = c;
        }
    }

    /**
     * xive_scan_interrupts: the most favoured pending queue first; an entry is valid when its
     * top bit differs from the toggle. Afterwards the CPPR follows the priority found (0xFF
     * when none), with a TIMA store when it changes.
     */
    private int scan(int cpu, boolean peek) {
        int irq = 0;
        int p = 0;
        while (pendingPrio[cpu] != 0) {
            p = Integer.numberOfTrailingZeros(pendingPrio[cpu]);
            irq = p == prio ? readQueue(cpu, peek) : 0;
            if (irq != 0) {
                break;
            }
            pendingPrio[cpu] &= ~(1 << p);
        }
        if (irq == 0) {
            p = 0xff;
        }
        if (p != cppr[cpu]) {
            cppr[cpu] = p;
            os.store(cpu, tima + TM_QW1_OS + TM_CPPR, 1, p);
        }
        return irq;
    }

    private int readQueue(int cpu, boolean peek) {
        long q = qpage[cpu];
        if (q == 0) {
            return 0;
        }
        int cur = os.readRam32(q + ((long) qidx[cpu] << 2));
        if ((cur >>> 31) == qtoggle[cpu]) {
            return 0;
        }
        if (!peek) {
            qidx[cpu] = (qidx[cpu] + 1) & qmask;
            if (qidx[cpu] == 0) {
                qtoggle[cpu] ^= 1;
            }
        }
        return cur & 0x7fff_ffff;
    }

    /** xive_do_source_eoi. */
    private void sourceEoi(int cpu, IrqDesc d) {
        Esb esb = d.driverData();
        int lisn = d.hwirq();
        if (esb.storeEoi()) {
            os.store(cpu, esb.eoi() + XiveSource.ESB_STORE_EOI, 8, 0);
            return;
        }
        if (esb.lsi()) {
            esbLoad(cpu, lisn, esb, XiveSource.ESB_LOAD_EOI);
            return;
        }
        long v = esbLoad(cpu, lisn, esb, XiveSource.ESB_SET_PQ_00);
        if ((v & 0x1) != 0 && esb.trig() != -1) {
            os.store(cpu, esb.trig(), 8, 0);
        }
    }

    /**
     * The debugfs line of one source: its configuration as {@code H_INT_GET_SOURCE_CONFIG}
     * returns it, and its PQ bits from an ESB GET load (H_INT_ESB for sources that need it).
     */
    @Override
    public String debugLine(IrqDesc d) {
        Esb esb = d.driverData();
        if (esb == null) {
            return null;
        }
        long rc = os.hcall(0, Hcalls.H_INT_GET_SOURCE_CONFIG, 0, d.hwirq());
        String cfg = rc == PaprRc.H_SUCCESS
            ? String.format("target 0x%x prio %d eisn 0x%x", os.hret(0), os.hret(1), os.hret(2))
            : "config " + PaprRc.name(rc);
        long pq = esbLoad(0, d.hwirq(), esb, XiveSource.ESB_GET);
        return String.format("irq %d: lisn 0x%x %s pq %s", d.virq(), d.hwirq(), cfg,
            pq < 0 ? "?" : String.format("%d%d", (pq >> 1) & 1, pq & 1));
    }

    /** Queue index and toggle of a CPU's queue (for tests and state dumps). */
    public int queueIndex(int cpu) {
        return qidx[cpu];
    }

    public int queueToggle(int cpu) {
        return qtoggle[cpu];
    }
}
