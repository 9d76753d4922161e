package io.pseries.script.cli;

import java.io.PrintWriter;

import io.pseries.script.ScriptEngine;
import io.pseries.script.StartupPhases;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pseries} command line. */
@Command(name = "pseries", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {
        "A POWER9 pseries (sPAPR) machine model with the XIVE and XICS interrupt controllers, driven from JavaScript.",
        "",
        "Examples:",
        "  pseries run scripts/quickstart.js     boot 4 vCPUs (XIVE), run IPIs",
        "  pseries run --trace hcall my.js       print every hcall a script causes",
        "  pseries test test-scripts             run the *.test.js files",
        "  pseries repl                          an interactive JavaScript prompt",
        "  pseries dt --cpus 4 --cas xive        the device tree after CAS",
        "  pseries boot payload.elf --ic-mode xive   run a bare-metal ppc64 payload, console on stdout",
        "  pseries vmstate --dump                the schema of every snapshot section",
        "  pseries help run                      options of a subcommand",
        "  source <(pseries completion bash)     Tab completion in bash (or zsh)",
    },
    footer = {"", "Launcher options (./pseries): --jit / --no-jit, or PSERIES_JIT=on|off|auto,",
        "choose the optimizing JS runtime. The default (interpreter) starts fast and",
        "wins for short runs and the test suite (2-3x less CPU); --jit pays ~6 s of",
        "CPU to start, then runs hot JS loops ~5x faster (a 40 s IPI loop: 2.1 M",
        "IPIs/s against 0.44 M): use it for scripts that loop over machine calls for",
        "more than ~15 s. See README."})
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

    /** The subcommands' names, in the order --help lists them. */
    static final java.util.List<String> SUBCOMMANDS = java.util.List.of(
        "run", "test", "repl", "dt", "boot", "layout", "completion", "snapshot", "vmstate", "help");

    /** A new instance of subcommand {@code name} (a switch, no lambdas: the start-up cache keeps this class). */
    private static Object subcommand(String name) {
        switch (name) {
            case "run": return new RunCommand();
            case "test": return new TestCommand();
            case "repl": return new ReplCommand();
            case "dt": return new DtCommand();
            case "boot": return new BootCommand();
            case "layout": return new LayoutCommand();
            case "completion": return new CompletionCommand();
            case "snapshot": return new SnapshotCommand();
            case "vmstate": return new VmstateCommand();
            case "help": return new CommandLine.HelpCommand();
            default: throw new IllegalArgumentException("no subcommand " + name);
        }
    }

    /** Builds the command line with every subcommand and the usual error handling; tests drive it directly. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, null);
    }

    /**
     * The command line for {@code args}: when the first argument names a subcommand that works on
     * its own (not help or completion, which list the others), only that one is built. Picocli
     * builds a subcommand's whole model from its annotations up front, and doing so for all of them
     * was a third of a one-line script's start-up (B9).
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, String[] args) {
        CommandLine cl = new CommandLine(new Main());
        String first = args != null && args.length > 0 ? args[0] : null;
        if (first != null && SUBCOMMANDS.contains(first) && !first.equals("help") && !first.equals("completion")) {
            cl.addSubcommand(first, subcommand(first));
        } else {
            for (String name : SUBCOMMANDS) {
                cl.addSubcommand(name, subcommand(name));
            }
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, badArgs) -> {
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
            return usageError(ex);
        });
        cl.setExecutionExceptionHandler((ex, failed, parsed) -> {
            // a failure outside the script (a file that cannot be written...): one line, no Java stack
            String cmd = failed.getCommandSpec().qualifiedName();
            failed.getErr().println(cmd + ": " + oneLine(ex));
            return 1;
        });
        return cl;
    }

    /**
     * A usage error prints the one-line reason and where to read more, not the whole help (the
     * convention of git and most picocli tools since the usage text scrolls the reason away).
     */
    static int usageError(CommandLine.ParameterException ex) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        String msg = ex.getMessage();
        String hint = "";
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
            && u.getUnmatched().get(0).startsWith("-")) {
            java.util.List<String> options = new java.util.ArrayList<>();
            for (CommandLine.Model.OptionSpec o : cmd.getCommandSpec().options()) {
                options.addAll(java.util.List.of(o.names()));
            }
            String bad = u.getUnmatched().get(0);
            hint = io.pseries.core.util.Suggest.didYouMean(bad.contains("=") ? bad.substring(0, bad.indexOf('=')) : bad, options);
        }
        cmd.getErr().println(name + ": " + (msg == null ? "invalid usage" : msg) + hint);
        cmd.getErr().println("See '" + name + " --help'.");
        return CommandLine.ExitCode.USAGE;
    }

    /** An exception as one line a user can act on: the message, with the kind of I/O failure spelled out. */
    static String oneLine(Throwable ex) {
        if (ex instanceof java.nio.file.NoSuchFileException n) {
            return "cannot write or read " + n.getFile() + ": no such file or directory";
        }
        if (ex instanceof java.nio.file.AccessDeniedException a) {
            return "cannot write or read " + a.getFile() + ": permission denied";
        }
        if (ex instanceof java.nio.file.FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : "file system error");
        }
        if (ex instanceof java.io.UncheckedIOException u && u.getCause() != null) {
            return oneLine(u.getCause());
        }
        String m = ex.getMessage();
        return m == null || m.isBlank() ? "failed without a message" : m.strip().lines().findFirst().orElse(m);
    }

    public static void main(String[] args) {
        StartupPhases.mark("jvm");
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        CommandLine cl = commandLine(out, err, args);
        StartupPhases.mark("command-line");
        int code = cl.execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
