package io.pseries.script.test;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Human-readable report: a block per file with its suites and tests (✓ passed, ✗ failed,
 * - skipped), each file's line of totals, then every failure with expected and actual values
 * and the file:line of the failing call, then the summary line.
 */
public final class SpecReporter implements Reporter {
    private final PrintStream out;
    private final List<String[]> failures = new ArrayList<>();
    private final List<String> failureDetails = new ArrayList<>();
    private List<String> printedPath = List.of();

    public SpecReporter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void fileStarted(String file) {
        out.println(file);
        printedPath = List.of();
    }

    @Override
    public void testFinished(TestResult r) {
        List<String> path = r.suitePath();
        int common = 0;
        while (common < path.size() && common < printedPath.size() && path.get(common).equals(printedPath.get(common))) {
            common++;
        }
        for (int i = common; i < path.size(); i++) {
            out.println("  ".repeat(i + 1) + path.get(i));
        }
        printedPath = path;
        String indent = "  ".repeat(path.size() + 1);
        switch (r.status()) {
            case PASSED -> out.println(indent + "✓ " + r.name() + (r.durationMs() >= 50 ? " (" + r.durationMs() + " ms)" : ""));
            case SKIPPED -> out.println(indent + "- " + r.name() + " (skipped)");
            case FAILED -> {
                failures.add(new String[] {r.file(), r.fullName()});
                failureDetails.add(details(r.failure()));
                out.println(indent + "✗ " + r.name() + " (" + failures.size() + ")");
            }
        }
    }

    static String details(TestResult.Failure f) {
        StringBuilder sb = new StringBuilder();
        sb.append(f.type()).append(": ").append(f.message().replace("\n", "\n     "));
        if (f.hasExpected() && !f.message().contains(f.expected())) {
            sb.append("\n     expected: ").append(f.expected()).append("\n     actual:   ").append(f.actual());
        }
        if (f.location() != null) {
            sb.append("\n     at ").append(JsTestFile.displayName(java.nio.file.Path.of(f.location().file())))
              .append(':').append(f.location().line()).append(':').append(f.location().column());
            String code = sourceLine(f.location());
            if (code != null) {
                sb.append("\n\n       ").append(code).append("\n       ").append(" ".repeat(Math.max(0, f.location().column() - 1))).append('^');
            }
        }
        return sb.toString();
    }

    /** The line of source a location points at, tabs as spaces, or null when it cannot be read. */
    static String sourceLine(TestResult.Location loc) {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(loc.file()));
            return loc.line() >= 1 && loc.line() <= lines.size() ? lines.get(loc.line() - 1).replace('\t', ' ') : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void fileOutput(String file, String text) {
        if (!text.isEmpty()) {
            for (String line : text.split("\n")) {
                out.println("    | " + line);
            }
        }
    }

    @Override
    public void fileFinished(FileResult r) {
        if (r.loadError() != null) {
            failures.add(new String[] {r.file(), "(loading the file)"});
            failureDetails.add(r.loadError().stack() != null && !r.loadError().stack().isEmpty()
                ? r.loadError().stack().strip().replace("\n", "\n     ") : details(r.loadError()));
            out.println("  ✗ the file failed (" + failures.size() + ")");
        }
        for (TestResult.Failure h : r.hookFailures()) {
            failures.add(new String[] {r.file(), "(after all hook)"});
            failureDetails.add(details(h));
            out.println("  ✗ an after-all hook failed (" + failures.size() + ")");
        }
        out.println("  " + r.count(TestResult.Status.PASSED) + " passed, " + r.failures() + " failed"
            + (r.count(TestResult.Status.SKIPPED) > 0 ? ", " + r.count(TestResult.Status.SKIPPED) + " skipped" : "")
            + " (" + r.durationMs() + " ms)");
        out.println();
    }

    @Override
    public void finish(Summary s) {
        if (!failures.isEmpty()) {
            out.println("Failures:");
            out.println();
            for (int i = 0; i < failures.size(); i++) {
                out.println("  " + (i + 1) + ") " + failures.get(i)[0] + ": " + failures.get(i)[1]);
                out.println("     " + failureDetails.get(i));
                out.println();
            }
        }
        out.println(s.line() + " (" + s.filesText() + ", " + s.wallMs() + " ms)");
        out.flush();
    }
}
