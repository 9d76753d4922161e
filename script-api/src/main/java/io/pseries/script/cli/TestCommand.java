package io.pseries.script.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.pseries.script.ScriptEngine;
import io.pseries.script.test.FileResult;
import io.pseries.script.test.JsTestFile;
import io.pseries.script.test.JunitXmlReporter;
import io.pseries.script.test.Reporter;
import io.pseries.script.test.Shard;
import io.pseries.script.test.SpecReporter;
import io.pseries.script.test.TapReporter;
import io.pseries.script.test.TestResult;
import io.pseries.script.test.TestRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pseries test [PATHS...]}: runs JS test files. */
@Command(name = "test", mixinStandardHelpOptions = true,
    description = {"Run JavaScript tests: every *.test.js under the given files and directories (default: .).",
        "Tests use describe/it/test, before/after/beforeEach/afterEach, it.skip/it.only and assert (node:assert).",
        "Each file runs in its own context with its own machines. Each test has a time limit (--timeout);",
        "a test past it, one that throws anything or one that runs out of heap fails alone and the rest run.",
        "Exit codes: 0 nothing failed; 1 a test failed; 2 usage error or no test files.",
        "Examples:",
        "  pseries test test-scripts",
        "  pseries test --reporter junit --out report.xml -j 2 test-scripts",
        "  pseries test --filter 'XICS > accept' --bail test-scripts/xics.test.js",
        "  pseries test --shard 2/3 --reporter junit -o shard-2.xml test-scripts",
        "  pseries test --checkpoint-invariance --points 5 test-scripts",
        "No test selected (a --filter matching nothing, an empty shard) is an error unless --pass-with-no-tests."})
final class TestCommand implements Callable<Integer> {

    enum Kind { spec, tap, junit }

    @Parameters(paramLabel = "PATHS", description = "test files or directories to search (default: the current directory)")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--reporter", paramLabel = "NAME", defaultValue = "spec",
        description = "spec (default, for people), tap (TAP version 13) or junit (JUnit XML for CI)")
    Kind reporter;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "write the report to FILE (progress and the summary still go to the terminal)")
    Path out;

    @Option(names = "--filter", paramLabel = "PATTERN",
        description = "run only tests whose full name ('suite > test') matches this regular expression")
    String filter;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1", description = "run every file N times (default: ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--bail", description = "stop at the first failure")
    boolean bail;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "1",
        description = "run N files in parallel, each in its own context (default: ${DEFAULT-VALUE})")
    int jobs;

    @Option(names = "--artifacts", paramLabel = "DIR",
        description = "for each failing test, write each machine's pic() (JSON and text), its trace events since the test began and the failure into DIR")
    Path artifacts;

    @CommandLine.Mixin
    MachineDefaultsOption machineDefaults = new MachineDefaultsOption();

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "120s", converter = Durations.class,
        description = {"the time limit of each test and hook (default: ${DEFAULT-VALUE}; 0: none), in ms or with a unit: 500ms, 30s, 2m;"
            + " it(name, fn, { timeout }) and describe(name, fn, { timeout }) set it in milliseconds for one test or suite."
            + " A test past its limit fails at its location and the rest of the file runs"})
    long timeoutMs;

    @Option(names = "--allow-read", paramLabel = "DIR",
        description = "let the tests import and read files under DIR too (repeatable); by default a file may read only its own directory tree")
    List<Path> allowRead = new ArrayList<>();

    @Option(names = "--allow-write", paramLabel = "DIR",
        description = "let m.save(path) write snapshot files under DIR (repeatable); by default a test writes no file")
    List<Path> allowWrite = new ArrayList<>();

    @Option(names = "--shard", paramLabel = "K/N",
        description = {"run only the K-th of N deterministic slices of the files (a CI matrix: --shard 1/3, 2/3, 3/3);",
            "files are ordered by path and dealt out in turn, so the shards together run every file once"})
    String shard;

    @Option(names = "--checkpoint-invariance",
        description = {"run each file twice, straight and with a snapshot restored into a fresh machine at --points",
            "points (run/boot/CAS/hcall/IPI boundaries the file causes, drawn with a seed from the file's name), and fail",
            "it if anything observable differs: events, pic(), guest.stats(), the console, RAM, virtual time"})
    boolean checkpointInvariance;

    @Option(names = "--points", paramLabel = "N", defaultValue = "3",
        description = "checkpoints per file with --checkpoint-invariance (default: ${DEFAULT-VALUE})")
    int points;

    @Option(names = "--pass-with-no-tests",
        description = "exit 0 when no test is selected (by default that is an error: a --filter matching nothing, an empty shard)")
    boolean passWithNoTests;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (repeat < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--repeat must be at least 1, got " + repeat);
        }
        if (jobs < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-j must be at least 1, got " + jobs);
        }
        if (checkpointInvariance && points < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--points must be at least 1, got " + points);
        }
        if (filter != null) {
            try {
                Pattern.compile(filter);
            } catch (PatternSyntaxException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--filter is not a valid regular expression: "
                    + e.getDescription() + " in '" + filter + "'");
            }
        }
        List<Path> roots = paths.isEmpty() ? List.of(Path.of(".")) : paths;
        List<Path> files;
        try {
            files = TestRun.find(roots);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintStream terminal = stream(spec.commandLine().getOut());
        if (files.isEmpty()) {
            spec.commandLine().getErr().println("pseries test: no *.test.js files under " + roots);
            return 2;
        }
        if (shard != null) {
            Shard sh;
            try {
                sh = Shard.parse(shard);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--shard: " + e.getMessage());
            }
            int all = files.size();
            files = sh.select(files);
            if (files.isEmpty()) {
                spec.commandLine().getErr().println("pseries test: shard " + sh + " has no files (" + all + " files in "
                    + sh.count() + " shards)");
                return passWithNoTests ? 0 : 1;
            }
        }
        OutputStream reportStream = out == null ? null : Files.newOutputStream(out);
        try {
            PrintStream report = reportStream == null ? terminal : new PrintStream(reportStream, true, StandardCharsets.UTF_8);
            // machine formats on stdout keep stdout clean: progress and summary go to stderr
            PrintStream status = out != null ? terminal
                : reporter == Kind.spec ? null : stream(spec.commandLine().getErr());
            Reporter r = switch (reporter) {
                case spec -> new SpecReporter(report);
                case tap -> new TapReporter(report);
                case junit -> new JunitXmlReporter(report);
            };
            Reporter.Summary s;
            List<FileResult> results = new ArrayList<>();
            // long runs (repeats, parallel files) show how far they are while the terminal waits
            Progress progress = repeat > 1 || jobs > 1 ? progress() : new Progress(null, false);
            int total = files.size() * repeat;
            long[] failedSoFar = {0};
            try (ScriptEngine engine = machineDefaults.newEngine(spec.commandLine())) {
                s = TestRun.run(engine, files, new JsTestFile.Options(filter, bail, artifacts, null, timeoutMs, allowRead)
                    .withAllowWrite(allowWrite)
                    .withCheckpoints(checkpointInvariance ? points : 0), repeat, jobs, r, fr -> {
                    results.add(fr);
                    failedSoFar[0] += fr.failures();
                    progress.done();
                    if (status != null) {
                        status.println(progressLine(fr));
                    }
                    if (results.size() < total) {
                        progress.update("[" + results.size() + "/" + total + " files, " + failedSoFar[0] + " failed] " + fr.file());
                    }
                });
            }
            progress.done();
            if (s.passed() + s.failed() + s.skipped() == 0) {
                spec.commandLine().getErr().println(noTestsMessage(results));
                if (!passWithNoTests) {
                    return 1;
                }
            }
            if (checkpointInvariance) {
                (status != null ? status : terminal).println(io.pseries.script.test.CheckpointInvariance.summary());
            }
            if (status != null) {
                status.println(s.line() + " (" + s.filesText() + ", " + s.wallMs() + " ms)");
                if (artifacts != null && s.failed() > 0) {
                    status.println("artifacts of the failures: " + artifacts);
                }
            }
            return s.failed() == 0 ? 0 : 1;
        } finally {
            if (reportStream != null) {
                reportStream.close();
            }
        }
    }

    /** Why nothing ran, with the declared tests closest to the filter. */
    String noTestsMessage(List<FileResult> results) {
        List<String> declared = new ArrayList<>();
        for (FileResult fr : results) {
            declared.addAll(fr.declared());
        }
        if (filter == null) {
            return "pseries test: no tests in " + results.size() + " file" + (results.size() == 1 ? "" : "s")
                + (passWithNoTests ? "" : " (--pass-with-no-tests accepts that)");
        }
        List<String> close = io.pseries.core.util.Suggest.closestSubstring(filter, declared.stream().distinct().toList(), 3);
        return "pseries test: no test matches --filter '" + filter + "'"
            + (close.isEmpty() ? "" : "; closest: " + String.join(", ", close.stream().map(n -> "'" + n + "'").toList()))
            + (passWithNoTests ? "" : " (--pass-with-no-tests accepts no tests)");
    }

    /** The progress display: on stderr when it is a terminal (tests replace this). */
    Progress progress() {
        return Progress.forConsole(stream(spec.commandLine().getErr()));
    }

    static String progressLine(FileResult r) {
        return (r.failures() == 0 ? "PASS " : "FAIL ") + r.file() + "  " + r.count(TestResult.Status.PASSED) + " passed, "
            + r.failures() + " failed" + (r.count(TestResult.Status.SKIPPED) > 0 ? ", " + r.count(TestResult.Status.SKIPPED) + " skipped" : "")
            + " (" + r.durationMs() + " ms)";
    }

    private static PrintStream stream(java.io.PrintWriter w) {
        return new PrintStream(new WriterOutputStream(w), true, StandardCharsets.UTF_8);
    }
}
