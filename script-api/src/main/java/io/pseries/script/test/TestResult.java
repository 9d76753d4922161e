package io.pseries.script.test;

import java.util.List;

/**
 * The outcome of one JS test: where it is (file, suite path, name), its status, how long it
 * took, and for a failure what went wrong and where.
 */
public record TestResult(String file, List<String> suitePath, String name, Status status, long durationMs,
                         Failure failure, Location location) {

    public enum Status { PASSED, FAILED, SKIPPED }

    /** A source position in a script. */
    public record Location(String file, int line, int column) {
        @Override
        public String toString() {
            return file + ":" + line + ":" + column;
        }
    }

    /**
     * What a failing test threw: the error type and message, where it was thrown (the first
     * frame in the test file), and for assertions the expected and actual values as text.
     */
    public record Failure(String type, String message, Location location, String expected, String actual, String stack) {
        public boolean hasExpected() {
            return expected != null;
        }
    }

    /** "suite > sub > name". */
    public String fullName() {
        return suitePath.isEmpty() ? name : String.join(" > ", suitePath) + " > " + name;
    }
}
