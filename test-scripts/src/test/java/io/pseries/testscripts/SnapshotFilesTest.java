package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pseries.script.cli.Main;

/**
 * Snapshot files: {@code m.save(path)} writes only inside the {@code --allow-write DIR} trees
 * (none by default), whole files moved into place in one step; {@code pseries.load(path)} reads
 * under the script's read rules (its own tree and {@code --allow-read}). Each rule is driven
 * through the command line a user types, and every refusal must name the path and the reason
 * without a Java name, leaving any old file as it was.
 */
class SnapshotFilesTest {
    private static final Pattern JAVA = Pattern.compile("java\\.|io\\.pseries\\.|[A-Za-z]+Exception\\b");

    @TempDir
    Path dir;

    record Cli(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    /** {@code pseries run [--allow-write W]... SCRIPT}. */
    private Cli run(String script, String... allowWrite) throws IOException {
        Path f = dir.resolve("s.js");
        Files.writeString(f, script);
        List<String> a = new ArrayList<>(List.of("run"));
        for (String w : allowWrite) {
            a.add("--allow-write");
            a.add(w);
        }
        a.add(f.toString());
        return cli(a.toArray(String[]::new));
    }

    private static void refusedCleanly(Cli r, String... expected) {
        for (String e : expected) {
            assertTrue(r.all().contains(e), "expected '" + e + "' in:\n" + r.all());
        }
        assertFalse(JAVA.matcher(r.all()).find(), "no Java name:\n" + r.all());
    }

    private static final String BUSY = """
        const m = pseries.machine({ cpus: 2, icMode: 'xics' });
        m.hcall(0, 'H_CPPR', 0xff);
        m.hcall(1, 'H_IPI', 0, 5);
        """;

    @Test
    void saveThenLoad_theFileHoldsTheSnapshot_andLoadsAsTheSameMachine() throws IOException {
        Files.createDirectories(dir.resolve("out"));
        Cli r = run(BUSY + """
            const n = m.save('out/m.snap');
            const b = m.snapshot();
            console.log('size', n === b.length);
            console.log('hash', b.reduce((a, x) => (Math.imul(a, 31) + x) >>> 0, 0));
            const m2 = pseries.load('out/m.snap');
            console.log('pic', JSON.stringify(m2.pic()) === JSON.stringify(m.pic()));
            console.log('config', JSON.stringify(m2.config) === JSON.stringify(m.config));
            console.log('xirr', m2.hcall(0, 'H_XIRR').ret[0]);
            """, dir.resolve("out").toString());
        assertEquals(0, r.code(), r.all());
        byte[] file = Files.readAllBytes(dir.resolve("out/m.snap"));
        int hash = 0;
        for (byte x : file) {
            hash = hash * 31 + (x & 0xFF);
        }
        assertEquals(List.of("size true", "hash " + Integer.toUnsignedString(hash), "pic true", "config true",
            "xirr " + 0xFF00_0002L), r.out().lines().toList(), "the file is m.snapshot()'s bytes; the loaded machine"
            + " has CPU 0's pending IPI (CPPR 0xFF, XISR 2) to accept:\n" + r.all());
        try (var s = Files.list(dir.resolve("out"))) {
            assertEquals(List.of("m.snap"), s.map(p -> p.getFileName().toString()).toList(), "no temporary file left");
        }
    }

    @Test
    void save_withoutAllowWrite_isRefused_andWritesNothing() throws IOException {
        Cli r = run(BUSY + "m.save('m.snap');\n");
        assertEquals(1, r.code(), r.all());
        refusedCleanly(r, "m.save: writing " + dir.resolve("m.snap"), "--allow-write DIR", "none was given");
        assertFalse(Files.exists(dir.resolve("m.snap")));
    }

    @Test
    void save_outsideTheAllowedTree_orThroughALinkOutOfIt_isRefused() throws IOException {
        Path allowed = Files.createDirectories(dir.resolve("allowed"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(allowed.resolve("escape"), outside);
        Cli r = run(BUSY + "try { m.save('outside/a.snap'); } catch (e) { console.log(String(e)); }\n"
            + "try { m.save('allowed/escape/b.snap'); } catch (e) { console.log(String(e)); }\n"
            + "m.save('allowed/../outside/c.snap');\n", allowed.toString());
        assertEquals(1, r.code(), r.all());
        refusedCleanly(r, "writing " + outside.resolve("a.snap") + " is not allowed: it is outside the directories given with"
            + " --allow-write DIR (" + allowed.toRealPath() + ")", "writing " + allowed.resolve("escape/b.snap") + " is not allowed",
            "writing " + outside.resolve("c.snap") + " is not allowed");
        try (var s = Files.list(outside)) {
            assertEquals(0, s.count(), "nothing written outside");
        }
    }

    @Test
    void save_ontoALinkOrADirectory_orIntoAMissingDirectory_isRefused() throws IOException {
        Path allowed = Files.createDirectories(dir.resolve("allowed"));
        Path target = Files.writeString(dir.resolve("victim.txt"), "keep");
        Files.createSymbolicLink(allowed.resolve("link.snap"), target);
        Files.createDirectories(allowed.resolve("sub.snap"));
        Cli r = run(BUSY + "for (const p of ['allowed/link.snap', 'allowed/sub.snap', 'allowed/none/x.snap']) {\n"
            + "  try { m.save(p); } catch (e) { console.log(String(e)); }\n}\n", allowed.toString());
        assertEquals(0, r.code(), r.all());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.all());
        assertTrue(lines.get(0).endsWith("is not allowed: it is a symbolic link"), lines.get(0));
        assertTrue(lines.get(1).endsWith(allowed.resolve("sub.snap") + " is a directory"), lines.get(1));
        assertTrue(lines.get(2).endsWith("cannot write allowed/none/x.snap: no such directory"), lines.get(2));
        refusedCleanly(r);
        assertEquals("keep", Files.readString(target), "the link's target is untouched");
    }

    @Test
    void aSaveThatFails_leavesTheOldFileAsItWas() throws IOException {
        Path allowed = Files.createDirectories(dir.resolve("allowed"));
        Cli r = run("""
            const ok = pseries.machine({ cpus: 1 });
            const n = ok.save('allowed/m.snap');
            const bad = pseries.machine({ cpus: 1 });
            bad.rtas('system-reboot'); // the reset is an event of the machine's own code: not a quiescent point
            try { bad.save('allowed/m.snap'); } catch (e) { console.log(String(e)); }
            console.log(n);
            """, allowed.toString());
        assertEquals(0, r.code(), r.all());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("Error: snapshot section 'clock'"), lines.get(0));
        assertEquals(Long.parseLong(lines.get(1)), Files.size(allowed.resolve("m.snap")), "the first save's file, whole");
    }

    @Test
    void load_followsTheReadRules_andRefusesMissingCorruptAndBadArguments() throws IOException {
        Path elsewhere = Files.createTempDirectory("pseries-elsewhere");
        try {
            Path snap = elsewhere.resolve("m.snap");
            Files.write(snap, new byte[] {1, 2, 3});
            Files.write(dir.resolve("junk.snap"), new byte[] {'P', 'S', 'N', 'P', 0, 0, 0});
            Cli r = run("""
                for (const p of [%s, 'missing.snap', 'junk.snap', '', 42]) {
                  try { pseries.load(p); console.log('loaded', p); } catch (e) { console.log(e.name + ': ' + e.message); }
                }
                """.formatted("'" + snap + "'"));
            assertEquals(0, r.code(), r.all());
            List<String> lines = r.out().lines().toList();
            assertEquals(5, lines.size(), r.all());
            assertTrue(lines.get(0).startsWith("Error: pseries.load: reading " + snap + " is not allowed"), lines.get(0));
            assertTrue(lines.get(0).contains("--allow-read DIR"), lines.get(0));
            assertEquals("Error: pseries.load: no such file: missing.snap", lines.get(1));
            assertTrue(lines.get(2).startsWith("Error: snapshot section 'header'"), lines.get(2));
            assertTrue(lines.get(3).startsWith("TypeError: pseries.load: expected the snapshot file's path"), lines.get(3));
            assertTrue(lines.get(4).startsWith("TypeError: pseries.load: expected the snapshot file's path"), lines.get(4));
            refusedCleanly(r);
        } finally {
            try (var s = Files.walk(elsewhere)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void theTestCommand_takesAllowWriteToo() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path t = dir.resolve("save.test.js");
        Files.writeString(t, """
            it('saves', () => {
              const m = pseries.machine({ cpus: 1 });
              assert.equal(m.save('out/t.snap'), m.snapshot().length);
              assert.deepStrictEqual(pseries.load('out/t.snap').pic(), m.pic());
            });
            """);
        Cli refused = cli("test", t.toString());
        assertEquals(1, refused.code(), refused.all());
        assertTrue(refused.all().contains("--allow-write DIR"), refused.all());
        Cli ok = cli("test", "--allow-write", out.toString(), t.toString());
        assertEquals(0, ok.code(), ok.all());
        assertTrue(Files.size(out.resolve("t.snap")) > 64);
    }
}
