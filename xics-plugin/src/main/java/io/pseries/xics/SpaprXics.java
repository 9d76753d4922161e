package io.pseries.xics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pseries.core.cas.OptionVector;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.dt.DtNode;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.host.Host;
import io.pseries.core.intc.CasRole;
import io.pseries.core.intc.IntcHost;
import io.pseries.core.intc.InterruptController;
import io.pseries.core.irq.SpaprIrq;
import io.pseries.core.util.Row;
import io.pseries.xics.kvm.SpaprXicsKvm;

/**
 * The sPAPR XICS controller as QEMU's pseries machine exposes it (hw/intc/xics_spapr.c): one
 * {@link Ics} for interrupts 0x1000-0x1FFF, one {@link Icp} per vCPU, the six presentation
 * hcalls, the four XICS RTAS calls ({@link XicsRtas}) and the {@code /interrupt-controller}
 * node. PAPR's ICP is reached only through hcalls: there is no MMIO.
 *
 * <pre>
 *  device line ─► setIrq ─► Ics ─► Icp ─► VCpu OS interrupt input (only while active)
 *  H_CPPR 0x68 · H_IPI 0x6C · H_XIRR 0x74 · H_XIRR_X 0x2FC · H_EOI 0x64 · H_IPOLL 0x70 ─► Icp
 *  ibm,set-xive · ibm,get-xive · ibm,int-off · ibm,int-on ─► Ics
 * </pre>
 *
 * <p><b>Argument handling</b> follows QEMU's C types: CPPR and MFRR are truncated to 8 bits,
 * the EOI value to 32, server numbers to a C {@code int} and looked up by vCPU id.
 *
 * <p><b>Gating</b> (facts §9.9): once CAS negotiated XIVE exploitation, every XICS hcall
 * answers H_HARDWARE and every XICS RTAS call status -1, with a {@code guest_error} event, as
 * QEMU's check_emulated_xics. As in QEMU, H_XIRR and H_XIRR_X perform the accept before that
 * check; the ICP's output only reaches the vCPU while this controller is active.
 *
 * <p><b>In-kernel.</b> While connected to the XICS KVM device ({@link #connectKernel}), the
 * hcalls and RTAS calls act on the kernel's ICS and ICPs (the same classes; the kernel serves
 * them, {@link #kernelServesHcall}), device lines become the kernel's IRQ line, and the
 * emulated ICS/ICPs are the VMM's copy: pushed in at connect and machine reset, pulled back for
 * {@link #pic()} ({@link SpaprXicsKvm}).
 *
 * <p>Threading: the machine's thread only.
 */
public final class SpaprXics implements InterruptController, io.pseries.core.snapshot.SnapshotParticipant {
    /** The timebase frequency of the device tree's CPU nodes (0x1e848000 = 512 MHz). */
    public static final long TIMEBASE_HZ = 512_000_000L;

    private final IntcHost host;
    private final Ics ics;
    private final Icp icp;
    private final VCpu[] cpus;
    /** Whether this is the machine's active controller: set by activate(), cleared by deactivate(). */
    private boolean active;
    /** The ICS and ICPs the hcalls and RTAS calls act on: the emulated ones, or the kernel's. */
    private Ics sics;
    private Icp sicp;
    private SpaprXicsKvm kvm;

    public SpaprXics(IntcHost host) {
        this.host = host;
        int n = host.config().cpus();
        this.cpus = new VCpu[n];
        this.ics = new Ics(SpaprIrq.nrXirqs(host.config().nrIrqs()), host.trace());
        this.icp = new Icp(n, ics, this::drive, host.trace());
        this.sics = ics;
        this.sicp = icp;
        registerHcalls();
        new XicsRtas(this, host).register();
    }

    @Override
    public String name() {
        return "xics";
    }

    @Override
    public CasRole casRole() {
        return CasRole.LEGACY;
    }

    /** The sections of this controller's state (see {@link XicsSnapshotSections}). */
    @Override
    public java.util.List<io.pseries.core.snapshot.SnapshotSection> snapshotSections() {
        return XicsSnapshotSections.of(this);
    }

    /** Whether this controller is the machine's active one. */
    boolean isActive() {
        return active;
    }

    public Ics ics() {
        return ics;
    }

    public Icp icp() {
        return icp;
    }

    private void drive(int cpu, boolean level) {
        VCpu c = cpus[cpu];
        if (active && c != null && kvm == null) {
            c.setOsInterrupt(level);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void cpuCreated(VCpu cpu) {
        cpus[cpu.index()] = cpu;
        icp.addServer(cpu.index(), cpu.vcpuId());
    }

    @Override
    public void claim(int irq, boolean lsi) {
        int s = srcno(irq);
        if (ics.isClaimed(s)) {
            throw new IllegalStateException(String.format("IRQ %d is not free", irq));
        }
        ics.claim(s, lsi);
        if (kvm != null) {
            kvm.pushSource(s);
        }
    }

    @Override
    public void free(int irq) {
        ics.free(srcno(irq));
    }

    private int srcno(int irq) {
        if (!ics.contains(irq)) {
            throw new IllegalArgumentException(String.format("IRQ 0x%x is outside the ICS range [0x1000, 0x%x)", irq,
                Ics.OFFSET + ics.nrIrqs()));
        }
        return irq - Ics.OFFSET;
    }

    /** Machine reset: the ICS (claims kept) and every ICP back to their reset values. */
    @Override
    public void reset() {
        ics.reset();
        for (int c = 0; c < icp.cpus(); c++) {
            icp.reset(c);
        }
        if (kvm != null) {
            // ics_reset/icp_reset push the reset state into the kernel
            for (int s = ics.nextClaimed(0); s >= 0; s = ics.nextClaimed(s + 1)) {
                kvm.pushSource(s);
            }
            for (VCpu c : cpus) {
                if (c != null) {
                    kvm.pushIcp(c);
                }
            }
        }
    }

    // ------------------------------------------------------------------ in-kernel device

    @Override
    public String connectKernel(Host h) {
        if (kvm != null) {
            return null;
        }
        SpaprXicsKvm k = new SpaprXicsKvm(h, ics, icp);
        String err = k.connect(host.nrServers());
        if (err != null) {
            return err;
        }
        kvm = k;
        sics = k.device().ics();
        sicp = k.device().icp();
        return null;
    }

    @Override
    public void disconnectKernel() {
        if (kvm != null) {
            kvm.disconnect();
            kvm = null;
            sics = ics;
            sicp = icp;
        }
    }

    @Override
    public boolean inKernel() {
        return kvm != null;
    }

    /** In-kernel XICS: the six presentation hcalls are KVM's own. */
    @Override
    public boolean kernelServesHcall(long opcode) {
        return opcode == Hcalls.H_CPPR || opcode == Hcalls.H_IPI || opcode == Hcalls.H_XIRR
            || opcode == Hcalls.H_XIRR_X || opcode == Hcalls.H_EOI || opcode == Hcalls.H_IPOLL;
    }

    /** The four XICS RTAS calls are kernel tokens (kvmppc_define_rtas_kernel_token). */
    @Override
    public boolean kernelServesRtas(String name) {
        return name.equals("ibm,set-xive") || name.equals("ibm,get-xive") || name.equals("ibm,int-on")
            || name.equals("ibm,int-off");
    }

    /**
     * Before a snapshot: the kernel's sources and presenters (ics_get_kvm_state, icp_get_kvm_state)
     * into the emulated ICS and ICPs, whose sections the snapshot writes.
     */
    @Override
    public void kernelPreSave() {
        if (kvm != null) {
            kvm.pull();
        }
    }

    /**
     * After a restore: nothing more to push. The device was connected afresh for the restored
     * state, and connecting pushes every claimed source and every ICP from the emulated copy
     * (ics_set_kvm_state, icp_set_kvm_state), which is what QEMU's post_load does.
     */
    @Override
    public String kernelPostLoad() {
        return null;
    }

    /** The in-kernel connection, or null. */
    public SpaprXicsKvm kvm() {
        return kvm;
    }

    /** No MMIO to enable; the ICP outputs are re-applied to the vCPUs. */
    @Override
    public void activate() {
        active = true;
        for (int c = 0; c < icp.cpus(); c++) {
            if (icp.outputLevel(c)) {
                drive(c, true);
            }
        }
    }

    @Override
    public void deactivate() {
        // nothing to unmap: the ICP is hcall-only; the machine lowers the CPU inputs
        active = false;
    }

    @Override
    public void setIrq(int irq, boolean level) {
        // in-kernel: QEMU's ics_kvm_set_irq, a KVM_IRQ_LINE the kernel's ICS takes
        sics.setIrq(irq - Ics.OFFSET, level);
    }

    // ------------------------------------------------------------------ device tree

    /** xics_spapr_dt: {@code /interrupt-controller}, no unit address, no root property. */
    @Override
    public void writeDeviceTree(DtNode root, int nrServers, int phandle) {
        DtNode n = root.addChild("interrupt-controller");
        n.setCells("phandle", phandle);
        n.setCells("linux,phandle", phandle);
        n.setCells("#interrupt-cells", 2);
        n.setCells("ibm,interrupt-server-ranges", 0, nrServers);
        n.setEmpty("interrupt-controller");
        n.setString("compatible", "IBM,ppc-xicp");
        n.setString("device_type", "PowerPC-External-Interrupt-Presentation");
    }

    // ------------------------------------------------------------------ hcalls

    private void registerHcalls() {
        host.hcalls().register(Hcalls.H_CPPR, "H_CPPR", 0, this::hCppr);
        host.hcalls().register(Hcalls.H_IPI, "H_IPI", 0, this::hIpi);
        host.hcalls().register(Hcalls.H_XIRR, "H_XIRR", 1, this::hXirr);
        host.hcalls().register(Hcalls.H_XIRR_X, "H_XIRR_X", 2, this::hXirrX);
        host.hcalls().register(Hcalls.H_EOI, "H_EOI", 0, this::hEoi);
        host.hcalls().register(Hcalls.H_IPOLL, "H_IPOLL", 2, this::hIpoll);
    }

    /** QEMU's check_emulated_xics: false (and a guest error) once XIVE exploitation was negotiated. */
    boolean emulated(VCpu cpu, String func) {
        // the machine makes XICS the active controller exactly when CAS did not negotiate XIVE
        // exploitation, so only an inactive XICS needs to look at the negotiated vector
        if (!active && host.ov5Cas().test(OptionVector.OV5_XIVE_EXPLOIT)) {
            host.trace().guestError(cpu.index(), "pseries: " + func + " must only be called for emulated XICS",
                "function", func);
            return false;
        }
        return true;
    }

    /** The ICP of a server number as QEMU's xics_icp_get (a C int, looked up by vCPU id), or -1. */
    int cpuOfServer(long server) {
        return sicp.cpuOf((int) server);
    }

    /** H_CPPR(cppr). */
    private long hCppr(VCpu cpu, long[] a) {
        if (!emulated(cpu, "h_cppr")) {
            return PaprRc.H_HARDWARE;
        }
        sicp.setCppr(cpu.index(), (int) (a[0] & 0xFF));
        return PaprRc.H_SUCCESS;
    }

    /** H_IPI(server, mfrr). */
    private long hIpi(VCpu cpu, long[] a) {
        int target = cpuOfServer(a[0]);
        if (!emulated(cpu, "h_ipi")) {
            return PaprRc.H_HARDWARE;
        }
        if (target < 0) {
            host.trace().guestError(cpu.index(), String.format("XICS: H_IPI to unknown server 0x%x", a[0]), "server", a[0]);
            return PaprRc.H_PARAMETER;
        }
        sicp.setMfrr(target, (int) (a[1] & 0xFF));
        return PaprRc.H_SUCCESS;
    }

    /** H_XIRR(): R4 = the XIRR (accept). The accept precedes the gating check, as in QEMU. */
    private long hXirr(VCpu cpu, long[] a) {
        int xirr = sicp.accept(cpu.index());
        if (!emulated(cpu, "h_xirr")) {
            return PaprRc.H_HARDWARE;
        }
        a[0] = xirr & 0xFFFF_FFFFL;
        return PaprRc.H_SUCCESS;
    }

    /** H_XIRR_X(): R4 = the XIRR (accept), R5 = the timebase. */
    private long hXirrX(VCpu cpu, long[] a) {
        int xirr = sicp.accept(cpu.index());
        if (!emulated(cpu, "h_xirr_x")) {
            return PaprRc.H_HARDWARE;
        }
        a[0] = xirr & 0xFFFF_FFFFL;
        a[1] = timebase(host.now());
        return PaprRc.H_SUCCESS;
    }

    /** Virtual time in ns as timebase ticks at {@link #TIMEBASE_HZ}. */
    public static long timebase(long ns) {
        return (ns / 1_000_000_000L) * TIMEBASE_HZ + (ns % 1_000_000_000L) * TIMEBASE_HZ / 1_000_000_000L;
    }

    /** H_EOI(xirr). */
    private long hEoi(VCpu cpu, long[] a) {
        if (!emulated(cpu, "h_eoi")) {
            return PaprRc.H_HARDWARE;
        }
        sicp.eoi(cpu.index(), (int) a[0]);
        return kvm != null && !kernelKnowsSource((int) a[0] & 0xFF_FFFF) ? PaprRc.H_PARAMETER : PaprRc.H_SUCCESS;
    }

    /**
     * XICS-on-XIVE's H_EOI (xive_vm_h_eoi) takes the new CPPR and rescans, then looks the source
     * up: XISR 0 and the IPI need none; any other number outside the kernel's source blocks (QEMU
     * creates those of 0x1000-0x1FFF at connect, ics_set_kvm_state) answers H_PARAMETER, where
     * QEMU's emulated ICP ignores it and answers H_SUCCESS.
     */
    private boolean kernelKnowsSource(int xisr) {
        return xisr == 0 || xisr == XicsRules.IPI || sics.contains(xisr);
    }

    /** H_IPOLL(server): R4 = its XIRR, R5 = its MFRR, without side effects. */
    private long hIpoll(VCpu cpu, long[] a) {
        int target = cpuOfServer(a[0]);
        if (!emulated(cpu, "h_ipoll")) {
            return PaprRc.H_HARDWARE;
        }
        if (target < 0) {
            host.trace().guestError(cpu.index(), String.format("XICS: H_IPOLL of unknown server 0x%x", a[0]), "server", a[0]);
            return PaprRc.H_PARAMETER;
        }
        a[0] = sicp.xirr(target) & 0xFFFF_FFFFL;
        a[1] = sicp.mfrr(target);
        return PaprRc.H_SUCCESS;
    }

    /** The ICS the hcalls and RTAS calls act on now: the emulated one, or the kernel's. */
    Ics servedIcs() {
        return sics;
    }

    // ------------------------------------------------------------------ state as data

    /** The rows of {@link #pic()} (one object each, see {@link Row}), in the keys' order of pseries.d.ts's XicsPic. */
    private static final Row.Keys PIC_ICP = Row.keys("server", "xirr", "cppr", "mfrr", "pending");
    private static final Row.Keys PIC_SOURCE = Row.keys("irq", "server", "priority", "savedPriority", "masked", "lsi",
        "asserted");

    /**
     * {@code { mode: 'xics', icps: [{ server, xirr, cppr, mfrr, pending }], sources: [{ irq,
     * server, priority, savedPriority, masked, lsi, asserted }] }}, claimed sources only.
     */
    @Override
    public Map<String, Object> pic() {
        if (kvm != null) {
            kvm.pull();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", "xics");
        List<Object> icps = new ArrayList<>(icp.cpus());
        for (int c = 0; c < icp.cpus(); c++) {
            icps.add(PIC_ICP.row(icp.serverOf(c), icp.xirr(c) & 0xFFFF_FFFFL, icp.cppr(c), icp.mfrr(c), icp.pending(c)));
        }
        m.put("icps", icps);
        List<Object> sources = new ArrayList<>();
        for (int s = ics.nextClaimed(0); s >= 0; s = ics.nextClaimed(s + 1)) {
            sources.add(PIC_SOURCE.row(s + Ics.OFFSET, ics.server(s) & 0xFFFF_FFFFL, ics.priority(s), ics.savedPriority(s),
                ics.priority(s) == XicsRules.LOWEST, ics.isLsi(s), (ics.status(s) & Ics.STATUS_ASSERTED) != 0));
        }
        m.put("sources", sources);
        return m;
    }

    /**
     * QEMU 7.2's {@code info pic} for XICS, line for line: per vCPU the ICP's XIRR, its output
     * pointer (null under TCG: {@code (nil)}), PP and MFRR; the ICS range with its object's host
     * address (the model has none and prints {@code (nil)}); each claimed source; then the
     * machine's {@code irqchip:} line.
     */
    @Override
    public String picText() {
        if (kvm != null) {
            kvm.pull();
        }
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < icp.cpus(); c++) {
            sb.append(String.format("CPU %d XIRR=%08x ((nil)) PP=%02x MFRR=%02x\n", c, icp.xirr(c), icp.pending(c), icp.mfrr(c)));
        }
        sb.append(String.format("ICS %4x..%4x (nil)\n", Ics.OFFSET, Ics.OFFSET + ics.nrIrqs() - 1));
        for (int s = ics.nextClaimed(0); s >= 0; s = ics.nextClaimed(s + 1)) {
            sb.append(String.format("  %4x %s %02x %02x\n", s + Ics.OFFSET, ics.isLsi(s) ? "LSI" : "MSI",
                ics.priority(s), ics.status(s)));
        }
        sb.append("irqchip: ").append(kvm != null ? "in-kernel" : "emulated").append('\n');
        return sb.toString();
    }
}
