package io.pseries.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import io.pseries.script.ScriptEngine;
import io.pseries.script.ScriptRunner;

/**
 * Every example in scripts/ runs to completion (exit code 0) with all plugins present, with the
 * emulated controllers and again with every machine's controllers in the simulated kernel
 * ({@code kernelIrqchip: 'on'} unless the script asks otherwise): the guest cannot tell.
 */
class ExampleScriptsTest {
    static ScriptEngine engine;
    static ScriptEngine kernelEngine;

    @BeforeAll
    static void start() {
        engine = new ScriptEngine();
        kernelEngine = new ScriptEngine(io.pseries.script.host.MachineDefaults.parse("kernelIrqchip=on", "the test"));
    }

    @AfterAll
    static void stop() {
        engine.close();
        kernelEngine.close();
    }

    record Run(int code, String out, String err) {
    }

    static Run run(Path script, List<String> args) {
        return run(engine, script, args);
    }

    static Run run(ScriptEngine e, Path script, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ScriptRunner.run(e, script, args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), Set.of(), false);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @TestFactory
    Stream<DynamicTest> everyExampleRuns() throws IOException {
        return examples(engine);
    }

    @TestFactory
    Stream<DynamicTest> everyExampleRunsWithTheControllersInTheKernel() throws IOException {
        return examples(kernelEngine);
    }

    private static Stream<DynamicTest> examples(ScriptEngine e) throws IOException {
        List<Path> scripts;
        try (Stream<Path> s = Files.list(Path.of(""))) {
            scripts = s.filter(p -> p.toString().endsWith(".js")).sorted().toList();
        }
        assertTrue(scripts.size() >= 1, "scripts/ holds the examples");
        return scripts.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            Run r = run(e, p, List.of());
            assertEquals(0, r.code(), () -> p + " failed:\n" + r.err() + "\nstdout:\n" + r.out());
            assertTrue(!r.out().isBlank(), p + " printed nothing");
        }));
    }

    @Test
    void quickstartBootsFourCpusAndDeliversEveryIpi() {
        Run r = run(Path.of("quickstart.js"), List.of("20"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("booted 4 vCPUs in xive mode"), r.out());
        // 20 rounds of 4 ring IPIs (each taken) and 12 all-to-all IPIs sent before the machine runs:
        // the 3 IPIs to each CPU coalesce in the ESB (PQ 10 -> 11) and the EOI re-triggers once,
        // so each CPU takes 2 of its 3 -> 20 * (4 + 8) = 240 taken
        assertTrue(r.out().contains("320 IPIs sent, 240 taken"), r.out());
        assertTrue(r.out().contains("sources: 0x0:-- 0x1:-- 0x2:-- 0x3:-- 0x1000:-- 0x1001:-- 0x1100:-- 0x1101:-Q 0x1102:--"), r.out());
        assertTrue(r.out().contains("CPPR per cpu: ff ff ff ff"), r.out());
    }
}
