package io.pseries.script;

/**
 * Where a command's start-up goes (benchmark B9): with {@code -Dpseries.startup.phases=true}
 * (e.g. {@code PSERIES_JAVA_OPTS=-Dpseries.startup.phases=true ./pseries run x.js}) each phase
 * prints one line on standard error, the milliseconds since the JVM started (the launcher's shell
 * before it, about 40 ms, is not counted). Off, a mark is one read of a static field.
 */
public final class StartupPhases {
    private static final boolean ON = Boolean.getBoolean("pseries.startup.phases");
    private static final long START = ON ? java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime() : 0;

    private StartupPhases() {
    }

    /** Marks the end of phase {@code name}. */
    public static void mark(String name) {
        if (ON) {
            System.err.println("pseries: start-up phase " + name + " done at " + (System.currentTimeMillis() - START) + " ms");
        }
    }
}
