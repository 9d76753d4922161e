package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pseries.script.ScriptEngine;
import io.pseries.script.cli.Main;
import io.pseries.script.test.FileResult;
import io.pseries.script.test.JsTestFile;
import io.pseries.script.test.TestListener;
import io.pseries.script.test.TestResult;
import io.pseries.script.test.junit.PseriesTestEngine;
import io.pseries.script.repl.Repl;
import io.pseries.script.repl.ReplSession;

/**
 * A hostile or careless script against the host: runaway recursion, Java names in errors.
 * Each test drives what a user runs (the CLI's run and test commands, the REPL).
 */
class ScriptHostHardeningTest {
    static ScriptEngine engine;

    /** Anything that looks like a Java class or exception name. */
    static final Pattern JAVA = Pattern.compile("java\\.|javax\\.|com\\.oracle|io\\.pseries\\.|[A-Za-z]+Exception\\b|NoClassDefFoundError|StackOverflowError");

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

    record Cli(int code, String out, String err) {
    }

    static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static void assertNoJavaName(String what, String text) {
        assertFalse(JAVA.matcher(text).find(), what + " names a Java class:\n" + text);
    }

    // ------------------------------------------------------------------ 1. runaway recursion

    @Test
    void aListenerRecursionThroughTheMachineEndsAsARangeErrorAtTheScriptLine() throws IOException {
        Path f = file("loop.js", """
            const m = pseries.machine({ cpus: 2, icMode: 'xive' });
            m.on('cas', () => m.cas({ xive: 'both' }));
            m.cas({ xive: 'both' });
            """);
        Cli r = cli("run", f.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("loop.js:2:") && r.err().contains(": RangeError: Maximum call stack size exceeded"), r.err());
        assertNoJavaName("run", r.err());
    }

    @Test
    void anOverflowAtTheBottomOfARecursionLeavesLaterFilesWorking() throws IOException {
        // boots at the bottom of an overflowed stack, in one file; the next file must not meet a
        // class that failed to initialize there
        file("a.test.js", """
            it('boots where no stack is left', () => {
              let failures = 0;
              function down() {
                try { down(); } catch (e) {
                  try { pseries.machine({ cpus: 2, icMode: 'dual' }).boot(); } catch (e2) { failures++; throw e2; }
                }
              }
              try { down(); } catch (e) { }
              assert.ok(failures > 0);
            });
            """);
        file("b.test.js", """
            it('then a machine boots and reports a host error normally', () => {
              const m = pseries.machine({ cpus: 2, icMode: 'dual' });
              assert.strictEqual(m.boot().mode, 'xive');
              assert.throws(() => m.hcall(0, 'H_NOPE'), { name: 'Error' });
            });
            """);
        Cli r = cli("test", dir.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("2 passed, 0 failed"), r.out());
    }

    // ------------------------------------------------------------------ 3. no Java class names

    static final String HOST_ERRORS = """
        const m = pseries.machine({ cpus: 2, icMode: 'xive' });
        it('uncaught', () => { m.hcall(0, 'H_FOO'); });
        it('rethrown as text', () => { try { m.irq(0x1234); } catch (e) { throw new Error(String(e)); } });
        it('logged', () => { try { m.dt('/nope'); } catch (e) { console.log('caught', e, e.name); throw e; } });
        it('recursion', () => { m.on('hcall', () => m.hcall(0, 'H_INT_RESET', 0)); m.hcall(0, 'H_INT_RESET', 0); });
        """;

    @Test
    void noReporterShowsAJavaClassName() throws IOException {
        Path f = file("host.test.js", HOST_ERRORS);
        for (String reporter : new String[] {"spec", "tap", "junit"}) {
            Cli r = cli("test", "--reporter", reporter, f.toString());
            assertEquals(1, r.code(), reporter);
            String all = r.out() + r.err();
            assertTrue(all.contains("unknown hcall 'H_FOO'"), reporter + ":\n" + all);
            assertTrue(all.contains("Maximum call stack size exceeded"), reporter + ":\n" + all);
            assertNoJavaName(reporter, all);
        }
    }

    @Test
    void runAndTheReplShowJsErrorsOnly() throws IOException {
        Path f = file("bad.js", "const m = pseries.machine({ icMode: 'xive' });\nconsole.log(String((() => { try { m.irq(0x1234); } catch (e) { return e; } })()));\nm.hcall(0, 'H_FOO');\n");
        Cli r = cli("run", f.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().startsWith("Error: IRQ 4660 (0x1234) is not a claimed device interrupt"), r.out());
        assertTrue(r.err().contains("bad.js:3:1: Error: unknown hcall 'H_FOO'"), r.err());
        assertNoJavaName("run", r.out() + r.err());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ReplSession s = new ReplSession(engine, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), false, null)) {
            int code = Repl.batch(s, new BufferedReader(new StringReader(
                "const m = pseries.machine({ icMode: 'xive' })\ntry { m.irq(0x1234) } catch (e) { e.name + '|' + e }\nm.hcall(0, 'H_FOO')\n")));
            assertEquals(1, code);
        }
        String repl = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertTrue(repl.contains("\"Error|Error: IRQ 4660"), repl);
        assertTrue(repl.contains("repl:1:1: Error: unknown hcall 'H_FOO'"), repl);
        assertNoJavaName("repl", repl);
    }

    // ------------------------------------------------------------------ 5. hostile thrown values

    private static FileResult runFile(Path f, JsTestFile.Options o) {
        return JsTestFile.run(engine, f, o, new TestListener() { }, new PrintStream(new ByteArrayOutputStream()));
    }

    private static TestResult result(FileResult r, String name) {
        return r.tests().stream().filter(t -> t.fullName().equals(name)).findFirst()
            .orElseThrow(() -> new AssertionError("no test '" + name + "' in " + r.tests().stream().map(TestResult::fullName).toList()));
    }

    @Test
    void aHostileThrownValueFailsItsTestAndTheRestOfTheFileRuns() throws IOException {
        Path f = file("hostile.test.js", """
            const trap = () => { throw new Error('trap'); };
            it('a proxy whose every trap throws', () => {
              throw new Proxy({}, { get: trap, getPrototypeOf: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
            });
            it('getters that throw', () => {
              throw { get name() { throw 1; }, get message() { throw 2; }, get stack() { throw 3; }, get constructor() { throw 4; } };
            });
            it('a toString that throws', () => { throw { toString() { throw new Error('no'); } }; });
            it('a revoked proxy', () => { const r = Proxy.revocable({}, {}); r.revoke(); throw r.proxy; });
            it('a symbol', () => { throw Symbol('s'); });
            it('an async rejection with a proxy', async () => { await Promise.reject(new Proxy({}, { get: trap })); });
            describe('a hook', () => {
              beforeEach(() => { throw new Proxy({}, { get: trap }); });
              it('its test', () => {});
            });
            it('still runs', () => { assert.ok(true); });
            """);
        FileResult r = runFile(f, JsTestFile.Options.defaults());
        assertEquals(null, r.loadError(), "no file-level failure");
        assertEquals(8, r.tests().size(), r.tests().stream().map(TestResult::fullName).toList().toString());
        assertEquals(TestResult.Status.PASSED, result(r, "still runs").status());
        for (String t : new String[] {"a proxy whose every trap throws", "getters that throw", "a toString that throws",
            "a revoked proxy", "a symbol", "an async rejection with a proxy", "a hook > its test"}) {
            TestResult x = result(r, t);
            assertEquals(TestResult.Status.FAILED, x.status(), t);
            assertNotNull(x.failure().message(), t);
        }
        assertEquals("Symbol(s)", result(r, "a symbol").failure().message());
        assertEquals(8, result(r, "a toString that throws").location().line(), "the test's own location");
    }

    // ------------------------------------------------------------------ 6. timeouts

    static final String SLOW = """
        describe('slow', () => {
          it('loops forever', () => { for (;;) {} }, { timeout: 300 });
          it('runs after the loop', () => { assert.ok(true); });
          it('never settles', async () => { await new Promise(() => {}); });
          it('runs after the promise', () => {});
          describe('suite limit', () => {
            it('spins', () => { while (true) {} });
          }, { timeout: 200 });
          it('loops under the default', () => { for (;;) {} });
          it('last', () => {});
        });
        """;

    @Test
    void aTimedOutTestFailsAtItsLocationAndTheRestRun() throws IOException {
        Path f = file("slow.test.js", SLOW);
        FileResult r = runFile(f, JsTestFile.Options.defaults().withTimeout(1000));
        assertEquals(null, r.loadError());
        assertEquals(List.of("FAILED", "PASSED", "FAILED", "PASSED", "FAILED", "FAILED", "PASSED"),
            r.tests().stream().map(t -> t.status().name()).toList());
        TestResult loop = result(r, "slow > loops forever");
        assertTrue(loop.failure().message().startsWith("timed out after 300 ms"), loop.failure().message());
        assertEquals(2, loop.location().line());
        assertTrue(result(r, "slow > suite limit > spins").failure().message().startsWith("timed out after 200 ms"));
        assertTrue(result(r, "slow > loops under the default").failure().message().startsWith("timed out after 1000 ms"));
        assertTrue(result(r, "slow > never settles").failure().message().contains("awaits a promise that nothing can settle"));
    }

    @Test
    void testWithTwoJobsAndRunWithATimeoutNeverHang() throws IOException {
        Files.createDirectories(dir.resolve("t"));
        Files.writeString(dir.resolve("t/a.test.js"), "it('spins', () => { for (;;) {} });\nit('then', () => {});\n");
        Files.writeString(dir.resolve("t/b.test.js"), "it('waits', async () => { await new Promise(() => {}); });\nit('then', () => {});\n");
        Cli t = cli("test", "-j", "2", "--timeout", "1s", dir.resolve("t").toString());
        assertEquals(1, t.code(), t.out() + t.err());
        assertTrue(t.out().contains("2 passed, 2 failed"), t.out());
        assertTrue(t.out().contains("timed out after 1000 ms"), t.out());

        Path loop = file("loop.js", "let i = 0;\nfor (;;) { i++; }\n");
        Cli r = cli("run", "--timeout", "500ms", loop.toString());
        assertEquals(4, r.code(), r.err());
        assertTrue(r.err().contains("Error: the script timed out after 500 ms (--timeout)"), r.err());
        assertTrue(cli("test", "--timeout", "soon", loop.toString()).err().contains("'soon' is not a time"));
    }

    @Test
    void theJunitEngineTakesATimeout() throws IOException {
        file("spin.test.js", "it('spins', () => { for (;;) {} });\nit('then', () => {});\n");
        java.util.Map<String, org.junit.platform.engine.TestExecutionResult> results = new java.util.concurrent.ConcurrentHashMap<>();
        org.junit.platform.launcher.core.LauncherFactory.create().execute(
            org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
                .configurationParameter(PseriesTestEngine.DIRS, dir.toString())
                .configurationParameter(PseriesTestEngine.TIMEOUT, "500")
                .filters(org.junit.platform.launcher.EngineFilter.includeEngines(PseriesTestEngine.ID)).build(),
            new org.junit.platform.launcher.TestExecutionListener() {
                @Override
                public void executionFinished(org.junit.platform.launcher.TestIdentifier id,
                                              org.junit.platform.engine.TestExecutionResult r) {
                    results.put(id.getDisplayName(), r);
                }
            });
        assertEquals(org.junit.platform.engine.TestExecutionResult.Status.FAILED, results.get("spins").getStatus());
        assertTrue(results.get("spins").getThrowable().orElseThrow().getMessage().contains("timed out after 500 ms"));
        assertEquals(org.junit.platform.engine.TestExecutionResult.Status.SUCCESSFUL, results.get("then").getStatus());
    }

    // ------------------------------------------------------------------ 8. out of heap

    /** The CLI in a JVM of its own with a small heap (exhausting this JVM's heap would starve the other tests). */
    static Cli smallHeap(String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
            "-Xmx160m", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        try {
            java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getErrorStream().readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES), "the CLI finished");
            return new Cli(p.exitValue(), out, new String(err.join(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void runningOutOfHeapInATestFailsThatTestWithTheHintAndTheRestRun() throws IOException {
        Path f = file("heap.test.js", """
            it('eats the heap', () => { const keep = []; for (;;) { keep.push(new Array(1e6).fill(1.5)); } });
            it('then runs', () => { assert.strictEqual(1 + 1, 2); });
            """);
        Cli r = smallHeap("test", "--reporter", "tap", f.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(Pattern.compile("(?m)^not ok 1 - .*> eats the heap").matcher(r.out()).find(), r.out());
        assertTrue(r.out().contains("out of Java heap memory; give the JVM more with PSERIES_JAVA_OPTS=-Xmx"), r.out());
        assertTrue(Pattern.compile("(?m)^ok 2 - .*> then runs").matcher(r.out()).find(), r.out());
        assertNoJavaName("test", r.out());
    }

    @Test
    void runningOutOfHeapInRunExitsWithItsOwnCode() throws IOException {
        Path f = file("heap.js", "const keep = [];\nfor (;;) { keep.push(new Array(1e6).fill(1.5)); }\n");
        Cli r = smallHeap("run", f.toString());
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("heap.js: RangeError: out of Java heap memory; give the JVM more with PSERIES_JAVA_OPTS=-Xmx"), r.err());
        assertNoJavaName("run", r.err());
    }

    // ------------------------------------------------------------------ 2. file access

    @Test
    void scriptsReadTheirOwnTreeAndWhatAllowReadAdds() throws IOException {
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("data.json"), "{ \"secret\": 7 }");
        Path scripts = Files.createDirectories(dir.resolve("scripts"));
        Path f = scripts.resolve("read.js");
        Files.writeString(f, "import d from '../other/data.json' with { type: 'json' };\nconsole.log('got', d.secret);\n");
        Cli refused = cli("run", f.toString());
        assertEquals(1, refused.code(), refused.err());
        assertTrue(refused.err().contains("data.json is not allowed") && refused.err().contains("--allow-read DIR"), refused.err());
        assertFalse(refused.out().contains("got"), refused.out());
        Cli allowed = cli("run", "--allow-read", other.toString(), f.toString());
        assertEquals(0, allowed.code(), allowed.err());
        assertEquals("got 7\n", allowed.out());

        Path t = scripts.resolve("read.test.js");
        Files.writeString(t, "it('reads', async () => { const d = await import('../other/data.json', { with: { type: 'json' } });"
            + " assert.strictEqual(d.default.secret, 7); });\n");
        assertEquals(1, cli("test", t.toString()).code());
        Cli test = cli("test", "--allow-read", other.toString(), t.toString());
        assertEquals(0, test.code(), test.out() + test.err());
        FileResult viaOptions = runFile(t, JsTestFile.Options.defaults().withAllowRead(List.of(other)));
        assertEquals(TestResult.Status.PASSED, viaOptions.tests().get(0).status());
    }

    @Test
    void aSymbolicLinkCannotLeadOutOfTheTree() throws IOException {
        Path other = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(other.resolve("s.json"), "{ \"secret\": 8 }");
        Path scripts = Files.createDirectories(dir.resolve("tree"));
        Files.createSymbolicLink(scripts.resolve("link"), other);
        Path f = scripts.resolve("l.js");
        Files.writeString(f, "import d from './link/s.json' with { type: 'json' };\nconsole.log(d.secret);\n");
        Cli r = cli("run", f.toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("s.json is not allowed"), r.err());
    }
}
