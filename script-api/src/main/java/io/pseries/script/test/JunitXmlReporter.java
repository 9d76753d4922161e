package io.pseries.script.test;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test reporters): a
 * {@code <testsuite>} per file, a {@code <testcase>} per test with its suite path as class name,
 * {@code <failure>} with message, type, expected/actual and location, {@code <skipped/>}, load
 * errors as {@code <error>}, and the file's console output in {@code <system-out>}.
 */
public final class JunitXmlReporter implements Reporter {
    private final PrintStream out;
    private final List<String> suites = new ArrayList<>();
    private final StringBuilder current = new StringBuilder();
    private String output = "";
    private long tests;
    private long failures;
    private long errors;
    private long skipped;

    public JunitXmlReporter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void fileStarted(String file) {
        current.setLength(0);
        output = "";
    }

    @Override
    public void testFinished(TestResult r) {
        String cls = className(r.file(), r.suitePath());
        current.append("    <testcase classname=\"").append(attr(cls)).append("\" name=\"").append(attr(r.name()))
            .append("\" time=\"").append(seconds(r.durationMs())).append('"');
        switch (r.status()) {
            case PASSED -> current.append("/>\n");
            case SKIPPED -> current.append(">\n      <skipped/>\n    </testcase>\n");
            case FAILED -> {
                current.append(">\n");
                failure(isAssertion(r.failure()) ? "failure" : "error", r.failure());
                current.append("    </testcase>\n");
            }
        }
    }

    static String className(String file, List<String> path) {
        String base = file.replace('\\', '/').replaceAll("^[/.]+", "").replace('/', '.');
        return path.isEmpty() ? base : base + "." + String.join(" > ", path);
    }

    /**
     * JUnit's distinction, which CI reports keep: a failed assertion is a {@code <failure>}, any
     * other thrown error (a TypeError, the model refusing a call) an {@code <error>}.
     */
    static boolean isAssertion(TestResult.Failure f) {
        return "AssertionError".equals(f.type()) || (f.type() != null && f.type().startsWith("AssertionError"));
    }

    /** The message goes in the attribute once; the body has what the attribute cannot: values, place, stack. */
    private void failure(String tag, TestResult.Failure f) {
        current.append("      <").append(tag).append(" message=\"").append(attr(firstLine(f.message()))).append("\" type=\"")
            .append(attr(f.type())).append("\">");
        StringBuilder body = new StringBuilder();
        if (f.hasExpected()) {
            body.append("expected: ").append(f.expected()).append('\n').append("actual:   ").append(f.actual()).append('\n');
        }
        if (f.location() != null) {
            body.append("at ").append(f.location()).append('\n');
        }
        String frames = withoutHeader(f);
        if (!frames.isEmpty()) {
            body.append(frames).append('\n');
        }
        if (body.isEmpty() && f.message().contains("\n")) {
            body.append(f.message()).append('\n'); // the attribute showed it on one line only
        }
        current.append(text(body.toString())).append("</").append(tag).append(">\n");
    }

    /** The stack without its first lines when they repeat "Type: message" (JS stacks start so). */
    static String withoutHeader(TestResult.Failure f) {
        String st = f.stack() == null ? "" : f.stack().strip();
        for (String header : new String[] {f.type() + ": " + f.message(), f.message()}) {
            if (!header.isEmpty() && st.startsWith(header)) {
                return st.substring(header.length()).strip();
            }
        }
        return st;
    }

    /** The message on one line (CI tools show the attribute as a single line). */
    private static String firstLine(String s) {
        return s.strip().replaceAll("\\s*\n\\s*", " ");
    }

    @Override
    public void fileOutput(String file, String text) {
        output = text;
    }

    @Override
    public void fileFinished(FileResult r) {
        long t = r.tests().size();
        long f = r.tests().stream().filter(x -> x.status() == TestResult.Status.FAILED && isAssertion(x.failure())).count();
        long e = r.count(TestResult.Status.FAILED) - f + (r.loadError() == null ? 0 : 1);
        long s = r.count(TestResult.Status.SKIPPED);
        if (r.loadError() != null) {
            current.append("    <testcase classname=\"").append(attr(className(r.file(), List.of()))).append("\" name=\"(loading the file)\" time=\"0\">\n");
            failure("error", r.loadError());
            current.append("    </testcase>\n");
            t++;
        }
        for (TestResult.Failure h : r.hookFailures()) {
            current.append("    <testcase classname=\"").append(attr(className(r.file(), List.of()))).append("\" name=\"(after all hook)\" time=\"0\">\n");
            if (isAssertion(h)) {
                f++;
            } else {
                e++;
            }
            failure(isAssertion(h) ? "failure" : "error", h);
            current.append("    </testcase>\n");
            t++;
        }
        StringBuilder sb = new StringBuilder();
        sb.append("  <testsuite name=\"").append(attr(r.file())).append("\" tests=\"").append(t).append("\" failures=\"").append(f)
            .append("\" errors=\"").append(e).append("\" skipped=\"").append(s).append("\" time=\"").append(seconds(r.durationMs()))
            .append("\" timestamp=\"").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append("\">\n");
        sb.append(current);
        if (!output.isEmpty()) {
            sb.append("    <system-out>").append(text(output)).append("</system-out>\n");
        }
        sb.append("  </testsuite>\n");
        suites.add(sb.toString());
        tests += t;
        failures += f;
        errors += e;
        skipped += s;
    }

    @Override
    public void finish(Summary s) {
        out.println("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        out.println("<testsuites name=\"pseries\" tests=\"" + tests + "\" failures=\"" + failures + "\" errors=\"" + errors
            + "\" skipped=\"" + skipped + "\" time=\"" + seconds(s.wallMs()) + "\">");
        for (String suite : suites) {
            out.print(suite);
        }
        out.println("</testsuites>");
        out.flush();
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.3f", ms / 1000.0);
    }

    static String attr(String s) {
        return text(s).replace("\"", "&quot;");
    }

    static String text(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '\n', '\t', '\r' -> sb.append(c);
                default -> {
                    if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
                        sb.append("\\u").append(String.format("%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
