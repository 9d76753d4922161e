package io.pseries.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pseries.script.cli.Main;

/** The command line: exit codes, error reports, help. */
class CliTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private Path script(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void helpListsTheSubcommands() {
        Result r = cli("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("run") && r.out().contains("Commands:"), r.out());
    }

    @Test
    void versionNamesPseriesAndGraalJs() {
        Result r = cli("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("pseries ") && r.out().contains("GraalJS 25"), r.out());
    }

    @Test
    void aBadMachineDefault_isAUsageError() throws IOException {
        Path p = script("d.js", "pseries.machine();\n");
        Result r = cli("run", "--machine-default", "kernelIrqchip=maybe", p.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bad machine default in --machine-default: invalid machine option kernelIrqchip: 'maybe'"),
            r.err());
    }

    @Test
    void consoleLogGoesToStdoutAndArgumentsReachTheScript() throws IOException {
        Path p = script("hello.js", "console.log('args', pseries.args, { a: 1n, b: [1, 'x'] });\n");
        Result r = cli("run", p.toString(), "one", "two");
        assertEquals(0, r.code(), r.err());
        assertEquals("args [ \"one\", \"two\" ] { a: 1n, b: [ 1, \"x\" ] }\n", r.out());
    }

    @Test
    void aScriptErrorPrintsFileLineColumnTheLineAndACaretAndExitsOne() throws IOException {
        Path p = script("bad.js", "const x = 1;\nfunction f() {\n  throw new RangeError('boom ' + x);\n}\nf();\n");
        Result r = cli("run", p.toString());
        assertEquals(1, r.code());
        String first = r.err().lines().findFirst().orElse("");
        // the location of the Error's creation, as Node reports it
        assertTrue(first.endsWith("bad.js:3:9: RangeError: boom 1"), r.err());
        assertTrue(r.err().contains("\n      throw new RangeError('boom ' + x);\n            ^\n"), r.err());
        assertTrue(r.err().contains("at f (") && r.err().contains("bad.js:5:1)"), r.err());
        assertTrue(!r.err().contains("at java.") && !r.err().contains("Exception"), "no Java stack without --verbose: " + r.err());
    }

    @Test
    void aSyntaxErrorIsReportedWithItsLocation() throws IOException {
        Path p = script("syntax.js", "let a = 1;\nlet b = ;\n");
        Result r = cli("run", p.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("syntax.js:2:") && r.err().contains("SyntaxError"), r.err());
    }

    @Test
    void aMisspelledApiMemberNamesTheClosestOne() throws IOException {
        Path p = script("typo.js", "pseries.verison;\n");
        Result r = cli("run", p.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("typo.js:1:1: TypeError: pseries.verison does not exist (did you mean pseries.version?)"), r.err());
    }

    @Test
    void aMissingScriptIsAUsageErrorWithExitTwo() {
        Result r = cli("run", dir.resolve("nope.js").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("cannot read script") && r.err().contains("nope.js"), r.err());
    }

    @Test
    void aMistypedCommandNamesTheClosestOne() {
        Result r = cli("rn", "x.js");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown command 'rn' (did you mean 'run'?)") && r.err().contains("commands: run, test, repl, dt"), r.err());
    }

    @Test
    void anUnknownOptionIsRejectedWithExitTwo() {
        Result r = cli("run", "--frobnicate", "x.js");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Unknown option: '--frobnicate'"), r.err());
    }

    @Test
    void anUnknownTraceEventIsRejectedWithASuggestion() throws IOException {
        Path p = script("ok.js", "1;\n");
        Result r = cli("run", "--trace", "hcal", p.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown trace event 'hcal' (did you mean 'hcall'?)"), r.err());
    }

    @Test
    void importsResolveAgainstTheScriptDirectory() throws IOException {
        script("lib.js", "export const answer = 42;\n");
        Path p = script("main.js", "import { answer } from './lib.js';\nconsole.log(answer);\n");
        Result r = cli("run", p.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("42\n", r.out());
    }
}
