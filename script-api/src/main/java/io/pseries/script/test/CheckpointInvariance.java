package io.pseries.script.test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import io.pseries.script.ScriptEngine;
import io.pseries.script.host.Checkpoints;

/**
 * Checkpoint invariance of one test file: it runs twice, straight and then with a snapshot
 * restored into a fresh machine at N points, and everything observable must agree.
 *
 * <pre>
 *  straight run (recorded, silent) ──► log A, B boundaries (run, runUntilIdle, boot, cas, hcall, IPI, line)
 *  N points drawn from [0, B) with a seed from the file's name
 *  checkpointed run (reported)      ──► log B: at each point the machine is snapshotted, a fresh
 *                                       machine of its configuration restores it and takes its place
 *  A == B? else the test "checkpoint invariance" fails naming the first difference (where, what)
 * </pre>
 *
 * The log holds every trace event of every machine the file makes, segment by segment between
 * boundaries, and at the end each machine's virtual time, console, {@code pic()},
 * {@code guest.stats()} and RAM (the event queues are in it). A test that passed straight and
 * fails checkpointed fails as itself. A machine on a shared host is checkpointed with every
 * machine of its host ({@code io.pseries.script.host.HostGroupCheckpoint}). Points a machine cannot
 * be checkpointed at yet (guest code, experimental options, descriptors a script opened in a
 * VMM...) are skipped and said, with a count. Totals for the
 * command's summary are kept in {@link #totals()}.
 *
 * <p>Threading: the file's thread; the totals are shared by parallel files.
 */
public final class CheckpointInvariance {
    /** The name of the extra test that fails when the runs differ. */
    public static final String TEST = "checkpoint invariance";

    private static final AtomicLong FILES = new AtomicLong();
    private static final AtomicLong TAKEN = new AtomicLong();
    private static final AtomicLong SKIPPED = new AtomicLong();
    private static final AtomicLong DIFFERENCES = new AtomicLong();
    private static final AtomicLong STRAIGHT_NS = new AtomicLong();
    private static final Map<String, AtomicLong> SKIP_REASONS = new java.util.concurrent.ConcurrentSkipListMap<>();
    private static final AtomicLong CHECKPOINTED_NS = new AtomicLong();

    private CheckpointInvariance() {
    }

    /** The totals since the process started: files, checkpoints taken, skipped, differences, times. */
    public static Map<String, Long> totals() {
        return Map.of("files", FILES.get(), "taken", TAKEN.get(), "skipped", SKIPPED.get(), "differences",
            DIFFERENCES.get(), "straightMs", STRAIGHT_NS.get() / 1_000_000, "checkpointedMs",
            CHECKPOINTED_NS.get() / 1_000_000);
    }

    /** One line for the end of a command: what was checked and what it cost. */
    public static String summary() {
        long s = STRAIGHT_NS.get();
        long c = CHECKPOINTED_NS.get();
        StringBuilder b = new StringBuilder(String.format("checkpoint invariance: %d files, %d checkpoints taken, %d skipped,"
                + " %d differences; %.1f s straight + %.1f s checkpointed (%.2fx a plain run)", FILES.get(), TAKEN.get(),
            SKIPPED.get(), DIFFERENCES.get(), s / 1e9, c / 1e9, s == 0 ? 0.0 : (s + c) / (double) s));
        SKIP_REASONS.forEach((why, n) -> b.append(String.format("%n  skipped %d: %s", n.get(), why)));
        return b.toString();
    }

    static FileResult run(ScriptEngine engine, Path file, JsTestFile.Options opts, TestListener listener, PrintStream output) {
        JsTestFile.Options plain = opts.withCheckpoints(0);
        Checkpoints straight = Checkpoints.at(Set.of());
        long t0 = System.nanoTime();
        FileResult a = recorded(straight, () -> JsTestFile.run(engine, file, plain, naming(straight),
            new PrintStream(OutputStream.nullOutputStream())));
        long t1 = System.nanoTime();
        Set<Integer> points = choose(file, straight.boundaries(), opts.checkpointPoints());
        Checkpoints cp = Checkpoints.at(points);
        List<TestResult> extra = new ArrayList<>();
        FileResult[] inner = {null};
        TestListener held = new TestListener() {
            @Override
            public void fileStarted(String f) {
                listener.fileStarted(f);
            }

            @Override
            public void suiteStarted(String f, List<String> path) {
                listener.suiteStarted(f, path);
            }

            @Override
            public void testStarted(String f, List<String> path, String name, TestResult.Location location) {
                cp.test(String.join(" > ", path) + (path.isEmpty() ? "" : " > ") + name);
                listener.testStarted(f, path, name, location);
            }

            @Override
            public void testFinished(TestResult r) {
                listener.testFinished(r);
            }

            @Override
            public void fileFinished(FileResult r) {
                inner[0] = r;
            }
        };
        FileResult b = recorded(cp, () -> JsTestFile.run(engine, file, plain, held, output));
        long t2 = System.nanoTime();
        String diff = firstDifference(straight.log(), cp.log());
        String selfDiff = null;
        if (diff != null) {
            // is the file reproducible at all? a second straight run tells a checkpoint's difference from the file's own
            Checkpoints again = Checkpoints.at(Set.of());
            recorded(again, () -> JsTestFile.run(engine, file, plain, naming(again),
                new PrintStream(OutputStream.nullOutputStream())));
            selfDiff = firstDifference(straight.log(), again.log());
        }
        StringBuilder note = new StringBuilder();
        note.append(String.format("checkpoint invariance: %d of %d boundaries chosen, %d checkpoints taken",
            points.size(), straight.boundaries(), cp.taken()));
        int skipped = 0;
        for (Map.Entry<String, Integer> e : cp.skipped().entrySet()) {
            skipped += e.getValue();
            SKIP_REASONS.computeIfAbsent(file.getFileName() + " " + e.getKey(), k -> new AtomicLong()).addAndGet(e.getValue());
            note.append(String.format("%n  skipped %d: %s", e.getValue(), e.getKey()));
        }
        if (selfDiff != null) {
            String why = "not checked: two straight runs of the file differ from each other (it depends on something"
                + " besides its machines: the JS stack depth, the wall clock, Math.random...): " + selfDiff;
            SKIP_REASONS.computeIfAbsent(file.getFileName() + " " + why.substring(0, Math.min(why.length(), 300)),
                k -> new AtomicLong()).incrementAndGet();
            note.append(String.format("%n  skipped the file: %s", why));
            diff = null;
            skipped++;
        }
        note.append(String.format("%n  %s; %.0f ms straight, %.0f ms checkpointed", diff == null ? "no difference"
            : "DIFFERENT", (t1 - t0) / 1e6, (t2 - t1) / 1e6));
        output.println(note);
        FILES.incrementAndGet();
        TAKEN.addAndGet(cp.taken());
        SKIPPED.addAndGet(skipped);
        STRAIGHT_NS.addAndGet(t1 - t0);
        CHECKPOINTED_NS.addAndGet(t2 - t1);
        List<TestResult> tests = new ArrayList<>(b.tests());
        if (diff != null || (selfDiff == null && regressed(a, b))) {
            DIFFERENCES.incrementAndGet();
            String msg = diff != null ? diff : "a test that passed straight failed with checkpoints: " + regressions(a, b);
            TestResult r = new TestResult(b.file(), List.of(), TEST, TestResult.Status.FAILED, (t2 - t0) / 1_000_000,
                new TestResult.Failure("Error", msg + " (points " + points + ")", null, null, null, ""), null);
            listener.testStarted(b.file(), List.of(), TEST, null);
            listener.testFinished(r);
            tests.add(r);
        }
        FileResult out = new FileResult(b.file(), List.copyOf(tests), b.loadError(), b.hookFailures(), (t2 - t0) / 1_000_000,
            b.declared());
        listener.fileFinished(out);
        return out;
    }

    private static FileResult recorded(Checkpoints c, java.util.function.Supplier<FileResult> run) {
        Checkpoints.set(c);
        try {
            FileResult r = run.get();
            c.finish();
            return r;
        } finally {
            Checkpoints.set(null);
        }
    }

    private static TestListener naming(Checkpoints c) {
        return new TestListener() {
            @Override
            public void testStarted(String f, List<String> path, String name, TestResult.Location location) {
                c.test(String.join(" > ", path) + (path.isEmpty() ? "" : " > ") + name);
            }
        };
    }

    /** N distinct boundary numbers in [0, boundaries), drawn with a seed from the file's name. */
    static Set<Integer> choose(Path file, int boundaries, int n) {
        Random r = new Random(file.getFileName().toString().hashCode() * 0x9E3779B97F4A7C15L);
        Set<Integer> s = new TreeSet<>();
        while (s.size() < Math.min(n, boundaries)) {
            s.add(r.nextInt(boundaries));
        }
        return s;
    }

    public static String firstDifference(List<Checkpoints.Line> a, List<Checkpoints.Line> b) {
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            Checkpoints.Line x = i < a.size() ? a.get(i) : null;
            Checkpoints.Line y = i < b.size() ? b.get(i) : null;
            if (x == null || y == null || !x.same(y)) {
                Checkpoints.Line at = x != null ? x : y;
                String event = "";
                if (x != null && y != null) {
                    for (int k = 0; k < Math.max(x.events().size(), y.events().size()); k++) {
                        String ex = k < x.events().size() ? x.events().get(k) : "(no more events)";
                        String ey = k < y.events().size() ? y.events().get(k) : "(no more events)";
                        if (!ex.equals(ey)) {
                            event = "; event " + k + " of the segment: straight '" + ex + "', checkpointed '" + ey + "'";
                            break;
                        }
                    }
                }
                return "the runs differ at " + at.where() + ": straight '"
                    + (x == null ? "(nothing)" : x.what()) + "', checkpointed '" + (y == null ? "(nothing)" : y.what()) + "'"
                    + event;
            }
        }
        return null;
    }

    private static boolean regressed(FileResult a, FileResult b) {
        return !regressions(a, b).isEmpty() || (a.loadError() == null && b.loadError() != null);
    }

    private static List<String> regressions(FileResult a, FileResult b) {
        Set<String> passed = new TreeSet<>();
        for (TestResult t : a.tests()) {
            if (t.status() == TestResult.Status.PASSED) {
                passed.add(t.fullName());
            }
        }
        List<String> l = new ArrayList<>();
        for (TestResult t : b.tests()) {
            if (t.status() == TestResult.Status.FAILED && passed.contains(t.fullName())) {
                l.add(t.fullName());
            }
        }
        if (a.loadError() == null && b.loadError() != null) {
            l.add("(loading the file: " + b.loadError().message() + ")");
        }
        return l;
    }
}
