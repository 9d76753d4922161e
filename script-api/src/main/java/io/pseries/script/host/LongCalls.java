package io.pseries.script.host;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.LongSupplier;

import io.pseries.core.Machine;
import io.pseries.core.sched.Scheduler;

/**
 * A progress line for long calls into a machine ({@code m.run}, {@code m.runUntilIdle}, a vCPU's
 * {@code run}): once a call has taken {@link #SHOW_AFTER_NS} of wall time, the display shows the
 * call, the virtual time reached and the events fired, at most every {@link #EVERY_NS}; it is
 * cleared when the call returns. Only machines a command attached a display to get one (the
 * command line does it when its output is a terminal), so tests, logs and CI output never see it.
 *
 * <p>The machine's scheduler reports every {@link Scheduler#PROGRESS_EVERY} events; the report
 * only reads the clock, so a run with a display fires exactly what it fires without.
 *
 * <p>Threading: the thread that drives the machine (the script's).
 */
public final class LongCalls {
    /** Where the progress line goes. */
    public interface Display {
        void update(String text);

        void done();
    }

    static final long SHOW_AFTER_NS = 1_000_000_000L;
    static final long EVERY_NS = 250_000_000L;

    private static final Map<Machine, Display> DISPLAYS = new WeakHashMap<>();
    private static volatile boolean any;

    private LongCalls() {
    }

    /** Gives {@code m}'s long calls a progress line on {@code d}. */
    public static synchronized void attach(Machine m, Display d) {
        DISPLAYS.put(m, d);
        any = true;
    }

    private static synchronized Display displayOf(Machine m) {
        return DISPLAYS.get(m);
    }

    /** Runs {@code call} on {@code m}, with a progress line named {@code what} if {@code m} has a display. */
    public static long run(Machine m, String what, LongSupplier call) {
        Display d = any ? displayOf(m) : null;
        if (d == null) {
            return call.getAsLong();
        }
        return run(m.scheduler(), what, d, System::nanoTime, call);
    }

    /** The same with the wall clock given (tests). */
    static long run(Scheduler s, String what, Display d, LongSupplier wallNs, LongSupplier call) {
        long start = wallNs.getAsLong();
        long firedAtStart = s.firedCount();
        long[] next = {start + SHOW_AFTER_NS};
        boolean[] shown = {false};
        s.setProgress((now, fired) -> {
            long w = wallNs.getAsLong();
            if (w >= next[0]) {
                next[0] = w + EVERY_NS;
                shown[0] = true;
                d.update(String.format("%s: %.3f ms virtual, %,d events, %.1f s", what, now / 1e6, fired - firedAtStart,
                    (w - start) / 1e9));
            }
        });
        try {
            return call.getAsLong();
        } finally {
            s.setProgress(null);
            if (shown[0]) {
                d.done();
            }
        }
    }
}
