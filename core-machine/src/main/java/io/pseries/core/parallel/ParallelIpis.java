package io.pseries.core.parallel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.pseries.core.Machine;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.intc.InterruptController;
import io.pseries.core.sched.Scheduler;

/**
 * An unpaced IPI workload ({@code m.guest.ipis(pairs, { paced: false, repeat })}) run on the
 * machine's {@code hostThreads} host threads, for throughput. The deterministic mode (one
 * thread, one virtual clock) stays the default and is what every other call uses.
 *
 * <pre>
 *  vCPUs 0..n-1 ──► hostThreads contiguous {@link ScheduleDomain}s, worked on by the caller's
 *                   thread and hostThreads - 1 {@link DomainThread}s, each starting with its own
 *                   domain and claiming any other that is not finished (work, not assignment)
 *  each domain:     its vCPUs' bus ({@link DomainBus}) and clock, its share of the IPIs (by sender)
 *  an IPI to another domain's vCPU: a posted store through a {@link TriggerRing} to the owner
 *  every domain idle ──► the vCPUs back on the machine's bus and clock, the clocks folded back
 * </pre>
 *
 * <p>The result is the deterministic mode's: each vCPU takes the IPIs it takes there (every IPI
 * sent to it is taken once, except that a burst to one vCPU coalesces in its IPI source's PQ bits
 * as it does there), so the per-vCPU counts are the same, and afterwards every queue is empty,
 * every IPI source at PQ 00 and every CPPR back at 0xFF. Virtual time is per domain during the
 * run: the machine's clock afterwards is the latest of the domains' clocks, and can differ from
 * the deterministic mode's, because a vCPU's busy time when an IPI reaches it depends on how far
 * its own sends had got on its host thread. The fired-event count adds up the domains'.
 *
 * <p>Refused, with the reason, when state the run would touch is not partitioned by vCPU: the
 * trace records or has listeners, the controller is the in-kernel device or device pages are
 * mapped into the guest, the guest's IPI is not one MMIO store (XICS: H_IPI is an hcall through
 * the shared hcall table and ICS), events are pending, or a pair names an offline vCPU.
 *
 * <p>Threading: {@link #run} on the machine's thread, which it keeps until the run is over.
 */
public final class ParallelIpis {

    /** The shared progress of one run: how many domains sent their share, and whether one failed. */
    static final class Progress {
        private final int domains;
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicInteger finished = new AtomicInteger();
        private volatile boolean failed;

        Progress(int domains) {
            this.domains = domains;
        }

        void reset() {
            sent.set(0);
            finished.set(0);
            failed = false;
        }

        void domainFinished() {
            finished.incrementAndGet();
        }

        boolean over() {
            return failed || finished.get() == domains;
        }

        void shareSent() {
            sent.incrementAndGet();
        }

        boolean allSent() {
            return sent.get() == domains;
        }

        boolean failed() {
            return failed;
        }

        void fail() {
            failed = true;
        }
    }

    private final Machine m;
    private GuestOs guest;
    private List<ScheduleDomain> domains;
    private DomainThread[] threads;
    private Runnable[] tasks;
    private Progress progress;
    private Throwable[] errors;
    private int repeat;
    private long lastPosted;

    /** The parallel runs of {@code m} (one per machine: {@link Machine#parallelIpis()}). */
    public ParallelIpis(Machine m) {
        this.m = m;
    }

    /** The stores the last run posted from one domain to another (IPIs that crossed). */
    public long lastPosted() {
        return lastPosted;
    }

    /** The schedule domains of the last run (hostThreads, at most the vCPUs); 0 before the first. */
    public int domains() {
        return domains == null ? 0 : domains.size();
    }

    /**
     * Why the machine cannot run its guest's IPIs on host threads now, or null when it can ({@code pairs}:
     * from, to, from, to...; already checked to name existing vCPUs).
     */
    public String refusal(int[] pairs) {
        GuestOs g = m.guest();
        if (g == null) {
            return "the guest is not booted";
        }
        if (m.trace().recording()) {
            return "the trace is recording or has listeners (m.recordEvents(n) with n > 0, m.on: its events would"
                + " come from several host threads)";
        }
        InterruptController c = m.activeController();
        if (c != null && c.inKernel()) {
            return "the interrupt controller is the in-kernel device (its state is the simulated host's, not per vCPU)";
        }
        if (m.host().memslots().count() > 1) {
            return "device pages are mapped into the guest (the host's page faults and counters are shared)";
        }
        if ("xics".equals(g.mode())) {
            return "the guest runs XICS: its IPI is the H_IPI hcall, whose dispatch and ICP state are reached"
                + " through shared tables, not a posted ESB store (only XIVE IPIs run on host threads)";
        }
        if (m.scheduler().pending() > 0) {
            return m.scheduler().pending() + " events are pending on the machine's clock (run it until idle first)";
        }
        for (int i = 0; i < pairs.length; i++) {
            if (!m.cpu(pairs[i]).running()) {
                return "cpu " + pairs[i] + " is not online";
            }
            if (g.ipiTrigger(pairs[i]) < 0) {
                return "the guest's IPI to cpu " + pairs[i] + " is not one MMIO store (its ESB is reached through H_INT_ESB)";
            }
        }
        return null;
    }

    /**
     * Sends the IPIs {@code pairs[0] -> pairs[1], ...}, {@code repeat} times over, on the machine's
     * {@code hostThreads} host threads, and returns the virtual time once the machine is idle
     * again (allocation-free after the first run); throws {@link IllegalStateException} naming the
     * reason when {@link #refusal} refuses.
     */
    public long run(int[] pairs, int repeat) {
        m.requireRunning("m.guest.ipis");
        String why = refusal(pairs);
        if (why != null) {
            throw new IllegalStateException("m.guest.ipis on " + m.config().hostThreads() + " host threads is refused: "
                + why + "; hostThreads: 1 runs it in the deterministic mode");
        }
        GuestOs g = m.guest();
        if (g != guest) {
            partition(g);
        }
        Scheduler main = m.scheduler();
        long start = main.now();
        for (ScheduleDomain d : domains) {
            d.prepare(start, pairs);
        }
        faultQueuesIn(g);
        int nd = domains.size();
        this.repeat = repeat;
        progress.reset();
        java.util.Arrays.fill(errors, null);
        for (int i = 0; i < nd; i++) {
            ScheduleDomain d = domains.get(i);
            for (int c = d.lo(); c < d.hi(); c++) {
                g.runOn(c, d.bus, d.clock);
            }
        }
        try {
            for (int i = 1; i < nd; i++) {
                threads[i].start(tasks[i]);
            }
            tasks[0].run();
        } finally {
            for (int i = 1; i < nd; i++) {
                threads[i].finish();
            }
            g.runOnMachine();
        }
        long now = start;
        long events = 0;
        long posted = 0;
        long exits = 0;
        for (ScheduleDomain d : domains) {
            now = Math.max(now, d.clock.now());
            events += d.clock.firedCount();
            posted += d.posted;
            exits += d.bus.exits() - d.exitsBefore;
        }
        main.restoreClock(now, main.sequence(), main.firedCount() + events);
        m.host().countMmioExits(exits);
        for (int i = 0; i < nd; i++) {
            if (errors[i] != null) {
                ScheduleDomain d = domains.get(i);
                throw new IllegalStateException("m.guest.ipis: host thread " + i + " (vCPUs " + d.lo() + ".." + (d.hi() - 1)
                    + ") failed: " + errors[i].getMessage() + "; the machine's state is what the run left", errors[i]);
            }
        }
        lastPosted = posted;
        return now;
    }

    /** The RAM page table fills on first write and is shared: the queue pages are faulted in first. */
    private void faultQueuesIn(GuestOs g) {
        for (int c = 0; c < g.cpuCount(); c++) {
            long q = g.driver().queuePage(c);
            if (q >= 0) {
                m.memory().page(q);
            }
        }
    }

    /** Contiguous domains of about n / nd vCPUs each, their buses, rings and host threads. */
    private void partition(GuestOs g) {
        int n = g.cpuCount();
        int nd = Math.min(m.config().hostThreads(), n);
        int[] domainOf = new int[n];
        long[] trigger = new long[n];
        for (int c = 0; c < n; c++) {
            domainOf[c] = (int) ((long) c * nd / n);
            trigger[c] = m.cpu(c).running() ? g.ipiTrigger(c) : -1;
        }
        List<ScheduleDomain> ds = new ArrayList<>();
        int lo = 0;
        for (int i = 0; i < nd; i++) {
            int hi = lo;
            while (hi < n && domainOf[hi] == i) {
                hi++;
            }
            DomainBus bus = new DomainBus(m.addressSpace(), m.host().mmioExitNs());
            ds.add(new ScheduleDomain(i, lo, hi, g, bus, domainOf, trigger, nd));
            lo = hi;
        }
        for (ScheduleDomain to : ds) {
            List<TriggerRing> in = new ArrayList<>();
            for (ScheduleDomain from : ds) {
                if (from != to) {
                    TriggerRing ring = new TriggerRing(ScheduleDomain.RING_CAPACITY);
                    from.out[to.index] = ring;
                    in.add(ring);
                }
            }
            to.in = in.toArray(new TriggerRing[0]);
        }
        progress = new Progress(nd);
        errors = new Throwable[nd];
        tasks = new Runnable[nd];
        if (threads == null || threads.length != nd) {
            threads = new DomainThread[nd];
            for (int i = 1; i < nd; i++) {
                threads[i] = new DomainThread("pseries-domain-" + i);
            }
        }
        for (int i = 0; i < nd; i++) {
            int first = i;
            tasks[i] = () -> work(first);
        }
        domains = ds;
        guest = g;
    }

    /**
     * What every host thread of a run does, starting with domain {@code first} (its own): claim a
     * domain that is not finished, do one step of it, release it, go on to the next, until every
     * domain is finished. A thread the host does not schedule holds nothing up but the step it is in.
     */
    private void work(int first) {
        int nd = domains.size();
        int idle = 0;
        while (!progress.over()) {
            boolean did = false;
            for (int k = 0; k < nd; k++) {
                ScheduleDomain d = domains.get((first + k) % nd);
                if (d.finished() || !d.claim()) {
                    continue;
                }
                try {
                    did |= d.step(progress, repeat);
                } catch (Throwable t) {
                    errors[d.index] = t;
                    progress.fail();
                } finally {
                    d.release();
                }
            }
            if (did) {
                idle = 0;
            } else if (++idle < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }
}
