package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import io.pseries.script.ScriptEngine;
import io.pseries.script.test.FileResult;
import io.pseries.script.test.JsTestFile;
import io.pseries.script.test.TestListener;
import io.pseries.script.test.TestResult;
import io.pseries.script.cli.Main;

/** The JS test runner: registration, hooks, focus, async, failures, reporters and the test command's options. */
class TestRunnerTest {
    static ScriptEngine engine;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        engine = new ScriptEngine();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private static FileResult run(Path file, JsTestFile.Options opts) {
        return JsTestFile.run(engine, file, opts, new TestListener() { }, new PrintStream(new ByteArrayOutputStream()));
    }

    private static FileResult run(Path file) {
        return run(file, JsTestFile.Options.defaults());
    }

    private static TestResult result(FileResult r, String fullName) {
        return r.tests().stream().filter(t -> t.fullName().equals(fullName)).findFirst()
            .orElseThrow(() -> new AssertionError("no test '" + fullName + "' in " + r.tests().stream().map(TestResult::fullName).toList()));
    }

    record Cli(int code, String out, String err) {
    }

    static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    static final String MIXED = """
        describe('math', () => {
          it('adds', () => { assert.strictEqual(1 + 1, 2); });
          it('compares', () => {
            assert.deepStrictEqual({ a: 1, b: [1, 2] }, { a: 1, b: [1, 3] });
          });
          it.skip('later', () => { throw new Error('must not run'); });
          describe('inner', () => {
            test('also passes', () => {});
          });
        });
        """;

    @Test
    void testsAreNamedBySuitePathAndCountedByStatus() throws IOException {
        FileResult r = run(file("mixed.test.js", MIXED));
        assertNull(r.loadError());
        assertEquals(List.of("math > adds", "math > compares", "math > later", "math > inner > also passes"),
            r.tests().stream().map(TestResult::fullName).toList());
        assertEquals(2, r.count(TestResult.Status.PASSED));
        assertEquals(1, r.failures());
        assertEquals(1, r.count(TestResult.Status.SKIPPED));
    }

    @Test
    void aFailureCarriesExpectedActualAndTheLineOfTheFailingCall() throws IOException {
        Path f = file("mixed.test.js", MIXED);
        TestResult.Failure fail = result(run(f), "math > compares").failure();
        assertEquals("AssertionError", fail.type());
        assertEquals("{ a: 1, b: [ 1, 3 ] }", fail.expected());
        assertEquals("{ a: 1, b: [ 1, 2 ] }", fail.actual());
        assertNotNull(fail.location());
        assertEquals(f.toAbsolutePath().normalize().toString(), fail.location().file());
        assertEquals(4, fail.location().line());
        assertEquals(12, fail.location().column());
    }

    @Test
    void anErrorFromTheMachineModelIsLocatedAtTheScriptCall() throws IOException {
        Path f = file("host.test.js", """
            it('bad option', () => {
              const x = 1;
                pseries.machine({ cpus: 2, icmode: 'xive' });
            });
            """);
        TestResult.Failure fail = result(run(f), "bad option").failure();
        assertEquals("Error", fail.type());
        assertTrue(fail.message().contains("unknown machine option 'icmode' (did you mean 'icMode'?)"), fail.message());
        assertEquals(3, fail.location().line());
        // a JS error, as the model's errors now are, points at the called member (as V8 does)
        assertEquals(13, fail.location().column());
        assertFalse(fail.stack().contains("pseries-api.js"), fail.stack());
    }

    @Test
    void hooksRunAroundEachTestInNestingOrder() throws IOException {
        Path f = file("hooks.test.js", """
            const log = [];
            globalThis.log = log;
            before(() => log.push('before'));
            after(() => { if (log.join() !== globalThis.expected) { throw new Error('order: ' + log.join()); } });
            beforeEach(() => log.push('be'));
            afterEach(() => log.push('ae'));
            describe('s', () => {
              before(() => log.push('s.before'));
              beforeEach(() => log.push('s.be'));
              afterEach(() => log.push('s.ae'));
              after(() => log.push('s.after'));
              it('t1', () => log.push('t1'));
              it('t2', () => log.push('t2'));
            });
            it('t3', () => log.push('t3'));
            globalThis.expected = 'before,s.before,be,s.be,t1,s.ae,ae,be,s.be,t2,s.ae,ae,s.after,be,t3,ae';
            """);
        FileResult r = run(f);
        assertEquals(3, r.count(TestResult.Status.PASSED));
        assertTrue(r.hookFailures().isEmpty(), () -> r.hookFailures().get(0).message());
    }

    @Test
    void aFailingBeforeHookFailsTheTestsOfItsSuiteWithoutRunningThem() throws IOException {
        Path f = file("hookfail.test.js", """
            describe('s', () => {
              before(() => { throw new Error('setup broke'); });
              it('a', () => { throw new Error('must not run'); });
              it('b', () => {});
            });
            it('outside', () => {});
            """);
        FileResult r = run(f);
        assertEquals(TestResult.Status.FAILED, result(r, "s > a").status());
        assertTrue(result(r, "s > a").failure().message().contains("setup broke"), result(r, "s > a").failure().message());
        assertEquals(TestResult.Status.FAILED, result(r, "s > b").status());
        assertEquals(TestResult.Status.PASSED, result(r, "outside").status());
    }

    @Test
    void aFailingAfterHookIsReportedAndFailsTheFile() throws IOException {
        FileResult r = run(file("after.test.js", """
            after(() => { throw new Error('teardown broke'); });
            it('a', () => {});
            """));
        assertEquals(1, r.count(TestResult.Status.PASSED));
        assertEquals(1, r.hookFailures().size());
        assertTrue(r.failures() > 0);
    }

    @Test
    void onlyRunsTheFocusedTestsAndSuites() throws IOException {
        FileResult r = run(file("only.test.js", """
            it('a', () => {});
            it.only('b', () => {});
            describe.only('s', () => { it('c', () => {}); });
            describe('t', () => { it('d', () => {}); });
            """));
        assertEquals(List.of("b", "s > c"), r.tests().stream().map(TestResult::fullName).toList());
    }

    @Test
    void asyncTestsAreAwaitedAndARejectionFails() throws IOException {
        FileResult r = run(file("async.test.js", """
            let done = false;
            it('awaits', async () => { await Promise.resolve(); done = true; });
            it('saw it', () => { assert.ok(done); });
            it('rejects', async () => { await Promise.resolve(); throw new RangeError('late'); });
            """));
        assertEquals(TestResult.Status.PASSED, result(r, "saw it").status());
        assertEquals("RangeError", result(r, "rejects").failure().type());
    }

    @Test
    void aTestWaitingForAPromiseNothingResolvesIsReported() throws IOException {
        FileResult r = run(file("hang.test.js", """
            it('hangs', () => new Promise(() => {}));
            it('runs after it', () => {});
            """));
        assertEquals(TestResult.Status.FAILED, result(r, "hangs").status());
        assertTrue(result(r, "hangs").failure().message().contains("awaits a promise that nothing can settle"),
            result(r, "hangs").failure().message());
        assertEquals(null, r.loadError());
        assertEquals(TestResult.Status.PASSED, result(r, "runs after it").status());
    }

    @Test
    void aSyntaxErrorFailsTheFileWithItsLocation() throws IOException {
        Path f = file("broken.test.js", "it('x', () => {\n  const = 1;\n});\n");
        FileResult r = run(f);
        assertNotNull(r.loadError());
        assertEquals("SyntaxError", r.loadError().type());
        assertEquals(2, r.loadError().location().line());
        Cli c = cli("test", f.toString());
        assertEquals(1, c.code());
        assertTrue(c.out().contains("broken.test.js:2"), c.out());
    }

    @Test
    void filterSelectsTestsByTheirFullName() throws IOException {
        FileResult r = run(file("mixed.test.js", MIXED), new JsTestFile.Options("inner > also", false, null, null));
        assertEquals(List.of("math > inner > also passes"), r.tests().stream().map(TestResult::fullName).toList());
    }

    @Test
    void theSpecReportEndsWithTheSummaryLineAndTheExitCodeSaysWhetherAnythingFailed() throws IOException {
        Path bad = file("mixed.test.js", MIXED);
        Path good = file("good/ok.test.js", "it('fine', () => {});\n");
        Cli c = cli("test", dir.toString());
        assertEquals(1, c.code(), c.err());
        String[] lines = c.out().strip().split("\n");
        assertTrue(lines[lines.length - 1].startsWith("3 passed, 1 failed, 1 skipped (2 files, "), lines[lines.length - 1]);
        assertTrue(c.out().contains("+ { a: 1, b: [ 1, 2 ] }") && c.out().contains("- { a: 1, b: [ 1, 3 ] }"), c.out());
        assertTrue(c.out().contains("at " + bad.toAbsolutePath() + ":4:12") || c.out().contains("mixed.test.js:4:12"), c.out());
        Cli ok = cli("test", good.toString());
        assertEquals(0, ok.code(), ok.out());
        assertTrue(ok.out().strip().endsWith("ms)") && ok.out().contains("1 passed, 0 failed (1 file, "), ok.out());
    }

    @Test
    void bailStopsAfterTheFirstFailingFile() throws IOException {
        file("a.test.js", "it('fails', () => { assert.fail('no'); });\nit('next', () => {});\n");
        file("b.test.js", "it('never', () => {});\n");
        Cli c = cli("test", "--bail", "--reporter", "tap", dir.toString());
        assertEquals(1, c.code());
        assertTrue(c.out().contains("not ok 1") && !c.out().contains("never") && !c.out().contains("next"), c.out());
    }

    @Test
    void repeatRunsEveryFileNTimes() throws IOException {
        file("a.test.js", "it('once', () => {});\n");
        Cli c = cli("test", "--repeat", "3", "--reporter", "tap", dir.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("1..3"), c.out());
        assertTrue(c.err().contains("3 passed, 0 failed"), c.err());
    }

    @Test
    void parallelFilesReportExactlyAsSerialOnes() throws IOException {
        for (int i = 0; i < 4; i++) {
            file("f" + i + ".test.js", "describe('file " + i + "', () => {\n  it('boots', () => { pseries.machine({ cpus: " + (i + 1)
                + " }).boot(); });\n  it('fails', () => { assert.strictEqual(" + i + ", 1); });\n});\n");
        }
        Cli serial = cli("test", "--reporter", "tap", dir.toString());
        Cli parallel = cli("test", "-j", "3", "--reporter", "tap", dir.toString());
        assertEquals(1, serial.code());
        assertEquals(1, parallel.code());
        assertEquals(withoutTimes(serial.out()), withoutTimes(parallel.out()));
        assertTrue(serial.out().contains("not ok 2 - ") && serial.out().contains("1..8"), serial.out());
    }

    private static String withoutTimes(String tap) {
        return tap.replaceAll(" # time=\\d+ms", "").replaceAll("duration_ms: \\d+", "");
    }

    @Test
    void tapIsVersion13WithOneLinePerTestADiagnosticBlockAndAPlan() throws IOException {
        file("mixed.test.js", MIXED);
        Cli c = cli("test", "--reporter", "tap", dir.toString());
        List<String> lines = c.out().lines().toList();
        assertEquals("TAP version 13", lines.get(0));
        assertTrue(lines.contains("1..4"), c.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("ok 1 - .*math > adds( # time=\\d+ms)?")), c.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("not ok 2 - .*math > compares( # time=\\d+ms)?")), c.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("ok 3 - .*math > later # SKIP.*")), c.out());
        int yaml = lines.indexOf("  ---");
        assertTrue(yaml > 0 && lines.subList(yaml, lines.size()).contains("  ..."), c.out());
        assertTrue(c.err().contains("2 passed, 1 failed, 1 skipped"), "summary on stderr keeps stdout pure TAP: " + c.err());
    }

    @Test
    void junitXmlParsesAndCountsTestsFailuresAndSkips() throws Exception {
        file("mixed.test.js", MIXED);
        Path out = dir.resolve("report.xml");
        Cli c = cli("test", "--reporter", "junit", "--out", out.toString(), dir.toString());
        assertEquals(1, c.code());
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(Files.readAllBytes(out)));
        Element suites = d.getDocumentElement();
        assertEquals("testsuites", suites.getTagName());
        assertEquals("4", suites.getAttribute("tests"));
        assertEquals("1", suites.getAttribute("failures"));
        assertEquals("1", suites.getAttribute("skipped"));
        Element failure = (Element) d.getElementsByTagName("failure").item(0);
        assertEquals("AssertionError", failure.getAttribute("type"));
        Element testcase = (Element) failure.getParentNode();
        assertEquals("compares", testcase.getAttribute("name"));
        assertTrue(testcase.getAttribute("classname").endsWith("mixed.test.js.math"), testcase.getAttribute("classname"));
        assertTrue(failure.getTextContent().contains("mixed.test.js:4:12"), failure.getTextContent());
        assertTrue(c.out().contains("1 failed"), "progress goes to the terminal when the report goes to a file: " + c.out());
    }

    @Test
    void aFailingTestLeavesThePicTheTraceAndTheFailureInTheArtifactsFolder() throws IOException {
        file("art.test.js", """
            describe('ipi', () => {
              it('counts', () => {
                const m = pseries.machine({ cpus: 2, icMode: 'xive' });
                m.boot();
                m.guest.ipi(0, 1);
                m.runUntilIdle();
                assert.strictEqual(m.guest.stats()[1].ipis, 2);
              });
              it('passes', () => {});
            });
            """);
        Path art = dir.resolve("artifacts");
        Cli c = cli("test", "--artifacts", art.toString(), dir.resolve("art.test.js").toString());
        assertEquals(1, c.code());
        Path test;
        try (Stream<Path> s = Files.walk(art)) {
            test = s.filter(p -> p.getFileName().toString().equals("failure.txt")).findFirst().orElseThrow().getParent();
        }
        assertTrue(test.getFileName().toString().contains("ipi") && test.getFileName().toString().contains("counts"), test.toString());
        String failure = Files.readString(test.resolve("failure.txt"));
        assertTrue(failure.contains("expected: 2") && failure.contains("actual:   1") && failure.contains("art.test.js:7:"), failure);
        String pic = Files.readString(test.resolve("machine-0.pic.json"));
        assertTrue(pic.startsWith("{") && pic.contains("\"mode\":\"xive\"") && pic.contains("\"sources\""), pic);
        String events = Files.readString(test.resolve("machine-0.events.txt"));
        assertTrue(events.contains("H_INT_SET_QUEUE_CONFIG") && events.contains("present"), events);
        try (Stream<Path> s = Files.list(test.getParent())) {
            assertEquals(1, s.count(), "only the failing test has artifacts");
        }
    }

    @Test
    void consoleOutputOfAFileIsShownWithItsResults() throws IOException {
        file("talk.test.js", "it('talks', () => { console.log('hello from', 'the test'); });\n");
        Cli c = cli("test", dir.toString());
        assertTrue(c.out().contains("| hello from the test"), c.out());
    }

    @Test
    void badOptionsAreRefusedWithAMessageNamingThem() throws IOException {
        file("a.test.js", "it('x', () => {});\n");
        Cli repeat = cli("test", "--repeat", "0", dir.toString());
        assertEquals(2, repeat.code());
        assertTrue(repeat.err().contains("--repeat must be at least 1, got 0"), repeat.err());
        Cli jobs = cli("test", "-j", "0", dir.toString());
        assertTrue(jobs.err().contains("-j must be at least 1"), jobs.err());
        Cli filter = cli("test", "--filter", "(", dir.toString());
        assertTrue(filter.err().contains("--filter is not a valid regular expression"), filter.err());
        Cli reporter = cli("test", "--reporter", "xml", dir.toString());
        assertEquals(2, reporter.code());
        assertTrue(reporter.err().contains("spec, tap, junit"), reporter.err());
        Cli missing = cli("test", dir.resolve("nope").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such file or directory: " + dir.resolve("nope")), missing.err());
        Cli unknown = cli("test", "--bial", dir.toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--bial") && unknown.err().contains("--bail"), unknown.err());
    }

    @Test
    void anEmptyDirectoryIsAnErrorNotASuccess() {
        Cli c = cli("test", dir.toString());
        assertEquals(2, c.code());
        assertTrue(c.err().contains("no *.test.js files"), c.err());
    }
}
