package io.pseries.script;

import java.time.Duration;
import java.time.Instant;

/**
 * Where a command's start-up goes (benchmark B9): with {@code -Dpseries.startup.phases=true}
 * (e.g. {@code PSERIES_JAVA_OPTS=-Dpseries.startup.phases=true ./pseries run x.js}) each phase
 * prints one line on standard error, the milliseconds since the process started (the launcher's
 * shell included: it execs the JVM in the same process). Off, a mark is one read of a static field.
 */
public final class StartupPhases {
    private static final boolean ON = Boolean.getBoolean("pseries.startup.phases");
    private static final Instant START = ON ? ProcessHandle.current().info().startInstant().orElse(Instant.now()) : null;

    private StartupPhases() {
    }

    /** Marks the end of phase {@code name}. */
    public static void mark(String name) {
        if (ON) {
            System.err.println("pseries: start-up phase " + name + " done at " + Duration.between(START, Instant.now()).toMillis() + " ms");
        }
    }
}
