package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import io.pseries.core.trace.TraceCategory;
import io.pseries.script.cli.Main;

/** The command line's answers to what users type: usage errors, selections, reports and file problems. */
class CommandLineTest {
    @TempDir
    Path dir;

    record Cli(int code, String out, String err) {
    }

    static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    static final String IPIS = """
        describe('IPIs', () => {
          it('cpu 1 takes one IPI from cpu 0', () => {});
          it('cpu 0 takes none', () => {});
        });
        """;

    @Test
    void aFilterMatchingNoTestExitsOneAndNamesTheClosestTests() throws IOException {
        file("ipi.test.js", IPIS);
        Cli c = cli("test", "--filter", "IPIs > cpu 1 take one", dir.toString());
        assertEquals(1, c.code(), c.out() + c.err());
        assertTrue(c.err().contains("no test matches --filter 'IPIs > cpu 1 take one'; closest: 'IPIs > cpu 1 takes one IPI from cpu 0'"),
            c.err());
    }

    @Test
    void passWithNoTestsAcceptsAnEmptySelection() throws IOException {
        file("ipi.test.js", IPIS);
        Cli c = cli("test", "--pass-with-no-tests", "--filter", "nothing like it", dir.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.err().contains("no test matches --filter 'nothing like it'"), c.err());
        assertEquals(0, cli("test", "--filter", "cpu 0", dir.toString()).code(), "a filter that matches runs");
    }

    @Test
    void aUsageErrorIsOneLineAndPointsAtHelpInsteadOfPrintingIt() throws IOException {
        Path ok = file("ok.js", "1;\n");
        for (String[] args : List.of(new String[] {"run", "--frobnicate", ok.toString()}, new String[] {"test", "--repeat", "0", "."},
                new String[] {"dt", "--cpus", "many"}, new String[] {"run"})) {
            Cli c = cli(args);
            assertEquals(2, c.code(), String.join(" ", args));
            assertFalse(c.err().contains("Usage:"), "no help text: " + c.err());
            List<String> lines = c.err().lines().toList();
            assertTrue(lines.size() <= 3, "a short error: " + c.err());
            assertTrue(lines.get(lines.size() - 1).matches("See 'pseries (run|test|dt) --help'\\."), c.err());
        }
    }

    @Test
    void traceTakesAllAndGlobsAndWritesToATraceFile() throws IOException {
        Path s = file("h.js", "const m = pseries.machine({ cpus: 1, icMode: 'xive' }); m.boot();\n");
        Cli all = cli("run", "--trace", "all", s.toString());
        assertEquals(0, all.code(), all.err());
        for (String cat : List.of("hcall", "cas", "guest")) {
            assertTrue(all.err().contains("] #") && all.err().lines().anyMatch(l -> l.matches("\\[trace] #\\d+ t=\\d+ns " + cat + " .*")),
                cat + " in --trace all: " + all.err().lines().limit(5).toList());
        }
        Cli glob = cli("run", "--trace", "guest*", s.toString());
        assertTrue(glob.err().lines().allMatch(l -> l.matches("\\[trace] #\\d+ t=\\d+ns (guest|guest_error) .*")), glob.err());
        assertTrue(glob.err().contains(" guest "), glob.err());
        Path out = dir.resolve("trace.txt");
        Cli file = cli("run", "--trace", "hcall", "--trace-file", out.toString(), s.toString());
        assertEquals(0, file.code(), file.err());
        assertEquals("", file.err(), "the events go to the file, not stderr");
        assertTrue(Files.readString(out).contains("hcall H_INT_SET_QUEUE_CONFIG"), Files.readString(out));
        Cli bad = cli("run", "--trace", "xyz*", s.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("unknown trace event 'xyz*'"), bad.err());
    }

    @Test
    void theEventNamesAreOneListInTheCliHelpTheApiAndTheTypes() throws IOException {
        List<String> names = TraceCategory.jsNames();
        String dts = Files.readString(Path.of("..", "script-api", "pseries.d.ts"));
        Matcher m = Pattern.compile("type EventName = ([^;]+);").matcher(dts);
        assertTrue(m.find(), "EventName in pseries.d.ts");
        List<String> typed = Arrays.stream(m.group(1).split("\\|")).map(x -> x.strip().replace("'", "")).toList();
        assertEquals(names, typed);
        String help = cli("run", "--help").out();
        for (String n : names) {
            assertTrue(help.contains(n), n + " in run --help: " + help);
        }
    }

    @Test
    void aSyntaxErrorIsReportedOnceAtItsOneBasedColumn() throws IOException {
        Path p = file("syn.js", "let a = 1;\nlet b = a +* 2;\n");
        Cli c = cli("run", p.toString());
        assertEquals(1, c.code());
        List<String> lines = c.err().lines().toList();
        assertTrue(lines.get(0).endsWith("syn.js:2:12: SyntaxError: Expected an operand but found *"), c.err());
        assertEquals(1, c.err().split("let b = a", -1).length - 1, "the source line once: " + c.err());
        assertEquals("    let b = a +* 2;", lines.get(1));
        assertEquals("               ^", lines.get(2));
    }

    @Test
    void aThrownStringNamesTheScriptAndSaysWhyThereIsNoLine() throws IOException {
        Path p = file("thr.js", "throw 'str';\n");
        Cli c = cli("run", p.toString());
        assertEquals(1, c.code());
        assertTrue(c.err().startsWith(p + ": Uncaught str (the thrown value is not an Error"), c.err());
    }

    @Test
    void runningADirectorySaysItIsADirectory() {
        Cli c = cli("run", dir.toString());
        assertEquals(2, c.code());
        assertTrue(c.err().contains("it is a directory") && c.err().contains("pseries test " + dir), c.err());
    }

    @Test
    void dtIntoAMissingDirectoryIsAOneLineError() {
        Cli c = cli("dt", "-o", dir.resolve("missing/x.dtb").toString());
        assertEquals(1, c.code());
        assertEquals("pseries dt: cannot write " + dir.resolve("missing/x.dtb") + ": no such directory " + dir.resolve("missing") + "\n",
            c.err());
    }

    @Test
    void junitXmlKeepsThrownErrorsAsErrorsAndAssertionsAsFailuresWithOneMessageEach() throws Exception {
        file("mixed.test.js", """
            describe('s', () => {
              it('asserts', () => { assert.strictEqual(1 + 1, 3, 'sum is off'); });
              it('throws', () => { null.x; });
              it('passes', () => {});
            });
            """);
        Path out = dir.resolve("r.xml");
        Cli c = cli("test", "--reporter", "junit", "-o", out.toString(), dir.toString());
        assertEquals(1, c.code());
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(Files.readAllBytes(out)));
        Element suites = d.getDocumentElement();
        assertEquals(List.of("3", "1", "1"), List.of(suites.getAttribute("tests"), suites.getAttribute("failures"), suites.getAttribute("errors")));
        Element failure = (Element) d.getElementsByTagName("failure").item(0);
        Element error = (Element) d.getElementsByTagName("error").item(0);
        assertEquals("asserts", ((Element) failure.getParentNode()).getAttribute("name"));
        assertEquals("throws", ((Element) error.getParentNode()).getAttribute("name"));
        assertEquals("TypeError", error.getAttribute("type"));
        for (Element e : List.of(failure, error)) {
            String msg = e.getAttribute("message");
            assertFalse(msg.isEmpty());
            assertFalse(e.getTextContent().contains(msg), "the message once, in the attribute: " + e.getTextContent());
            assertTrue(e.getTextContent().contains("mixed.test.js:"), e.getTextContent());
        }
        assertTrue(failure.getTextContent().contains("expected: 3"), failure.getTextContent());
    }

    @Test
    void repeatingOneFileCountsOneFileAndItsRuns() throws IOException {
        file("a.test.js", "it('x', () => {});\n");
        Cli c = cli("test", "--repeat", "2", dir.toString());
        assertEquals(0, c.code());
        assertTrue(c.out().contains("2 passed, 0 failed (1 file, 2 runs, "), c.out());
    }

    @Test
    void shardsAreDisjointAndTogetherRunEveryTestOnce() throws IOException {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            file("d" + (i % 2) + "/f" + i + ".test.js", "it('t" + i + "', () => {});\n");
            all.add("t" + i);
        }
        List<String> union = new ArrayList<>();
        for (int k = 1; k <= 3; k++) {
            Cli c = cli("test", "--reporter", "tap", "--shard", k + "/3", dir.toString());
            assertEquals(0, c.code(), c.err());
            List<String> ran = c.out().lines().filter(l -> l.startsWith("ok ")).map(l -> l.replaceAll(".* > (t\\d).*", "$1")).toList();
            assertTrue(ran.size() == 2 || ran.size() == 3, "balanced: " + ran);
            union.addAll(ran);
            // the same shard whatever order the paths are given in
            Cli again = cli("test", "--reporter", "tap", "--shard", k + "/3", dir.resolve("d1").toString(), dir.resolve("d0").toString());
            assertEquals(ran, again.out().lines().filter(l -> l.startsWith("ok ")).map(l -> l.replaceAll(".* > (t\\d).*", "$1")).toList());
        }
        assertEquals(all.stream().sorted().toList(), union.stream().sorted().toList());
        Cli bad = cli("test", "--shard", "4/3", dir.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--shard: a shard is K/N with 1 <= K <= N"), bad.err());
        Cli empty = cli("test", "--shard", "9/9", dir.toString());
        assertEquals(0, cli("test", "--shard", "9/9", "--pass-with-no-tests", dir.toString()).code());
        assertEquals(1, empty.code(), "7 files in 9 shards leave shard 9 empty: " + empty.err());
    }
}
