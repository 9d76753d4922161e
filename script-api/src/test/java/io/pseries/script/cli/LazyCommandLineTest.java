package io.pseries.script.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/**
 * The command line built for one subcommand (what {@code main} does, for start-up, B9) answers
 * exactly as the one with every subcommand: help, usage errors, exit codes.
 */
class LazyCommandLineTest {
    record Result(int code, String out, String err) {
    }

    private static Result run(boolean lazy, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        CommandLine cl = lazy ? Main.commandLine(o, e, args) : Main.commandLine(o, e);
        return new Result(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void aSubcommandNamedFirst_isTheOnlyOneBuilt() {
        CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), new String[] {"run", "x.js"});
        assertEquals(Set.of("run"), cl.getSubcommands().keySet());
    }

    @Test
    void helpCompletionAndTopLevelOptions_buildEverySubcommand() {
        for (String[] args : List.of(new String[] {"help", "run"}, new String[] {"completion", "bash"}, new String[] {"--help"},
            new String[] {"rnu"}, new String[0])) {
            CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), args);
            assertEquals(Main.SUBCOMMANDS, List.copyOf(cl.getSubcommands().keySet()), String.join(" ", args));
        }
    }

    @Test
    void everySubcommandsHelpAndUsageErrors_areTheSameBuiltAlone() {
        for (String sub : Main.SUBCOMMANDS) {
            if (sub.equals("help")) {
                continue;
            }
            for (String[] args : List.of(new String[] {sub, "--help"}, new String[] {sub, "--no-such-option"},
                new String[] {sub, "--machine-defualt", "x"})) {
                Result all = run(false, args);
                Result alone = run(true, args);
                assertEquals(all, alone, String.join(" ", args));
            }
        }
        Result typo = run(true, "run", "--tarce", "hcall", "x.js");
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("--trace"), typo.err());
    }
}
