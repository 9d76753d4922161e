package io.pseries.xics.guest;

import java.util.Arrays;

import io.pseries.core.dt.DtNode;
import io.pseries.core.guest.GuestIrqDriver;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.guest.IrqDesc;
import io.pseries.core.hcall.HcallTable;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.rtas.RtasResult;

/**
 * The guest's XICS driver, doing what Linux's arch/powerpc/sysdev/xics (xics-common.c,
 * icp-hv.c, ics-rtas.c) does on pseries, in the same order, through hcalls and RTAS
 * (facts §13.7-13.11, qemu-observed "XICS as the guest drives it"):
 *
 * <ul>
 *   <li>discovery: the presentation node ({@code ibm,ppc-xicp}) and the four RTAS calls of
 *       ics-rtas; the default server is the boot CPU's hard id;</li>
 *   <li>per CPU (xics_setup_cpu, on that CPU): base CPPR 0xFF in the driver's CPPR stack and
 *       {@code H_CPPR(0xFF)}; the IPI is hardware number 2 on every CPU;</li>
 *   <li>mapping: the check {@code ibm,get-xive(irq)}; device start-up (ics_rtas_startup, then
 *       the affinity the core sets up right after): {@code ibm,set-xive(irq, server, 5)},
 *       {@code ibm,int-on(irq)}, {@code ibm,get-xive(irq)},
 *       {@code ibm,set-xive(irq, server, priority read)}; every device interrupt targets the
 *       default server (the boot CPU); mask = {@code ibm,int-off} then
 *       {@code ibm,set-xive(irq, default server, 0xFF)};</li>
 *   <li>IPI send: {@code H_IPI(target server, 4)} by the sender;</li>
 *   <li>exception (icp_hv_get_irq): {@code H_XIRR(current CPPR)}; XISR 0 is spurious; the
 *       CPPR stack takes 4 (IPI) or 5 (device); the IPI handler first clears its MFRR with
 *       {@code H_IPI(self, 0xFF)}; the EOI is {@code H_EOI(popped CPPR << 24 | vec)}, and on
 *       failure {@code H_CPPR(popped CPPR)}; a number the kernel never mapped is masked through
 *       RTAS and EOI'd with the XIRR as read. One interrupt per exception, as Linux: the
 *       {@link GuestOs} takes the exception again while the CPU's input stays up.</li>
 * </ul>
 *
 * <p>Threading: the machine's thread (the guest model runs inside machine events).
 */
public final class XicsGuestDriver implements GuestIrqDriver {
    /** Linux's DEFAULT_PRIORITY: every device interrupt. */
    public static final int DEFAULT_PRIORITY = 5;
    /** Linux's IPI_PRIORITY. */
    public static final int IPI_PRIORITY = 4;
    public static final int LOWEST_PRIORITY = 0xFF;
    /** XICS_IPI. */
    public static final int IPI = 2;
    /** MAX_NUM_PRIORITIES: depth of the per-CPU CPPR stack. */
    static final int CPPR_DEPTH = 3;

    static final String[] RTAS_CALLS = {"ibm,get-xive", "ibm,set-xive", "ibm,int-on", "ibm,int-off"};

    // package-private where XicsGuestDriverSection reads and installs the state (snapshots)
    private final GuestOs os;
    private final int n;
    private final long[] regs = new long[HcallTable.NARGS];
    final int[] cpprStack;
    final int[] cpprIndex;
    int defaultServer;

    XicsGuestDriver(GuestOs os) {
        this.os = os;
        this.n = os.cpuCount();
        this.cpprStack = new int[n * CPPR_DEPTH];
        this.cpprIndex = new int[n];
        Arrays.fill(cpprStack, LOWEST_PRIORITY);
    }

    @Override
    public String name() {
        return "xics";
    }

    /** The server every device interrupt starts on (the boot CPU's hard id). */
    public int defaultServer() {
        return defaultServer;
    }

    /** The CPPR the driver believes {@code cpu} runs at (top of its CPPR stack). */
    public int cpprTop(int cpu) {
        return cpprStack[cpu * CPPR_DEPTH + cpprIndex[cpu]];
    }

    // ------------------------------------------------------------------ set-up

    @Override
    public void initBootCpu() {
        DtNode tree = os.tree();
        DtNode icp = XicsGuestDriverProvider.find(tree);
        if (icp == null) {
            throw new IllegalStateException("no XICS presentation controller (ibm,ppc-xicp) in the device tree");
        }
        DtNode rtas = tree.child("rtas");
        for (String call : RTAS_CALLS) {
            if (rtas == null || rtas.cells(call) == null) {
                throw new IllegalStateException("ics_rtas_init: /rtas has no " + call + " token");
            }
        }
        defaultServer = vcpuId(0);
        long[] ranges = icp.cells("ibm,interrupt-server-ranges");
        os.step(String.format("xics: hcall ICP (%s), RTAS ICS, servers %s, default server %d",
            icp.name(), ranges == null ? "?" : ranges[0] + ".." + (ranges[0] + ranges[1] - 1), defaultServer));
        setupCpu(0);
    }

    /** Nothing to do on the boot CPU for a secondary: its ICP needs no set-up from outside. */
    @Override
    public void prepareCpu(int cpu) {
    }

    /** xics_setup_cpu on {@code cpu}: base CPPR 0xFF, H_CPPR(0xFF); its IPI is hwirq 2. */
    @Override
    public void setupCpu(int cpu) {
        cpprIndex[cpu] = 0;
        cpprStack[cpu * CPPR_DEPTH] = LOWEST_PRIORITY;
        os.hcallOk(cpu, Hcalls.H_CPPR, "H_CPPR", LOWEST_PRIORITY);
        os.registerIpi(cpu, IPI);
    }

    private int vcpuId(int cpu) {
        return os.machine().cpu(cpu).vcpuId();
    }

    // ------------------------------------------------------------------ device interrupts

    /** Every device interrupt starts on the default server: the boot CPU. */
    @Override
    public int pickTarget(IrqDesc desc) {
        return 0;
    }

    /** The mapping check (xics_host_map -> ics_rtas_check): does RTAS know the number? */
    @Override
    public void map(IrqDesc d) {
        int hw = d.hwirq();
        boolean known = os.rtas(0, "ibm,get-xive", new int[] {hw}, 3).status() == 0;
        d.setDriverData(known);
        if (!known) {
            os.step(String.format("xics: irq 0x%x is unknown to RTAS, not mapped", hw));
        }
    }

    /** ics_rtas_startup (unmask), then the affinity the irq core applies right after. */
    @Override
    public void startup(IrqDesc d) {
        int hw = d.hwirq();
        if (!Boolean.TRUE.equals(d.driverData())) {
            return;
        }
        int server = vcpuId(d.target());
        if (!rtasOk(0, "ibm,set-xive", 1, hw, server, DEFAULT_PRIORITY)) {
            return;
        }
        if (!rtasOk(0, "ibm,int-on", 1, hw)) {
            return;
        }
        setAffinity(d, d.target());
    }

    /**
     * ics_rtas_set_affinity with a driver's mask: always re-programmed (get-xive, set-xive), to
     * the first online CPU of the mask.
     */
    @Override
    public int affinityMask(IrqDesc d, java.util.BitSet cpus) {
        for (int c = cpus.nextSetBit(0); c >= 0 && c < n; c = cpus.nextSetBit(c + 1)) {
            if (os.machine().cpu(c).running()) {
                setAffinity(d, c);
                return c;
            }
        }
        return -1;
    }

    /** ics_rtas_mask_irq: what free_irq / disable_irq do. */
    @Override
    public void shutdown(IrqDesc d) {
        mask(0, d.hwirq());
    }

    /** ics_rtas_set_affinity: read the priority with get-xive, then set-xive to the new server. */
    @Override
    public void setAffinity(IrqDesc d, int cpu) {
        int hw = d.hwirq();
        RtasResult r = os.rtas(0, "ibm,get-xive", new int[] {hw}, 3);
        if (r.status() != 0) {
            os.step(String.format("xics: ibm,get-xive irq=0x%x returned %d", hw, r.status()));
            return;
        }
        rtasOk(0, "ibm,set-xive", 1, hw, vcpuId(cpu), r.rets()[1]);
    }

    @Override
    public void sendIpi(int from, int to) {
        regs[0] = vcpuId(to);
        regs[1] = IPI_PRIORITY;
        clearFrom(2);
        os.hcallRegs(from, Hcalls.H_IPI, regs);
    }

    /** ics_rtas_mask_real_irq: int-off, then set-xive to the default server at 0xFF. */
    private void mask(int cpu, int hw) {
        if (hw == IPI) {
            return;
        }
        if (!rtasOk(cpu, "ibm,int-off", 1, hw)) {
            return;
        }
        rtasOk(cpu, "ibm,set-xive", 1, hw, defaultServer, LOWEST_PRIORITY);
    }

    private boolean rtasOk(int cpu, String call, int nret, int... args) {
        RtasResult r = os.rtas(cpu, call, args, nret);
        if (r.status() != 0) {
            os.step(String.format("xics: %s irq=0x%x returned %d", call, args[0], r.status()));
            return false;
        }
        return true;
    }

    // ------------------------------------------------------------------ exceptions

    /** One external interrupt (icp_hv_get_irq, the handler, icp_hv_eoi). */
    @Override
    public void handleException(int cpu) {
        regs[0] = cpprTop(cpu);
        clearFrom(1);
        long rc = os.hcallRegs(cpu, Hcalls.H_XIRR, regs);
        int xirr = rc == PaprRc.H_SUCCESS ? (int) regs[0] : 0;
        int vec = xirr & 0x00FF_FFFF;
        if (vec == 0) {
            os.spurious(cpu, xirr & 0xFFFF_FFFFL);
            return;
        }
        IrqDesc d = vec == IPI ? os.ipiOf(cpu) : os.byHwirq(vec);
        if (d == null || (d.ipi() && vec != IPI)) {
            // no Linux mapping: have RTAS mask it, then EOI with the XIRR as read
            mask(cpu, vec);
            setXirr(cpu, xirr);
            return;
        }
        push(cpu, vec);
        if (d.ipi()) {
            // icp_hv_ipi_action: clear our MFRR first, then demux the messages
            regs[0] = vcpuId(cpu);
            regs[1] = LOWEST_PRIORITY;
            clearFrom(2);
            os.hcallRegs(cpu, Hcalls.H_IPI, regs);
            os.handle(cpu, d);
        } else if (d.started()) {
            os.handle(cpu, d);
        } else {
            // handle_fasteoi_irq on a disabled interrupt: mask it, no handler
            mask(cpu, vec);
        }
        setXirr(cpu, (pop(cpu) << 24) | vec);
    }

    /** icp_hv_set_xirr: H_EOI, and on failure H_CPPR with the value's CPPR. */
    private void setXirr(int cpu, int value) {
        regs[0] = value & 0xFFFF_FFFFL;
        clearFrom(1);
        long rc = os.hcallRegs(cpu, Hcalls.H_EOI, regs);
        if (rc != PaprRc.H_SUCCESS) {
            regs[0] = value >>> 24;
            clearFrom(1);
            os.hcallRegs(cpu, Hcalls.H_CPPR, regs);
        }
    }

    private void push(int cpu, int vec) {
        if (cpprIndex[cpu] >= CPPR_DEPTH - 1) {
            return;
        }
        cpprStack[cpu * CPPR_DEPTH + ++cpprIndex[cpu]] = vec == IPI ? IPI_PRIORITY : DEFAULT_PRIORITY;
    }

    private int pop(int cpu) {
        if (cpprIndex[cpu] < 1) {
            return LOWEST_PRIORITY;
        }
        return cpprStack[cpu * CPPR_DEPTH + --cpprIndex[cpu]];
    }

    private void clearFrom(int i) {
        Arrays.fill(regs, i, regs.length, 0);
    }
}
