package io.pseries.script.test;

import java.util.List;

/**
 * The outcome of one test file: every test result, or the error that stopped the file from
 * loading (a syntax error, an exception at the top level, a test that never finished), and
 * failures of "after all" hooks, which belong to no single test.
 */
public record FileResult(String file, List<TestResult> tests, TestResult.Failure loadError,
                         List<TestResult.Failure> hookFailures, long durationMs) {

    public long count(TestResult.Status s) {
        return tests.stream().filter(t -> t.status() == s).count();
    }

    /** Failed tests plus load and hook failures. */
    public long failures() {
        return count(TestResult.Status.FAILED) + (loadError == null ? 0 : 1) + hookFailures.size();
    }
}
