package io.pseries.script.test;

import java.io.PrintStream;

/**
 * TAP version 13: one {@code ok}/{@code not ok} line per test (skips as {@code # SKIP}), a
 * YAML diagnostic block for failures (message, operator values, location), file headers and
 * console output as comments, and the plan at the end.
 */
public final class TapReporter implements Reporter {
    private final PrintStream out;
    private int n;

    public TapReporter(PrintStream out) {
        this.out = out;
        out.println("TAP version 13");
    }

    @Override
    public void fileStarted(String file) {
        out.println("# " + file);
    }

    @Override
    public void testFinished(TestResult r) {
        n++;
        String title = escape(r.file() + " > " + r.fullName());
        switch (r.status()) {
            case PASSED -> out.println("ok " + n + " - " + title + " # time=" + r.durationMs() + "ms");
            case SKIPPED -> out.println("ok " + n + " - " + title + " # SKIP");
            case FAILED -> {
                out.println("not ok " + n + " - " + title + " # time=" + r.durationMs() + "ms");
                diagnostics(r.failure());
            }
        }
    }

    private void diagnostics(TestResult.Failure f) {
        out.println("  ---");
        out.println("  type: " + yaml(f.type()));
        out.println("  message: " + yaml(f.message()));
        if (f.hasExpected()) {
            out.println("  expected: " + yaml(f.expected()));
            out.println("  actual: " + yaml(f.actual()));
        }
        if (f.location() != null) {
            out.println("  at: " + yaml(JsTestFile.displayName(java.nio.file.Path.of(f.location().file())) + ":"
                + f.location().line() + ":" + f.location().column()));
        }
        out.println("  ...");
    }

    @Override
    public void fileOutput(String file, String text) {
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                out.println("# " + line);
            }
        }
    }

    @Override
    public void fileFinished(FileResult r) {
        if (r.loadError() != null) {
            n++;
            out.println("not ok " + n + " - " + escape(r.file()) + " (loading the file)");
            diagnostics(r.loadError());
        }
        for (TestResult.Failure h : r.hookFailures()) {
            n++;
            out.println("not ok " + n + " - " + escape(r.file()) + " (after all hook)");
            diagnostics(h);
        }
        out.println("# " + r.file() + ": " + r.count(TestResult.Status.PASSED) + " passed, " + r.failures() + " failed");
    }

    @Override
    public void finish(Summary s) {
        out.println("1.." + n);
        out.println("# pass " + s.passed());
        out.println("# fail " + s.failed());
        out.println("# skip " + s.skipped());
        out.flush();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("#", "\\#").replace("\n", " ");
    }

    /** A YAML double-quoted scalar: a JSON string is one (YAML's escapes include JSON's). */
    static String yaml(String s) {
        return s == null ? "null" : io.pseries.core.util.Json.write(s);
    }
}
