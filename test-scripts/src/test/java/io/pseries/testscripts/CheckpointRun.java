package io.pseries.testscripts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.pseries.script.ScriptEngine;
import io.pseries.script.test.FileResult;
import io.pseries.script.test.JsTestFile;
import io.pseries.script.test.TestListener;

/** A JS test file's text run with {@code --checkpoint-invariance} at {@code points} points: its result and what it printed. */
record CheckpointRun(FileResult result, String output) {
    static CheckpointRun of(ScriptEngine engine, Path dir, String name, String text, int points) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FileResult r = JsTestFile.run(engine, p, JsTestFile.Options.defaults().withCheckpoints(points), new TestListener() { },
            new PrintStream(out, true, StandardCharsets.UTF_8));
        return new CheckpointRun(r, out.toString(StandardCharsets.UTF_8));
    }
}
