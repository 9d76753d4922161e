package io.pseries.core.sched;

import java.util.Arrays;

/**
 * Deterministic discrete-event scheduler on virtual time (nanoseconds).
 *
 * <p>Events fire in (time, insertion order) order, so the same inputs always produce the same
 * run. The queue is a binary heap over primitive arrays; scheduling allocates only when the
 * heap grows. Nothing here reads the wall clock.
 *
 * <p>Threading: single-threaded, like the machine that owns it.
 */
public final class Scheduler {

    /** Something that happens at a point in virtual time. */
    @FunctionalInterface
    public interface Action {
        void fire(long nowNs);
    }

    /**
     * An event whose owner's snapshot section records it as data (its time and order, found
     * with {@link #find}) and schedules it again on restore ({@link #restoreEvent}). A snapshot is
     * refused while any other kind of event is pending.
     */
    public interface Recorded extends Action {
    }

    private long now;
    private long nextSeq;
    private long[] times = new long[64];
    private long[] seqs = new long[64];
    private Action[] actions = new Action[64];
    private int size;
    private long fired;

    /** Current virtual time in ns. */
    public long now() {
        return now;
    }

    /** Number of events fired since creation. */
    public long firedCount() {
        return fired;
    }

    /** Number of events waiting. */
    public int pending() {
        return size;
    }

    /** Schedules {@code a} at {@code now + delayNs} (delay must be >= 0). */
    public void after(long delayNs, Action a) {
        if (delayNs < 0) {
            throw new IllegalArgumentException("negative delay " + delayNs);
        }
        at(now + delayNs, a);
    }

    /** Schedules {@code a} at absolute virtual time {@code t} (not earlier than now). */
    public void at(long t, Action a) {
        if (t < now) {
            t = now;
        }
        if (size == times.length) {
            int n = size * 2;
            times = Arrays.copyOf(times, n);
            seqs = Arrays.copyOf(seqs, n);
            actions = Arrays.copyOf(actions, n);
        }
        int i = size++;
        long s = nextSeq++;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!before(t, s, times[p], seqs[p])) {
                break;
            }
            times[i] = times[p];
            seqs[i] = seqs[p];
            actions[i] = actions[p];
            i = p;
        }
        times[i] = t;
        seqs[i] = s;
        actions[i] = a;
    }

    private static boolean before(long t1, long s1, long t2, long s2) {
        return t1 < t2 || (t1 == t2 && s1 < s2);
    }

    /**
     * Fires every event due at or before {@code until}, then sets the clock to {@code until}.
     * Returns the number of events fired.
     */
    public long runUntil(long until) {
        long n = 0;
        while (size > 0 && times[0] <= until) {
            fireNext();
            n++;
        }
        if (until > now) {
            now = until;
        }
        return n;
    }

    /**
     * Fires the earliest event if it is due at or before {@code until}; returns whether one fired.
     * The clock does not move when nothing fired.
     */
    public boolean step(long until) {
        if (size == 0 || times[0] > until) {
            return false;
        }
        fireNext();
        return true;
    }

    /**
     * Fires events until none is left, or throws once {@code maxEvents} fired without the
     * queue draining (an interrupt storm, such as a level interrupt left asserted).
     */
    public long runUntilIdle(long maxEvents) {
        long n = 0;
        while (size > 0) {
            if (n >= maxEvents) {
                throw new IllegalStateException("the machine did not become idle after " + maxEvents
                    + " events (virtual time " + now + " ns); an interrupt storm, such as a level"
                    + " interrupt left asserted, keeps it busy");
            }
            fireNext();
            n++;
        }
        return n;
    }

    private void fireNext() {
        long t = times[0];
        Action a = actions[0];
        int last = --size;
        long lt = times[last];
        long ls = seqs[last];
        Action la = actions[last];
        actions[last] = null;
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) {
                break;
            }
            if (c + 1 < size && before(times[c + 1], seqs[c + 1], times[c], seqs[c])) {
                c++;
            }
            if (!before(times[c], seqs[c], lt, ls)) {
                break;
            }
            times[i] = times[c];
            seqs[i] = seqs[c];
            actions[i] = actions[c];
            i = c;
        }
        if (size > 0) {
            times[i] = lt;
            seqs[i] = ls;
            actions[i] = la;
        }
        now = t;
        fired++;
        if (progress != null && (fired & PROGRESS_MASK) == 0) {
            progress.at(t, fired);
        }
        a.fire(t);
    }

    /** Told the clock and the fired count every {@value #PROGRESS_EVERY} events while set. */
    @FunctionalInterface
    public interface ProgressSink {
        void at(long nowNs, long firedCount);
    }

    /** Events between two {@link ProgressSink} calls (a power of two). */
    public static final int PROGRESS_EVERY = 1 << 16;
    private static final int PROGRESS_MASK = PROGRESS_EVERY - 1;
    private ProgressSink progress;

    /**
     * Sets (null: removes) the sink told of progress during long runs. It is called on this
     * thread, between two events, and must not touch the machine; it never changes what fires.
     */
    public void setProgress(ProgressSink sink) {
        progress = sink;
    }

    /** The insertion counter that orders events due at the same time (snapshot state). */
    public long sequence() {
        return nextSeq;
    }

    /**
     * Restores the clock of a snapshot taken at a quiescent point: pending events are dropped,
     * then time, the insertion counter and the fired count take the snapshot's values.
     */
    public void restoreClock(long nowNs, long sequence, long firedCount) {
        dropPending();
        now = nowNs;
        nextSeq = sequence;
        fired = firedCount;
    }

    /** Pending events that are not {@link Recorded} (a snapshot cannot hold them). */
    public int unrecordedPending() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (!(actions[i] instanceof Recorded)) {
                n++;
            }
        }
        return n;
    }

    /** The time and order ({@code {time, sequence}}) of {@code a} if it is pending, else null (a scan: snapshots only). */
    public long[] find(Action a) {
        for (int i = 0; i < size; i++) {
            if (actions[i] == a) {
                return new long[] {times[i], seqs[i]};
            }
        }
        return null;
    }

    /**
     * Schedules a restored event at its recorded time and order (after {@link #restoreClock}); the
     * insertion counter does not move: the recorded order was taken from it before the snapshot.
     */
    public void restoreEvent(long t, long seq, Recorded a) {
        if (t < now || seq >= nextSeq) {
            throw new IllegalArgumentException("restoreEvent: time " + t + " before now " + now + " or order " + seq
                + " not before " + nextSeq);
        }
        long keep = nextSeq;
        nextSeq = seq;
        at(t, a);
        nextSeq = keep;
    }

    /** Drops every pending event; the clock keeps its value (machine reset). */
    public void dropPending() {
        Arrays.fill(actions, null);
        size = 0;
    }
}
