package io.pseries.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pseries.script.cli.Main;
import io.pseries.script.repl.Repl;
import io.pseries.script.repl.ReplCompletion;
import io.pseries.script.repl.ReplSession;

/**
 * {@code pseries repl}: evaluation, multi-line input, errors that leave the session usable,
 * dot-commands and completion, through the non-interactive loop, the JLine line editor over
 * piped streams, and the command line. (No interrupt-controller plugin is on this class path,
 * so machines are tested in test-scripts' ReplMachineTest; here plain objects stand in.)
 */
class ReplTest {
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

    /** What a session printed, and the exit code of the batch loop. */
    record Run(int code, String out, String err) {
    }

    static final class Session implements AutoCloseable {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final ReplSession s = new ReplSession(engine, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), false, null);

        Run batch(String input) throws IOException {
            out.reset();
            err.reset();
            int code = Repl.batch(s, new BufferedReader(new StringReader(input)));
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }

        List<String> complete(String buffer) {
            return s.complete(buffer, buffer.length()).candidates();
        }

        @Override
        public void close() {
            s.close();
        }
    }

    static Run batch(String input) throws IOException {
        try (Session s = new Session()) {
            return s.batch(input);
        }
    }

    // ------------------------------------------------------------------ evaluation

    @Test
    void resultsPrintLikeConsoleLogAndStatementsPrintUndefined() throws IOException {
        Run r = batch("1 + 2\n'text'\n[1, 'a', 2n]\nvar v = 5\nconsole.log('out', { a: 1 })\n");
        assertEquals(0, r.code(), r.err());
        assertEquals("3\n\"text\"\n[ 1, \"a\", 2n ]\nundefined\nout { a: 1 }\nundefined\n", r.out());
    }

    @Test
    void stateAndDeclarationsPersistAcrossInputs() throws IOException {
        Run r = batch("const a = 40\nlet b = 2\nfunction add(x, y) { return x + y; }\nadd(a, b)\n_ + 1\n");
        assertEquals(0, r.code(), r.err());
        assertEquals("undefined\nundefined\nundefined\n42\n43\n", r.out());
    }

    @Test
    void redeclaringConstOrLetReplacesTheBinding() throws IOException {
        Run r = batch("const m = { n: 1 }\nconst m = { n: 2 }\nm.n\nlet k = 1\nlet k = 'again'\nk\n");
        assertEquals(0, r.code(), r.err());
        assertEquals("undefined\nundefined\n2\nundefined\nundefined\n\"again\"\n", r.out());
    }

    @Test
    void aDeclarationWhoseInitializerThrewDoesNotLeaveTheNameUnusable() throws IOException {
        Run r = batch("const m = nothing.here\nconst m = 7\nm\n");
        assertEquals(1, r.code());
        assertTrue(r.out().endsWith("undefined\n7\n"), r.out());
    }

    @Test
    void blockScopedDeclarationsStayInTheirBlocks() throws IOException {
        Run r = batch("{ const inner = 1; let other = 2 }\ntypeof inner + ' ' + typeof other\nfor (let i = 0; i < 2; i++) {}\ntypeof i\n");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"undefined undefined\"\n") && r.out().endsWith("\"undefined\"\n"), r.out());
    }

    @Test
    void aLeadingBraceIsAnObjectLiteral() throws IOException {
        Run r = batch("{ a: 1, b: [2] }\n");
        assertEquals("{ a: 1, b: [ 2 ] }\n", r.out());
    }

    // ------------------------------------------------------------------ multi-line input

    @Test
    void unfinishedInputContinuesOnTheNextLines() throws IOException {
        Run r = batch("let x = [1,\n  2,\n  3]\nx.length\nfunction f(a) {\n  return a *\n    2;\n}\nf(21)\n`one\ntwo`\n1 +\n2\n/* a\ncomment */ 'after'\n"
            + "'con\\\ntinued'\n");
        assertEquals(0, r.code(), r.err());
        assertEquals("undefined\n3\nundefined\n42\n\"one\\ntwo\"\n3\n\"after\"\n\"continued\"\n", r.out());
    }

    @Test
    void completenessIsDecidedByTheParser() {
        try (Session s = new Session()) {
            for (String incomplete : List.of("1 +", "foo(", "let o = {", "`abc", "`a ${", "/* x", "'abc\\", "if (x)", "x.", "a ? b :", "class A extends")) {
                assertFalse(s.s.isComplete(incomplete), incomplete);
            }
            for (String complete : List.of("", "1 + 1", "'abc", "1 +)", "a b", ".help", "let x = 1;", "foo(\n.break")) {
                assertTrue(s.s.isComplete(complete), complete);
            }
        }
    }

    @Test
    void breakDropsAnUnfinishedInput() throws IOException {
        Run r = batch("foo(1,\n.break\n'next'\n");
        assertEquals(0, r.code(), r.err());
        assertEquals("\"next\"\n", r.out());
    }

    @Test
    void inputStillUnfinishedAtTheEndIsASyntaxError() throws IOException {
        Run r = batch("1\nfoo(1,\n");
        assertEquals(1, r.code());
        assertEquals("1\n", r.out());
        assertTrue(r.err().contains("SyntaxError"), r.err());
    }

    // ------------------------------------------------------------------ errors

    @Test
    void anErrorIsReportedLikeRunAndTheSessionGoesOn() throws IOException {
        Run r = batch("const keep = 41\nfunction boom() {\n  throw new RangeError('boom ' + keep);\n}\nboom()\nkeep + 1\n");
        assertEquals(1, r.code(), "a failed input makes the batch exit code 1");
        assertEquals("undefined\nundefined\n42\n", r.out());
        assertTrue(r.err().startsWith("repl:2:9: RangeError: boom 41\n      throw new RangeError('boom ' + keep);\n            ^\n"), r.err());
        assertTrue(r.err().contains("at boom (repl:2:9)") && r.err().contains("at <top level> (repl:1:1)"), r.err());
        assertFalse(r.err().contains("Exception"), "no Java stack without --verbose: " + r.err());
    }

    @Test
    void anErrorShowsTheLineAsTypedNotAsRewritten() throws IOException {
        Run r = batch("const y = missing.x\n");
        assertTrue(r.err().startsWith("repl:1:11: ReferenceError: missing is not defined\n    const y = missing.x\n              ^\n"), r.err());
    }

    @Test
    void aSyntaxErrorIsReportedAndTheSessionGoesOn() throws IOException {
        Run r = batch("let a = ;\n'still here'\n");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("SyntaxError") && r.err().contains("repl:1:"), r.err());
        assertEquals("\"still here\"\n", r.out());
    }

    @Test
    void aThrownValueThatIsNotAnErrorIsShownAsAValue() throws IOException {
        Run r = batch("throw { code: 7, why: 'x' }\n");
        assertTrue(r.err().startsWith("repl:1:1: Uncaught { code: 7, why: \"x\" }\n    throw { code: 7, why: 'x' }\n    ^\n"), r.err());
    }

    @Test
    void mapsAndSetsPrintTheirEntries() throws IOException {
        Run r = batch("new Map([[1, 'x'], ['k', { y: 2n }]])\nnew Set([1, 'a'])\nnew Map()\n");
        assertEquals("Map(2) { 1 => \"x\", \"k\" => { y: 2n } }\nSet(2) { 1, \"a\" }\nMap(0) {}\n", r.out());
    }

    @Test
    void aMisspelledApiMemberNamesTheClosestOne() throws IOException {
        Run r = batch("pseries.verison\npseries.version.length > 0\n");
        assertTrue(r.err().contains("repl:1:1: TypeError: pseries.verison does not exist (did you mean pseries.version?)"), r.err());
        assertEquals("true\n", r.out());
    }

    // ------------------------------------------------------------------ dot-commands

    @Test
    void helpListsTheCommandsAndTheApi() throws IOException {
        Run r = batch(".help\n");
        assertEquals(0, r.code(), r.err());
        for (String s : List.of(".break", ".clear", ".exit", ".help", ".load", "pseries\n      machine() layout() host() restore() load() migrate() version icModes optimized args",
            "m = pseries.machine(", "hcall() rtas()", "m.irq(n)\n      irq type driver raise() lower() pulse() level")) {
            assertTrue(r.out().contains(s), s + " in\n" + r.out());
        }
        Run m = batch(".help irq\n");
        assertTrue(m.out().contains("Machine.irq(number: Int): IrqLine\n    The line of a claimed device interrupt"), m.out());
    }

    @Test
    void loadRunsAPlainScriptWhoseDeclarationsStayVisible() throws IOException {
        Path lib = dir.resolve("lib.js");
        Files.writeString(lib, "const base = 40;\nfunction answer() { return base + 2; }\n");
        Run r = batch(".load " + lib + "\nanswer()\n.load " + lib + "\nbase\n");
        assertEquals(0, r.code(), r.err());
        assertEquals("42\n40\n", r.out());
    }

    @Test
    void loadRunsAModuleWhoseExportsBecomeVariables() throws IOException {
        Path dep = dir.resolve("dep.mjs");
        Files.writeString(dep, "export const two = 2;\n");
        Path mod = dir.resolve("mod.js");
        Files.writeString(mod, "import { two } from './dep.mjs';\nexport const answer = 40 + two;\nexport function twice(x) { return 2 * x; }\nconst hidden = 1;\n");
        Run r = batch(".load " + mod + "\ntwice(answer)\ntypeof hidden\n");
        assertEquals(0, r.code(), r.err());
        assertEquals("loaded " + mod + " as an ES module; exports: answer, twice\n84\n\"undefined\"\n", r.out());
    }

    @Test
    void loadReportsErrorsWithTheFileLocation() throws IOException {
        Path bad = dir.resolve("bad.js");
        Files.writeString(bad, "const ok = 1;\nnot.defined;\n");
        Run r = batch(".load " + bad + "\nok\n.load " + dir.resolve("missing.js") + "\n");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bad.js:2:1: ReferenceError: not is not defined\n    not.defined;\n    ^\n"), r.err());
        assertTrue(r.err().contains(".load: cannot read " + dir.resolve("missing.js") + ": no such file"), r.err());
        assertEquals("1\n", r.out());
    }

    @Test
    void clearStartsANewContextAndExitStopsReading() throws IOException {
        Run r = batch("const gone = 1\n.clear\ntypeof gone\n.exit\n'never'\n");
        assertEquals(0, r.code(), r.err());
        assertEquals("undefined\nClearing context...\n\"undefined\"\n", r.out());
    }

    @Test
    void anUnknownCommandIsAnErrorNamingTheCommands() throws IOException {
        Run r = batch(".hepl\n.lod x\n");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("Invalid REPL keyword .hepl (did you mean '.help'?); commands: .break .clear .exit .help .load"), r.err());
        assertTrue(r.err().contains("Invalid REPL keyword .lod (did you mean '.load'?)"), r.err());
    }

    // ------------------------------------------------------------------ completion

    @Test
    void completesTheMembersOfPseries() {
        try (Session s = new Session()) {
            assertEquals(List.of("args", "host", "icModes", "layout", "load", "machine", "migrate", "optimized", "restore", "version"), s.complete("pseries."));
            assertEquals(List.of("machine"), s.complete("const m = pseries.ma"));
            ReplCompletion.Result r = s.s.complete("x = pseries.ver", "x = pseries.ver".length());
            assertEquals(12, r.start(), "the candidate replaces the word being typed");
            assertEquals(List.of("version"), r.candidates());
        }
    }

    @Test
    void completesGlobalsSessionVariablesAndKeywords() throws IOException {
        try (Session s = new Session()) {
            s.batch("const myMachine = 1\nvar myOther = 2\n");
            assertEquals(List.of("myMachine", "myOther"), s.complete("my"));
            assertEquals(List.of("pseries"), s.complete("pse"));
            assertTrue(s.complete("con").containsAll(List.of("console", "const", "continue")), s.complete("con").toString());
            assertEquals(List.of(), s.complete("Packa"), "Java package globals are hidden");
        }
    }

    @Test
    void completesPropertiesOfAnyValueAlongThePrototypeChain() throws IOException {
        try (Session s = new Session()) {
            s.batch("const o = { alpha: 1, beta: { gamma: 2 }, 'not-ident': 3, list: [1, 2] }\nclass P { method() {} }\nconst p = new P()\n");
            assertEquals(List.of("alpha"), s.complete("o.al"));
            List<String> beta = s.complete("o.beta.");
            assertTrue(beta.contains("gamma") && beta.contains("hasOwnProperty") && !beta.contains("__proto__"), beta.toString());
            assertTrue(s.complete("o.list.").containsAll(List.of("length", "map", "push")), s.complete("o.list.").toString());
            assertEquals(List.of("method"), s.complete("p.me"));
            assertEquals(List.of("gamma"), s.complete("o['beta'].ga"));
            assertTrue(s.complete("'abc'.").containsAll(List.of("length", "padStart", "toUpperCase")));
            assertTrue(s.complete("console.log(o.beta.g").contains("gamma"), "inside an argument list");
            assertEquals(List.of(), s.complete("o.nothing."), "undefined has no members");
            assertEquals(List.of(), s.complete("'o.al"), "not inside a string");
        }
    }

    @Test
    void completionNeverCallsFunctions() throws IOException {
        try (Session s = new Session()) {
            // an object shaped like a machine (every required Machine member): m.irq(..). is known
            // from pseries.d.ts without calling m.irq
            s.batch("""
                let calls = 0
                const fake = {}
                for (const k of ['cpus', 'icMode', 'now', 'config', 'mem', 'guest', 'console', 'hcall', 'rtas', 'load', 'store', 'port',
                  'cas', 'fdt', 'snapshot', 'restore', 'save', 'dt', 'dts', 'irq', 'boot', 'run', 'runUntilIdle', 'on', 'pic', 'reset', 'info', 'recordEvents',
                  'events', 'hcallNames', 'loadElf', 'cpu', 'host', 'running']) { fake[k] = () => { calls++; return {}; }; }
                function sideEffect() { calls++; return { a: 1 }; }
                """);
            assertEquals(List.of("driver", "irq", "level", "lower", "pulse", "raise", "type"), s.complete("fake.irq(0x1100)."));
            assertEquals(List.of("lower"), s.complete("fake.irq(0x1100).raise().lo"));
            assertEquals(List.of("rc", "rcName", "ret"), s.complete("fake.hcall(0, 'H_EOI', 0)."));
            assertTrue(s.complete("pseries.machine().guest.stats()[0].").containsAll(List.of("exceptions", "ipis", "irqs")));
            assertTrue(s.complete("fake.cas({ xive: 'both' }).").containsAll(List.of("fdt", "mode", "ov5")));
            assertTrue(s.complete("pseries.machine({ cpus: 2 }).").containsAll(List.of("boot", "guest", "irq", "mem", "xive")));
            assertTrue(s.complete("pseries.machine().mem.").containsAll(List.of("alloc", "read32", "size")));
            assertTrue(s.complete("fake.dts().").contains("split"), "a string result");
            assertEquals(List.of(), s.complete("sideEffect()."), "an unknown function is not called to find out");
            assertEquals("0\n", s.batch("calls\n").out(), "nothing was called");
        }
    }

    @Test
    void completesCommandsAndFileNames() throws IOException {
        Files.createDirectory(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/one.js"), "1");
        Files.writeString(dir.resolve("sub/other.mjs"), "2");
        try (Session s = new Session()) {
            assertEquals(List.of(".load"), s.complete(".lo"));
            assertEquals(List.of(".break", ".clear", ".exit", ".help", ".load", ".pic", ".irq", ".trace", ".dt", ".machines", ".machine", ".snapshot", ".restore", ".snapshots"), s.complete("."));
            String line = ".load " + dir + "/sub/o";
            ReplCompletion.Result r = s.s.complete(line, line.length());
            assertEquals(6, r.start());
            assertEquals(List.of(dir + "/sub/one.js", dir + "/sub/other.mjs"), r.candidates());
            assertEquals(List.of(dir + "/sub/"), s.complete(".load " + dir + "/su"));
        }
    }

    // ------------------------------------------------------------------ JLine and the command line

    @Test
    void theLineEditorOverPipedStreamsJoinsLinesCompletesAndKeepsHistory() throws IOException {
        // JLine's stream terminal, declared an ANSI one: with type "dumb" JLine would turn off
        // completion and the continuation prompt
        Path history = dir.resolve("history");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // Tab after "pseries.vers" completes to pseries.version through JLine
        InputStream in = new ByteArrayInputStream("let a = (1 +\n2)\na * 2\nnope\npseries.vers\t\n.exit\n".getBytes(StandardCharsets.UTF_8));
        try (Terminal t = new DumbTerminal("test", "ansi", in, bytes, StandardCharsets.UTF_8);
             PrintStream ps = new PrintStream(t.output(), true, StandardCharsets.UTF_8);
             ReplSession s = new ReplSession(engine, ps, ps, false, null)) {
            t.setSize(Size.of(100, 30));
            assertEquals(0, Repl.interactive(s, t, history, "banner line"));
        }
        // what the terminal showed, without escape sequences and JLine's fresh-line marker
        String out = bytes.toString(StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "")
            .replaceAll("~ *\r \r", "").replace("\r", "");
        assertTrue(out.startsWith("banner line\n> let a = (1 +\n... 2)\n"), out);
        assertTrue(out.contains("\nundefined\n> a * 2\n6\n> nope\nrepl:1:1: ReferenceError: nope is not defined\n    nope\n    ^\n"), out);
        assertTrue(out.contains("> pseries.version\n\"" + ScriptEngine.version() + "\"\n> .exit\n"), "Tab completed the name: " + out);
        String saved = Files.readString(history);
        assertTrue(saved.contains(":let a = (1 +\\n2)\n") && saved.contains(":a * 2\n") && saved.contains(":pseries.version\n")
            && saved.contains(":.exit\n"), saved);
    }

    @Test
    void theCommandLineReadsAPipeAndExitsZeroWhenEveryInputSucceeded() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        InputStream saved = System.in;
        int code;
        try {
            System.setIn(new ByteArrayInputStream("const v = pseries.version\ntypeof v\n".getBytes(StandardCharsets.UTF_8)));
            code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute("repl", "--no-history");
        } finally {
            System.setIn(saved);
        }
        assertEquals(0, code, err.toString());
        assertEquals("undefined\n\"string\"\n", out.toString());
    }

    @Test
    void replHelpDescribesTheNonInteractiveMode() {
        StringWriter out = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true)).execute("repl", "--help");
        assertEquals(0, code);
        String h = out.toString().replaceAll("\\s+", " ");
        assertTrue(h.contains("not a terminal") && h.contains("0 if every input succeeded, 1 if any failed") && h.contains("--history")
            && h.contains("--no-history") && h.contains("--load"), h);
        StringWriter top = new StringWriter();
        Main.commandLine(new PrintWriter(top, true), new PrintWriter(new StringWriter(), true)).execute("--help");
        assertTrue(top.toString().contains("repl"), top.toString());
    }
}
