package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pseries.script.ScriptEngine;
import io.pseries.script.test.FileResult;
import io.pseries.script.test.JsTestFile;
import io.pseries.script.test.TestListener;

/**
 * {@code --checkpoint-invariance} on guest code: every {@code m.cpu(n).run}/{@code step} is a
 * boundary, a checkpoint there restores the interpreters' state ({@code cpu/code}) into a fresh
 * machine, and the script's breakpoints and 'exception'/'instruction' subscriptions go on on the
 * replacement (the same {@code m.cpu(n)} objects reach it).
 */
class GuestCodeCheckpointTest {
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

    private String run(String text, int points) throws IOException {
        Path p = dir.resolve("g.test.js");
        Files.writeString(p, text);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FileResult r = JsTestFile.run(engine, p, JsTestFile.Options.defaults().withCheckpoints(points), new TestListener() { },
            new PrintStream(out, true, StandardCharsets.UTF_8));
        String o = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, r.failures(), o + r);
        return o;
    }

    /** li r3,1; addi r3,r3,1 (x4); the word 0 (illegal, no handler): as an ELF at 0x400000. */
    private static final String SCRIPT = """
        function elf(words) {
          const b = new Uint8Array(64 + 56 + 4 * words.length);
          const d = new DataView(b.buffer);
          b.set([0x7f, 0x45, 0x4c, 0x46, 2, 2, 1]);
          d.setUint16(16, 2); d.setUint16(18, 21); d.setUint32(20, 1);
          d.setBigUint64(32, 64n); d.setUint16(52, 64); d.setUint16(54, 56); d.setUint16(56, 1);
          d.setUint32(64, 1); d.setUint32(68, 7); d.setBigUint64(72, 120n);
          d.setBigUint64(96, BigInt(4 * words.length)); d.setBigUint64(104, BigInt(4 * words.length));
          words.forEach((w, i) => d.setUint32(120 + 4 * i, w));
          return b;
        }
        it('breakpoints and listeners across checkpoints', () => {
          const m = pseries.machine({ cpus: 1, icMode: 'xics' });
          m.loadElf(elf([0x38600001, 0x38630001, 0x38630001, 0x38630001, 0x38630001, 0]));
          const pcs = [];
          const exceptions = [];
          const off = m.on('instruction', (e) => pcs.push(Number(e.pc) - 0x400000));
          m.on('exception', (e) => exceptions.push(e.vector));
          m.cpu(0).breakpoints = [0x400010];
          m.cpu(0).step();
          m.cpu(0).step();
          const b = m.cpu(0).run();
          assert.deepStrictEqual([b.reason, b.instructions], ['breakpoint', 2]);
          assert.deepStrictEqual(m.cpu(0).breakpoints, [0x400010]);
          off();
          const e = m.cpu(0).run();
          assert.strictEqual(e.reason, 'stopped');
          assert.deepStrictEqual(pcs, [0, 4, 8, 12]);
          assert.deepStrictEqual(exceptions, [0x700]);
          assert.strictEqual(m.cpu(0).regs.gpr[3], 5);
        });
        """;

    @Test
    void everyRunAndStepIsACheckpointAndTheScriptsDebuggerStateGoesOn() throws IOException {
        String o = run(SCRIPT, 1000);
        assertTrue(o.contains("4 of 4 boundaries chosen, 4 checkpoints taken"), o);
        assertFalse(o.contains("skipped"), o);
        assertTrue(o.contains("no difference"), o);
    }
}
