package io.pseries.script.test;

/**
 * Turns test events into a report. A reporter sees the files one after the other, even when
 * they ran in parallel, so its output is the same whatever {@code -j} was.
 */
public interface Reporter extends TestListener {
    /** The run is over. */
    void finish(Summary summary);

    /** Totals of a run. */
    record Summary(long passed, long failed, long skipped, long files, long wallMs) {
        /** "N passed, N failed" with ", N skipped" when any were skipped. */
        public String line() {
            return passed + " passed, " + failed + " failed" + (skipped > 0 ? ", " + skipped + " skipped" : "");
        }
    }

    /** The console output a file printed, delivered after its results. */
    default void fileOutput(String file, String text) {
    }
}
