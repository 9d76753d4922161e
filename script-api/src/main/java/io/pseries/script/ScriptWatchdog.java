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
        pending = TIMER.schedule(() -> {
            fired = true;
            // Context.interrupt returns only once the interrupted thread has left the context,
            // which a test runner resuming in the same context does not do: it gets a thread of
            // its own so that it never holds up the deadlines of other files
            INTERRUPTERS.execute(() -> {
                try {
                    ctx.interrupt(Duration.ofMinutes(10));
                } catch (TimeoutException | IllegalStateException | PolyglotException e) {
                    // the context went on (or closed) after the interruption: nothing left to do
                }
            });
        }, ms, TimeUnit.MILLISECONDS);
    }

    /** Cancels the deadline. */
    public synchronized void disarm() {
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
