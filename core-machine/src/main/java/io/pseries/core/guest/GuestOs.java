package io.pseries.core.guest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.pseries.core.cas.CasResult;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.dt.DtNode;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.hcall.HcallTable;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.rtas.RtasResult;
import io.pseries.core.sched.Scheduler;
import io.pseries.core.trace.TraceCategory;

/**
 * A Linux-like guest running on a {@link GuestPlatform} (the machine): firmware reads the platform's interrupt
 * modes and performs CAS, the kernel picks its interrupt driver from the post-CAS device tree,
 * sets up the boot CPU, brings up the secondaries, and starts the device interrupts it finds in
 * the tree. After boot it takes external interrupts on each vCPU, in virtual time, and counts
 * what each CPU handled, like {@code /proc/interrupts}. The kernel's interrupt numbering
 * (hwirq to virq, the IPIs) is its {@link IrqDomain}.
 *
 * <p>Every guest action goes through the machine's guest ABI (hcalls, RTAS, MMIO), so the
 * trace of a boot is the sequence QEMU would see from Linux.
 *
 * <p>Exceptions: a rising OS interrupt input on a running vCPU schedules an exception
 * {@link GuestTiming#exceptionEntryNs()} after the CPU is free; the driver then fetches,
 * handles and EOIs; if the input is still up afterwards, another exception follows.
 *
 * <p>Each vCPU's loads and stores go through its {@link GuestBus} and its exceptions are scheduled
 * on its clock: the machine and the machine's scheduler, except during a parallel IPI run, where
 * they are its schedule domain's ({@link #runOn}).
 *
 * <p>Threading: the machine's thread only (scheduler events and script calls alike); during a
 * parallel IPI run, a vCPU's per-CPU state is touched only by the host thread of its domain.
 */
public final class GuestOs implements VCpu.Listener {

    /** What the guest offers at CAS and how expensive its operations are. */
    public record BootOptions(GuestOv5.Offer xive, GuestTiming timing) {
        public static BootOptions defaults() {
            return new BootOptions(GuestOv5.Offer.BOTH, GuestTiming.DEFAULT);
        }
    }

    /** What a boot did: the mode, the CPUs brought up, the interrupts started, the steps. */
    public record BootReport(String mode, int cpus, List<Map<String, Object>> irqs, List<String> steps) {
    }

    /** Linux's first dynamically allocated virq; the IPI gets it. */
    public static final int IPI_VIRQ = 16;

    // package-private where GuestOsState reads and installs the state (snapshots)
    private final GuestPlatform m;
    final BootOptions options;
    private final GuestTiming timing;
    private final int ncpus;
    final List<String> steps = new ArrayList<>();
    final long[] busyUntil;
    final boolean[] exceptionPending;
    private final boolean[] inHandler;
    private final boolean[] rerun;
    final long[] ipis;
    final long[] exceptions;
    final ExceptionEntry[] exceptionAction;
    final List<Map<Integer, long[]>> irqCounts = new ArrayList<>();
    final IrqDomain irqs = new IrqDomain();
    private final long[] regs = new long[HcallTable.NARGS];
    /** Per vCPU: the path of its loads and stores, and the scheduler its exceptions go on. */
    private final GuestBus[] bus;
    private final Scheduler[] clock;
    GuestIrqDriver driver;
    DtNode tree;
    private boolean attached;
    CasResult cas;

    /** The external-interrupt exception entry of one vCPU: a scheduled event snapshots record. */
    final class ExceptionEntry implements Scheduler.Recorded {
        final int cpu;

        ExceptionEntry(int cpu) {
            this.cpu = cpu;
        }

        @Override
        public void fire(long now) {
            takeException(cpu);
        }
    }

    public GuestOs(GuestPlatform m, BootOptions options) {
        this.m = m;
        this.options = options;
        this.timing = options.timing();
        this.ncpus = m.cpus().size();
        busyUntil = new long[ncpus];
        exceptionPending = new boolean[ncpus];
        inHandler = new boolean[ncpus];
        rerun = new boolean[ncpus];
        ipis = new long[ncpus];
        exceptions = new long[ncpus];
        exceptionAction = new ExceptionEntry[ncpus];
        bus = new GuestBus[ncpus];
        clock = new Scheduler[ncpus];
        for (int i = 0; i < ncpus; i++) {
            exceptionAction[i] = new ExceptionEntry(i);
        }
        runOnMachine();
        for (int i = 0; i < ncpus; i++) {
            irqCounts.add(new HashMap<>());
        }
    }

    /** The platform the guest runs on. */
    public GuestPlatform machine() {
        return m;
    }

    /** The device tree the kernel booted with (after CAS). */
    public DtNode tree() {
        return tree;
    }

    public GuestIrqDriver driver() {
        return driver;
    }

    public String mode() {
        return driver == null ? null : driver.name();
    }

    public GuestTiming timing() {
        return timing;
    }

    // ------------------------------------------------------------------ boot

    /** Runs firmware, CAS, interrupt-controller set-up, SMP bring-up and device start-up ({@link GuestBoot}). */
    public BootReport boot() {
        return GuestBoot.boot(this);
    }

    /**
     * irq_create_mapping: the kernel number for a hardware number, allocated (the next free one)
     * and set up by the driver the first time; a number already mapped is returned as it is.
     */
    IrqDesc map(int hwirq, boolean lsi, String name) {
        IrqDesc d = irqs.mapped(hwirq);
        if (d != null) {
            return d;
        }
        d = irqs.allocate(hwirq, lsi, name);
        driver.map(d);
        return d;
    }

    /**
     * A driver's {@code irq_create_mapping} and {@code request_irq} for a hardware number firmware
     * gave it outside the device tree (an OpenCAPI AFU interrupt of H_OCXL_CONFIG_ADAPTER): the
     * interrupt is mapped and started like any device interrupt.
     */
    public IrqDesc requestIrq(int hwirq, String name) {
        IrqDesc d = map(hwirq, false, name);
        startIrq(d, name);
        return d;
    }

    /** request_irq: the driver picks a target and starts the interrupt. */
    void startIrq(IrqDesc d, String name) {
        d.setName(name);
        if (d.started()) {
            return;
        }
        d.setTarget(driver.pickTarget(d));
        driver.startup(d);
        d.setStarted(true);
        step(String.format("irq 0x%x (%s, virq %d) started on cpu %d", d.hwirq(), d.name(), d.virq(), d.target()));
    }

    /** irq_set_affinity_hint: the CPUs a driver would like an interrupt on. */
    void affinityHint(IrqDesc d, java.util.BitSet cpus) {
        int t = driver.affinityMask(d, cpus);
        if (t >= 0) {
            d.setTarget(t);
        }
    }

    /** Records the IPI of a CPU (all IPIs share {@link #IPI_VIRQ}). */
    public IrqDesc registerIpi(int cpu, int hwirq) {
        return irqs.registerIpi(cpu, hwirq);
    }

    public IrqDesc ipiOf(int cpu) {
        return irqs.ipiOf(cpu);
    }

    /** The descriptor for a kernel interrupt number, or null. */
    public IrqDesc byVirq(int virq) {
        return irqs.byVirq(virq);
    }

    /** The descriptor for a hardware interrupt number, or null. */
    public IrqDesc byHwirq(int hwirq) {
        return irqs.byHwirq(hwirq);
    }

    List<Map<String, Object>> irqTable() {
        return irqs.table();
    }

    /** Adds a boot step to the report (and the guest trace). */
    public void step(String s) {
        steps.add(s);
        if (m.trace().on(TraceCategory.GUEST)) {
            m.trace().emit(TraceCategory.GUEST, -1, "boot", "step", s);
        }
    }

    // ------------------------------------------------------------------ guest ABI with cost

    /** Charges {@code ns} of the vCPU's time; returns when that work starts on the vCPU's own clock. */
    private long charge(int cpu, long ns) {
        long start = Math.max(busyUntil[cpu], clock[cpu].now());
        busyUntil[cpu] = start + ns;
        return start;
    }

    /**
     * A guest step on the vCPU's own clock ({@code start}..{@code end}: virtual time does not move
     * while a handler runs, the vCPU's busy time does), for timelines. Callers test
     * {@code trace.on(GUEST)} first, so this costs nothing when the category is off.
     */
    private void cpuStep(int cpu, String what, long start, Object... kv) {
        Object[] all = new Object[kv.length + 4];
        all[0] = "start";
        all[1] = start;
        all[2] = "end";
        all[3] = busyUntil[cpu];
        System.arraycopy(kv, 0, all, 4, kv.length);
        m.trace().emit(TraceCategory.GUEST, cpu, what, all);
    }

    /**
     * An hcall from {@code cpu}: {@code regs} holds R4.. in and the outputs out (a driver keeps
     * its own scratch array). Traced like any hcall when tracing is on.
     */
    public long hcallRegs(int cpu, int opcode, long[] regsInOut) {
        long arg0 = regsInOut.length > 0 ? regsInOut[0] : 0;
        long rc;
        if (m.trace().on(TraceCategory.HCALL)) {
            HcallResult r = m.hcall(cpu, opcode, regsInOut);
            System.arraycopy(r.rets(), 0, regsInOut, 0, r.rets().length);
            rc = r.rc();
        } else {
            rc = m.hcall(m.cpu(cpu), opcode, regsInOut);
        }
        long start = charge(cpu, timing.hcallNs() + m.lastExitNs());
        if (m.trace().on(TraceCategory.GUEST)) {
            cpuStep(cpu, "op", start, "op", "hcall", "opcode", opcode, "arg0", arg0, "rc", rc,
                "ret0", regsInOut.length > 0 ? regsInOut[0] : 0L);
        }
        return rc;
    }

    /** Convenience: an hcall with the given arguments; outputs land in {@link #hret()}. */
    public long hcall(int cpu, int opcode, long... args) {
        Arrays.fill(regs, 0);
        System.arraycopy(args, 0, regs, 0, args.length);
        return hcallRegs(cpu, opcode, regs);
    }

    /** The outputs of the last {@link #hcall(int, int, long...)}. */
    public long hret(int i) {
        return regs[i];
    }

    /** Like {@link #hcall(int, int, long...)} but a failure is a guest bug: throws with the code. */
    public void hcallOk(int cpu, int opcode, String what, long... args) {
        long rc = hcall(cpu, opcode, args);
        if (rc != PaprRc.H_SUCCESS) {
            StringBuilder a = new StringBuilder();
            for (long x : args) {
                a.append(a.length() == 0 ? "" : ", ").append("0x").append(Long.toHexString(x));
            }
            throw new IllegalStateException("guest " + what + "(" + a + ") on cpu " + cpu + " failed: " + PaprRc.name(rc));
        }
    }

    public long load(int cpu, long addr, int size) {
        GuestBus b = bus[cpu];
        long v = b.load(m.cpu(cpu), addr, size);
        long start = charge(cpu, timing.mmioNs() + b.lastExitNs());
        if (m.trace().on(TraceCategory.GUEST)) {
            cpuStep(cpu, "op", start, "op", "load", "addr", addr, "size", size, "value", v);
        }
        return v;
    }

    public void store(int cpu, long addr, int size, long value) {
        GuestBus b = bus[cpu];
        b.store(m.cpu(cpu), addr, size, value);
        long start = charge(cpu, timing.mmioNs() + b.lastExitNs());
        if (m.trace().on(TraceCategory.GUEST)) {
            cpuStep(cpu, "op", start, "op", "store", "addr", addr, "size", size, "value", value);
        }
    }

    public RtasResult rtas(int cpu, String name, int[] args, int nret) {
        RtasResult r = m.rtas(cpu, name, args, nret);
        charge(cpu, timing.rtasNs() + m.lastExitNs());
        return r;
    }

    /** Guest RAM reads are plain memory reads (no MMIO cost). */
    public int readRam32(long addr) {
        return m.memory().read32(addr);
    }

    public long alloc(long size, long align) {
        return m.memory().alloc(size, align);
    }

    public int cpuCount() {
        return ncpus;
    }

    // ------------------------------------------------------------------ exceptions

    void attach() {
        for (VCpu c : m.cpus()) {
            c.setListener(this);
        }
        attached = true;
    }

    /** Disconnects from the vCPUs (machine reset). */
    public void detach() {
        if (attached) {
            for (VCpu c : m.cpus()) {
                c.setListener(null);
            }
            attached = false;
        }
    }

    @Override
    public void osInterruptChanged(VCpu cpu, boolean level) {
        if (!level || !cpu.running()) {
            return;
        }
        int i = cpu.index();
        if (inHandler[i]) {
            rerun[i] = true;
        } else {
            scheduleException(i);
        }
    }

    private void scheduleException(int i) {
        if (exceptionPending[i]) {
            return;
        }
        exceptionPending[i] = true;
        Scheduler s = clock[i];
        s.at(Math.max(s.now(), busyUntil[i]) + timing.exceptionEntryNs(), exceptionAction[i]);
    }

    private void takeException(int i) {
        exceptionPending[i] = false;
        VCpu cpu = m.cpu(i);
        if (!cpu.osInterrupt() || !cpu.running() || driver == null) {
            return;
        }
        exceptions[i]++;
        inHandler[i] = true;
        rerun[i] = false;
        long start = Math.max(busyUntil[i], clock[i].now());
        try {
            driver.handleException(i);
        } finally {
            inHandler[i] = false;
        }
        if (m.trace().on(TraceCategory.GUEST)) {
            cpuStep(i, "exception", start);
        }
        if (cpu.osInterrupt()) {
            scheduleException(i);
        }
    }

    /**
     * The kernel's generic handling of one fetched interrupt: account it, run the device
     * handler (which deasserts a level-triggered device), charge the handler's cost.
     */
    public void handle(int cpu, IrqDesc d) {
        long start = charge(cpu, timing.handlerNs());
        if (d.ipi()) {
            ipis[cpu]++;
        } else {
            irqCounts.get(cpu).computeIfAbsent(d.hwirq(), k -> new long[1])[0]++;
            m.guestHandled(d.hwirq());
        }
        if (m.trace().on(TraceCategory.GUEST)) {
            cpuStep(cpu, "handle", start, "hwirq", d.hwirq(), "virq", d.virq(), "ipi", d.ipi());
        }
    }

    /** A fetched interrupt number the kernel does not know (Linux: "spurious"). */
    public void spurious(int cpu, long value) {
        m.trace().emit(TraceCategory.GUEST, cpu, "spurious", "value", value);
    }

    // ------------------------------------------------------------------ runtime API

    /** Sends an IPI from {@code from} to {@code to} (both must be online). */
    public void ipi(long from, long to) {
        VCpu f = m.cpu(from);
        VCpu t = m.cpu(to);
        if (!f.running() || !t.running()) {
            throw new IllegalStateException("cpu " + (f.running() ? to : from) + " is not online");
        }
        driver.sendIpi(f.index(), t.index());
    }

    /**
     * Runs {@code cpu}'s loads and stores on {@code b} and its exceptions on {@code s} (a schedule
     * domain's, for a parallel IPI run), until {@link #runOnMachine}.
     */
    public void runOn(int cpu, GuestBus b, Scheduler s) {
        bus[cpu] = b;
        clock[cpu] = s;
    }

    /** Every vCPU back on the machine's bus and scheduler (the deterministic mode). */
    public void runOnMachine() {
        for (int i = 0; i < ncpus; i++) {
            bus[i] = m;
            clock[i] = m.scheduler();
        }
    }

    /**
     * The guest physical address of the store that sends {@code to} its IPI, or -1 when the driver's
     * IPI is not one posted store (see {@link GuestIrqDriver#ipiTrigger}).
     */
    public long ipiTrigger(int to) {
        return driver.ipiTrigger(to);
    }

    /**
     * The cost on {@code cpu} of a store whose effect another domain performs (a posted store
     * forwarded to the owner of its target): the vCPU is busy as for {@link #store}, with the
     * exit cost {@code exitNs} its own bus charged.
     */
    public void chargePostedStore(int cpu, long exitNs) {
        charge(cpu, timing.mmioNs() + exitNs);
    }

    /** Moves a started device interrupt to another CPU. */
    public void setAffinity(long hwirq, long cpu) {
        IrqDesc d = irqs.byHwirq((int) hwirq);
        if (d == null || d.ipi() || !d.started()) {
            throw new IllegalArgumentException(String.format("IRQ 0x%x is not a started device interrupt of the guest", hwirq));
        }
        VCpu c = m.cpu(cpu);
        if (!c.running()) {
            throw new IllegalStateException("cpu " + cpu + " is not online");
        }
        driver.setAffinity(d, c.index());
        d.setTarget(c.index());
    }

    /**
     * Reads the interrupt driver's debug file (XIVE: {@code /sys/kernel/debug/.../interrupts}):
     * one line per mapped device interrupt in kernel-number order, each read back from the
     * controller; empty when the driver has none.
     */
    public List<String> debugfsInterrupts() {
        List<String> out = new ArrayList<>();
        for (IrqDesc d : irqs.byVirq.values()) {
            String l = driver.debugLine(d);
            if (l != null) {
                out.add(l);
            }
        }
        return out;
    }

    /** Per-vCPU counts, like /proc/interrupts: {@code [{ ipis, irqs: { "4096": n } }]}. */
    public List<Map<String, Object>> stats() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < ncpus; i++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("ipis", ipis[i]);
            Map<String, Object> irqs = new LinkedHashMap<>();
            for (Map.Entry<Integer, long[]> c : new TreeMap<>(irqCounts.get(i)).entrySet()) {
                irqs.put(Integer.toString(c.getKey()), c.getValue()[0]);
            }
            e.put("irqs", irqs);
            e.put("exceptions", exceptions[i]);
            out.add(e);
        }
        return out;
    }

    /** IPIs taken by one CPU. */
    public long ipisTaken(int cpu) {
        return ipis[cpu];
    }

    /** Device interrupts of one number taken by one CPU. */
    public long irqsTaken(int cpu, int hwirq) {
        long[] c = irqCounts.get(cpu).get(hwirq);
        return c == null ? 0 : c[0];
    }

    /** The interrupts the guest started (requested), by kernel number. */
    public Map<Integer, IrqDesc> interrupts() {
        return irqs.started();
    }

    /** Every interrupt the guest mapped (requested or not), by kernel number. */
    public Map<Integer, IrqDesc> mappedInterrupts() {
        return irqs.mapped();
    }

    public CasResult casResult() {
        return cas;
    }
}
