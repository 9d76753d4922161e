package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import io.pseries.script.cli.Main;

/**
 * The TAP reporter writes its YAML diagnostics by hand (JSON strings, which are YAML
 * double-quoted scalars); SnakeYAML, an independent parser, must read back exactly the values,
 * including quotes, backslashes, newlines and control characters.
 */
class TapYamlTest {
    @TempDir
    Path dir;

    @Test
    void theDiagnosticsBlockIsYamlThatReadsBackTheFailure() throws IOException {
        Files.writeString(dir.resolve("y.test.js"), """
            it('odd text', () => {
              assert.strictEqual('a "quoted" \\\\ back\\nslash\\u0001', 'b: #not a comment');
            });
            """);
        StringWriter out = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true))
            .execute("test", "--reporter", "tap", dir.resolve("y.test.js").toString());
        assertEquals(1, code);
        List<String> lines = out.toString().lines().toList();
        int start = lines.indexOf("  ---");
        int end = lines.indexOf("  ...");
        assertTrue(start > 0 && end > start, out.toString());
        List<String> block = new ArrayList<>();
        for (String l : lines.subList(start + 1, end)) {
            block.add(l.substring(2));
        }
        Map<?, ?> y = new Yaml().load(String.join("\n", block));
        assertEquals("AssertionError", y.get("type"));
        // the values as the runner shows them (inspect: JSON-like double-quoted strings)
        assertEquals("\"a \\\"quoted\\\" \\\\ back\\nslash\\u0001\"", y.get("actual"));
        assertEquals("\"b: #not a comment\"", y.get("expected"));
        assertTrue(String.valueOf(y.get("at")).endsWith("y.test.js:2:10"), String.valueOf(y.get("at")));
    }
}
