package io.pseries.xics;

import java.util.Arrays;

import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * The XICS interrupt presentation controllers, one per vCPU (QEMU's ICPState; facts §7.2,
 * §7.4), held as flat arrays indexed by vCPU index: the XIRR ({@code CPPR << 24 | XISR}), the
 * priority of the interrupt in XISR ("pending"), the MFRR (the IPI priority register), and
 * whether XISR came from the ICS (QEMU's xirr_owner: the ICS, or none for the IPI).
 *
 * <pre>
 *  Ics ──irq(server, nr, prio)──► present or reject ──► output(cpu) raised
 *  H_IPI ─► setMfrr ─► checkIpi (XISR = 2)         H_CPPR ─► setCppr (withdraw / resend)
 *  H_XIRR ─► accept (CPPR = pending, XISR = 0, output lowered)
 *  H_EOI ─► eoi (CPPR from the EOI value, ICS EOI, resend when XISR is empty)
 *  resend = checkIpi when MFRR &lt; CPPR, then the ICS resend (all servers, as QEMU)
 * </pre>
 *
 * <p>The output of an ICP is the OS external-interrupt input of its vCPU; it is up exactly
 * while XISR is not empty, which is what {@link #outputLevel} recomputes after a restore or
 * an activation.
 *
 * <p>Threading: the machine's thread only.
 */
public final class Icp {

    /** Where an ICP's output goes: the vCPU's external-interrupt input. */
    @FunctionalInterface
    public interface Output {
        void set(int cpu, boolean level);
    }

    private final Ics ics;
    private final Output output;
    private final Trace trace;
    private final int[] xirr;
    private final int[] pending;
    private final int[] mfrr;
    private final boolean[] icsOwned;
    private final int[] serverOf;
    private int[] cpuOfServer;
    /** Guest priorities from this value up (0xFF excepted) act as this value; 0x100: none. */
    private int priorityLimit = 0x100;

    /** ICPs for {@code cpus} vCPUs; {@link #addServer} names each one's server number. */
    public Icp(int cpus, Ics ics, Output output, Trace trace) {
        this.ics = ics;
        this.output = output;
        this.trace = trace;
        this.xirr = new int[cpus];
        this.pending = new int[cpus];
        this.mfrr = new int[cpus];
        this.icsOwned = new boolean[cpus];
        this.serverOf = new int[cpus];
        this.cpuOfServer = new int[cpus];
        Arrays.fill(cpuOfServer, -1);
        Arrays.fill(serverOf, -1);
        for (int c = 0; c < cpus; c++) {
            resetState(c);
        }
        ics.connect(this);
    }

    /**
     * Makes these ICPs act as KVM's XICS-on-XIVE does (its {@code xive_prio_from_guest}): the
     * kernel keeps one XIVE priority for itself, so a guest priority or CPPR from {@code limit}
     * to 0xFE acts as {@code limit}, for the CPPR of H_CPPR and H_EOI and for the priority at
     * which a source is presented; 0xFF and the MFRR are taken as they are. What ibm,get-xive
     * answers stays the guest's (the ICS keeps it); the CPPR the guest reads back in its XIRR
     * is the one acted on. The emulated XICS has no limit.
     */
    public void limitPriorities(int limit) {
        if (limit < 0 || limit > 0xFF) {
            throw new IllegalArgumentException("priority limit " + limit);
        }
        priorityLimit = limit;
    }

    private int fromGuest(int prio) {
        return prio < priorityLimit || prio == XicsRules.LOWEST ? prio : priorityLimit;
    }

    /** Declares that vCPU index {@code cpu} is interrupt server {@code server} (its vCPU id). */
    public void addServer(int cpu, int server) {
        if (server < 0) {
            throw new IllegalArgumentException("server number must be >= 0, got " + server);
        }
        if (server >= cpuOfServer.length) {
            int old = cpuOfServer.length;
            cpuOfServer = Arrays.copyOf(cpuOfServer, Math.max(server + 1, old * 2));
            Arrays.fill(cpuOfServer, old, cpuOfServer.length, -1);
        }
        cpuOfServer[server] = cpu;
        serverOf[cpu] = server;
    }

    /** The vCPU index of a server number, or -1. */
    public int cpuOf(int server) {
        return server >= 0 && server < cpuOfServer.length ? cpuOfServer[server] : -1;
    }

    public int serverOf(int cpu) {
        return serverOf[cpu];
    }

    public int cpus() {
        return xirr.length;
    }

    // ------------------------------------------------------------------ state accessors

    public int xirr(int cpu) {
        return xirr[cpu];
    }

    public int cppr(int cpu) {
        return XicsRules.cppr(xirr[cpu]);
    }

    public int xisr(int cpu) {
        return XicsRules.xisr(xirr[cpu]);
    }

    public int pending(int cpu) {
        return pending[cpu];
    }

    public int mfrr(int cpu) {
        return mfrr[cpu];
    }

    /** Whether the interrupt in XISR came from the ICS (false: the IPI, or nothing). */
    public boolean icsOwned(int cpu) {
        return icsOwned[cpu];
    }

    /** What the ICP drives on its output: up exactly while XISR is not empty. */
    public boolean outputLevel(int cpu) {
        return XicsRules.xisr(xirr[cpu]) != 0;
    }

    // ------------------------------------------------------------------ presenter operations

    /** icp_reset: XIRR 0 (CPPR 0, most favoured), nothing pending, MFRR 0xFF, output lowered. */
    public void reset(int cpu) {
        resetState(cpu);
        output.set(cpu, false);
    }

    private void resetState(int cpu) {
        xirr[cpu] = 0;
        pending[cpu] = XicsRules.LOWEST;
        mfrr[cpu] = XicsRules.LOWEST;
        icsOwned[cpu] = false;
    }

    /**
     * Restores one ICP's registers (a VMM pushing state into an in-kernel ICP, or pulling it out
     * of one) and re-drives the output from them: up exactly while XISR is not empty.
     */
    public void restore(int cpu, int xirrValue, int pendingPriority, int mfrrValue) {
        xirr[cpu] = xirrValue;
        pending[cpu] = pendingPriority & 0xFF;
        mfrr[cpu] = mfrrValue & 0xFF;
        int x = XicsRules.xisr(xirrValue);
        icsOwned[cpu] = x != 0 && x != XicsRules.IPI;
        output.set(cpu, outputLevel(cpu));
    }

    /** icp_irq: the ICS offers interrupt {@code nr} at {@code prio} to {@code server}. */
    public void irq(int server, int nr, int guestPrio) {
        int prio = fromGuest(guestPrio);
        int cpu = cpuOf(server);
        if (cpu < 0) {
            // QEMU would dereference a missing ICP; RTAS never lets such a server in
            trace.guestError(-1, String.format("XICS: interrupt 0x%x targets unknown server %d", nr, server),
                "irq", nr, "server", server);
            ics.reject(nr - Ics.OFFSET);
            return;
        }
        int x = xirr[cpu];
        if (!XicsRules.presents(x, pending[cpu], prio)) {
            ics.reject(nr - Ics.OFFSET);
            return;
        }
        int old = XicsRules.xisr(x);
        if (old != 0 && icsOwned[cpu]) {
            ics.reject(old - Ics.OFFSET);
        }
        xirr[cpu] = XicsRules.withXisr(x, nr);
        icsOwned[cpu] = true;
        pending[cpu] = prio;
        raise(cpu, nr, prio);
    }

    /** icp_check_ipi: the IPI takes XISR unless something at least as favoured holds it. */
    public void checkIpi(int cpu) {
        int x = xirr[cpu];
        int m = mfrr[cpu];
        if (!XicsRules.ipiTakesXisr(x, pending[cpu], m)) {
            return;
        }
        int old = XicsRules.xisr(x);
        if (old != 0 && icsOwned[cpu]) {
            ics.reject(old - Ics.OFFSET);
        }
        xirr[cpu] = XicsRules.withXisr(x, XicsRules.IPI);
        pending[cpu] = m;
        icsOwned[cpu] = false;
        raise(cpu, XicsRules.IPI, m);
    }

    /** icp_resend: the IPI when MFRR beats the CPPR, then every rejected or unsent source. */
    public void resend(int cpu) {
        if (XicsRules.ipiSignalled(xirr[cpu], mfrr[cpu])) {
            checkIpi(cpu);
        }
        ics.resend();
    }

    /** icp_set_cppr (H_CPPR): a more favoured CPPR may withdraw XISR; a less favoured one resends. */
    public void setCppr(int cpu, int cppr) {
        cppr = fromGuest(cppr & 0xFF);
        int x = xirr[cpu];
        int old = XicsRules.cppr(x);
        x = XicsRules.withCppr(x, cppr);
        xirr[cpu] = x;
        if (cppr < old) {
            if (XicsRules.cpprWithdraws(old, cppr, x, pending[cpu])) {
                int oldXisr = XicsRules.xisr(x);
                xirr[cpu] = x & ~XicsRules.XISR_MASK;
                pending[cpu] = XicsRules.LOWEST;
                output.set(cpu, false);
                if (icsOwned[cpu]) {
                    icsOwned[cpu] = false;
                    ics.reject(oldXisr - Ics.OFFSET);
                }
            }
        } else if (XicsRules.cpprResends(old, cppr, x)) {
            resend(cpu);
        }
    }

    /** icp_set_mfrr (H_IPI): store the MFRR; a value more favoured than the CPPR signals the IPI. */
    public void setMfrr(int cpu, int value) {
        value &= 0xFF;
        mfrr[cpu] = value;
        if (XicsRules.ipiSignalled(xirr[cpu], value)) {
            checkIpi(cpu);
        }
    }

    /** icp_accept (H_XIRR): returns the XIRR; CPPR becomes the pending priority, XISR empties. */
    public int accept(int cpu) {
        int old = xirr[cpu];
        output.set(cpu, false);
        ics.accepted(old & XicsRules.XISR_MASK);
        xirr[cpu] = XicsRules.accepted(pending[cpu]);
        pending[cpu] = XicsRules.LOWEST;
        icsOwned[cpu] = false;
        return old;
    }

    /** icp_eoi (H_EOI): CPPR from the value's top byte, ICS EOI of its source, resend if idle. */
    public void eoi(int cpu, int eoiXirr) {
        int cppr = fromGuest(XicsRules.cppr(eoiXirr));
        xirr[cpu] = XicsRules.afterEoi(xirr[cpu], XicsRules.withCppr(eoiXirr, cppr));
        int irq = eoiXirr & XicsRules.XISR_MASK;
        if (ics.contains(irq)) {
            ics.eoi(irq - Ics.OFFSET);
        }
        if (XicsRules.xisr(xirr[cpu]) == 0) {
            resend(cpu);
        }
    }

    private void raise(int cpu, int nr, int prio) {
        if (trace.on(TraceCategory.IRQ)) {
            trace.emit(TraceCategory.IRQ, cpu, "present", "irq", nr, "server", serverOf[cpu], "priority", prio,
                "xirr", xirr[cpu] & 0xFFFF_FFFFL);
        }
        output.set(cpu, true);
    }
}
