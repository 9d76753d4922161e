package io.pseries.script.test;

import java.util.List;

/**
 * The outcome of one test file: every test result, or the error that stopped the file from
 * loading (a syntax error, an exception at the top level, a test that never finished), and
 * failures of "after all" hooks, which belong to no single test; and the full names of every
 * test the file declares (selected or not), so an empty selection can name the closest ones.
 */
public record FileResult(String file, List<TestResult> tests, TestResult.Failure loadError,
                         List<TestResult.Failure> hookFailures, long durationMs, List<String> declared) {

    public FileResult(String file, List<TestResult> tests, TestResult.Failure loadError,
                      List<TestResult.Failure> hookFailures, long durationMs) {
        this(file, tests, loadError, hookFailures, durationMs, List.of());
    }

    public long count(TestResult.Status s) {
        return tests.stream().filter(t -> t.status() == s).count();
    }

    /** Failed tests plus load and hook failures. */
    public long failures() {
        return count(TestResult.Status.FAILED) + (loadError == null ? 0 : 1) + hookFailures.size();
    }
}
