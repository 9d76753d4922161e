package io.pseries.core.parallel;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.pseries.core.Machine;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.sched.Scheduler;

/**
 * One share of a parallel IPI run: a contiguous range of vCPUs and everything their IPIs reach
 * (their thread contexts and TIMA state, their ENDs and event queues, the IPI sources routed to
 * them, the guest model's per-CPU state), its own {@link Scheduler} (virtual clock) for their
 * exceptions, its own {@link DomainBus}, and one inbound {@link TriggerRing} per other domain.
 * A host thread works on a domain only while it holds the domain's claim ({@link #claim}), so
 * one thread at a time touches that state; the claim's release and acquire order the threads.
 *
 * <pre>
 *  send:   for each IPI of its share (sender in this domain), in order, repeat times:
 *            target here  ──► the guest's IPI path (the ESB trigger store, on this bus)
 *            target there ──► the store is posted to the owner's ring; the sender pays for it
 *          every 32 IPIs: perform the stores posted to this domain; a full ring ends the step
 *  settle: perform posted stores until every domain has sent its share
 *  take:   the last posted stores, then this domain's clock until idle (exceptions, handlers)
 * </pre>
 *
 * This is the deterministic mode's unpaced run ("every IPI sent, then the machine runs until
 * idle") split by vCPU: no exception fires before every trigger was performed, as there, and
 * triggers of one source commute (PQ 00, 10, 11, 11...), so each vCPU takes what it takes in the
 * deterministic mode. The handlers of an IPI touch only their own vCPU's state (TIMA ACK and
 * CPPR, its queue, its IPI's ESB EOI and re-trigger), so the take phase posts nothing.
 *
 * <p>Threading: {@link #step} by the host thread holding the claim; {@link #prepare} before the
 * run's threads start, the counters after they finished.
 */
final class ScheduleDomain {
    /** Posted stores a ring holds; a sender finding it full ends its step (the owner drains it). */
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
    private final AtomicBoolean claim = new AtomicBoolean();
    private int rep;
    private int pos;
    private boolean sent;
    private boolean progressed;
    private volatile boolean finished;
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
        rep = 0;
        pos = 0;
        sent = false;
        finished = false;
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

    /** Takes the domain for one {@link #step}; false when another thread has it. */
    boolean claim() {
        return claim.compareAndSet(false, true);
    }

    /** Gives the domain back: everything the step did is visible to the next thread that claims it. */
    void release() {
        claim.set(false);
    }

    boolean finished() {
        return finished;
    }

    /**
     * One piece of this domain's run, by whichever host thread claimed it: its sends (until its
     * share is sent {@code repeat} times, or a ring to another domain is full), then, once every
     * domain sent its share, the stores still posted to it and its clock until idle. Whether it
     * did anything.
     */
    boolean step(ParallelIpis.Progress r, int repeat) {
        if (finished) {
            // finished by the thread that held the claim before this one
            return false;
        }
        if (!sent) {
            boolean any = drain();
            if (sendSome(repeat)) {
                sent = true;
                r.shareSent();
                return true;
            }
            return any | progressed;
        }
        // every sender done (read first): every store it posted is in a ring already
        if (!r.allSent()) {
            return drain();
        }
        drain();
        clock.runUntilIdle(Machine.IDLE_EVENT_LIMIT);
        finished = true;
        r.domainFinished();
        return true;
    }

    /** Sends from where the last step stopped; true when the whole share was sent {@code repeat} times. */
    private boolean sendSome(int repeat) {
        progressed = false;
        int k = 0;
        while (rep < repeat) {
            while (pos < shareLen) {
                if (!send(share[pos], share[pos + 1])) {
                    return false;
                }
                progressed = true;
                pos += 2;
                if (++k == DRAIN_EVERY) {
                    k = 0;
                    drain();
                }
            }
            pos = 0;
            rep++;
        }
        return true;
    }

    /** One IPI; false (nothing done) when it goes to another domain whose ring is full. */
    private boolean send(int from, int to) {
        int d = domainOf[to];
        if (d == index) {
            os.ipi(from, to);
            return true;
        }
        if (!out[d].offer(from, trigger[to], 0)) {
            return false;
        }
        bus.countExit();
        os.chargePostedStore(from, bus.lastExitNs());
        posted++;
        return true;
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

}
