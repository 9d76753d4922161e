package io.pseries.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Scripts get the pseries API and nothing else of the host. */
class SandboxTest {
    static ScriptEngine engine;

    @BeforeAll
    static void start() {
        engine = new ScriptEngine();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    static String eval(String js) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Context ctx = engine.newContext(new ScriptEngine.Options().out(new PrintStream(out, true, StandardCharsets.UTF_8)))) {
            return ctx.eval("js", js).toString();
        } catch (PolyglotException e) {
            return "THROWN " + e.getMessage();
        }
    }

    @Test
    void javaClassesAreNotReachable() {
        assertTrue(eval("Java.type('java.lang.System')").startsWith("THROWN"), "Java.type must be refused");
    }

    @Test
    void loadIsDisabled() {
        assertEquals("undefined", eval("typeof load"));
    }

    @Test
    void otherLanguagesAreNotReachable() {
        assertTrue(eval("Polyglot.eval('python', '1')").startsWith("THROWN"));
    }

    @Test
    void hostObjectsExposeOnlyExportedMembers() {
        // the Java machine object behind pseries.machine is not reachable, and the global is frozen in shape
        assertEquals("undefined", eval("typeof pseries.machine.getClass"));
        assertEquals("object", eval("typeof pseries"));
    }

    @Test
    void engineReportsTheRuntimeItRuns() {
        boolean jvmci = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+EnableJVMCI");
        assertEquals(jvmci, engine.optimized(), "the optimizing runtime is active exactly when JVMCI is enabled");
        assertEquals(Boolean.toString(jvmci), eval("pseries.optimized"));
    }
}
