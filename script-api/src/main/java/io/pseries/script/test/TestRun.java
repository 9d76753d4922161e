package io.pseries.script.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import io.pseries.script.ScriptEngine;

/**
 * Runs a set of test files, possibly several at a time, and feeds one reporter in file order.
 * Each file runs in its own context (its own machines); with {@code jobs > 1} files run on a
 * pool of threads and their events are replayed to the reporter when their turn comes, so the
 * report does not depend on scheduling.
 */
public final class TestRun {
    /** Directories never searched for tests. */
    static final Set<String> SKIP_DIRS = Set.of("node_modules", "target", ".git", ".idea");

    private TestRun() {
    }

    /** Every {@code *.test.js} under the given files/directories, sorted, without duplicates. */
    public static List<Path> find(List<Path> paths) {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isRegularFile(p)) {
                out.add(p);
            } else if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(f -> f.getFileName().toString().endsWith(".test.js"))
                        .filter(f -> {
                            for (Path part : p.relativize(f)) {
                                if (SKIP_DIRS.contains(part.toString())) {
                                    return false;
                                }
                            }
                            return Files.isRegularFile(f);
                        })
                        .sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                throw new IllegalArgumentException("no such file or directory: " + p);
            }
        }
        return out.stream().map(x -> x.toAbsolutePath().normalize()).distinct().toList();
    }

    /** A file's run, recorded for replay. */
    private record Recorded(List<Consumer<Reporter>> events, FileResult result) {
    }

    /**
     * Runs {@code files} ({@code repeat} times each) and reports; returns the summary. With
     * {@code bail}, stops after the first file with a failure.
     */
    public static Reporter.Summary run(ScriptEngine engine, List<Path> files, JsTestFile.Options opts, int repeat, int jobs,
                                       Reporter reporter, Consumer<FileResult> progress) {
        long start = System.nanoTime();
        List<Path> work = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int r = 1; r <= repeat; r++) {
            for (Path f : files) {
                work.add(f);
                labels.add(JsTestFile.displayName(f) + (repeat > 1 ? " (run " + r + "/" + repeat + ")" : ""));
            }
        }
        List<JsTestFile.Options> options = new ArrayList<>();
        for (String label : labels) {
            options.add(opts.withLabel(label));
        }
        ExecutorService pool = null;
        IntFunction<FileResult> next;
        if (jobs <= 1) {
            // one at a time: report live, so progress shows while a long file runs
            next = i -> live(engine, work.get(i), options.get(i), reporter);
        } else {
            pool = Executors.newFixedThreadPool(Math.min(jobs, work.size()), runnable -> {
                Thread t = new Thread(runnable, "pseries-test");
                t.setDaemon(true);
                return t;
            });
            List<Future<Recorded>> futures = new ArrayList<>();
            for (int i = 0; i < work.size(); i++) {
                Path f = work.get(i);
                JsTestFile.Options o = options.get(i);
                futures.add(pool.submit(() -> record(engine, f, o)));
            }
            next = i -> {
                Recorded rec = await(futures.get(i));
                for (Consumer<Reporter> ev : rec.events()) {
                    ev.accept(reporter);
                }
                return rec.result();
            };
        }
        long passed = 0;
        long failed = 0;
        long skipped = 0;
        long done = 0;
        try {
            for (int i = 0; i < work.size(); i++) {
                FileResult r = next.apply(i);
                passed += r.count(TestResult.Status.PASSED);
                failed += r.failures();
                skipped += r.count(TestResult.Status.SKIPPED);
                done++;
                if (progress != null) {
                    progress.accept(r);
                }
                if (opts.bail() && r.failures() > 0) {
                    break;
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        long distinct = work.subList(0, (int) done).stream().distinct().count();
        Reporter.Summary s = new Reporter.Summary(passed, failed, skipped, distinct, done, (System.nanoTime() - start) / 1_000_000);
        reporter.finish(s);
        return s;
    }

    private static Recorded await(Future<Recorded> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a test file crashed the runner: " + e.getCause(), e.getCause());
        }
    }

    private static FileResult live(ScriptEngine engine, Path file, JsTestFile.Options opts, Reporter reporter) {
        JsTestFile.Output output = new JsTestFile.Output();
        FileResult result = JsTestFile.run(engine, file, opts, forwarding(ev -> ev.accept(reporter)), output.stream());
        reporter.fileOutput(result.file(), output.text());
        reporter.fileFinished(result);
        return result;
    }

    /** A listener handing each event (but the end of the file, which callers report) to {@code sink}. */
    private static TestListener forwarding(Consumer<Consumer<Reporter>> sink) {
        return new TestListener() {
            @Override
            public void fileStarted(String file) {
                sink.accept(r -> r.fileStarted(file));
            }

            @Override
            public void suiteStarted(String file, List<String> path) {
                sink.accept(r -> r.suiteStarted(file, path));
            }

            @Override
            public void testStarted(String file, List<String> path, String name, TestResult.Location location) {
                sink.accept(r -> r.testStarted(file, path, name, location));
            }

            @Override
            public void testFinished(TestResult result) {
                sink.accept(r -> r.testFinished(result));
            }
        };
    }

    private static Recorded record(ScriptEngine engine, Path file, JsTestFile.Options opts) {
        List<Consumer<Reporter>> events = new ArrayList<>();
        JsTestFile.Output output = new JsTestFile.Output();
        TestListener rec = forwarding(events::add);
        FileResult result = JsTestFile.run(engine, file, opts, rec, output.stream());
        String text = output.text();
        events.add(r -> r.fileOutput(result.file(), text));
        events.add(r -> r.fileFinished(result));
        return new Recorded(events, result);
    }
}
