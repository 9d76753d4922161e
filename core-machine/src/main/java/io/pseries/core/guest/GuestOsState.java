package io.pseries.core.guest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

import io.pseries.core.cas.CasResult;
import io.pseries.core.sched.Scheduler;

/**
 * The booted guest model's state as plain data (the snapshot section {@code guest} writes and
 * reads it): what the kernel set up (its interrupt descriptors, the driver it chose, the CAS
 * outcome, the boot report's steps), what it counted ({@code /proc/interrupts}), and where each
 * vCPU is in time (busy-until, the pending exception entry with its scheduler order). The
 * driver's own state is its own section's.
 *
 * <p>Not here, because it is derived or empty between two events: the device tree the kernel
 * booted with is the machine's post-CAS tree (read again), a vCPU is never inside its handler
 * between events (inHandler and its re-run flag are false), the hcall scratch registers.
 *
 * @param offer       what the guest offered at CAS ({@link io.pseries.core.cas.GuestOv5.Offer} name)
 * @param timing      the virtual costs the guest was booted with
 * @param driver      the interrupt driver's name ({@link GuestIrqDriver#name()})
 * @param exceptionAt per vCPU, the virtual time of its pending exception entry, or -1
 * @param exceptionSeq per vCPU, that entry's scheduler order (-1 when none)
 * @param counts      device interrupts taken: (cpu, hwirq, count) triples in three arrays
 * @param descs       the mapped device interrupts, by kernel number
 * @param ipiCpu      the vCPUs with an IPI, with {@code ipiHwirq} its hardware number
 */
public record GuestOsState(String offer, GuestTiming timing, String driver, List<String> steps, long[] busyUntil,
                           long[] exceptionAt, long[] exceptionSeq, long[] ipis, long[] exceptions,
                           int[] countCpu, int[] countHwirq, long[] counts, List<Desc> descs,
                           int[] ipiCpu, int[] ipiHwirq, int nextVirq, CasResult cas) {

    /** One mapped device interrupt ({@link IrqDesc} without the driver's data). */
    public record Desc(int hwirq, int virq, boolean lsi, String name, int target, boolean started) {
    }

    /** The state of a booted guest; its pending exception entries are looked up in the scheduler. */
    public static GuestOsState of(GuestOs g) {
        int n = g.cpuCount();
        Scheduler s = g.machine().scheduler();
        long[] at = new long[n];
        long[] seq = new long[n];
        for (int i = 0; i < n; i++) {
            long[] e = g.exceptionPending[i] ? s.find(g.exceptionAction[i]) : null;
            at[i] = e == null ? -1 : e[0];
            seq[i] = e == null ? -1 : e[1];
        }
        List<int[]> triples = new ArrayList<>();
        List<Long> values = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            for (Map.Entry<Integer, long[]> e : new TreeMap<>(g.irqCounts.get(c)).entrySet()) {
                triples.add(new int[] {c, e.getKey()});
                values.add(e.getValue()[0]);
            }
        }
        int[] cc = new int[triples.size()];
        int[] ch = new int[triples.size()];
        long[] cv = new long[triples.size()];
        for (int i = 0; i < cc.length; i++) {
            cc[i] = triples.get(i)[0];
            ch[i] = triples.get(i)[1];
            cv[i] = values.get(i);
        }
        List<Desc> descs = new ArrayList<>();
        for (IrqDesc d : g.irqs.byVirq.values()) {
            descs.add(new Desc(d.hwirq(), d.virq(), d.lsi(), d.name(), d.target(), d.started()));
        }
        Map<Integer, IrqDesc> ipis = new TreeMap<>(g.irqs.ipiByCpu);
        int[] ic = new int[ipis.size()];
        int[] ih = new int[ipis.size()];
        int k = 0;
        for (Map.Entry<Integer, IrqDesc> e : ipis.entrySet()) {
            ic[k] = e.getKey();
            ih[k++] = e.getValue().hwirq();
        }
        return new GuestOsState(g.options.xive().name(), g.timing(), g.driver.name(), List.copyOf(g.steps),
            g.busyUntil.clone(), at, seq, g.ipis.clone(), g.exceptions.clone(), cc, ch, cv, descs, ic, ih, g.irqs.nextVirq,
            g.cas);
    }

    /** The driver provider of that name on the class path, or null. */
    public static GuestIrqDriverProvider provider(String name) {
        for (GuestIrqDriverProvider p : ServiceLoader.load(GuestIrqDriverProvider.class,
            GuestOsState.class.getClassLoader())) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /**
     * The guest this state describes, running on {@code m}: its driver made (empty: the driver's
     * section fills it), its descriptors, counts and clocks installed, the vCPUs' inputs listened
     * to, and the pending exception entries scheduled again at their recorded time and order (the
     * scheduler's clock must already be restored). Validated by the section before.
     */
    public GuestOs install(GuestPlatform m) {
        GuestOs.BootOptions opts = new GuestOs.BootOptions(io.pseries.core.cas.GuestOv5.Offer.valueOf(offer), timing);
        GuestOs g = new GuestOs(m, opts);
        g.steps.addAll(steps);
        System.arraycopy(busyUntil, 0, g.busyUntil, 0, busyUntil.length);
        System.arraycopy(ipis, 0, g.ipis, 0, ipis.length);
        System.arraycopy(exceptions, 0, g.exceptions, 0, exceptions.length);
        for (int i = 0; i < countCpu.length; i++) {
            g.irqCounts.get(countCpu[i]).put(countHwirq[i], new long[] {counts[i]});
        }
        g.irqs.nextVirq = nextVirq;
        g.cas = cas;
        g.tree = m.deviceTree();
        g.driver = provider(driver).create(g);
        for (Desc d : descs) {
            IrqDesc x = new IrqDesc(d.hwirq(), d.virq(), d.lsi(), false, d.name());
            x.setTarget(d.target());
            x.setStarted(d.started());
            g.irqs.add(x);
        }
        for (int i = 0; i < ipiCpu.length; i++) {
            g.registerIpi(ipiCpu[i], ipiHwirq[i]);
        }
        g.attach();
        for (int i = 0; i < exceptionAt.length; i++) {
            if (exceptionAt[i] >= 0) {
                g.exceptionPending[i] = true;
                m.scheduler().restoreEvent(exceptionAt[i], exceptionSeq[i], g.exceptionAction[i]);
            }
        }
        return g;
    }
}
