package io.pseries.core.parallel;

import java.util.List;

import io.pseries.core.Machine;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.sched.Scheduler;

/**
 * One host thread's share of a parallel IPI run: a contiguous range of vCPUs and everything their
 * IPIs reach (their thread contexts and TIMA state, their ENDs and event queues, the IPI sources
 * routed to them, the guest model's per-CPU state), its own {@link Scheduler} (virtual clock) for
 * their exceptions, its own {@link DomainBus}, and one inbound {@link TriggerRing} per other domain.
 *
 * <pre>
 *  send:   for each IPI of its share (sender in this domain), in order, repeat times:
 *            target here  ──► the guest's IPI path (the ESB trigger store, on this bus)
 *            target there ──► the sender pays the store; the store is posted to the owner's ring
 *          every 32 IPIs, and while a ring is full: perform the stores posted to this domain
 *  settle: perform posted stores until every domain has sent its share and the rings are empty
 *  take:   fire this domain's clock until idle (the exceptions, their handlers)
 * </pre>
 *
 * This is the deterministic mode's unpaced run ("every IPI sent, then the machine runs until
 * idle") split by vCPU: no exception fires before every trigger was performed, as there, and
 * triggers of one source commute (PQ 00, 10, 11, 11...), so each vCPU takes what it takes in the
 * deterministic mode. The handlers of an IPI touch only their own vCPU's state (TIMA ACK and
 * CPPR, its queue, its IPI's ESB EOI and re-trigger), so the take phase posts nothing.
 *
 * <p>Threading: {@link #run} on the domain's host thread; the rest is set up before it starts and
 * read after it finished.
 */
final class ScheduleDomain {
    /** Posted stores a ring holds before the sender waits (performs its own inbox meanwhile). */
    static final int RING_CAPACITY = 1024;
    private static final int DRAIN_EVERY = 32;

    final int index;
    private final int lo;
    private final int hi;
    private final GuestOs os;
    private final List<VCpu> cpus;
    final Scheduler clock = new Scheduler();
    final DomainBus bus;
    /** By destination domain: the ring to it, null for this one. */
    final TriggerRing[] out;
    /** From every other domain. */
    TriggerRing[] in;
    private final int[] domainOf;
    private final long[] trigger;
    private final long[] entry = new long[3];
    private int[] share = new int[0];
    private int shareLen;
    long posted;
    long exitsBefore;

    ScheduleDomain(int index, int lo, int hi, GuestOs os, DomainBus bus, int[] domainOf, long[] trigger, int domains) {
        this.index = index;
        this.lo = lo;
        this.hi = hi;
        this.os = os;
        this.cpus = os.machine().cpus();
        this.bus = bus;
        this.domainOf = domainOf;
        this.trigger = trigger;
        this.out = new TriggerRing[domains];
    }

    int lo() {
        return lo;
    }

    int hi() {
        return hi;
    }

    /** Before a run: the clock at {@code nowNs}, and the IPIs of {@code pairs} whose sender is here, in their order. */
    void prepare(long nowNs, int[] pairs) {
        clock.restoreClock(nowNs, 0, 0);
        exitsBefore = bus.exits();
        posted = 0;
        int n = 0;
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i] >= lo && pairs[i] < hi) {
                n += 2;
            }
        }
        if (share.length < n) {
            share = new int[n];
        }
        shareLen = 0;
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i] >= lo && pairs[i] < hi) {
                share[shareLen++] = pairs[i];
                share[shareLen++] = pairs[i + 1];
            }
        }
    }

    /** The whole run of this domain: its share {@code repeat} times, the settle and take phases. */
    void run(ParallelIpis.Progress r, int repeat) {
        int k = 0;
        for (int rep = 0; rep < repeat && !r.failed(); rep++) {
            for (int i = 0; i < shareLen; i += 2) {
                send(share[i], share[i + 1], r);
                if (++k == DRAIN_EVERY) {
                    k = 0;
                    drain();
                }
            }
        }
        r.shareSent();
        // every sender done (read first): every store it posted is in a ring already
        while (!r.failed()) {
            boolean did = drain();
            if (!did && r.allSent() && inboxEmpty()) {
                break;
            }
            if (!did) {
                Thread.onSpinWait();
            }
        }
        if (!r.failed()) {
            clock.runUntilIdle(Machine.IDLE_EVENT_LIMIT);
        }
    }

    private void send(int from, int to, ParallelIpis.Progress r) {
        int d = domainOf[to];
        if (d == index) {
            os.ipi(from, to);
            return;
        }
        bus.countExit();
        os.chargePostedStore(from, bus.lastExitNs());
        TriggerRing ring = out[d];
        while (!ring.offer(from, trigger[to], 0)) {
            if (r.failed()) {
                return;
            }
            if (!drain()) {
                Thread.onSpinWait();
            }
        }
        posted++;
    }

    /** Performs every store the inbound rings hold; whether there was any. */
    private boolean drain() {
        boolean any = false;
        for (TriggerRing ring : in) {
            while (ring.poll(entry)) {
                any = true;
                bus.post(cpus.get((int) entry[0]), entry[1], 8, entry[2]);
            }
        }
        return any;
    }

    private boolean inboxEmpty() {
        for (TriggerRing ring : in) {
            if (!ring.isEmpty()) {
                return false;
            }
        }
        return true;
    }
}
