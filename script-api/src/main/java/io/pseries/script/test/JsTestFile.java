package io.pseries.script.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

import io.pseries.core.Machine;
import io.pseries.core.trace.TraceEvent;
import io.pseries.core.util.Json;
import io.pseries.script.ScriptEngine;
import io.pseries.script.ScriptErrors;

/**
 * Runs one {@code *.test.js} file: a fresh context with the {@code pseries} API and the test
 * globals ({@code describe}, {@code it}, hooks, {@code assert}), the file evaluated as an ES
 * module (which registers its suites and tests), then the registered tests run in order, sync or
 * async. Results go to a {@link TestListener} as they happen.
 *
 * <p>With an artifacts directory, every machine the file creates records its recent trace
 * events, and a failing test leaves there the machines' {@code pic()} as JSON, the trace events
 * since the test started, and the failure itself, so a CI failure can be read without re-running.
 *
 * <p>Threading: one file on one thread; files may run in parallel, each in its own context.
 */
public final class JsTestFile {
    private static final String PRELUDE = load("pseries-test.js");
    private static final org.graalvm.polyglot.TypeLiteral<List<String>> STRINGS = new org.graalvm.polyglot.TypeLiteral<>() { };
    /** Trace events a machine keeps for artifacts. */
    static final int ARTIFACT_EVENTS = 4000;

    /** How to run. */
    public record Options(String filter, boolean bail, Path artifacts, String label) {
        public static Options defaults() {
            return new Options(null, false, null, null);
        }
    }

    private JsTestFile() {
    }

    private static String load(String name) {
        try (InputStream in = ScriptEngine.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The name a file is reported under: its path relative to the working directory when inside it. */
    public static String displayName(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path cwd = Path.of("").toAbsolutePath();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    /**
     * Runs the file and returns its result; {@code output} receives what the tests print with
     * {@code console}. Never throws for problems in the script: they are results.
     */
    public static FileResult run(ScriptEngine engine, Path file, Options opts, TestListener listener, PrintStream output) {
        String name = opts.label() != null ? opts.label() : displayName(file);
        long start = System.nanoTime();
        List<TestResult> results = new ArrayList<>();
        List<TestResult.Failure> hookFailures = new ArrayList<>();
        List<Machine> machines = new ArrayList<>();
        listener.fileStarted(name);
        TestHost host = new TestHost(name, file.toAbsolutePath().normalize().toString(), listener, results, hookFailures,
            machines, opts.artifacts());
        ScriptEngine.Options so = new ScriptEngine.Options().out(output).err(output)
            .root(file.toAbsolutePath().getParent())
            .onMachine(m -> {
                machines.add(m);
                if (opts.artifacts() != null) {
                    m.trace().setRingCapacity(ARTIFACT_EVENTS);
                }
            });
        TestResult.Failure loadError = null;
        List<String> declared = List.of();
        try (Context ctx = engine.newContext(so)) {
            Value framework = ctx.eval(Source.newBuilder("js", PRELUDE, "pseries-test.js").internal(true).buildLiteral())
                .execute(host);
            try {
                ctx.eval(ScriptEngine.moduleSource(file));
            } catch (PolyglotException e) {
                loadError = failure(e, "loading " + name);
            }
            if (loadError == null) {
                boolean[] done = {false};
                Object[] crash = {null};
                Value promise = framework.getMember("run").execute(opts.filter(), opts.bail());
                if (opts.filter() != null) {
                    declared = List.copyOf(framework.getMember("names").execute().as(STRINGS));
                }
                promise.invokeMember("then", (ProxyExecutable) a -> {
                    done[0] = true;
                    return null;
                }, (ProxyExecutable) a -> {
                    done[0] = true;
                    crash[0] = a.length > 0 ? a[0] : null;
                    return null;
                });
                if (!done[0]) {
                    String where = host.currentTest == null ? "" : " (in \"" + host.currentTest + "\")";
                    loadError = new TestResult.Failure("Error", "the tests did not finish: a test awaits a promise that"
                        + " nothing resolves" + where + "; pseries has no timers, so await only machine work", null,
                        null, null, "");
                    if (host.currentTest != null) {
                        host.finishDangling(loadError);
                    }
                } else if (crash[0] != null) {
                    loadError = new TestResult.Failure("Error", "the test runner failed: " + crash[0], null, null, null, "");
                }
            }
        } catch (PolyglotException e) {
            loadError = failure(e, name);
        } catch (RuntimeException e) {
            loadError = new TestResult.Failure(e.getClass().getSimpleName(), String.valueOf(e.getMessage()), null, null, null, "");
        }
        FileResult r = new FileResult(name, List.copyOf(results), loadError, List.copyOf(hookFailures),
            (System.nanoTime() - start) / 1_000_000, List.copyOf(declared));
        if (loadError != null && opts.artifacts() != null) {
            host.writeArtifacts(List.of(), "(file)", loadError);
        }
        listener.fileFinished(r);
        return r;
    }

    static TestResult.Failure failure(PolyglotException e, String what) {
        SourceSection s = ScriptErrors.userLocation(e);
        TestResult.Location loc = s == null ? null
            : new TestResult.Location(s.getSource().getPath() != null ? s.getSource().getPath() : s.getSource().getName(),
                s.getStartLine(), s.getStartColumn());
        String msg = ScriptErrors.message(e);
        int colon = msg.indexOf(": ");
        String type = colon > 0 && msg.substring(0, colon).matches("[A-Za-z]*Error") ? msg.substring(0, colon) : "Error";
        String text = colon > 0 && type.equals(msg.substring(0, colon)) ? msg.substring(colon + 2) : msg;
        return new TestResult.Failure(type, text, loc, null, null, ScriptErrors.describe(e, false));
    }

    /** What the framework prelude calls. */
    public static final class TestHost {
        private final String file;
        private final String path;
        private final TestListener listener;
        private final List<TestResult> results;
        private final List<TestResult.Failure> hookFailures;
        private final List<Machine> machines;
        private final Path artifacts;
        private final Map<Machine, Long> seqAtStart = new java.util.IdentityHashMap<>();
        String currentTest;
        private List<String> currentPath;
        private long testStart;
        private String text;

        TestHost(String file, String path, TestListener listener, List<TestResult> results,
                 List<TestResult.Failure> hookFailures, List<Machine> machines, Path artifacts) {
            this.file = file;
            this.path = path;
            this.listener = listener;
            this.results = results;
            this.hookFailures = hookFailures;
            this.machines = machines;
            this.artifacts = artifacts;
        }

        @HostAccess.Export
        public boolean isTestFile(String p) {
            String base = Path.of(path).getFileName().toString();
            return p.equals(path) || p.equals(base) || p.endsWith("/" + base);
        }

        /** The test file's absolute path, as failures name it. */
        @HostAccess.Export
        public String filePath() {
            return path;
        }

        /** The 1-based column of a character offset into the file (Java-side errors give offsets). */
        @HostAccess.Export
        public int columnOf(int line, int charIndex) {
            if (text == null) {
                try {
                    text = Files.readString(Path.of(path));
                } catch (IOException e) {
                    return 1;
                }
            }
            int start = 0;
            for (int l = 1; l < line && start >= 0; l++) {
                start = text.indexOf('\n', start) + 1;
                if (start == 0) {
                    return 1;
                }
            }
            return charIndex >= start ? charIndex - start + 1 : 1;
        }

        /** Whether a caught error is an exception thrown by Java code (the machine model's validation). */
        @HostAccess.Export
        public boolean isHostError(Value e) {
            return e != null && e.isHostObject() && e.asHostObject() instanceof Throwable;
        }

        @HostAccess.Export
        public void suiteStarted(Value p) {
            listener.suiteStarted(file, strings(p));
        }

        @HostAccess.Export
        public void testStarted(Value p, String name, Value loc) {
            currentPath = strings(p);
            currentTest = name;
            testStart = System.nanoTime();
            for (Machine m : machines) {
                seqAtStart.put(m, m.trace().lastSeq());
            }
            listener.testStarted(file, currentPath, name, location(loc));
        }

        @HostAccess.Export
        public void testFinished(Value p, String name, String status, long ms, Value err, Value loc) {
            TestResult.Status st = switch (status) {
                case "passed" -> TestResult.Status.PASSED;
                case "skipped" -> TestResult.Status.SKIPPED;
                default -> TestResult.Status.FAILED;
            };
            TestResult.Failure f = err == null || err.isNull() ? null : failure(err);
            TestResult r = new TestResult(file, strings(p), name, st, ms, f, location(loc));
            results.add(r);
            if (f != null && artifacts != null) {
                writeArtifacts(r.suitePath(), name, f);
            }
            currentTest = null;
            listener.testFinished(r);
        }

        @HostAccess.Export
        public void hookFailed(Value p, Value err) {
            TestResult.Failure f = failure(err);
            hookFailures.add(f);
            if (artifacts != null) {
                writeArtifacts(strings(p), "(after all)", f);
            }
        }

        /** A test left waiting on a promise: report it as failed. */
        void finishDangling(TestResult.Failure f) {
            TestResult r = new TestResult(file, currentPath, currentTest, TestResult.Status.FAILED,
                (System.nanoTime() - testStart) / 1_000_000, f, null);
            results.add(r);
            listener.testFinished(r);
            currentTest = null;
        }

        private static List<String> strings(Value v) {
            List<String> out = new ArrayList<>();
            for (long i = 0; v != null && i < v.getArraySize(); i++) {
                out.add(v.getArrayElement(i).asString());
            }
            return out;
        }

        private static TestResult.Location location(Value loc) {
            if (loc == null || loc.isNull()) {
                return null;
            }
            return new TestResult.Location(loc.getMember("file").asString(), loc.getMember("line").asInt(),
                loc.getMember("column").asInt());
        }

        private static String str(Value v, String member) {
            Value x = v.getMember(member);
            return x == null || x.isNull() ? null : x.isString() ? x.asString() : x.toString();
        }

        private static TestResult.Failure failure(Value e) {
            boolean hasExpected = e.getMember("hasExpected") != null && e.getMember("hasExpected").asBoolean();
            return new TestResult.Failure(str(e, "name"), str(e, "message"), location(e.getMember("location")),
                hasExpected ? str(e, "expected") : null, hasExpected ? str(e, "actual") : null, str(e, "stack"));
        }

        /** Writes pic(), recent events and the failure of every machine of the file. */
        void writeArtifacts(List<String> suitePath, String test, TestResult.Failure f) {
            try {
                Path dir = artifacts.resolve(safe(file)).resolve(safe(String.join(" > ", suitePath) + (suitePath.isEmpty() ? "" : " > ") + test));
                Files.createDirectories(dir);
                StringBuilder sb = new StringBuilder();
                sb.append("file: ").append(file).append('\n');
                sb.append("test: ").append(String.join(" > ", suitePath)).append(suitePath.isEmpty() ? "" : " > ").append(test).append('\n');
                sb.append("error: ").append(f.type()).append(": ").append(f.message()).append('\n');
                if (f.location() != null) {
                    sb.append("at: ").append(f.location()).append('\n');
                }
                if (f.hasExpected()) {
                    sb.append("expected: ").append(f.expected()).append('\n').append("actual:   ").append(f.actual()).append('\n');
                }
                if (f.stack() != null && !f.stack().isEmpty()) {
                    sb.append('\n').append(f.stack()).append('\n');
                }
                Files.writeString(dir.resolve("failure.txt"), sb.toString());
                int i = 0;
                for (Machine m : relevantMachines()) {
                    Files.writeString(dir.resolve("machine-" + i + ".pic.json"), Json.write(m.pic()) + "\n");
                    Files.writeString(dir.resolve("machine-" + i + ".pic.txt"), m.activeController().picText());
                    long since = seqAtStart.getOrDefault(m, 0L);
                    StringBuilder ev = new StringBuilder();
                    for (TraceEvent t : m.trace().recent()) {
                        if (t.seq() > since) {
                            ev.append(t).append('\n');
                        }
                    }
                    Files.writeString(dir.resolve("machine-" + i + ".events.txt"), ev.toString());
                    List<TraceEvent> sinceStart = m.trace().recent().stream().filter(t -> t.seq() > since).toList();
                    Files.writeString(dir.resolve("machine-" + i + ".timeline.json"),
                        io.pseries.script.timeline.Timeline.of(m, sinceStart));
                    i++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write test artifacts: " + e.getMessage(), e);
            }
        }

        /** The machines the failing test used: created or active since it started; all of them when none was. */
        private List<Machine> relevantMachines() {
            List<Machine> used = new ArrayList<>();
            for (Machine m : machines) {
                Long before = seqAtStart.get(m);
                if (before == null || m.trace().lastSeq() > before) {
                    used.add(m);
                }
            }
            return used.isEmpty() ? machines : used;
        }

        private static String safe(String s) {
            String t = s.replaceAll("[^A-Za-z0-9._ -]+", "_").trim();
            return t.length() > 120 ? t.substring(0, 120) : t.isEmpty() ? "_" : t;
        }
    }

    /** A stream collecting a file's console output (kept per file so parallel files do not mix). */
    public static final class Output {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        public PrintStream stream() {
            return stream;
        }

        public String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
