package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
import org.junit.jupiter.api.TestFactory;

import io.pseries.script.ScriptEngine;
import io.pseries.script.ScriptRunner;

/** Runs every JS scenario of test-scripts/ and fails with the script's own error report. */
class ScenarioScriptsTest {
    static ScriptEngine engine;

    @BeforeAll
    static void start() {
        engine = new ScriptEngine();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @TestFactory
    Stream<DynamicTest> scenarios() throws IOException {
        List<Path> scripts;
        try (Stream<Path> s = Files.list(Path.of(""))) {
            scripts = s.filter(p -> p.toString().endsWith(".scenario.js")).sorted().toList();
        }
        assertFalse(scripts.isEmpty(), "test-scripts/ has scenarios");
        return scripts.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = ScriptRunner.run(engine, p, List.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Set.of(), false);
            assertEquals(0, code, () -> p + ":\n" + err.toString(StandardCharsets.UTF_8));
        }));
    }
}
