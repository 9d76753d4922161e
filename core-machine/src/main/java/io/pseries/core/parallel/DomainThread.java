package io.pseries.core.parallel;

import java.util.concurrent.locks.LockSupport;

/**
 * A host thread that joins the parallel runs of one machine, run after run: it waits for the next
 * run by spinning a little ({@link #SPIN_NS}: back-to-back calls of a throughput workload find it
 * awake), then parked, and it ends after {@link #IDLE_EXIT_NS} without a run, so a machine that
 * stopped using its host threads holds none (the next run starts a new one).
 *
 * <pre>
 *  caller: start(task) ── generation++ (volatile) ── unpark
 *  thread: sees generation g ── claims it (started: g-1 to g) ── task.run() ── done = g
 *  caller: finish() ── claims g itself if the thread has not (then the thread skips it),
 *          else waits until done == g
 * </pre>
 *
 * A thread the host did not schedule in time thus never holds a run up: the caller's thread
 * does the domains' work itself ({@link ParallelIpis}: domains are claimed, not assigned).
 *
 * <p>Threading: {@link #start} and {@link #awaitDone} from the machine's thread only.
 */
final class DomainThread implements Runnable {
    static final long SPIN_NS = 200_000L;
    static final long IDLE_EXIT_NS = 2_000_000_000L;

    private final String name;
    private volatile Runnable task;
    private volatile long generation;
    private volatile long done;
    private final java.util.concurrent.atomic.AtomicLong started = new java.util.concurrent.atomic.AtomicLong();
    private boolean exited = true;
    private Thread thread;

    DomainThread(String name) {
        this.name = name;
    }

    /** Runs {@code t} on this host thread (started again if it had ended). */
    synchronized void start(Runnable t) {
        task = t;
        generation = generation + 1;
        if (exited) {
            exited = false;
            Thread th = new Thread(this, name);
            th.setDaemon(true);
            thread = th;
            th.start();
        } else {
            LockSupport.unpark(thread);
        }
    }

    /** After the caller's own work: the task of the last {@link #start} is skipped if it had not begun, else awaited. */
    void finish() {
        long g = generation;
        if (started.compareAndSet(g - 1, g)) {
            return;
        }
        int spins = 0;
        while (done != g) {
            if (++spins < 10_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    @Override
    public void run() {
        long seen = done;
        while (true) {
            long g = generation;
            if (g != seen) {
                seen = g;
                try {
                    if (started.compareAndSet(g - 1, g)) {
                        task.run();
                    }
                } finally {
                    done = g;
                }
                continue;
            }
            long since = System.nanoTime();
            while (generation == seen && System.nanoTime() - since < SPIN_NS) {
                Thread.onSpinWait();
            }
            if (generation != seen) {
                continue;
            }
            LockSupport.parkNanos(this, IDLE_EXIT_NS);
            if (System.nanoTime() - since >= IDLE_EXIT_NS) {
                synchronized (this) {
                    // no run for a while: end (a later start() sees exited and starts a new thread)
                    if (generation == seen) {
                        exited = true;
                        return;
                    }
                }
            }
        }
    }
}
