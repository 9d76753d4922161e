package io.pseries.script.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The progress line: rewritten in place on a terminal, cleared at the end, absent otherwise. */
class ProgressTest {
    @Test
    void onATerminalTheLineIsRewrittenInPlaceAndClearedAtTheEnd() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(b, true, StandardCharsets.UTF_8), true);
        p.update("[1/3 files] a.test.js");
        p.update("[2/3] b");
        p.done();
        assertEquals("\r[1/3 files] a.test.js\r[2/3] b              \r       \r", b.toString(StandardCharsets.UTF_8));
    }

    @Test
    void offATerminalNothingIsWritten() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(b, true, StandardCharsets.UTF_8), false);
        p.update("[1/3 files] a.test.js");
        p.done();
        assertEquals("", b.toString(StandardCharsets.UTF_8));
    }
}
