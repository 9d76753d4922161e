package io.pseries.script.test.junit;

import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.platform.engine.ConfigurationParameters;
import org.junit.platform.engine.EngineDiscoveryRequest;
import org.junit.platform.engine.EngineExecutionListener;
import org.junit.platform.engine.ExecutionRequest;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestEngine;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.discovery.DirectorySelector;
import org.junit.platform.engine.discovery.FileSelector;
import org.junit.platform.engine.discovery.UniqueIdSelector;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.EngineDescriptor;
import org.junit.platform.engine.support.descriptor.FilePosition;
import org.junit.platform.engine.support.descriptor.FileSource;

import io.pseries.script.ScriptEngine;
import io.pseries.script.host.MachineDefaults;
import io.pseries.script.test.FileResult;
import io.pseries.script.test.JsTestFile;
import io.pseries.script.test.Reporter;
import io.pseries.script.test.TestResult;
import io.pseries.script.test.TestRun;

/**
 * A JUnit Platform engine for pseries JS tests, so that {@code mvn test} (Surefire), IDEs and
 * any JUnit 5 launcher run {@code *.test.js} files as JUnit tests, named by file, suite and test.
 *
 * <p>What it runs: every {@code *.test.js} under the directories of the configuration parameter
 * {@value #DIRS} (comma separated), plus files and directories picked by file, directory or
 * unique-id selectors (what IDEs send). Without either it finds nothing, so having this jar on a
 * classpath costs other test suites nothing. Further parameters: {@value #FILTER} (a regular
 * expression on "suite > test"), {@value #JOBS} (files run in parallel, each in its own
 * context), {@value #ARTIFACTS} (a folder for the pic() and trace of failing tests),
 * {@value #TIMEOUT} (the default time limit of a test, in milliseconds) and {@value #ALLOW_READ}
 * (directories the tests may read besides their own, comma separated), {@value #ALLOW_WRITE}
 * (directories m.save(path) may write into, comma separated; none by default) and
 * {@value #SHARD} ({@code K/N}: only the K-th of N deterministic slices of the files, as
 * {@code pseries test --shard}; see {@link io.pseries.script.test.Shard}).
 *
 * <p>Files are discovered up front; their suites and tests are registered as dynamic tests
 * when the file runs (a file's tests only exist once its code has run).
 */
public final class PseriesTestEngine implements TestEngine {
    public static final String ID = "pseries-js";
    public static final String DIRS = "pseries.test.dir";
    public static final String FILTER = "pseries.test.filter";
    public static final String JOBS = "pseries.test.jobs";
    public static final String ARTIFACTS = "pseries.test.artifacts";
    /** Machine options every test's machines start from ({@code kernelIrqchip=on}): see {@link MachineDefaults}. */
    public static final String MACHINE_DEFAULTS = MachineDefaults.CONFIG_KEY;
    public static final String SHARD = "pseries.test.shard";

    /** The default time limit of each test, in milliseconds (0: none; default {@value JsTestFile#DEFAULT_TIMEOUT_MS}). */
    public static final String TIMEOUT = "pseries.test.timeout";
    /** Directories (comma separated) the JS tests may read besides their own directory trees. */
    public static final String ALLOW_READ = "pseries.test.allowRead";
    /** Directories (comma separated) m.save(path) may write into; absent: none. */
    public static final String ALLOW_WRITE = "pseries.test.allowWrite";
    /** Checkpoints per file for checkpoint invariance (as {@code --checkpoint-invariance --points N}); 0 or absent: off. */
    public static final String CHECKPOINT_POINTS = "pseries.test.checkpointPoints";

    /** A comma-separated list of directories from a configuration parameter. */
    private static List<Path> dirs(org.junit.platform.engine.ConfigurationParameters cfg, String key) {
        List<Path> out = new ArrayList<>();
        cfg.get(key).ifPresent(v -> {
            for (String d : v.split(",")) {
                if (!d.isBlank()) {
                    out.add(Path.of(d.strip()));
                }
            }
        });
        return out;
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public Optional<String> getGroupId() {
        return Optional.of("io.pseries");
    }

    @Override
    public Optional<String> getArtifactId() {
        return Optional.of("script-api");
    }

    @Override
    public TestDescriptor discover(EngineDiscoveryRequest request, UniqueId uniqueId) {
        EngineDescriptor engine = new EngineDescriptor(uniqueId, "pseries JS tests");
        Map<Path, String> files = new LinkedHashMap<>();   // file -> test filter from a unique-id selector (or null)
        List<Path> roots = new ArrayList<>();
        request.getConfigurationParameters().get(DIRS).ifPresent(v -> {
            for (String d : v.split(",")) {
                if (!d.isBlank()) {
                    roots.add(Path.of(d.strip()));
                }
            }
        });
        for (DirectorySelector s : request.getSelectorsByType(DirectorySelector.class)) {
            roots.add(s.getPath());
        }
        for (FileSelector s : request.getSelectorsByType(FileSelector.class)) {
            if (s.getRawPath().endsWith(".test.js")) {
                roots.add(s.getPath());
            }
        }
        for (Path p : TestRun.find(roots.stream().filter(Files::exists).toList())) {
            files.putIfAbsent(p, null);
        }
        for (UniqueIdSelector s : request.getSelectorsByType(UniqueIdSelector.class)) {
            UniqueId id = s.getUniqueId();
            List<UniqueId.Segment> segs = id.getSegments();
            if (!id.hasPrefix(uniqueId) || segs.size() < 2 || !segs.get(1).getType().equals("file")) {
                continue;
            }
            Path f = Path.of(segs.get(1).getValue()).toAbsolutePath().normalize();
            if (!Files.isRegularFile(f)) {
                continue;
            }
            List<String> names = new ArrayList<>();
            for (int i = 2; i < segs.size(); i++) {
                names.add(dedupName(segs.get(i).getValue()));
            }
            String filter = names.isEmpty() ? null : "^" + jsQuote(String.join(" > ", names))
                + (segs.get(segs.size() - 1).getType().equals("test") ? "$" : "( > .*)?$");
            // a whole file stays whole; several selections in one file run together
            if (!files.containsKey(f)) {
                files.put(f, filter);
            } else if (files.get(f) != null) {
                files.put(f, filter == null ? null : files.get(f) + "|" + filter);
            }
        }
        java.util.Optional<String> shard = request.getConfigurationParameters().get(SHARD).filter(v -> !v.isBlank());
        if (shard.isPresent()) {
            java.util.Set<Path> keep = new java.util.HashSet<>(io.pseries.script.test.Shard.parse(shard.get())
                .select(List.copyOf(files.keySet())));
            files.keySet().retainAll(keep);
        }
        for (Map.Entry<Path, String> e : files.entrySet()) {
            Path f = e.getKey();
            String name = JsTestFile.displayName(f);
            FileDescriptor d = new FileDescriptor(engine.getUniqueId().append("file", name), name, f, e.getValue());
            engine.addChild(d);
        }
        return engine;
    }

    /** A JS regular expression matching {@code s} literally. */
    static String jsQuote(String s) {
        return s.replaceAll("[\\\\^$.*+?()\\[\\]{}|/-]", "\\\\$0");
    }

    /** A unique-id value with the "#2" suffix that tells apart tests of the same name removed. */
    private static String dedupName(String v) {
        return v.replaceFirst(" #\\d+$", "");
    }

    /** A test file; its filter narrows it to the tests a unique-id selector picked. */
    static final class FileDescriptor extends org.junit.platform.engine.support.descriptor.AbstractTestDescriptor {
        final Path path;
        final String filter;

        FileDescriptor(UniqueId id, String name, Path path, String filter) {
            // a class source (named after the file) is what makes Surefire and other reporting tools
            // open a test set, and a report file, per JS file; the tests carry the file positions
            super(id, name, ClassSource.from(name.replace('\\', '/').replaceAll("^[./]+", "").replace('/', '.')));
            this.path = path;
            this.filter = filter;
        }

        @Override
        public Type getType() {
            return Type.CONTAINER;
        }

        @Override
        public String getLegacyReportingName() {
            return ((ClassSource) getSource().orElseThrow()).getClassName();
        }

        @Override
        public boolean mayRegisterTests() {
            return true;
        }
    }

    @Override
    public void execute(ExecutionRequest request) {
        TestDescriptor root = request.getRootTestDescriptor();
        EngineExecutionListener listener = request.getEngineExecutionListener();
        ConfigurationParameters cfg = request.getConfigurationParameters();
        listener.executionStarted(root);
        List<FileDescriptor> files = new ArrayList<>();
        for (TestDescriptor c : root.getChildren()) {
            if (c instanceof FileDescriptor f) {
                files.add(f);
            }
        }
        if (files.isEmpty()) {
            listener.executionFinished(root, TestExecutionResult.successful());
            return;
        }
        String filter = cfg.get(FILTER).orElse(null);
        int jobs = cfg.get(JOBS, Integer::parseInt).orElse(1);
        Path artifacts = cfg.get(ARTIFACTS).map(Path::of).orElse(null);
        long timeout = cfg.get(TIMEOUT, Long::parseLong).orElse(JsTestFile.DEFAULT_TIMEOUT_MS);
        List<Path> allowRead = dirs(cfg, ALLOW_READ);
        List<Path> allowWrite = dirs(cfg, ALLOW_WRITE);
        try (ScriptEngine engine = new ScriptEngine()) {
            cfg.get(MACHINE_DEFAULTS).ifPresent(v -> engine.machineDefaults(
                MachineDefaults.parse(v, "the configuration parameter " + MACHINE_DEFAULTS)));
            // files that share a filter run together; a unique-id selection gets its own pass
            Map<String, List<FileDescriptor>> byFilter = new LinkedHashMap<>();
            for (FileDescriptor f : files) {
                byFilter.computeIfAbsent(f.filter == null ? (filter == null ? "" : filter) : f.filter, k -> new ArrayList<>()).add(f);
            }
            for (Map.Entry<String, List<FileDescriptor>> e : byFilter.entrySet()) {
                Map<String, FileDescriptor> byName = new HashMap<>();
                for (FileDescriptor f : e.getValue()) {
                    byName.put(f.getDisplayName(), f);
                }
                JsTestFile.Options opts = new JsTestFile.Options(e.getKey().isEmpty() ? null : e.getKey(), false, artifacts, null,
                    timeout, allowRead).withCheckpoints(cfg.get(CHECKPOINT_POINTS, Integer::parseInt).orElse(0))
                    .withAllowWrite(allowWrite);
                TestRun.run(engine, e.getValue().stream().map(f -> f.path).toList(), opts, 1, Math.max(1, jobs),
                    new ToJunit(byName, listener, System.out), null);
            }
            listener.executionFinished(root, TestExecutionResult.successful());
        } catch (RuntimeException e) {
            listener.executionFinished(root, TestExecutionResult.failed(e));
        }
    }

    /** Replays one file's events (always in file order) as JUnit execution events. */
    static final class ToJunit implements Reporter {
        private final Map<String, FileDescriptor> files;
        private final EngineExecutionListener listener;
        private final PrintStream out;
        private FileDescriptor file;
        /** Suites open now, outermost first. */
        private final List<TestDescriptor> openSuites = new ArrayList<>();
        private final Map<TestDescriptor, Map<String, Integer>> namesSeen = new HashMap<>();
        private final Map<String, TestDescriptor> started = new HashMap<>();

        ToJunit(Map<String, FileDescriptor> files, EngineExecutionListener listener, PrintStream out) {
            this.files = files;
            this.listener = listener;
            this.out = out;
        }

        @Override
        public void fileStarted(String name) {
            file = files.get(name);
            openSuites.clear();
            namesSeen.clear();
            started.clear();
            listener.executionStarted(file);
        }

        /** Closes suites that are not on {@code path} and opens the missing ones. */
        private TestDescriptor parentFor(List<String> path) {
            int keep = 0;
            while (keep < openSuites.size() && keep < path.size()
                && openSuites.get(keep).getDisplayName().equals(path.get(keep))) {
                keep++;
            }
            while (openSuites.size() > keep) {
                listener.executionFinished(openSuites.remove(openSuites.size() - 1), TestExecutionResult.successful());
            }
            TestDescriptor parent = openSuites.isEmpty() ? file : openSuites.get(openSuites.size() - 1);
            for (int i = keep; i < path.size(); i++) {
                String name = path.get(i);
                JsDescriptor suite = new JsDescriptor(parent.getUniqueId().append("suite", unique(parent, name)), name,
                    FileSource.from(file.path.toFile()), TestDescriptor.Type.CONTAINER,
                    String.join(" > ", path.subList(0, i + 1)));
                parent.addChild(suite);
                listener.dynamicTestRegistered(suite);
                listener.executionStarted(suite);
                openSuites.add(suite);
                parent = suite;
            }
            return parent;
        }

        private String unique(TestDescriptor parent, String name) {
            int n = namesSeen.computeIfAbsent(parent, k -> new HashMap<>()).merge(name, 1, Integer::sum);
            return n == 1 ? name : name + " #" + n;
        }

        private JsDescriptor test(List<String> path, String name, TestResult.Location loc) {
            TestDescriptor parent = parentFor(path);
            JsDescriptor t = new JsDescriptor(parent.getUniqueId().append("test", unique(parent, name)), name,
                loc == null ? FileSource.from(file.path.toFile())
                    : FileSource.from(new File(loc.file()), FilePosition.from(loc.line(), loc.column())),
                TestDescriptor.Type.TEST, path.isEmpty() ? name : String.join(" > ", path) + " > " + name);
            parent.addChild(t);
            listener.dynamicTestRegistered(t);
            return t;
        }

        private static String key(List<String> path, String name) {
            return String.join("\u0000", path) + "\u0001" + name;
        }

        @Override
        public void suiteStarted(String f, List<String> path) {
            parentFor(path);
        }

        @Override
        public void testStarted(String f, List<String> path, String name, TestResult.Location location) {
            JsDescriptor t = test(path, name, location);
            started.put(key(path, name), t);
            listener.executionStarted(t);
        }

        @Override
        public void testFinished(TestResult r) {
            TestDescriptor t = started.remove(key(r.suitePath(), r.name()));
            if (r.status() == TestResult.Status.SKIPPED) {
                listener.executionSkipped(test(r.suitePath(), r.name(), r.location()), "it.skip, or outside it.only");
                return;
            }
            if (t == null) {
                // failed without running (its before hook failed)
                t = test(r.suitePath(), r.name(), r.location());
                listener.executionStarted(t);
            }
            listener.executionFinished(t, r.status() == TestResult.Status.PASSED ? TestExecutionResult.successful()
                : TestExecutionResult.failed(JsTestFailure.of(r.failure(), String.join(" > ", r.suitePath()), r.name())));
        }

        @Override
        public void fileOutput(String name, String text) {
            if (!text.isEmpty()) {
                out.print(text.endsWith("\n") ? text : text + "\n");
            }
        }

        @Override
        public void fileFinished(FileResult r) {
            parentFor(List.of());
            Throwable problem = null;
            if (r.loadError() != null) {
                problem = JsTestFailure.of(r.loadError(), "", "(loading the file)");
            } else if (!r.hookFailures().isEmpty()) {
                problem = JsTestFailure.of(r.hookFailures().get(0), "", "(after all hook)");
            }
            listener.executionFinished(file, problem == null ? TestExecutionResult.successful() : TestExecutionResult.failed(problem));
        }

        @Override
        public void finish(Summary summary) {
        }
    }
}
