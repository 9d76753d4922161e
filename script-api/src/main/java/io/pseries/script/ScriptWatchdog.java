package io.pseries.script;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;

/**
 * Ends JavaScript that runs past its time limit: {@link #arm(long)} starts a deadline, and when
 * it passes the context is interrupted ({@link Context#interrupt(Duration)}), which throws a
 * {@link PolyglotException} with {@link PolyglotException#isInterrupted()} out of the running
 * evaluation. The interruption is not destructive: the context stays usable, so a test runner
 * can report the timed-out test and run the next one.
 *
 * <p>JS is interrupted at its next safepoint (a loop back-edge, a call); a call into the machine
 * model finishes first.
 *
 * <p>Threading: {@code arm}, {@code disarm} and {@code timedOut} are called on the context's
 * thread; the interruption happens on a shared daemon thread.
 */
public final class ScriptWatchdog implements AutoCloseable {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pseries-watchdog");
        t.setDaemon(true);
        return t;
    });

    private static final java.util.concurrent.ExecutorService INTERRUPTERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pseries-interrupt");
        t.setDaemon(true);
        return t;
    });

    private final Context ctx;
    private ScheduledFuture<?> pending;
    private volatile boolean fired;
    private long armedMs;
    /** Bumped by every arm and disarm: an interrupter stops once its deadline is no longer current. */
    private volatile long generation;
    private static final Duration ROUND = Duration.ofMillis(100);

    public ScriptWatchdog(Context ctx) {
        this.ctx = ctx;
    }

    /** Starts a deadline {@code ms} from now (0: none), replacing the previous one. */
    public synchronized void arm(long ms) {
        disarm();
        fired = false;
        armedMs = ms;
        if (ms <= 0) {
            return;
        }
        long mine = ++generation;
        pending = TIMER.schedule(() -> {
            fired = true;
            // Context.interrupt returns only once the interrupted thread has left the context,
            // which a test runner resuming in the same context does not do, and a second
            // interrupt waits for the first. So it is asked for in short rounds on a thread of
            // its own, until the interrupted code has come out (the runner disarms or re-arms)
            INTERRUPTERS.execute(() -> interruptUntilHandled(mine));
        }, ms, TimeUnit.MILLISECONDS);
    }

    private void interruptUntilHandled(long mine) {
        while (generation == mine) {
            try {
                ctx.interrupt(ROUND);
                return;
            } catch (TimeoutException e) {
                // still inside the context: either the code has not reached a safepoint yet
                // (ask again) or it was interrupted and the runner went on (generation moved)
            } catch (IllegalStateException | PolyglotException e) {
                return; // the context closed
            }
        }
    }

    /** Cancels the deadline. */
    public synchronized void disarm() {
        generation++;
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    /** Whether the last deadline passed (the interrupt that came out of the evaluation is this one's). */
    public boolean timedOut() {
        return fired;
    }

    /** The limit of the last deadline, in milliseconds. */
    public long limitMs() {
        return armedMs;
    }

    @Override
    public void close() {
        disarm();
    }
}
