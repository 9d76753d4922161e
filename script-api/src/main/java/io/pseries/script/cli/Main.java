package io.pseries.script.cli;

import java.io.PrintWriter;

import io.pseries.script.ScriptEngine;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pseries} command line. */
@Command(name = "pseries", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    subcommands = {RunCommand.class, TestCommand.class, ReplCommand.class, DtCommand.class, LayoutCommand.class,
        CommandLine.HelpCommand.class},
    description = {
        "A POWER9 pseries (sPAPR) machine model with the XIVE and XICS interrupt controllers, driven from JavaScript.",
        "",
        "Examples:",
        "  pseries run scripts/quickstart.js     boot 4 vCPUs (XIVE), run IPIs",
        "  pseries run --trace hcall my.js       print every hcall a script causes",
        "  pseries test test-scripts             run the *.test.js files",
        "  pseries repl                          an interactive JavaScript prompt",
        "  pseries dt --cpus 4 --cas xive        the device tree after CAS",
        "  pseries help run                      options of a subcommand",
    },
    footer = {"", "Launcher options (./pseries): --jit / --no-jit, or PSERIES_JIT=on|off|auto,",
        "choose the optimizing JS runtime (slower start, ~45x faster hot JS); see README."})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version line: pseries, GraalJS, JDK and whether JS runs optimized. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "pseries " + ScriptEngine.version(),
                "GraalJS " + ScriptEngine.graalVersion() + ", Java " + System.getProperty("java.version")
                    + " (" + System.getProperty("java.vendor") + ")",
            };
        }
    }

    /** Builds the command line with the usual error handling; tests drive it directly. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        CommandLine.IParameterExceptionHandler standard = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((ex, args) -> {
            // a mistyped subcommand: name the closest one rather than "unmatched arguments"
            if (ex instanceof CommandLine.UnmatchedArgumentException u && u.getCommandLine() == cl
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
                String word = u.getUnmatched().get(0);
                java.util.List<String> names = java.util.List.copyOf(cl.getSubcommands().keySet());
                String close = io.pseries.core.util.Suggest.closest(word, names);
                cl.getErr().println("pseries: unknown command '" + word + "'" + (close != null ? " (did you mean '" + close + "'?)" : "")
                    + "; commands: " + String.join(", ", names) + ". See 'pseries --help'.");
                return CommandLine.ExitCode.USAGE;
            }
            return standard.handleParseException(ex, args);
        });
        return cl;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
