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
import io.pseries.script.ScriptWatchdog;
import io.pseries.script.host.HostErrors;

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

    /** The time limit of a test when neither the test, its suites nor the command set one. */
    public static final long DEFAULT_TIMEOUT_MS = 120_000;

    /**
     * How to run. {@code timeoutMs} is the default limit of each test and hook, in milliseconds
     * (0: none); {@code it(name, fn, { timeout })} and {@code describe(name, fn, { timeout })}
     * override it.
     */
    public record Options(String filter, boolean bail, Path artifacts, String label, long timeoutMs, List<Path> allowRead,
                          int checkpointPoints, List<Path> allowWrite) {
        public Options {
            allowRead = List.copyOf(allowRead);
            allowWrite = List.copyOf(allowWrite);
        }

        public Options(String filter, boolean bail, Path artifacts, String label, long timeoutMs, List<Path> allowRead) {
            this(filter, bail, artifacts, label, timeoutMs, allowRead, 0, List.of());
        }

        /**
         * Checkpoint invariance ({@code --checkpoint-invariance --points N}, N > 0): each file runs
         * straight, then with N checkpoints; see {@link CheckpointInvariance}. 0: off.
         */
        public Options withCheckpoints(int points) {
            return new Options(filter, bail, artifacts, label, timeoutMs, allowRead, points, allowWrite);
        }

        public Options(String filter, boolean bail, Path artifacts, String label) {
            this(filter, bail, artifacts, label, DEFAULT_TIMEOUT_MS, List.of());
        }

        public Options(String filter, boolean bail, Path artifacts, String label, long timeoutMs) {
            this(filter, bail, artifacts, label, timeoutMs, List.of());
        }

        public static Options defaults() {
            return new Options(null, false, null, null);
        }

        public Options withLabel(String l) {
            return new Options(filter, bail, artifacts, l, timeoutMs, allowRead, checkpointPoints, allowWrite);
        }

        public Options withTimeout(long ms) {
            return new Options(filter, bail, artifacts, label, ms, allowRead, checkpointPoints, allowWrite);
        }

        /** Directories the files may read besides their own (--allow-read). */
        public Options withAllowRead(List<Path> dirs) {
            return new Options(filter, bail, artifacts, label, timeoutMs, dirs, checkpointPoints, allowWrite);
        }

        /** Directories m.save(path) may write into (--allow-write); none by default. */
        public Options withAllowWrite(List<Path> dirs) {
            return new Options(filter, bail, artifacts, label, timeoutMs, allowRead, checkpointPoints, dirs);
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
        if (opts.checkpointPoints() > 0) {
            return CheckpointInvariance.run(engine, file, opts, listener, output);
        }
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
            .allowRead(opts.allowRead())
            .allowWrite(opts.allowWrite())
            .onMachine(m -> {
                machines.add(m);
                if (opts.artifacts() != null) {
                    m.trace().setRingCapacity(ARTIFACT_EVENTS);
                }
            });
        TestResult.Failure loadError = null;
        List<String> declared = List.of();
        try (Context ctx = engine.newContext(so); ScriptWatchdog watchdog = new ScriptWatchdog(ctx)) {
            host.watchdog = watchdog;
            Value framework = ctx.eval(Source.newBuilder("js", PRELUDE, "pseries-test.js").internal(true).buildLiteral())
                .execute(host);
            try {
                // the file's top level (registration) runs under the default limit too
                watchdog.arm(opts.timeoutMs());
                ctx.eval(ScriptEngine.moduleSource(file));
            } catch (PolyglotException e) {
                loadError = e.isInterrupted() && watchdog.timedOut()
                    ? new TestResult.Failure("Error", "loading the file timed out after " + watchdog.limitMs() + " ms (--timeout)",
                        null, null, null, ScriptErrors.describe(e, false))
                    : failure(e, "loading " + name);
            } finally {
                watchdog.disarm();
            }
            if (loadError == null) {
                loadError = runTests(framework, opts, watchdog);
                if (opts.filter() != null) {
                    declared = List.copyOf(framework.getMember("names").execute().as(STRINGS));
                }
            }
        } catch (PolyglotException e) {
            loadError = failure(e, name);
        } catch (RuntimeException e) {
            String[] d = HostErrors.describe(e);
            loadError = new TestResult.Failure(d[0], d[1], null, null, null, "");
        }
        FileResult r = new FileResult(name, List.copyOf(results), loadError, List.copyOf(hookFailures),
            (System.nanoTime() - start) / 1_000_000, List.copyOf(declared));
        if (loadError != null && opts.artifacts() != null) {
            host.writeArtifacts(List.of(), "(file)", loadError);
        }
        listener.fileFinished(r);
        return r;
    }

    /** The outcome of starting or resuming the registered tests. */
    private enum Outcome { DONE, INTERRUPTED, PENDING, EXHAUSTED }

    /**
     * Runs the registered tests. A test (or hook) the watchdog interrupts, or one left awaiting a
     * promise nothing can settle, fails; the runner then resumes with the next step, so the rest
     * of the file runs. Returns a failure of the runner itself, or null.
     */
    private static TestResult.Failure runTests(Value framework, Options opts, ScriptWatchdog watchdog) {
        Object[] crash = {null};
        Outcome o = settle(() -> framework.getMember("run").execute(opts.filter(), opts.bail(), opts.timeoutMs()), crash);
        // each resume abandons one step, so this ends after at most one round per step
        while (o != Outcome.DONE) {
            String why = switch (o) {
                case INTERRUPTED -> "timeout";
                case EXHAUSTED -> "memory";
                default -> "pending";
            };
            o = settle(() -> framework.getMember("resume").execute(why, watchdog.limitMs(), HostErrors.OUT_OF_HEAP), crash);
        }
        if (crash[0] != null) {
            return new TestResult.Failure("Error", "the test runner failed: " + crash[0], null, null, null, "");
        }
        return null;
    }

    /** Starts {@code start} (which returns the runner's promise) and drains it. */
    private static Outcome settle(java.util.function.Supplier<Value> start, Object[] crash) {
        boolean[] done = {false};
        try {
            Value promise = start.get();
            promise.invokeMember("then", (ProxyExecutable) a -> {
                done[0] = true;
                return null;
            }, (ProxyExecutable) a -> {
                done[0] = true;
                crash[0] = a.length > 0 ? a[0] : "(no reason)";
                return null;
            });
        } catch (PolyglotException e) {
            if (e.isInterrupted()) {
                return Outcome.INTERRUPTED;
            }
            if (ScriptErrors.isOutOfMemory(e)) {
                // the test's allocations died with its frames: the next test has the heap back
                return Outcome.EXHAUSTED;
            }
            throw e;
        }
        return done[0] ? Outcome.DONE : Outcome.PENDING;
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
        ScriptWatchdog watchdog;
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

        /** For an exception thrown by Java code, {JS type, message} as scripts see it; else null. */
        @HostAccess.Export
        public String[] hostError(Value e) {
            Throwable t = HostErrors.hostThrowable(e);
            return t == null ? null : HostErrors.describe(t);
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

        /** Starts the time limit of a test or hook (ms; 0: none). */
        @HostAccess.Export
        public void arm(long ms) {
            watchdog.arm(ms);
        }

        /** The test or hook finished in time. */
        @HostAccess.Export
        public void disarm() {
            watchdog.disarm();
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
