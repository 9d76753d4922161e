package io.pseries.script.test;

/**
 * Turns test events into a report. A reporter sees the files one after the other, even when
 * they ran in parallel, so its output is the same whatever {@code -j} was.
 */
public interface Reporter extends TestListener {
    /** The run is over. */
    void finish(Summary summary);

    /** Totals of a run: {@code files} distinct files, run {@code runs} times in all ({@code --repeat}). */
    record Summary(long passed, long failed, long skipped, long files, long runs, long wallMs) {
        public Summary(long passed, long failed, long skipped, long files, long wallMs) {
            this(passed, failed, skipped, files, files, wallMs);
        }

        /** "1 file", "3 files", "1 file, 2 runs". */
        public String filesText() {
            return files + " file" + (files == 1 ? "" : "s") + (runs != files ? ", " + runs + " runs" : "");
        }

        /** "N passed, N failed" with ", N skipped" when any were skipped. */
        public String line() {
            return passed + " passed, " + failed + " failed" + (skipped > 0 ? ", " + skipped + " skipped" : "");
        }
    }

    /** The console output a file printed, delivered after its results. */
    default void fileOutput(String file, String text) {
    }
}
