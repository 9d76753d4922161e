package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pseries.script.ScriptEngine;
import io.pseries.script.test.FileResult;
import io.pseries.script.test.JsTestFile;
import io.pseries.script.test.TestListener;

/**
 * {@code --checkpoint-invariance} on guest code: every {@code m.cpu(n).run}/{@code step} is a
 * boundary, a checkpoint there restores the interpreters' state ({@code cpu/code}) into a fresh
 * machine, and the script's breakpoints and 'exception'/'instruction' subscriptions go on on the
 * replacement (the same {@code m.cpu(n)} objects reach it). The file is the suite's own
 * {@code guest-code.test.js} (until and breakpoints, both events, a snapshot mid run), checkpointed
 * at every boundary.
 */
class GuestCodeCheckpointTest {
    static ScriptEngine engine;

    @BeforeAll
    static void start() {
        engine = new ScriptEngine();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void everyRunAndStepOfTheGuestCodeFileIsACheckpointAndNothingDiffers() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FileResult r = JsTestFile.run(engine, Path.of("guest-code.test.js"), JsTestFile.Options.defaults().withCheckpoints(1000),
            new TestListener() { }, new PrintStream(out, true, StandardCharsets.UTF_8));
        String o = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, r.failures(), o + r);
        Matcher m = Pattern.compile("(\\d+) of (\\d+) boundaries chosen, (\\d+) checkpoints taken").matcher(o);
        assertTrue(m.find(), o);
        assertTrue(Integer.parseInt(m.group(2)) >= 10, "the file's runs and steps are boundaries: " + o);
        assertEquals(m.group(2), m.group(3), "every boundary checkpointed: " + o);
        assertFalse(o.contains("skipped"), o);
        assertTrue(o.contains("no difference"), o);
    }
}
