package io.pseries.script.test.junit;

import java.nio.file.Path;

import org.opentest4j.AssertionFailedError;

import io.pseries.script.test.TestResult;

/**
 * How a failing JS test reaches JUnit. Assertion failures become opentest4j's
 * {@link AssertionFailedError} with expected and actual (so IDEs offer a diff); other errors
 * become a {@link JsError}. Either way the stack trace is the JS location, one frame per
 * suite, so reports and IDEs point at the script line.
 */
final class JsTestFailure {
    private JsTestFailure() {
    }

    /** An error a JS test threw that was not an assertion (a TypeError, a machine error...). */
    static final class JsError extends RuntimeException {
        JsError(String message) {
            super(message, null, false, true);
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }

    static Throwable of(TestResult.Failure f, String suite, String test) {
        String text = f.type() + ": " + f.message().strip()
            + (f.location() != null ? "\n    at " + f.location() : "");
        Throwable t;
        if ("AssertionError".equals(f.type())) {
            t = f.hasExpected() ? new AssertionFailedError(text, f.expected(), f.actual()) : new AssertionFailedError(text);
        } else {
            t = new JsError(text);
        }
        if (f.location() != null) {
            TestResult.Location loc = f.location();
            String cls = suite.isEmpty() ? "js" : "js." + suite;
            t.setStackTrace(new StackTraceElement[] {
                new StackTraceElement(cls, test, Path.of(loc.file()).getFileName().toString(), loc.line()),
            });
        } else {
            t.setStackTrace(new StackTraceElement[0]);
        }
        return t;
    }
}
