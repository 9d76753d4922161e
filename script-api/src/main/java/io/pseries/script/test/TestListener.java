package io.pseries.script.test;

import java.util.List;

/**
 * Receives a test file's progress, in order, on the thread that runs the file. Every method
 * has an empty default so listeners pick what they need.
 */
public interface TestListener {
    default void fileStarted(String file) {
    }

    default void suiteStarted(String file, List<String> path) {
    }

    /** A test begins; {@code location} is where it was declared (null when unknown). */
    default void testStarted(String file, List<String> path, String name, TestResult.Location location) {
    }

    default void testFinished(TestResult result) {
    }

    default void fileFinished(FileResult result) {
    }
}
